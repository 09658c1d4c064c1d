"""Region fills (a shard of a large matrix) beside a plain fill of the same element count.

The compiled core's _core.fill_region splits a block's elements, not its rows, across the
fill's threads, so a column shard (many short runs) and a row shard (one long run) should
both run at plain-fill speed. Groups: one per (shard, threads); the plain fill of a buffer
with the shard's element count is the baseline in each. Normal float32, the costliest
common transform, at 1 and 2 threads.
"""
import numpy as np
import pytest

import wi
from wi import _backend
from wi import _contract as K

pytestmark = [
    pytest.mark.skipif(_backend.core is None, reason="region fills of the compiled core"),
    pytest.mark.benchmark(warmup=True, warmup_iterations=1),
]

N = 16384
# name -> (global shape, start, block shape); each block holds 8 Mi elements
SHARDS = {
    "column shard 16384x512 of 16384x16384": ((N, N), (0, 4096), (N, 512)),
    "row shard 512x16384 of 16384x16384": ((N, N), (4096, 0), (512, N)),
    "1 x 8Mi shard of 1 x 64Mi": ((1, 1 << 26), (0, 12345), (1, 1 << 23)),
}
PARAMS = (0.0, 0.02, 0.0, 0.0, 0.0, 0.0)  # normal(0, 0.02)


@pytest.mark.parametrize("threads", (1, 2))
@pytest.mark.parametrize("shard", list(SHARDS))
@pytest.mark.parametrize("how", ("region", "plain"))
def test_region_vs_plain(benchmark, how, shard, threads):
    global_shape, start, shape = SHARDS[shard]
    buf = np.ones(shape, np.float32)
    benchmark.group = f"{shard}, {threads} thread(s)"
    benchmark.extra_info.update(elements=buf.size, threads=threads)
    core = _backend.core
    if how == "region":
        def run():
            core.fill_region(buf, K.F32, K.NORMAL, 4, 1, 0, 0, 0, *PARAMS, global_shape, start, nthreads=threads)
    else:
        def run():
            core.fill(buf, K.F32, K.NORMAL, buf.size, 4, 1, 0, 0, 0, *PARAMS, nthreads=threads)
    benchmark(run)
    assert np.isfinite(buf).all() and (buf != 1).any()
