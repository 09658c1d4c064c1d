"""A value depends only on (seed, stream, element index): not on threads, SIMD path,
chunking, or backend."""
import numpy as np
import pytest

import wi
from wi import _backend, _fallback
from wi import _contract as C
from wi._target import target

from conftest import distribution_params, simd_paths

ml_dtypes = pytest.importorskip("ml_dtypes")

DTYPES = [np.uint32, np.float32, np.float64, np.float16, ml_dtypes.bfloat16]
FLOAT_DISTS = [C.UNIFORM, C.NORMAL, C.TRUNCNORM]
CODE = {np.uint32: C.U32, np.float32: C.F32, np.float64: C.F64, np.float16: C.F16, ml_dtypes.bfloat16: C.BF16}
PARAMS = {C.RAW: (), C.UNIFORM: (-1.5, 2.5), C.NORMAL: (0.25, 3.0), C.TRUNCNORM: (0.25, 3.0, -2.0, 5.0)}
SEED, STREAM = 0xDEADBEEF12345678, 3


def fill(buf, dist, offset=0, seed=SEED, stream=STREAM):
    fn = {C.RAW: wi.fill_raw, C.UNIFORM: wi.fill_uniform, C.NORMAL: wi.fill_normal,
          C.TRUNCNORM: wi.fill_truncated_normal}[dist]
    return fn(buf, *PARAMS[dist], seed=seed, stream=stream, offset=offset)


def cases():
    for dt in DTYPES:
        for dist in [C.RAW] if dt is np.uint32 else FLOAT_DISTS:
            yield pytest.param(dt, dist, id=f"{np.dtype(dt).name}-{dist}")


@pytest.mark.parametrize("dtype,dist", list(cases()))
def test_thread_count_does_not_change_values(dtype, dist, restore_threads):
    n = 3 * _backend.core.parallel_min() + 1234 if _backend.core else 5000
    results = []
    for threads in (1, 2, 3, 7):
        wi.set_num_threads(threads)
        results.append(fill(np.empty(n, dtype), dist, offset=5).tobytes())
    assert all(r == results[0] for r in results)


@pytest.mark.skipif(_backend.core is None, reason="SIMD paths exist only in the compiled core")
@pytest.mark.parametrize("dtype,dist", list(cases()))
def test_every_simd_path_gives_identical_bytes(dtype, dist, restore_simd):
    paths = simd_paths()
    assert "portable" in paths
    for n in (0, 1, 3, 4, 5, 31, 64, 65, 127, 1000, 70001):
        for offset in (0, 1, 2, 3, 7, 2**35 + 1):
            out = {}
            for path in paths:
                _backend.core.simd_select(path)
                out[path] = fill(np.empty(n, dtype), dist, offset).tobytes()
            assert len(set(out.values())) == 1, (n, offset, {k: v[:16] for k, v in out.items()})


@pytest.mark.parametrize("dtype,dist", list(cases()))
def test_chunked_fill_at_odd_offsets_equals_one_shot(dtype, dist):
    n = 10007
    whole = fill(np.empty(n, dtype), dist, offset=13)
    pieces = np.empty(n, dtype)
    cuts = [0, 1, 4, 7, 100, 333, 1024, 1025, 5001, 9999, n]
    for a, b in zip(cuts, cuts[1:]):
        fill(pieces[a:b], dist, offset=13 + a)
    np.testing.assert_array_equal(pieces.view(np.uint8), whole.view(np.uint8))


@pytest.mark.parametrize("dtype,dist", list(cases()))
@pytest.mark.parametrize("offset", [0, 1, 4 * (2**32 - 5) + 3, 4 * (2**64 - 1000) + 1])
def test_fallback_is_bit_identical_to_the_core(dtype, dist, offset):
    n = 1111
    per_block = C.PER_BLOCK[CODE[dtype]]
    offset = offset * per_block // 4
    got = fill(np.empty(n, dtype), dist, offset)
    ref = np.empty(n, dtype)
    block, lane = divmod(offset, per_block)
    params = distribution_params(dist, PARAMS[dist], CODE[dtype])
    _fallback.fill(target(ref, (CODE[dtype],)).array, CODE[dtype], dist, SEED, STREAM, block, lane, params)
    np.testing.assert_array_equal(got.view(np.uint8), ref.view(np.uint8))


