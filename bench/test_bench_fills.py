"""wi against NumPy, torch and memset, each filling the same pre-touched buffer.

A group is one (init, dtype, size): memset (`buf.fill(1.0)`) is its fastest member, so the
ratios pytest-benchmark prints beside each time are ratios to memory speed. wi and torch run
at 1 and 2 threads; NumPy's generator and memset are single-threaded and run once.
"""
import numpy as np
import pytest

from wi.bench import cases

SIZES = (256, 4096, 1 << 16, 1 << 20, 1 << 24, 1 << 26)
XAVIER_SIZES = (1 << 20,)  # the same kernels as He with another scale: one size shows it
THREADS = (1, 2)
DTYPES = ("float32", "float64")

# One warm-up call before timing: lazy imports, thread-pool start-up, caches.
pytestmark = pytest.mark.benchmark(warmup=True, warmup_iterations=1)


def _cases():
    for init in cases.INITS:
        for dtype in DTYPES:
            for size in SIZES if init.startswith("he_") else XAVIER_SIZES:
                for contender in cases.CONTENDERS:
                    for threads in (1,) if contender in cases.SINGLE_THREADED else THREADS:
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
