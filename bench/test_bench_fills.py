"""wi against NumPy, torch and the ceilings, each filling the same pre-touched buffer; and
allocate-and-fill (fresh pages) against allocate-and-constant-fill.

A group is one (init, dtype, size): the ceilings are `memset` (`buf.fill(1.0)`, one thread)
and `memset_n` (a constant fill on 2 threads: torch's `fill_`, or a NumPy thread pool without
torch; see wi.benchmarking.ceilings), so the ratios pytest-benchmark prints beside each time are
ratios to the fastest writer in the group. wi and torch run at 1 and 2 threads; NumPy's
generator and memset are single-threaded and run once. The `fresh` groups time np.empty plus
the fill, against np.empty plus a constant fill on 1 and 2 threads.
"""
import numpy as np
import pytest

from wi.benchmarking import cases

SIZES = (256, 4096, 1 << 16, 1 << 20, 1 << 24, 1 << 26)
XAVIER_SIZES = (1 << 20,)  # the same kernels as He with another scale: one size shows it
THREADS = (1, 2)
DTYPES = ("float32", "float64")

# One warm-up call before timing: lazy imports, thread-pool start-up, caches.
pytestmark = pytest.mark.benchmark(warmup=True, warmup_iterations=1)


def _threads(contender):
    if contender in cases.SINGLE_THREADED:
        return (1,)
    return THREADS[1:] if contender.endswith("memset_n") else THREADS  # at 1 thread it is memset


def _cases():
    for init in cases.INITS:
        for dtype in DTYPES:
            for size in SIZES if init.startswith("he_") else XAVIER_SIZES:
                for contender in cases.CONTENDERS:
                    for threads in _threads(contender):
                        yield pytest.param(contender, init, dtype, size, threads,
                                           id=f"{contender}-{init}-{dtype}-{size}-{threads}thr")


@pytest.mark.parametrize("contender, init, dtype, size, threads", list(_cases()))
def test_fill(benchmark, contender, init, dtype, size, threads):
    if contender == "torch":
        pytest.importorskip("torch", reason="torch not installed: pip install 'weightinit[bench]'")
    buf = cases.make_buffer(size, dtype)
    benchmark.group = f"{init} {dtype} {size}"
    benchmark.extra_info.update(elements=size, bytes=buf.nbytes, threads=threads)
    benchmark(cases.build(contender, init, buf, threads))
    assert np.isfinite(buf).all()  # the fill really wrote values (never an assertion on time)


def _fresh_cases():
    for init in ("he_uniform", "he_normal"):
        for dtype in DTYPES:
            for size in SIZES:
                for contender in cases.FRESH:
                    for threads in _threads(contender):
                        yield pytest.param(contender, init, dtype, size, threads,
                                           id=f"{contender}-{init}-{dtype}-{size}-{threads}thr")


@pytest.mark.parametrize("contender, init, dtype, size, threads", list(_fresh_cases()))
def test_fresh_fill(benchmark, contender, init, dtype, size, threads):
    like = cases.make_buffer(size, dtype)  # only its shape and dtype are used: each call allocates anew
    benchmark.group = f"fresh {init} {dtype} {size}"
    benchmark.extra_info.update(elements=size, bytes=like.nbytes, threads=threads)
    benchmark(cases.build(contender, init, like, threads))
