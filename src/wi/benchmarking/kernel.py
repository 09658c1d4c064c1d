"""`python -m wi bench --kernel`: the kernels' own speed, one thread, per SIMD path.

ns and cycles per 32-bit word for the raw stream (`fill_raw`) and per sample for each transform
(uniform, normal, truncated normal; float32 and float64), in cache (a small buffer filled again
and again) and out of it (a buffer far larger than the last-level cache). Each SIMD path runs in
its own child process with `WI_SIMD` set (the path is chosen once, at import), one thread.

Cycles need the clock. With `perf stat` able to count cycles, each child runs under it and the
clock is that child's cycles / task-clock (what the core really ran at, turbo or AVX-512
down-clocking included); otherwise it is /proc/cpuinfo's "cpu MHz" (in a VM, the frequency the
host reports, not necessarily the one the kernel ran at). The report says which.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

IN_CACHE = 16 << 10
OUT_OF_CACHE = 64 << 20
QUICK_SIZES = (16 << 10, 1 << 20)
# (case, dtype, 32-bit Philox words per sample): float64 samples take a 64-bit word (two 32-bit).
CASES = (
    ("raw", "uint32", 1),
    ("uniform", "float32", 1),
    ("uniform", "float64", 2),
    ("normal", "float32", 1),
    ("normal", "float64", 2),
    ("truncated_normal", "float32", 1),
    ("truncated_normal", "float64", 2),
)


def _call(case, buf):
    import wi

    return {
        "raw": lambda: wi.fill_raw(buf, seed=0),
        "uniform": lambda: wi.fill_uniform(buf, -1.0, 1.0, seed=0),
        "normal": lambda: wi.fill_normal(buf, 0.0, 1.0, seed=0),
        "truncated_normal": lambda: wi.fill_truncated_normal(buf, 0.0, 1.0, -2.0, 2.0, seed=0),
    }[case]


# ---- the child: one SIMD path, every case, JSON on stdout ----

def _child(sizes, repeat, min_time):
    import wi

    from .machine import wi_info
    from .timing import median_times

    wi.set_num_threads(1)
    results = []
    for size in sizes:
        for dtype in ("uint32", "float32", "float64"):
            buf = np.zeros(size, dtype)  # touched: page faults are not the kernel's cost
            fns = {(case, dt): _call(case, buf) for case, dt, _ in CASES if dt == dtype}
            for (case, dt), t in median_times(fns, repeat, min_time).items():
                results.append({"case": case, "dtype": dt, "size": size, "ns": t / size * 1e9})
            buf = fns = None
    json.dump({"simd": wi_info()["simd"], "results": results}, sys.stdout)


# ---- the parent: the clock, one child per path, the table ----

def _perf_usable():
    """True if `perf stat` can count cycles here (not in every VM or container)."""
    perf = shutil.which("perf")
    if perf is None:
        return False
    r = subprocess.run([perf, "stat", "-x,", "-e", "cycles", "--", "true"], capture_output=True, text=True)
    return r.returncode == 0 and any(line.split(",")[0].strip().isdigit() for line in r.stderr.splitlines())


def cpuinfo_ghz():
    """The mean 'cpu MHz' of /proc/cpuinfo in GHz, or None where there is none."""
    try:
        with open("/proc/cpuinfo") as f:
            mhz = [float(line.split(":", 1)[1]) for line in f if line.startswith("cpu MHz")]
    except (OSError, ValueError):
        return None
    return sum(mhz) / len(mhz) / 1e3 if mhz else None


def _perf_ghz(path):
    """cycles / task-clock from a `perf stat -x, -o path` file, in GHz."""
    values = {}
    with open(path) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[2] in ("cycles", "task-clock"):
                values[fields[2]] = float(fields[0])
    return values["cycles"] / (values["task-clock"] * 1e6)  # task-clock is in msec


def run_path(simd, sizes, repeat, min_time, use_perf):
    """(results, GHz or None) for one SIMD path, measured in a child with WI_SIMD=simd."""
    env = dict(os.environ, WI_SIMD=simd, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "wi.benchmarking.kernel", ",".join(map(str, sizes)), str(repeat), str(min_time)]
    with tempfile.TemporaryDirectory() as tmp:
        stat = os.path.join(tmp, "perf.csv")
        if use_perf:
            cmd = [shutil.which("perf"), "stat", "-x,", "-o", stat, "-e", "cycles,task-clock", "--", *cmd]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"kernel benchmark for WI_SIMD={simd} failed:\n{r.stderr.strip()}")
        out = json.loads(r.stdout)
        ghz = _perf_ghz(stat) if use_perf else None
    if out["simd"] != simd:
        raise RuntimeError(f"WI_SIMD={simd} ran the {out['simd']} path")
    return out["results"], ghz


def _size(n):
    from .table import format_size

    return format_size(n)


def run(paths, sizes, repeat, min_time, write=print):
    """Measure every path, print the table; returns {path: results}."""
    use_perf = _perf_usable()
    nominal = cpuinfo_ghz()
    if use_perf:
        write("clock: per SIMD path, perf stat's cycles / task-clock over its child process")
    elif nominal:
        write(f"clock: {nominal:.3f} GHz, /proc/cpuinfo 'cpu MHz' (perf stat cannot count cycles here); "
              "cycles = ns x GHz")
    else:
        write("clock: unknown (no perf cycles, no /proc/cpuinfo): cycles columns left empty")
    write("one thread; in cache: the same buffer filled again and again; a sample of the raw stream is one word")
    write("")
    write("| simd | case | dtype | size | ns/sample | cycles/sample | words/sample | cycles/word | Gsamples/s |")
    write("|---|---|---|---:|---:|---:|---:|---:|---:|")
    words = {(case, dtype): w for case, dtype, w in CASES}
    everything, clocks = {}, []
    for path in paths:
        results, ghz = run_path(path, sizes, repeat, min_time, use_perf)
        ghz = ghz or nominal
        everything[path] = results
        for r in results:
            w = words[(r["case"], r["dtype"])]
            cyc = f"{r['ns'] * ghz:.2f}" if ghz else "-"
            cyc_w = f"{r['ns'] * ghz / w:.2f}" if ghz else "-"
            write(f"| {path} | {r['case']} | {r['dtype']} | {_size(r['size'])} | {r['ns']:.3f} | {cyc} | {w} "
                  f"| {cyc_w} | {1 / r['ns']:.3f} |")
        if use_perf:
            clocks.append(f"clock while {path} ran: {ghz:.3f} GHz")
    if clocks:
        write("")
        for line in clocks:
            write(line)
    return everything


if __name__ == "__main__":  # the child: SIZES REPEAT MIN_TIME
    _child([int(s) for s in sys.argv[1].split(",")], int(sys.argv[2]), float(sys.argv[3]))
