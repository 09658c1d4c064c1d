"""The ceilings every fill is measured against: writing a constant, on 1 and on n threads, into
touched memory and into freshly allocated memory.

One thread of `buf.fill(1.0)` does not saturate memory on every machine, so a ratio to it alone
flatters any multi-threaded contender; the n-thread constant fill is the fair ceiling for a fill on
n threads. It is torch's `Tensor.fill_` (parallel above 32 Ki elements) on a tensor sharing the
buffer when torch is installed, else NumPy's `np.copyto(chunk, 1.0)` (which releases the GIL)
split over a pool of n threads; `n_thread_method()` names the one in use, and the `memset N/1`
column of the report shows whether it really ran in parallel. Below n x 32 Ki elements it is the
1-thread fill: splitting costs more than it saves there (torch does not split below 32 Ki either,
and its dispatch alone costs more than NumPy's whole fill of a small buffer).

The fresh-memory ceiling is `np.empty(shape) + fill`, timed together, as a fill after `to_empty`
pays for first-touch page faults. (Below glibc's mmap threshold, 128 KiB rising to at most
32 MiB after large frees, `np.empty` may hand back recycled pages: "fresh" means fresh pages only
for larger buffers.)
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# Below this many elements per thread the pool fills on the calling thread (torch's grain size).
GRAIN = 32768
_pools = {}


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def n_thread_method():
    """What the n-thread constant fill runs on, for the report's legend."""
    if _torch() is not None:
        return "torch's Tensor.fill_(1.0) on a tensor sharing the buffer, torch.set_num_threads(N)"
    return "np.copyto(part, 1.0) on N equal parts of the buffer in a pool of N threads (torch not installed)"


def _single(size, threads):
    return threads == 1 or size < threads * GRAIN


def _pool_writer(threads):
    pool = _pools.get(threads) or _pools.setdefault(threads, ThreadPoolExecutor(threads, "wi-bench-fill"))

    def write(a):
        flat = a.reshape(-1)
        for f in [pool.submit(np.copyto, part, 1.0) for part in np.array_split(flat, threads)]:
            f.result()
    return write


def constant_fill(buf, threads):
    """A callable writing 1.0 to every element of buf with `threads` threads."""
    if _single(buf.size, threads):
        return lambda: buf.fill(1.0)
    torch = _torch()
    if torch is None:
        write = _pool_writer(threads)
        return lambda: write(buf)
    torch.set_num_threads(threads)
    t = torch.from_numpy(buf)
    return lambda: t.fill_(1.0)


def fresh_constant_fill(shape, dtype, threads):
    """A callable allocating np.empty(shape, dtype) and writing 1.0 to it with `threads` threads."""
    if _single(int(np.prod(shape)), threads):
        return lambda: np.empty(shape, dtype).fill(1.0)
    torch = _torch()
    if torch is None:
        write = _pool_writer(threads)
        return lambda: write(np.empty(shape, dtype))
    torch.set_num_threads(threads)
    return lambda: torch.from_numpy(np.empty(shape, dtype)).fill_(1.0)
