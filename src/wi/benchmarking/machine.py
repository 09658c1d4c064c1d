"""What the numbers were measured on: CPU, wi's build and the contenders' versions.

wi's build is read through its public report (`wi.show_config()`, which `python -m wi info`
prints), not its private modules.
"""
import contextlib
import datetime
import io
import os
import platform
import subprocess
import sys


def cpu_model():
    """The CPU's marketing name from /proc/cpuinfo (Linux), else what platform knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _parse_info(text):
    """'key: value' lines (as `python -m wi info` prints them) -> dict."""
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines()) if v}


def wi_info():
    """wi.show_config()'s report in this process, as a dict (version, backend, simd, threading, ...)."""
    import wi

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        wi.show_config()
    return _parse_info(out.getvalue())


def simd_paths():
    """The SIMD paths this machine can run, from `python -m wi info`'s simd_supported line.

    Asked of a child with WI_SIMD unset, so a WI_SIMD in this process does not narrow it. The names
    are whatever this wi calls them ('scalar' before the rename to 'portable', 'portable' after).
    Empty when the compiled core is missing (the NumPy fallback has no SIMD paths).
    """
    env = {k: v for k, v in os.environ.items() if k != "WI_SIMD"}
    r = subprocess.run([sys.executable, "-m", "wi", "info"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"python -m wi info failed:\n{r.stderr.strip()}")
    line = _parse_info(r.stdout).get("simd_supported", "none")
    return [] if line == "none" else [p.strip() for p in line.split(",") if p.strip()]


def versions():
    """{package: version or 'not installed'} for the libraries in the comparison."""
    import numpy

    out = {"numpy": numpy.__version__}
    try:
        import torch

        out["torch"] = torch.__version__
    except ImportError:
        out["torch"] = "not installed"
    return out


def load_average():
    """The 1-minute load average, or None where the OS has none: a busy machine makes noisy timings."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def describe():
    """Lines naming the date, CPU, load, wi's build and the versions, for the top of a report."""
    c = wi_info()
    v = versions()
    load = load_average()
    return [
        f"date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"cpu: {cpu_model()} ({os.cpu_count()} logical cpus)"
        + ("" if load is None else f", load average {load:.2f} at the start"),
        f"wi {c.get('version')}: backend {c.get('backend')}, simd {c.get('simd')}, {c.get('threading')}",
        f"python {c.get('python')}, numpy {v['numpy']}, torch {v['torch']}",
    ]
