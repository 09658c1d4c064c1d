"""The engine adapters against each engine's own way of making the same array.

- ``wi.dask.from_fill`` vs ``dask.array.random`` (NumPy's PCG64 ``standard_normal``): a 1 GiB
  float32 array on a two-worker ``LocalCluster``, reduced on the workers (a sum) so only the fill
  and one pass over the data are timed, not the transfer to the client;
- ``wi.zarr.fill`` vs writing zeros through the same pipeline (same store, chunks, threads;
  uncompressed, and the zeros' chunks written, not skipped as empty): the cost of the random
  numbers on top of zarr's own writing;
- ``wi.jax.from_fill`` vs a jitted ``jax.random.normal`` for the same shape on one CPU device.

Run: ``PYTHONPATH=src python -m pytest bench/test_bench_engines.py --benchmark-only``. With
``--benchmark-disable`` (the CI smoke run) every case runs once on arrays 64 times smaller.
Benchmarks report; they never assert on time.
"""

import numpy as np
import pytest

import wi

GIB_SHAPE = (16384, 16384)  # float32: 1 GiB
QUARTER_SHAPE = (8192, 8192)  # float32: 256 MiB


@pytest.fixture(scope="module")
def shrink(request):
    """Divide each dimension by 8 (64 times fewer elements) in the quick, untimed mode."""
    return 8 if request.config.getoption("benchmark_disable", False) else 1


def _shape(shape, shrink):
    return tuple(d // shrink for d in shape)


# ---- dask ----


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    # Client() starts a LocalCluster of its own and closes it on exit.
    with distributed.Client(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, timeout="60s") as client:
        client.wait_for_workers(2, timeout=60)
        yield client


@pytest.mark.parametrize("maker", ["wi.dask.from_fill", "dask.array.random.standard_normal"])
def test_dask_1gib_two_workers(benchmark, dask_client, shrink, maker):
    import dask.array as da

    import wi.dask

    shape = _shape(GIB_SHAPE, shrink)
    chunks = (shape[0] // 8, shape[1])  # 8 blocks of 128 MiB

    def make():
        if maker == "wi.dask.from_fill":
            arr = wi.dask.from_fill(wi.fill_normal, shape, chunks=chunks, dtype=np.float32, seed=0)
        else:
            arr = da.random.default_rng(0).standard_normal(shape, chunks=chunks, dtype=np.float32)
        return dask_client.compute(arr.sum()).result(timeout=600)

    benchmark.pedantic(make, rounds=3, warmup_rounds=1)
    benchmark.extra_info["GiB"] = np.prod(shape) * 4 / 2**30


# ---- zarr ----


def _zeros(buf, **kwargs):
    """The baseline 'fill': a constant, through exactly the same zarr.fill pipeline."""
    buf.fill(0)
    return buf


@pytest.mark.parametrize("fill", [wi.fill_normal, _zeros], ids=["wi.fill_normal", "zeros"])
def test_zarr_fill_vs_zeros(benchmark, tmp_path, shrink, fill):
    zarr = pytest.importorskip("zarr")
    import wi.zarr

    shape = _shape(QUARTER_SHAPE, shrink)
    array = zarr.create_array(
        store=tmp_path / "w.zarr", shape=shape, chunks=(shape[0] // 32, shape[1]), dtype="float32",
        compressors=None, config={"write_empty_chunks": True},
    )
    benchmark.pedantic(lambda: wi.zarr.fill(array, fill, seed=0), rounds=3, warmup_rounds=1)
    benchmark.extra_info["MiB"] = np.prod(shape) * 4 / 2**20


# ---- jax ----


@pytest.mark.parametrize("maker", ["wi.jax.from_fill", "jax.random.normal"])
def test_jax_normal(benchmark, shrink, maker):
    jax = pytest.importorskip("jax")
    import wi.jax

    shape = _shape(QUARTER_SHAPE, shrink)
    device = jax.sharding.SingleDeviceSharding(jax.devices("cpu")[0])
    draw = jax.jit(lambda key: jax.random.normal(key, shape, np.float32))
    key = jax.random.key(0)
    draw(key).block_until_ready()  # compile outside the timing

    def make():
        if maker == "wi.jax.from_fill":
            out = wi.jax.from_fill(wi.fill_normal, shape, device, dtype=np.float32, seed=0)
        else:
            out = draw(key)
        return out.block_until_ready()

    benchmark.pedantic(make, rounds=5, warmup_rounds=1)
    benchmark.extra_info["MiB"] = np.prod(shape) * 4 / 2**20
