#!/usr/bin/env python
"""Soak test: fill a long run of one stream chunk by chunk and count non-finite values.

Not part of the test suite (it takes minutes). The default is the issue's target,
2^33 float32 normals of (seed=0, stream=0) in chunks of 2^26, i.e. elements
0 .. 2^33 - 1 of the stream, which covers 2^31 Philox blocks and so 2^32 radius words
(every 24-bit radius value about 256 times, including the extreme ones). It prints the
count of non-finite values, the extremes, and the count of |z| beyond the contract's
bound sqrt(-2 ln 2^-24) = 5.77 (float32) / 8.57 (float64); it exits non-zero if either
count is not zero.

    python scripts/soak.py                         # 2^33 float32 normals
    python scripts/soak.py --log2n 30 --dtype float64 --dist uniform
"""
import argparse
import math
import sys
import time

import numpy as np

import wi


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--log2n", type=int, default=33, help="fill 2**log2n elements (default 33)")
    p.add_argument("--log2chunk", type=int, default=26, help="elements per call, as a power of 2 (default 26)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--dist", choices=["normal", "uniform"], default="normal")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--stream", type=int, default=0)
    p.add_argument("--offset", type=int, default=0, help="element offset of the first chunk")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)

    if args.threads:
        wi.set_num_threads(args.threads)
    dtype = np.dtype(args.dtype)
    n, chunk = 1 << args.log2n, 1 << min(args.log2chunk, args.log2n)
    buf = np.empty(chunk, dtype)
    bound = math.sqrt(-2 * math.log(2.0 ** (-24 if dtype == np.float32 else -53)))
    nonfinite = beyond = 0
    lo, hi = math.inf, -math.inf
    argmin = argmax = -1
    t0 = time.perf_counter()
    for k, start in enumerate(range(0, n, chunk)):
        off = args.offset + start
        if args.dist == "normal":
            wi.fill_normal(buf, 0.0, 1.0, seed=args.seed, stream=args.stream, offset=off)
        else:
            wi.fill_uniform(buf, 0.0, 1.0, seed=args.seed, stream=args.stream, offset=off)
        finite = np.isfinite(buf)
        bad = buf.size - int(np.count_nonzero(finite))
        nonfinite += bad
        cmin, cmax = buf.min(), buf.max()  # NaN would propagate; counted above
        if cmin < lo:
            lo, argmin = float(cmin), off + int(np.argmin(buf))
        if cmax > hi:
            hi, argmax = float(cmax), off + int(np.argmax(buf))
        if args.dist == "normal":
            beyond += int(np.count_nonzero(np.abs(buf) > bound))
        else:
            beyond += int(np.count_nonzero((buf < 0) | (buf > 1)))
        if k % 16 == 15:
            done = start + chunk
            print(f"  {done / n:6.1%}  {done:>13d} values  non-finite={nonfinite}  min={lo!r}  max={hi!r}  "
                  f"{time.perf_counter() - t0:7.1f}s", flush=True)
    elapsed = time.perf_counter() - t0
    print(f"soak: {n} {args.dtype} {args.dist} values (2^{args.log2n}), seed={args.seed} stream={args.stream} "
          f"offset={args.offset}, chunks of 2^{args.log2chunk}, backend={wi.backend} "
          f"simd={wi._backend.simd_active()} threads={wi.get_num_threads()}")
    print(f"  non-finite: {nonfinite}")
    print(f"  min: {lo!r} (element {argmin})  max: {hi!r} (element {argmax})")
    print(f"  outside the contract's range ({'|z| > %.4f' % bound if args.dist == 'normal' else '[0, 1]'}): {beyond}")
    print(f"  elapsed: {elapsed:.1f}s")
    return 1 if nonfinite or beyond else 0


if __name__ == "__main__":
    sys.exit(main())
