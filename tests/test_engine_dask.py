"""wi.dask.from_fill: every chunking, scheduler and worker count gives one fill's bytes."""
import numpy as np
import pytest

import wi

da = pytest.importorskip("dask.array")  # the engine tests run where the extra is installed (CI: always)
distributed = pytest.importorskip("distributed")
import wi.dask  # noqa: E402

from engine_cases import FILLS, OFFSET, SEED, STREAM, fill_id, same_bytes, whole  # noqa: E402

SHAPE = (37, 23)  # primes: only a single chunk or 1-wide chunks divide it
CHUNKINGS = {  # name: (shape, chunks)
    "even": ((36, 24), (12, 8)),
    "ragged edge": (SHAPE, (10, 7)),
    "uneven": (SHAPE, ((5, 17, 2, 13), (9, 1, 13))),
    "single": (SHAPE, SHAPE),
    "1-wide rows": (SHAPE, (1, 23)),
    "1-wide columns": (SHAPE, (37, 1)),
    "auto": (SHAPE, "auto"),
}


def _from_fill(fill, dtype, kwargs, chunking):
    shape, chunks = CHUNKINGS[chunking]
    arr = wi.dask.from_fill(
        fill, shape, chunks=chunks, dtype=dtype, seed=SEED, stream=STREAM, offset=OFFSET, **kwargs
    )
    return arr, whole(fill, shape, dtype, kwargs)


@pytest.mark.parametrize("case", FILLS, ids=fill_id)
@pytest.mark.parametrize("chunking", list(CHUNKINGS))
def test_threaded_equals_one_fill(case, chunking):
    fill, dtype, kwargs = case
    arr, expected = _from_fill(fill, dtype, kwargs, chunking)
    assert arr.dtype == np.dtype(dtype) and arr.shape == expected.shape
    assert same_bytes(arr.compute(scheduler="threads"), expected)


@pytest.mark.parametrize("shape, chunks", [
    ((6, 5, 7), (4, 2, 3)),
    ((1000,), (333,)),
    ((3, 0, 4), (2, 1, 4)),  # empty: no block has elements
])
def test_other_ranks(shape, chunks):
    got = wi.dask.from_fill(wi.fill_normal, shape, chunks=chunks, dtype=np.float64, seed=1).compute()
    assert same_bytes(got, wi.fill_normal(np.empty(shape), seed=1))


def test_fans_come_from_the_global_shape():
    # A 64 x 48 block of a 4096 x 1024 torch weight has fan_in 1024, not 48.
    arr = wi.dask.from_fill(wi.kaiming_uniform_, (4096, 1024), chunks=(512, 256), dtype="f4", seed=0)
    block = arr.blocks[1, 2].compute()
    bound = np.sqrt(2.0) * np.sqrt(3.0 / 1024)
    assert np.abs(block).max() <= bound
    assert np.abs(block).max() > 0.99 * bound  # a 48-wide fan would allow values up to 0.35


def test_lazy_and_never_probed():
    """dask gets dtype and meta, so fill runs once per block when computed and not before."""
    calls = []

    def counting(buf, **kwargs):
        calls.append(buf.shape)
        return wi.fill_uniform(buf, -1.0, 1.0, **kwargs)

    arr = wi.dask.from_fill(counting, (10, 10), chunks=(5, 4), dtype=np.float32, seed=2)
    assert calls == [(0, 0)]  # the up-front check: an empty block, nothing written
    assert isinstance(arr._meta, np.ndarray) and arr._meta.dtype == np.float32
    arr.compute(scheduler="sync")
    assert sorted(calls[1:]) == sorted([(5, 4), (5, 4), (5, 2)] * 2)


def test_same_call_same_graph_name():
    a = wi.dask.from_fill(wi.fill_normal, (8, 8), chunks=4, dtype="f4", seed=1)
    b = wi.dask.from_fill(wi.fill_normal, (8, 8), chunks=4, dtype="f4", seed=1)
    c = wi.dask.from_fill(wi.fill_normal, (8, 8), chunks=4, dtype="f4", seed=2)
    assert a.name == b.name != c.name


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"seed": None}, ValueError, "seed must be an int, not None"),
    ({"seed": "x"}, TypeError, "seed"),
    ({"stream": -1}, ValueError, "stream"),
    ({"dtype": np.int32}, TypeError, "dtype int32 cannot be filled by fill_normal"),
    ({"dtype": None}, TypeError, "dtype must be given"),
    ({"std": -1.0}, ValueError, "std"),
    ({"shape": (4, -1)}, ValueError, "shape must not have negative"),
    ({"shape": 7}, TypeError, "shape must be a sequence"),
    ({"fill": "fill_normal"}, TypeError, "fill must be a wi fill"),
])
def test_bad_calls_raise_before_any_graph(kwargs, exc, match):
    call = {"fill": wi.fill_normal, "shape": (4, 4), "chunks": 2, "dtype": np.float32, "seed": 0}
    call.update(kwargs)
    fill, shape = call.pop("fill"), call.pop("shape")
    with pytest.raises(exc, match=match):
        wi.dask.from_fill(fill, shape, **call)


@pytest.fixture(scope="module")
def cluster_client():
    """Two worker processes on the loopback interface, closed after the module."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, worker_dashboard_address=None, timeout="60s",
    )
    client = distributed.Client(cluster, timeout="60s")
    try:
        client.wait_for_workers(2, timeout=60)
        yield client
    finally:
        client.close(timeout=30)
        cluster.close(timeout=30)


@pytest.mark.parametrize("case", FILLS, ids=fill_id)
def test_distributed_two_workers_equal_one_fill(cluster_client, case):
    fill, dtype, kwargs = case
    for chunking in CHUNKINGS:
        arr, expected = _from_fill(fill, dtype, kwargs, chunking)
        got = cluster_client.compute(arr).result(timeout=120)
        assert same_bytes(got, expected), chunking
    # Both workers filled blocks: the cut really crossed processes.
    arr, _ = _from_fill(fill, dtype, kwargs, "1-wide rows")
    futures = cluster_client.compute(arr.to_delayed().ravel().tolist())
    distributed.wait(futures, timeout=120)
    holders = cluster_client.who_has(futures)
    assert len({addr for addrs in holders.values() for addr in addrs}) == 2
