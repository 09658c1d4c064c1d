"""Fills on a quiet and on a busy machine (issue 18): one thread against the default.

A busy machine is made by the benchmark itself: ``per_core`` processes per core of
``sh -c 'while :; do :; done'`` (as any other job, data-loader workers or a second training
process would keep the cores busy), started before the timings and stopped after them
(`busy_load`). Each fill is timed on its own (one call per timing), because on a busy machine
the distribution is the point: a fill that sometimes waits a scheduler slice for a
descheduled helper shows in the median and in the 90th percentile, not in a best-of.

The fills: ``wi.fill_he_normal`` into a preallocated, touched float32 buffer (fan_in 1024),
one thread and the default thread count interleaved call by call, so a load that drifts hits
both alike.

    >>> with busy_load(per_core=2):
    ...     rows = measure([1 << 20], threads=[1, 0], seconds=0.5)
"""
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time

BUSY_COMMAND = ["sh", "-c", "while :; do :; done"]
SIZES = [1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 1 << 26]  # 64 Ki to 64 Mi elements


@contextlib.contextmanager
def busy_load(per_core=2):
    """Keep every core busy with `per_core` spinning shells for the duration of the block."""
    n = per_core * (os.cpu_count() or 1)
    procs = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen(BUSY_COMMAND, stdin=subprocess.DEVNULL))
        time.sleep(0.2)  # let the scheduler spread them
        yield n
    finally:
        for p in procs:
            p.send_signal(signal.SIGKILL)
        for p in procs:
            p.wait(timeout=30)


def _percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def measure(sizes, threads=(1, 0), seconds=1.0, rounds=4, min_calls=5):
    """Per size and thread count: median, 90th percentile and mean seconds per fill.

    ``threads`` 0 means wi's default. Each thread count runs in blocks of back-to-back fills
    (``seconds / rounds`` each, at least ``min_calls`` fills), the blocks of the thread counts
    alternating ``rounds`` times: a load that drifts hits every count alike, and each block
    sees the process in its steady state (interleaving single calls would hand one count the
    scheduler credit the other earned while it waited). Returns a list of dicts (size,
    threads, the thread count used, median, p90, mean, calls).
    """
    import numpy as np

    import wi

    rows = []
    for size in sizes:
        buf = np.ones(size, np.float32)  # touched: page faults are not what is timed
        wi.set_num_threads(None)
        counts = {t: (t or wi.get_num_threads()) for t in threads}
        samples = {t: [] for t in threads}
        for t in threads:  # warm-up: pool start, first touch of the kernel's code
            wi.set_num_threads(t or None)
            wi.fill_he_normal(buf, 1024)
        for _ in range(rounds):
            for t in threads:
                wi.set_num_threads(t or None)
                deadline = time.perf_counter() + seconds / rounds
                calls = 0
                while calls < min_calls or time.perf_counter() < deadline:
                    t0 = time.perf_counter()
                    wi.fill_he_normal(buf, 1024)
                    samples[t].append(time.perf_counter() - t0)
                    calls += 1
        wi.set_num_threads(None)
        for t in threads:
            s = samples[t]
            rows.append({"size": size, "threads": t, "nthreads": counts[t], "median": statistics.median(s),
                         "p90": _percentile(s, 0.9), "mean": statistics.fmean(s), "calls": len(s)})
    return rows


def measure_in_child(src, sizes, threads, seconds):
    """measure() in a fresh interpreter that imports wi from `src` (a src/ directory): the A/B
    of two builds under the same load. The child runs this file as a script, so the timing
    code is this one whichever wi it times (an older build need not have this module)."""
    env = dict(os.environ, PYTHONPATH=src)
    env.pop("WI_SIMD", None)
    args = [sys.executable, os.path.abspath(__file__), ",".join(map(str, sizes)), ",".join(map(str, threads)), str(seconds)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows_by_label, loads):
    """Markdown: per (load, build, size) the 1-thread and default medians, p90s and ratios."""
    lines = ["| load | build | size | threads | 1 thread median | default median | default / 1 thread "
             "| 1 thread p90 | default p90 | p90 ratio |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for load in loads:
        for label, rows in rows_by_label[load].items():
            by = {(r["size"], r["threads"]): r for r in rows}
            for size in sorted({r["size"] for r in rows}):
                one, dflt = by[(size, 1)], by[(size, 0)]
                lines.append(
                    f"| {load} | {label} | {_size(size)} | {dflt['nthreads']} | {one['median'] * 1e3:.3f} ms "
                    f"| {dflt['median'] * 1e3:.3f} ms | {dflt['median'] / one['median']:.2f} "
                    f"| {one['p90'] * 1e3:.3f} ms | {dflt['p90'] * 1e3:.3f} ms | {dflt['p90'] / one['p90']:.2f} |")
    return "\n".join(lines)


def _size(n):
    return f"{n >> 20} Mi" if n >= 1 << 20 else f"{n >> 10} Ki"


if __name__ == "__main__":  # measure_in_child's child: sizes, threads, seconds -> JSON rows
    _sizes, _threads, _seconds = sys.argv[1:4]
    print(json.dumps(measure([int(x) for x in _sizes.split(",")], tuple(int(x) for x in _threads.split(",")),
                             float(_seconds))))
