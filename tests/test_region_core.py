"""Region fills in the C core (_core.fill_region): a block of a row-major global array,
its element at local index j at stream element offset + ravel_multi_index(start + j,
global_shape).

The reference is the definition itself: one plain _core.fill of the whole array, sliced;
for global arrays too big to fill, plain fills of each row of the block at offsets computed
with Python integers (no 64-bit wrap-around to hide a bug)."""
import itertools

import numpy as np
import pytest

from wi import _backend
from wi import _contract as K

from conftest import simd_paths

core = _backend.core
pytestmark = pytest.mark.skipif(core is None, reason="region fills of the compiled core")

STREAM_END = 2**64  # blocks per stream

# (dtype code, numpy dtype, dist, kernel parameters (lo, width, hi, clamp_lo, p0, pw))
KINDS = {
    "raw-u32": (K.U32, np.uint32, K.RAW, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    "uniform-f32": (K.F32, np.float32, K.UNIFORM, (-0.5, 1.5, 1.0, 0.0, 0.0, 0.0)),
    "normal-f32": (K.F32, np.float32, K.NORMAL, (0.25, 2.0, 0.0, 0.0, 0.0, 0.0)),
    "normal-f64": (K.F64, np.float64, K.NORMAL, (0.0, 1.0, 0.0, 0.0, 0.0, 0.0)),
    "uniform-f64": (K.F64, np.float64, K.UNIFORM, (-1.0, 2.0, 1.0, 0.0, 0.0, 0.0)),
    "truncnorm-f64": (K.F64, np.float64, K.TRUNCNORM, (0.0, 1.0, 2.0, -2.0, 0.02275, 0.9545)),
    "truncnorm-f32": (K.F32, np.float32, K.TRUNCNORM, (0.0, 1.0, 2.0, -2.0, 0.02275, 0.9545)),
    "normal-f16": (K.F16, np.float16, K.NORMAL, (0.0, 1.0, 0.0, 0.0, 0.0, 0.0)),
    "uniform-bf16": (K.BF16, np.uint16, K.UNIFORM, (-0.5, 1.5, 1.0, 0.0, 0.0, 0.0)),  # bfloat16 bits
}

# (global_shape, start, block shape): 1-4-D, sizes 1, primes, uneven blocks, whole trailing
# dimensions (merged runs), a whole array, single elements, empty blocks.
SHAPES = [
    ((1,), (0,), (1,)),
    ((97,), (13,), (61,)),
    ((7, 11), (2, 3), (5, 7)),
    ((7, 11), (0, 0), (7, 11)),
    ((7, 11), (3, 0), (4, 11)),
    ((13, 1), (5, 0), (7, 1)),
    ((1, 101), (0, 37), (1, 64)),
    ((5, 7, 3), (1, 2, 0), (3, 4, 3)),
    ((5, 7, 3), (1, 0, 0), (3, 7, 3)),
    ((5, 7, 3), (4, 6, 2), (1, 1, 1)),
    ((3, 4, 5, 7), (1, 1, 2, 3), (2, 3, 3, 4)),
    ((3, 4, 5, 7), (0, 2, 0, 0), (3, 2, 5, 7)),
    ((2, 3, 5, 7), (1, 0, 4, 6), (1, 3, 1, 1)),
    ((7, 11), (3, 4), (0, 5)),
    ((7, 11), (7, 0), (0, 11)),
    ((4, 0, 3), (1, 0, 0), (2, 0, 3)),
    ((257, 129), (3, 17), (250, 101)),
]

# stream positions (block, lane) of global element 0; lanes past 0 split Philox blocks and
# Box-Muller pairs at odd places
POSITIONS = [(0, 0), (0, 1), (2**32 - 3, 3), (12345, 2)]


def elements_per_block(dtype):
    return K.PER_BLOCK[dtype]


def plain_fill(out, kind, position):
    dtype, _, dist, params = KINDS[kind]
    block, lane = position
    core.fill(out, dtype, dist, out.size, out.itemsize, 99, 5, block, lane, *params)
    return out


def region_fill(out, kind, position, global_shape, start, **kw):
    dtype, _, dist, params = KINDS[kind]
    block, lane = position
    core.fill_region(out, dtype, dist, out.itemsize, 99, 5, block, lane, *params, global_shape, start, **kw)
    return out


def lane_ok(kind, position):
    return position[1] < elements_per_block(KINDS[kind][0])


def by_slicing(kind, position, global_shape, start, shape):
    whole = plain_fill(np.empty(global_shape, KINDS[kind][1]), kind, position)
    return whole[tuple(slice(s, s + b) for s, b in zip(start, shape))]


def by_rows(kind, position, global_shape, start, shape):
    """Plain fills of each row of the block, each at its own stream position."""
    dtype = KINDS[kind][0]
    k = elements_per_block(dtype)
    out = np.empty(shape, KINDS[kind][1])
    base = position[0] * k + position[1]
    for outer in itertools.product(*(range(b) for b in shape[:-1])):
        index = tuple(s + i for s, i in zip(start, outer)) + (start[-1],)
        flat = _ravel(index, global_shape)
        pos = base + flat
        assert pos < k * STREAM_END
        plain_fill(out[outer], kind, (pos // k, pos % k))
    return out


def _ravel(index, shape):
    """ravel_multi_index in Python integers (NumPy refuses shapes past 2**63)."""
    flat = 0
    for i, g in zip(index, shape):
        flat = flat * g + i
    return flat


def same_bytes(a, b):
    return a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("global_shape,start,shape", SHAPES)
def test_region_equals_slice_of_whole_fill_on_every_path(kind, global_shape, start, shape, restore_simd):
    for path in simd_paths():
        core.simd_select(path)
        for position in POSITIONS:
            if not lane_ok(kind, position):
                continue
            expected = by_slicing(kind, position, global_shape, start, shape)
            got = region_fill(np.empty(shape, KINDS[kind][1]), kind, position, global_shape, start)
            assert same_bytes(got, expected), (path, position)


@pytest.mark.parametrize("kind", ["raw-u32", "normal-f32", "normal-f64", "truncnorm-f32"])
@pytest.mark.parametrize(
    "global_shape,start,shape",
    [
        ((2**40,), (2**33 + 7,), (1000,)),                      # flat index past 2^32
        ((2**20, 2**20), (2**20 - 3, 2**20 - 7), (3, 7)),        # last elements of 2^40
        ((2**21, 3, 2**20), (2**21 - 2, 1, 5), (2, 2, 9)),
        ((3, 2**30, 2**31 - 1, 2), (2, 2**30 - 2, 2**31 - 4, 0), (1, 2, 3, 2)),  # flat ~ 2^63
        ((2**64 - 1,), (2**64 - 1000,), (999,)),                 # flat up to 2^64 - 2
        ((2**32, 2**32), (2**32 - 2, 2**32 - 5), (2, 5)),        # flat up to 2^64 - 1
        ((2**32, 2**32), (2**32 - 3, 2**32 - 1), (3, 1)),        # a run starting at flat 2^64 - 1
    ],
)
def test_huge_global_shapes_match_rowwise_plain_fills(kind, global_shape, start, shape, restore_simd):
    k = elements_per_block(KINDS[kind][0])
    last = _ravel(tuple(s + b - 1 for s, b in zip(start, shape)), global_shape)
    for path in simd_paths():
        core.simd_select(path)
        positions = [(0, 1 % k), (7, 0), (3, k - 1)]  # lane + flat passes 2^64 at the end
        # near the stream's end: the last element is the stream's very last, or nearly
        for spare in (0, 1, 5):
            pos = k * STREAM_END - 1 - spare - last
            if pos >= 0:
                positions.append((pos // k, pos % k))
        for position in positions:
            expected = by_rows(kind, position, global_shape, start, shape)
            got = region_fill(np.empty(shape, KINDS[kind][1]), kind, position, global_shape, start)
            assert same_bytes(got, expected), (path, position)


@pytest.mark.parametrize("kind", ["normal-f32", "uniform-f64", "truncnorm-f32"])
@pytest.mark.parametrize(
    "global_shape,start,shape",
    [
        ((1024, 1024), (0, 129), (1024, 200)),  # column shard: short runs, many rows
        ((1024, 1024), (300, 0), (500, 1024)),  # row shard: one merged run
        ((1, 1 << 19), (0, 1001), (1, 300007)),  # 1 x N: one long run
    ],
)
def test_threaded_region_fills_match_one_thread(kind, global_shape, start, shape):
    """Chunks split the block's elements across threads (runs cut mid-way)."""
    expected = by_slicing(kind, (3, 1), global_shape, start, shape)
    for nthreads in (1, 2, 3, 7):
        got = region_fill(np.empty(shape, KINDS[kind][1]), kind, (3, 1), global_shape, start, nthreads=nthreads)
        assert same_bytes(got, expected), nthreads


@pytest.mark.parametrize(
    "global_shape,start,shape,why",
    [
        ((7, 11), (3, 5), (5, 7), "block past the end of dimension 0"),
        ((7, 11), (0, 11), (1, 1), "start past the end"),
        ((2**40, 2**40), (2**30, 0), (2, 2), "flat index past 2**64"),
        ((2**64 - 1, 2), (2**64 - 2, 0), (1, 2), "flat index past 2**64"),
    ],
)
def test_c_refuses_a_region_that_does_not_fit(global_shape, start, shape, why):
    buf = np.full(shape, 7, np.uint32)
    with pytest.raises(ValueError, match="does not fit"):
        region_fill(buf, "raw-u32", (0, 0), global_shape, start)
    assert (buf == 7).all(), why


def test_c_refuses_shape_and_start_of_the_wrong_length():
    buf = np.full((2, 3), 7, np.uint32)
    with pytest.raises(ValueError, match="buf.ndim"):
        region_fill(buf, "raw-u32", (0, 0), (4, 4, 4), (0, 0))
    with pytest.raises(ValueError, match="buf.ndim"):
        region_fill(buf, "raw-u32", (0, 0), (4, 4), (0, 0, 0))
    assert (buf == 7).all()


def test_c_refuses_a_buffer_smaller_than_its_itemsize_says():
    buf = np.full((2, 3), 7, np.uint32)
    with pytest.raises(ValueError, match="expected 6 elements of 8 bytes"):
        core.fill_region(buf, K.F64, K.NORMAL, 8, 1, 0, 0, 0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, (2, 3), (0, 0))
    assert (buf == 7).all()


def test_region_of_a_0d_array_is_element_zero():
    expected = plain_fill(np.empty(1, np.float32), "normal-f32", (4, 3))
    got = region_fill(np.empty((), np.float32), "normal-f32", (4, 3), (), ())
    assert got.tobytes() == expected.tobytes()


def test_any_partition_assembles_the_whole_fill():
    """A 3x4 grid of uneven blocks of a 2-D array gives the bytes of one whole fill."""
    global_shape = (101, 67)
    rows, cols = [0, 1, 50, 101], [0, 13, 14, 40, 67]
    for kind in ("normal-f32", "normal-f64"):
        whole = plain_fill(np.empty(global_shape, KINDS[kind][1]), kind, (9, 1))
        assembled = np.empty(global_shape, KINDS[kind][1])
        for (r0, r1), (c0, c1) in itertools.product(zip(rows, rows[1:]), zip(cols, cols[1:])):
            block = np.empty((r1 - r0, c1 - c0), KINDS[kind][1])
            region_fill(block, kind, (9, 1), global_shape, (r0, c0))
            assembled[r0:r1, c0:c1] = block
        assert assembled.tobytes() == whole.tobytes()