def test_float64_normal_fallback_agrees_with_libm_within_a_few_ulp():
    # The core's own log/sin/cos must be accurate, not just self-consistent: rebuild the
    # normals from the raw words with NumPy's libm and compare in ulps.
    n = 200000
    words = wi.fill_raw(np.empty(2 * n, np.uint32), seed=SEED, stream=STREAM).reshape(-1, 4)
    got = wi.fill_normal(np.empty(n), seed=SEED, stream=STREAM).reshape(-1, 2)
    w0 = words[:, 0].astype(np.uint64) | (words[:, 1].astype(np.uint64) << np.uint64(32))
    w1 = words[:, 2].astype(np.uint64) | (words[:, 3].astype(np.uint64) << np.uint64(32))
    # the reference in x87 extended precision where available, so its own rounding
    # (2*pi*u2 in double is off by up to 8 ulp of the result) does not count against us
    ld = np.longdouble
    u1 = ((w0 >> np.uint64(11)) + np.uint64(1)).astype(ld) * ld(2.0) ** -53
    u2 = (w1 >> np.uint64(11)).astype(ld) * ld(2.0) ** -53
    r = np.sqrt(-2 * np.log(u1))
    ang = 2 * ld("3.141592653589793238462643383279502884") * u2
    ref = np.stack([r * np.cos(ang), r * np.sin(ang)], axis=1)
    if np.finfo(ld).eps >= np.finfo(np.float64).eps:
        pytest.skip("needs an extended-precision long double for the reference")
    # error in ulps of the radius: near zeros of cos/sin the value is small but its error is not
    err = (np.abs(got - ref) / np.spacing(r.astype(np.float64))[:, None]).astype(np.float64)
    assert err.max() <= 4, err.max()


def test_float32_normal_agrees_with_libm_within_a_few_ulp():
    n = 400000
    words = wi.fill_raw(np.empty(n, np.uint32), seed=SEED, stream=STREAM).reshape(-1, 4)
    got = wi.fill_normal(np.empty(n, np.float32), seed=SEED, stream=STREAM).reshape(-1, 2, 2)
    u1 = ((words[:, 0::2] >> 8) + 1).astype(np.float64) * 2.0**-24
    u2 = (words[:, 1::2] >> 8).astype(np.float64) * 2.0**-24
    r = np.sqrt(-2.0 * np.log(u1))
    ref = np.stack([r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)], axis=-1)
    err = np.abs(got - ref) / np.spacing(r.astype(np.float32))[..., None]
    assert err.max() <= 4, err.max()


@pytest.mark.skipif(_backend.core is None, reason="streaming stores exist only in the compiled core")
@pytest.mark.parametrize("dtype,dist", [(np.float32, C.NORMAL), (np.float64, C.UNIFORM), (np.float16, C.NORMAL)])
def test_streaming_stores_for_large_fills_give_the_same_values(dtype, dist, restore_threads):
    # A fill larger than the last-level cache takes the streaming-store path; pieces of it
    # (each far smaller) take the ordinary one. Both must write the same bytes.
    itemsize = np.dtype(dtype).itemsize
    n = _backend.core.stream_min_bytes() // itemsize + 4099
    whole = fill(np.empty(n, dtype), dist, offset=8)
    parts = np.empty(n, dtype)
    step = 1 << 18
    for a in range(0, n, step):
        fill(parts[a : a + step], dist, offset=8 + a)
    np.testing.assert_array_equal(whole.view(np.uint8), parts.view(np.uint8))
    wi.set_num_threads(1)
    np.testing.assert_array_equal(fill(np.empty(n, dtype), dist, offset=8).view(np.uint8), whole.view(np.uint8))
