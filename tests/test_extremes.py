"""Never a non-finite value: the extreme raw words through every transform on every path.

The hook wi._core.transform_words applies the active kernel's transform to words we
choose, so 0 and 0xFFFFFFFF (which a stream reaches only after ~2^32 words) can be put in
every position of a block, on every SIMD path, and compared with the NumPy fallback's
transform. A second set of tests finds words whose top 24 bits are all 0 or all 1 in a real
stream (seed 0, stream 0) and checks the fills at those elements.
"""
import itertools
import math

import numpy as np
import pytest

import wi
from wi import _backend, _fallback
from wi import _contract as C

from conftest import simd_paths

needs_core = pytest.mark.skipif(_backend.core is None, reason="the transform hook is in the compiled core")

Z, F = 0x00000000, 0xFFFFFFFF
# Every combination of 0 / 0xFFFFFFFF in the four words of a block (16 blocks), then words
# next to the edges of each field the transforms cut out: the 24-/53-bit uniforms
# (0xFF, 0x100, 0x7FF, 0x800), the float32 quadrant boundaries of t = b >> 8 at
# 2^21 * (2k + 1) (0x1FFFFF00, 0x20000000, ...), and the sign bit.
EDGE_WORDS = [
    0x00000001, 0x000000FF, 0x00000100, 0x000007FF, 0x00000800, 0x1FFFFFFF, 0x20000000, 0x5FFFFFFF,
    0x60000000, 0x7FFFFFFF, 0x80000000, 0x9FFFFFFF, 0xA0000000, 0xDFFFFFFF, 0xE0000000, 0xFFFFF800,
    0xFFFFFF00, 0xFFFFFEFF, 0xFFFFFFFE,
]


def extreme_words():
    blocks = [list(b) for b in itertools.product((Z, F), repeat=4)]
    for w in EDGE_WORDS:  # each edge word in each position, the others at 0 and at ~0
        for pos in range(4):
            for other in (Z, F):
                b = [other] * 4
                b[pos] = w
                blocks.append(b)
    return np.array(blocks, dtype=np.uint32).reshape(-1)


WORDS = extreme_words()

UNIFORM_PARAMS = [  # (low, high) per dtype: ordinary, degenerate, tiny, huge
    (0.0, 1.0), (-1.0, 1.0), (-0.05, 0.05), (2.0, 2.0), (1.0, float(np.nextafter(1.0, 2.0))),
    (-1e-30, 1e-30), (-1.6e38, 1.6e38), (3e38, 3.4e38), (-3.4e38, -1e38),
]
NORMAL_PARAMS = [  # (mean, std)
    (0.0, 1.0), (0.5, 2.0), (-3.0, 1e-30), (1e-40, 1e-40), (1e37, 1e37), (-3e38, 1e36),
]


def uniform_args(dtype, low, high):
    cast = C.NUMPY_DTYPES[dtype].type
    return float(cast(low)), float(cast(high - low)), float(cast(high))


