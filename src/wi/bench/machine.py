"""What the numbers were measured on: CPU, wi's build and the contenders' versions."""
import datetime
import os
import platform


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


def describe():
    """Lines naming the date, CPU, wi's build and the versions, for the top of a report."""
    from .._config import config

    c = config()
    v = versions()
    return [
        f"date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"cpu: {cpu_model()} ({os.cpu_count()} logical cpus)",
        f"wi {c['version']}: backend {c['backend']}, simd {c['simd']}, {c['openmp']}",
        f"python {c['python']}, numpy {v['numpy']}, torch {v['torch']}",
    ]
