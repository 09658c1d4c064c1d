"""Region fills (global_shape=, start=): any partition of an array into blocks, each block filled
on its own and the blocks assembled, gives the bytes of one fill of the whole array; for every
fill, initialiser and dtype, on the compiled core and on the NumPy fallback.

The fallback is exercised in-process by taking the compiled core away from _backend (the
reference whole fill still runs compiled, so the two implementations check each other) and
end to end in a WI_BACKEND=numpy subprocess.
"""
import itertools
import math
import os
import subprocess
import sys

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import wi  # noqa: E402
from wi import _backend  # noqa: E402

try:
    from ml_dtypes import bfloat16
except ImportError:  # pragma: no cover - ml_dtypes is a test dependency
    bfloat16 = None

FLOAT_DTYPES = [np.float32, np.float64, np.float16] + ([bfloat16] if bfloat16 is not None else [])
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Every public fill: name -> (call(buf, **position), takes a raw uint32 buffer, needs ndim >= 2).
FILLS = {
    "fill_raw": (lambda b, **k: wi.fill_raw(b, **k), True, False),
    "fill_uniform": (lambda b, **k: wi.fill_uniform(b, -0.75, 1.25, **k), False, False),
    "fill_normal": (lambda b, **k: wi.fill_normal(b, 0.1, 0.02, **k), False, False),
    "fill_truncated_normal": (lambda b, **k: wi.fill_truncated_normal(b, 0.1, 0.02, 0.09, 0.2, **k), False, False),
    "fill_xavier_uniform": (lambda b, **k: wi.fill_xavier_uniform(b, 30, 70, **k), False, False),
    "fill_xavier_normal": (lambda b, **k: wi.fill_xavier_normal(b, 30, 70, gain=0.5, **k), False, False),
    "fill_he_uniform": (lambda b, **k: wi.fill_he_uniform(b, 30, **k), False, False),
    "fill_he_normal": (lambda b, **k: wi.fill_he_normal(b, 30, **k), False, False),
    "xavier_uniform_": (lambda b, **k: wi.xavier_uniform_(b, gain=2.0, **k), False, True),
    "xavier_normal_": (lambda b, **k: wi.xavier_normal_(b, **k), False, True),
    "kaiming_uniform_": (lambda b, **k: wi.kaiming_uniform_(b, a=0.1, **k), False, True),
    "kaiming_normal_": (lambda b, **k: wi.kaiming_normal_(b, mode="fan_out", **k), False, True),
    "lecun_uniform_": (lambda b, **k: wi.lecun_uniform_(b, **k), False, True),
    "lecun_normal_": (lambda b, **k: wi.lecun_normal_(b, **k), False, True),
    "trunc_normal_": (lambda b, **k: wi.trunc_normal_(b, std=0.02, **k), False, False),
    "variance_scaling_": (lambda b, **k: wi.variance_scaling_(b, 2.0, "fan_avg", "uniform", layout="keras", **k),
                          False, True),
    "glorot_normal_": (lambda b, **k: wi.glorot_normal_(b, **k), False, True),
    "he_uniform_": (lambda b, **k: wi.he_uniform_(b, **k), False, True),
}


@pytest.fixture(params=["compiled", "fallback"])
def backend(request, monkeypatch):
    """Region fills on the compiled core, or on the NumPy fallback (the core taken away from
    _backend: the checked path then fills through _fallback, the fast path still runs)."""
    if request.param == "compiled":
        if _backend.core is None:
            pytest.skip("the compiled core is not built")
    else:
        monkeypatch.setattr(_backend, "core", None)
    return request.param


# ---------------------------------------------------------------- strategies

dims = st.one_of(st.sampled_from([0, 1, 2, 3, 5, 7, 13, 31]), st.integers(0, 40))


@st.composite
def partitions(draw, min_ndim=1):
    """A global shape of 1-4 dimensions (at most ~6000 elements) and, per dimension, the cut
    points of a partition (repeated cuts make empty blocks)."""
    ndim = draw(st.integers(min_ndim, 4))
    shape = []
    for _ in range(ndim):
        room = 6000 // max(1, math.prod(shape))
        shape.append(min(draw(dims), room))
    cuts = [sorted(draw(st.lists(st.integers(0, g), max_size=3))) for g in shape]
    return tuple(shape), cuts