def apply(words, dtype, dist, lo, width, hi):
    out = np.empty(len(words) // 4 * C.PER_BLOCK[dtype], C.NUMPY_DTYPES[dtype])
    _backend.core.transform_words(words, out, dtype, dist, lo, width, hi)
    return out


@needs_core
def test_the_hook_reproduces_a_real_fill(restore_simd):
    # the hook must apply the same transform to the same words as a fill; else the tests below prove nothing
    raw = wi.fill_raw(np.empty(4 * 257, np.uint32), seed=3, stream=1)
    for path in simd_paths():
        _backend.core.simd_select(path)
        for dtype, np_dtype in ((C.F32, np.float32), (C.F64, np.float64)):
            n = 257 * C.PER_BLOCK[dtype]
            got = apply(raw, dtype, C.NORMAL, 0.25, 3.0, 0.0)
            np.testing.assert_array_equal(got, wi.fill_normal(np.empty(n, np_dtype), 0.25, 3.0, seed=3, stream=1))
            got = apply(raw, dtype, C.UNIFORM, *uniform_args(dtype, -1.5, 2.5))
            np.testing.assert_array_equal(got, wi.fill_uniform(np.empty(n, np_dtype), -1.5, 2.5, seed=3, stream=1))


@needs_core
@pytest.mark.parametrize("dtype", [C.F32, C.F64], ids=["float32", "float64"])
@pytest.mark.parametrize("low,high", UNIFORM_PARAMS)
def test_extreme_words_uniform_stays_finite_and_in_bounds(dtype, low, high, restore_simd):
    lo, width, hi = uniform_args(dtype, low, high)
    if not math.isfinite(width) or not math.isfinite(lo) or not math.isfinite(hi):
        pytest.skip("parameters not representable in this dtype (rejected by validation)")
    ref = _fallback._transform(WORDS.reshape(-1, 4), dtype, C.UNIFORM, lo, width, hi)
    assert np.isfinite(ref).all()
    for path in simd_paths():
        _backend.core.simd_select(path)
        got = apply(WORDS, dtype, C.UNIFORM, lo, width, hi)
        assert np.isfinite(got).all(), path
        assert got.min() >= lo and got.max() <= hi, (path, got.min(), got.max(), lo, hi)
        np.testing.assert_array_equal(got.view(np.uint8), ref.view(np.uint8), err_msg=path)
    # word 0 gives exactly low; all-ones (block 15 = (~0, ~0, ~0, ~0)) gives the largest
    # uniform, which never passes high
    k = C.PER_BLOCK[dtype]
    assert (got[:k] == np.asarray(lo, got.dtype)).all()
    cast = C.NUMPY_DTYPES[dtype].type
    top = min(cast(lo) + cast(width) * cast(1 - 2.0 ** (-24 if dtype == C.F32 else -53)), cast(hi))
    assert (got[15 * k : 16 * k] == top).all()


@needs_core
@pytest.mark.parametrize("dtype", [C.F32, C.F64], ids=["float32", "float64"])
@pytest.mark.parametrize("mean,std", NORMAL_PARAMS)
def test_extreme_words_normal_stays_finite_and_bounded(dtype, mean, std, restore_simd):
    big = float(np.finfo(C.NUMPY_DTYPES[dtype]).max)
    if abs(mean) + C.MAX_ABS_NORMAL[dtype] * std > big:
        pytest.skip("parameters rejected by validation for this dtype")
    cast = C.NUMPY_DTYPES[dtype].type
    lo, width = float(cast(mean)), float(cast(std))
    ref = _fallback._transform(WORDS.reshape(-1, 4), dtype, C.NORMAL, lo, width, 0.0)
    assert np.isfinite(ref).all()
    zmax = math.sqrt(-2 * math.log(2.0 ** (-24 if dtype == C.F32 else -53)))
    slack = 1 + 1e-5
    for path in simd_paths():
        _backend.core.simd_select(path)
        got = apply(WORDS, dtype, C.NORMAL, lo, width, 0.0)
        assert np.isfinite(got).all(), path
        dev = np.abs(got.astype(np.float64) - lo)
        # |x - mean| <= std * zmax, plus the rounding of mean + std * z in the output dtype
        assert (dev <= width * zmax * slack + np.spacing(cast(abs(lo) + width * zmax)) * 2).all(), path
        np.testing.assert_array_equal(got.view(np.uint8), ref.view(np.uint8), err_msg=path)


@needs_core
def test_extreme_radius_word_gives_the_largest_normal(restore_simd):
    # radius word 0 -> u1 = 2^-k, the largest radius; the angle word picks its direction
    for path in simd_paths():
        _backend.core.simd_select(path)
        for dtype, k in ((C.F32, 24), (C.F64, 53)):
            r = math.sqrt(-2 * math.log(2.0**-k))
            for angle, expect in ((Z, (r, 0.0)), (0x40000000, (0.0, r)), (0x80000000, (-r, 0.0)),
                                  (0xC0000000, (0.0, -r))):
                words = np.array([Z, angle, Z, angle], np.uint32)
                if dtype == C.F64:  # the 64-bit radius word is (x0, x1), the angle (x2, x3)
                    words = np.array([Z, Z, 0, angle], np.uint32)
                got = apply(words, dtype, C.NORMAL, 0.0, 1.0, 0.0)[:2].astype(np.float64)
                np.testing.assert_allclose(got, expect, atol=1e-5 * r, err_msg=f"{path} {dtype} {angle:#x}")


# Elements of the stream (seed 0, stream 0) whose raw word has its top 24 bits all 0 or all 1,
# found by scanning the first 2^27 words with fill_raw (a uniform of 0 / 1 - 2^-24; a radius
# uniform of 2^-24, the largest float32 normal). Each test first re-checks its word, so a
# change in the stream fails them instead of leaving them vacuous.
TOP24_ZERO_RADIUS = [59535980, 86412034, 131810432]  # even elements: radius words of float32 pairs
TOP24_ZERO_ANGLE = 72845717
TOP24_ONES = [9320226, 28454925, 29038711]


def raw_at(offset, n=1):
    return wi.fill_raw(np.empty(n, np.uint32), seed=0, offset=offset)


def test_stream_positions_hold_the_extreme_words():
    for e in TOP24_ZERO_RADIUS + [TOP24_ZERO_ANGLE]:
        assert raw_at(e)[0] >> 8 == 0, e
    for e in TOP24_ONES:
        assert raw_at(e)[0] >> 8 == 0xFFFFFF, e
    # and the fallback computes the same words there
    for e in TOP24_ZERO_RADIUS + TOP24_ONES:
        assert _fallback.raw_blocks(0, 0, e // 4, 1)[0, e % 4] == raw_at(e)[0]


@pytest.mark.parametrize("e", TOP24_ZERO_RADIUS)
def test_largest_float32_normal_in_the_stream_is_finite_on_every_path(e, restore_simd):
    r = math.sqrt(-2 * math.log(2.0**-24))
    outs = []
    for path in simd_paths() or ("fallback",):
        if _backend.core is not None:
            _backend.core.simd_select(path)
        # a window around the pair, at an odd offset so the pair is mid-vector
        x = wi.fill_normal(np.empty(37, np.float32), seed=0, offset=e - 17)
        assert np.isfinite(x).all(), path
        pair = x[17:19].astype(np.float64)
        assert abs(math.hypot(*pair) - r) < 1e-5 * r, (path, pair)
        assert np.abs(x).max() <= np.float32(r) * (1 + 1e-6)
        outs.append(x.tobytes())
    assert len(set(outs)) == 1
    ref = np.empty(2, np.float32)
    _fallback.fill(ref, C.F32, C.NORMAL, 0, 0, e // 4, e % 4, 0.0, 1.0, 0.0)
    np.testing.assert_array_equal(ref, np.frombuffer(outs[0], np.float32)[17:19])


@pytest.mark.parametrize("e", TOP24_ONES)
def test_largest_float32_uniform_in_the_stream_stays_below_high(e, restore_simd):
    for path in simd_paths() or ("fallback",):
        if _backend.core is not None:
            _backend.core.simd_select(path)
        for low, high in ((0.0, 1.0), (-1.0, 1.0), (1.0, float(np.nextafter(np.float32(1), np.float32(2)))),
                          (-0.1, 0.3)):
            x = wi.fill_uniform(np.empty(9, np.float32), low, high, seed=0, offset=e - 4)
            assert np.isfinite(x).all() and x.min() >= np.float32(low) and x.max() <= np.float32(high), (path, low, high)
            assert x[4] == min(np.float32(low) + np.float32(high - low) * np.float32(1 - 2.0**-24), np.float32(high))
