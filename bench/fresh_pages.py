"""Fresh pages: wi's fill of a freshly allocated large buffer, per WI_FRESH_PAGES mode.

    PYTHONPATH=src python bench/fresh_pages.py [--elements 163e6] [--runs 7] [--threads 1,2]

Every measurement runs in its own process (a fresh heap, so the allocation maps pages no one
has touched): allocate, fill, time both together ("fresh"); then fill the same buffer again
("touched"). The buffer is a ``torch.empty`` tensor's NumPy view by default (``--alloc
torch``: torch's allocator, as under ``to_empty`` or ``wi.torch.no_init``, gives plain 4 KiB
pages), or ``np.empty`` (``--alloc numpy``: NumPy advises huge pages itself for large arrays,
so WI_FRESH_PAGES changes little there). The reference rows do the same with ``a.fill(1.0)`` (NumPy, one thread).
Prints the median, min and max of each over the runs, a Markdown table.
"""
import argparse
import os
import statistics
import subprocess
import sys

CHILD = r"""
import sys, time
import numpy as np
import wi
n, nthr, kind, alloc = int(float(sys.argv[1])), int(sys.argv[2]), sys.argv[3], sys.argv[4]
if alloc == "torch":
    import torch
    torch.set_num_threads(nthr)
    empty = lambda n: torch.empty(n, dtype=torch.float32).numpy()
else:
    empty = lambda n: np.empty(n, np.float32)
wi.set_num_threads(nthr)
warm = np.empty(1 << 17, np.float32)
wi.fill_normal(warm, seed=1); wi.fill_uniform(warm, -1.0, 1.0, seed=1)
def fill(a):
    if kind == "normal": wi.fill_normal(a, 0.0, 0.02, seed=1)
    elif kind == "uniform": wi.fill_uniform(a, -0.1, 0.1, seed=1)
    else: a.fill(1.0)
t0 = time.perf_counter(); a = empty(n); fill(a); t1 = time.perf_counter()
fill(a); t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def run(mode, n, nthr, kind, alloc):
    env = dict(os.environ, WI_FRESH_PAGES=mode, OMP_NUM_THREADS=str(nthr))
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(nthr), kind, alloc], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elements", default="163e6")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--modes", default="none,thp,populate")
    ap.add_argument("--kinds", default="uniform,normal")
    ap.add_argument("--alloc", choices=("torch", "numpy"), default="torch")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    cases = [(m, t, k) for k in args.kinds.split(",") for t in threads for m in args.modes.split(",")]
    cases += [("-", 1, "memset")]
    times = {c: [] for c in cases}
    for _ in range(args.runs):  # round-robin: drift on a shared machine hits every case alike
        for c in cases:
            times[c].append(run(c[0], args.elements, c[1], c[2], args.alloc))
    ms = lambda xs: f"{1e3 * statistics.median(xs):.0f} ({1e3 * min(xs):.0f}-{1e3 * max(xs):.0f})"
    print(f"{float(args.elements):.0f} float32 elements ({args.alloc}.empty), {args.runs} runs each, ms: median (min-max)\n")
    print("| fill | threads | WI_FRESH_PAGES | fresh: allocate + fill | touched: fill again |")
    print("|---|---:|---|---:|---:|")
    for (m, t, k), ts in times.items():
        label = "a.fill(1.0)" if k == "memset" else f"wi {k}"
        print(f"| {label} | {t} | {m} | {ms([a for a, _ in ts])} | {ms([b for _, b in ts])} |")


if __name__ == "__main__":
    main()