def blocks(shape, cuts):
    """(start, block shape) of every block of the partition, empty ones included."""
    edges = [[0, *c, g] for c, g in zip(cuts, shape)]
    for piece in itertools.product(*[list(zip(e[:-1], e[1:])) for e in edges]):
        yield tuple(a for a, _ in piece), tuple(b - a for a, b in piece)


def assembled(call, dtype, shape, cuts, **position):
    """The array built block by block from region fills."""
    out = np.full(shape, 7, dtype)
    for start, block in blocks(shape, cuts):
        buf = np.full(block, 7, dtype)
        assert call(buf, global_shape=shape, start=start, **position) is buf
        out[tuple(slice(s, s + b) for s, b in zip(start, block))] = buf
    return out


def stream_end(dtype):
    return (2 if dtype == np.float64 else 4) * 2**64


# ---------------------------------------------------------------- partitions equal the whole fill

@SETTINGS
@given(name=st.sampled_from(sorted(FILLS)), dtype_index=st.integers(0, len(FLOAT_DTYPES) - 1),
       data=st.data(), seed=st.integers(0, 2**64 - 1), stream=st.integers(0, 2**64 - 1),
       offset=st.one_of(st.integers(0, 9), st.integers(0, 2**40), st.integers(2**64 - 9, 2**66)))
def test_assembled_blocks_equal_the_whole_fill(backend, name, dtype_index, data, seed, stream, offset):
    call, raw, needs_2d = FILLS[name]
    dtype = np.uint32 if raw else FLOAT_DTYPES[dtype_index]
    shape, cuts = data.draw(partitions(min_ndim=2 if needs_2d else 1))
    offset %= stream_end(dtype) - math.prod(shape) + 1  # the whole array inside the stream
    position = dict(seed=seed, stream=stream, offset=offset)
    whole = call(np.full(shape, 7, dtype), **position)
    assert assembled(call, dtype, shape, cuts, **position).tobytes() == whole.tobytes()


GENERATOR_FILLS = {"fill_uniform": (-0.75, 1.25), "fill_normal": (0.1, 0.02),
                   "fill_truncated_normal": (0.1, 0.02, 0.09, 0.2), "fill_xavier_uniform": (30, 70), "fill_xavier_normal": (30, 70), "fill_he_uniform": (30,),
                   "fill_he_normal": (30,)}


@SETTINGS
@given(name=st.sampled_from(sorted(GENERATOR_FILLS)), part=partitions(), seed=st.integers(0, 2**64 - 1),
       stream=st.integers(0, 2**64 - 1), counter=st.integers(0, 2**40))
def test_generators_at_one_state_fill_the_blocks_of_one_whole_fill(backend, name, part, seed, stream, counter):
    """seed=None: every caller (a rank) holding a Generator at the same state and filling its own
    block gets the block of the whole fill, and every generator then stands where the whole fill
    left it (the call reserved the blocks of the whole array)."""
    shape, cuts = part
    args = GENERATOR_FILLS[name]

    def fresh():
        g = wi.Generator(seed, stream)
        g.set_state({"seed": seed, "stream": stream, "counter": counter})
        return g

    reference = fresh()
    whole = getattr(reference, name)(np.full(shape, 7, np.float32), *args)
    for start, block in blocks(shape, cuts):
        g = fresh()
        buf = getattr(g, name)(np.full(block, 7, np.float32), *args, global_shape=shape, start=start)
        assert buf.tobytes() == whole[tuple(slice(s, s + b) for s, b in zip(start, block))].tobytes()
        assert g.get_state() == reference.get_state()


