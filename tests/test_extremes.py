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

from conftest import distribution_params, simd_paths

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

FLOATS = [C.F32, C.F64, C.F16, C.BF16]
STORAGE = {C.F32: np.float32, C.F64: np.float64, C.F16: np.uint16, C.BF16: np.uint16}
UNIFORM_PARAMS = [  # (low, high): ordinary, degenerate, tiny, huge
    (0.0, 1.0), (-1.0, 1.0), (-0.05, 0.05), (2.0, 2.0), (1.0, float(np.nextafter(1.0, 2.0))),
    (-1e-30, 1e-30), (-30000.0, 30000.0), (-1.6e38, 1.6e38), (3e38, 3.4e38), (-3.4e38, -1e38), (-1e300, 1e300),
]
NORMAL_PARAMS = [  # (mean, std)
    (0.0, 1.0), (0.5, 2.0), (-3.0, 1e-30), (1e-40, 1e-40), (60000.0, 100.0), (1e37, 1e37), (-3e38, 1e36),
    (0.0, 1e300),
]
TRUNC_PARAMS = [  # (mean, std, low, high): central, one-sided, in a tail, very wide, narrow
    (0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (0.0, 1.0, 0.0, 1e4), (0.0, 1.0, -1e4, 0.0),
    (0.0, 1.0, 3.0, 5.0), (0.0, 1.0, -5.0, -3.0), (0.0, 1.0, 8.0, 9.0), (0.0, 1.0, -30.0, -20.0),
    (1.0, 1.0, -1e30, 1e30), (0.0, 1.0, -1e-6, 1e-6), (5.0, 0.1, 5.0, float(np.nextafter(5.0, 6.0))),
    (0.0, 1e-30, -1.0, 1.0), (-3e38, 1e38, -3.4e38, 3.4e38),
]


def to_float64(out, dtype):
    """The output buffer's values as float64 (half formats are stored as bit patterns)."""
    if dtype == C.F16:
        return out.view(np.float16).astype(np.float64)
    if dtype == C.BF16:
        return (out.astype(np.uint32) << np.uint32(16)).view(np.float32).astype(np.float64)
    return out.astype(np.float64)


def rounded(v, dtype):
    """v rounded to the output format (halves: via float32, to nearest-even)."""
    if dtype == C.F64:
        return float(v)
    with np.errstate(over="ignore"):
        f = np.float32(v)
    if dtype == C.F16:
        return float(np.float16(f))
    if dtype == C.BF16:
        bits = int(np.array(f).view(np.uint32))
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
        return float(np.array(bits << 16, np.uint32).view(np.float32))
    return float(f)


def apply(words, dtype, dist, kparams):
    out = np.empty(len(words) // 4 * C.PER_BLOCK[dtype], STORAGE[dtype])
    _backend.core.transform_words(words, out, dtype, dist, *kparams)
    return out


def kernel_params(dist, params, dtype):
    try:
        return distribution_params(dist, params, dtype)
    except ValueError:
        pytest.skip(f"{params} rejected by validation for {C.DTYPE_NAMES[dtype]}")


def check_every_path(dist, params, dtype, check):
    kp = kernel_params(dist, params, dtype)
    ref = _fallback.transform(WORDS.reshape(-1, 4), dtype, dist, kp)
    check(to_float64(ref, dtype), "fallback")
    for path in simd_paths():
        _backend.core.simd_select(path)
        got = apply(WORDS, dtype, dist, kp)
        check(to_float64(got, dtype), path)
        np.testing.assert_array_equal(got.view(np.uint8), ref.view(np.uint8), err_msg=path)
    return to_float64(ref, dtype), kp


@needs_core
def test_the_hook_reproduces_a_real_fill(restore_simd):
    # the hook must apply the same transform to the same words as a fill; else the tests below prove nothing
    raw = wi.fill_raw(np.empty(4 * 257, np.uint32), seed=3, stream=1)
    for path in simd_paths():
        _backend.core.simd_select(path)
        for dtype, np_dtype in ((C.F32, np.float32), (C.F64, np.float64)):
            n = 257 * C.PER_BLOCK[dtype]
            got = apply(raw, dtype, C.NORMAL, distribution_params(C.NORMAL, (0.25, 3.0), dtype))
            np.testing.assert_array_equal(got, wi.fill_normal(np.empty(n, np_dtype), 0.25, 3.0, seed=3, stream=1))
            got = apply(raw, dtype, C.UNIFORM, distribution_params(C.UNIFORM, (-1.5, 2.5), dtype))
            np.testing.assert_array_equal(got, wi.fill_uniform(np.empty(n, np_dtype), -1.5, 2.5, seed=3, stream=1))
            got = apply(raw, dtype, C.TRUNCNORM, distribution_params(C.TRUNCNORM, (0.0, 1.0, -2.0, 0.5), dtype))
            np.testing.assert_array_equal(
                got, wi.fill_truncated_normal(np.empty(n, np_dtype), 0.0, 1.0, -2.0, 0.5, seed=3, stream=1))


@needs_core
@pytest.mark.parametrize("dtype", FLOATS, ids=[C.DTYPE_NAMES[d] for d in FLOATS])
@pytest.mark.parametrize("low,high", UNIFORM_PARAMS)
def test_extreme_words_uniform_stays_finite_and_in_bounds(dtype, low, high, restore_simd):
    lo, hi = rounded(low, dtype), rounded(high, dtype)

    def check(x, path):
        assert np.isfinite(x).all(), path
        assert x.min() >= lo and x.max() <= hi, (path, x.min(), x.max(), lo, hi)

    x, kp = check_every_path(C.UNIFORM, (low, high), dtype, check)
    # word 0 gives exactly low; all-ones (block 15 = (~0, ~0, ~0, ~0)) gives the largest
    # uniform, which never passes high
    k = C.PER_BLOCK[dtype]
    assert (x[:k] == lo).all()
    cast = np.float64 if dtype == C.F64 else np.float32
    top = rounded(min(cast(kp[0]) + cast(kp[1]) * cast(1 - 2.0 ** (-53 if dtype == C.F64 else -24)), cast(kp[2])),
                  dtype)
    assert (x[15 * k : 16 * k] == top).all()


@needs_core
@pytest.mark.parametrize("dtype", FLOATS, ids=[C.DTYPE_NAMES[d] for d in FLOATS])
@pytest.mark.parametrize("mean,std", NORMAL_PARAMS)
def test_extreme_words_normal_stays_finite_and_bounded(dtype, mean, std, restore_simd):
    zmax = math.sqrt(-2 * math.log(2.0 ** (-53 if dtype == C.F64 else -24)))

    def check(x, path):
        assert np.isfinite(x).all(), path
        dev = np.abs(x - rounded(mean, dtype))
        # |x - mean| <= std * zmax, plus the roundings of mean and of mean + std * z in the output format
        eps, tiny = {C.F32: (2.0**-23, 2.0**-149), C.F64: (2.0**-52, 5e-324), C.F16: (2.0**-10, 2.0**-24),
                     C.BF16: (2.0**-7, 2.0**-133)}[dtype]
        slack = 2 * eps * (abs(mean) + std * zmax) + 2 * tiny
        assert (dev <= std * zmax * (1 + 1e-5) + slack).all(), (path, dev.max(), std * zmax + slack)

    check_every_path(C.NORMAL, (mean, std), dtype, check)


@needs_core
@pytest.mark.parametrize("dtype", FLOATS, ids=[C.DTYPE_NAMES[d] for d in FLOATS])
@pytest.mark.parametrize("mean,std,low,high", TRUNC_PARAMS)
def test_extreme_words_truncated_normal_stays_finite_and_in_bounds(dtype, mean, std, low, high, restore_simd):
    lo, hi = rounded(low, dtype), rounded(high, dtype)

    def check(x, path):
        assert np.isfinite(x).all(), (path, x[~np.isfinite(x)][:4])
        assert x.min() >= lo and x.max() <= hi, (path, x.min(), x.max(), lo, hi)

    check_every_path(C.TRUNCNORM, (mean, std, low, high), dtype, check)


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
                got = apply(words, dtype, C.NORMAL, distribution_params(C.NORMAL, (0.0, 1.0), dtype))[:2].astype(np.float64)
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
    _fallback.fill(ref, C.F32, C.NORMAL, 0, 0, e // 4, e % 4, distribution_params(C.NORMAL, (0.0, 1.0), C.F32))
    np.testing.assert_array_equal(ref, np.frombuffer(outs[0], np.float32)[17:19])


@pytest.mark.parametrize("e", TOP24_ONES)
def test_largest_float32_uniform_in_the_stream_stays_below_high(e, restore_simd):
    for path in simd_paths() or ("fallback",):
        if _backend.core is not None:
            _backend.core.simd_select(path)
        for low, high in ((0.0, 1.0), (-1.0, 1.0), (1.0, float(np.nextafter(np.float32(1), np.float32(2)))),
                          (-0.1, 0.3)):
            x = wi.fill_uniform(np.empty(9, np.float32), low, high, seed=0, offset=e - 4)
            ok = np.isfinite(x).all() and x.min() >= np.float32(low) and x.max() <= np.float32(high)
            assert ok, (path, low, high)
            assert x[4] == min(np.float32(low) + np.float32(high - low) * np.float32(1 - 2.0**-24), np.float32(high))