@pytest.mark.parametrize("name", ["fill_normal", "xavier_uniform_", "trunc_normal_"])
def test_the_global_generator_reserves_the_whole_array(backend, name, restore_global_state):
    """Module functions with seed=None: each rank's block equals the block of the whole fill
    made from the same global state, and every rank's global state moves alike."""
    call = FILLS[name][0]
    shape, cuts = (13, 7), [[4, 4, 11], [2]]
    wi.seed(42)
    whole = call(np.full(shape, 7, np.float32))
    after = wi.get_state()
    assert after["counter"] == -(-13 * 7 // 4)
    for start, block in blocks(shape, cuts):
        wi.seed(42)
        buf = call(np.full(block, 7, np.float32), global_shape=shape, start=start)
        assert buf.tobytes() == whole[tuple(slice(s, s + b) for s, b in zip(start, block))].tobytes()
        assert wi.get_state() == after


# ---------------------------------------------------------------- far positions

@st.composite
def huge_shapes(draw):
    """1-4 dimensions of up to 2**34 each, at most 2**64 elements in all."""
    shape = []
    for _ in range(draw(st.integers(1, 4))):
        shape.append(draw(st.integers(1, min(2**34, 2**64 // max(1, math.prod(shape))))))
    return tuple(shape)


def ravel(index, shape):
    flat = 0
    for i, g in zip(index, shape):
        flat = flat * g + i
    return flat


@SETTINGS
@given(name=st.sampled_from(["fill_raw", "fill_uniform", "fill_normal", "fill_truncated_normal"]),
       dtype=st.sampled_from([np.float32, np.float64, np.float16]), global_shape=huge_shapes(),
       data=st.data(), seed=st.integers(0, 2**64 - 1))
def test_blocks_of_huge_arrays_equal_rowwise_plain_fills(backend, name, dtype, global_shape, data, seed):
    """Flat indices past 2**32 and up to the stream's end: each row of a block is a contiguous
    run of the global array, so it must equal a plain 1-D fill at offset + its flat index."""
    call, raw, _ = FILLS[name]
    dtype = np.uint32 if raw else dtype
    end = stream_end(dtype)
    room = end - math.prod(global_shape)
    offset = data.draw(st.one_of(st.integers(0, 9), st.integers(0, room), st.integers(max(0, room - 9), room)))
    start = tuple(data.draw(st.integers(0, g - 1)) for g in global_shape)
    block = tuple(data.draw(st.integers(0, min(g - s, 9))) for g, s in zip(global_shape, start))
    buf = call(np.full(block, 7, dtype), seed=seed, offset=offset, global_shape=global_shape, start=start)
    for row in itertools.product(*[range(b) for b in block[:-1]]):
        flat = ravel(tuple(s + r for s, r in zip(start, row)) + (start[-1],), global_shape)
        expect = call(np.full(block[-1], 7, dtype), seed=seed, offset=offset + flat)
        assert buf[row].tobytes() == expect.tobytes()


def test_the_last_element_of_a_full_stream(backend):
    """A global array of exactly 2**64 float64 elements at offset 2**64 ends on the stream's last
    element; its last block is the last plain fill."""
    shape, block = (2**32, 2**32), (3, 5)
    start = (2**32 - 3, 2**32 - 5)
    buf = wi.fill_normal(np.empty(block), seed=3, offset=2**64, global_shape=shape, start=start)
    for r in range(3):
        flat = (start[0] + r) * 2**32 + start[1]
        assert buf[r].tobytes() == wi.fill_normal(np.empty(5), seed=3, offset=2**64 + flat).tobytes()
    assert 2**64 + flat + 5 == 2 * 2**64


# ---------------------------------------------------------------- buffers and dtypes

@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_torch_tensor_blocks(backend, dtype):
    torch = pytest.importorskip("torch")
    t_dtype = getattr(torch, dtype)
    whole = torch.empty(10, 6, dtype=t_dtype)
    wi.kaiming_uniform_(whole, seed=4, stream=9)
    left, right = torch.empty(10, 4, dtype=t_dtype), torch.empty(10, 2, dtype=t_dtype)
    wi.kaiming_uniform_(left, seed=4, stream=9, global_shape=(10, 6), start=(0, 0))
    wi.kaiming_uniform_(right, seed=4, stream=9, global_shape=torch.Size([10, 6]), start=(0, 4))
    assert torch.equal(torch.cat([left, right], dim=1), whole)


def test_buffer_protocol_blocks(backend):
    import array

    whole = wi.fill_normal(array.array("f", bytes(4 * 12)), seed=1, offset=5)
    tail = wi.fill_normal(array.array("f", bytes(4 * 7)), seed=1, offset=5, global_shape=(12,), start=(5,))
    assert tail.tobytes() == whole.tobytes()[5 * 4:]


def test_numpy_integer_and_array_region_arguments():
    whole = wi.fill_uniform(np.empty((6, 9), np.float32), 0, 1, seed=2)
    block = wi.fill_uniform(np.empty((2, 3), np.float32), 0, 1, seed=2, global_shape=np.array([6, 9]),
                            start=(np.int64(4), np.uint8(6)))
    assert block.tobytes() == whole[4:, 6:].tobytes()


def test_a_zero_dimensional_array_is_its_own_region():
    a = wi.fill_normal(np.empty((), np.float32), seed=1, offset=3, global_shape=(), start=())
    assert a.tobytes() == wi.fill_normal(np.empty(1, np.float32), seed=1, offset=3).tobytes()


# ---------------------------------------------------------------- fans come from the global shape

@pytest.mark.parametrize("init,fans", [
    ("xavier_uniform_", lambda o, i: math.sqrt(6.0 / (o + i))),
    ("kaiming_uniform_", lambda o, i: math.sqrt(2.0) * math.sqrt(3.0 / i)),
    ("lecun_uniform_", lambda o, i: math.sqrt(3.0 / i)),
])
def test_a_column_shard_takes_the_fans_of_the_whole_matrix(backend, init, fans):
    """A column shard (1/4 of the columns) of a 64x4096 weight: its bound is the whole matrix's
    (fan_in 4096), not the shard's (1024), and its values are the whole fill's columns."""
    fn = getattr(wi, init)
    out_f, in_f = 64, 4096
    whole = fn(np.empty((out_f, in_f), np.float32), seed=11)
    shard = fn(np.empty((out_f, in_f // 4), np.float32), seed=11, global_shape=(out_f, in_f), start=(0, 2048))
    assert shard.tobytes() == whole[:, 2048:3072].tobytes()
    bound = fans(out_f, in_f)
    assert np.abs(shard).max() <= bound
    assert np.abs(shard).max() > 0.99 * bound  # and not the narrower bound of a 1024 fan-in
    narrow = fn(np.empty((out_f, in_f // 4), np.float32), seed=11)  # the same shard without global_shape
    assert np.abs(narrow).max() > 1.5 * bound


# ---------------------------------------------------------------- the fallback end to end

SCRIPT = r"""
import hashlib, numpy as np, wi
assert wi.backend == "{backend}", wi.backend
h = hashlib.sha256()
for dtype in (np.float32, np.float64, np.float16, np.uint32):
    fill = (lambda b, **k: wi.fill_raw(b, **k)) if dtype == np.uint32 else (lambda b, **k: wi.fill_normal(b, **k))
    out = np.zeros((9, 11, 3), dtype)
    for i0, i1 in ((0, 4), (4, 4), (4, 9)):
        for j0, j1 in ((0, 5), (5, 6), (6, 11)):
            buf = np.zeros((i1 - i0, j1 - j0, 3), dtype)
            end = (2 if dtype == np.float64 else 4) * 2**64  # the array ends on the stream's last element
            fill(buf, seed=7, stream=2, offset=end - out.size, global_shape=out.shape, start=(i0, j0, 0))
            out[i0:i1, j0:j1] = buf
    h.update(out.tobytes())
wi.seed(5)
buf = wi.kaiming_normal_(np.zeros((3, 4), np.float32), global_shape=(10, 4), start=(7, 0))
h.update(buf.tobytes() + repr(wi.get_state()).encode())
print(h.hexdigest())
"""


def _digest(env_backend, backend_name):
    env = dict(os.environ, WI_BACKEND=env_backend)
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(backend=backend_name)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_numpy_backend_gives_the_compiled_bytes():
    if _backend.core is None:
        pytest.skip("the compiled core is not built")
    assert _digest("numpy", "numpy") == _digest("native", "native")
