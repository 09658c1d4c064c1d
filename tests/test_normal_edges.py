"""What NumPy, torch and scipy accept, the core accepts: std = 0 (every normal-based fill
gives the mean) and infinite truncation cut-offs (one-sided or no truncation, inverse CDF).
Core against the NumPy fallback byte for byte on every SIMD path; statistics against
scipy.stats.truncnorm, far tails included."""
import math

import numpy as np
import pytest
from scipy import stats

import wi
from wi import _backend, _fallback
from wi import _contract as C
from wi._dists import Normal, TruncatedNormal
from wi._target import target

from conftest import simd_paths

ml_dtypes = pytest.importorskip("ml_dtypes")
INF = math.inf
DTYPES = {np.float32: C.F32, np.float64: C.F64, np.float16: C.F16, ml_dtypes.bfloat16: C.BF16}

ZERO_STD_FILLS = [
    ("fill_normal", lambda b: wi.fill_normal(b, 0.3, 0.0, seed=1), 0.3),
    ("fill_normal -0.0", lambda b: wi.fill_normal(b, -2.5, -0.0, seed=1), -2.5),
    ("fill_truncated_normal inside", lambda b: wi.fill_truncated_normal(b, 0.3, 0.0, -1.0, 1.0, seed=1), 0.3),
    ("fill_truncated_normal mean above", lambda b: wi.fill_truncated_normal(b, 3.0, 0.0, -1.0, 1.0, seed=1), 1.0),
    ("fill_truncated_normal mean below", lambda b: wi.fill_truncated_normal(b, -3.0, 0.0, -1.0, INF, seed=1), -1.0),
    ("fill_xavier_normal gain 0", lambda b: wi.fill_xavier_normal(b, 3, 4, gain=0.0, seed=1), 0.0),
    ("fill_he_normal gain 0", lambda b: wi.fill_he_normal(b, 3, gain=0, seed=1), 0.0),
    ("fill_xavier_uniform gain 0", lambda b: wi.fill_xavier_uniform(b, 3, 4, gain=0.0, seed=1), 0.0),
    ("wi.trunc_normal_", lambda b: wi.trunc_normal_(b.reshape(-1, 1), mean=0.5, std=0.0, seed=1), 0.5),
    ("Generator.fill_normal", lambda b: wi.Generator(4).fill_normal(b, 1.5, 0.0), 1.5),
    ("global generator", lambda b: wi.fill_normal(b, 0.25, 0.0), 0.25),
]


@pytest.mark.parametrize("dtype", list(DTYPES), ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name,call,value", ZERO_STD_FILLS, ids=[c[0] for c in ZERO_STD_FILLS])
def test_zero_std_fills_the_mean_like_numpy(name, call, value, dtype):
    out = call(np.full(37, np.nan, dtype)).reshape(-1)
    np.testing.assert_array_equal(out.astype(np.float64), np.full(37, np.float64(dtype(value))))
    if name == "fill_normal":
        assert np.random.default_rng(0).normal(0.3, 0.0) == 0.3  # what NumPy does with the same call


# (mean, std, low, high): one-sided, no truncation, far tails, reflected cases
INFINITE = [
    (0.0, 1.0, -INF, 2.0),      # torch.nn.init.trunc_normal_(a=-inf, b=2)
    (0.0, 1.0, 5.0, INF),       # a half-line far in the upper tail
    (0.0, 1.0, 0.0, INF),       # the half-normal
    (0.0, 1.0, -INF, 0.0),
    (0.0, 1.0, -INF, INF),      # no truncation at all
    (1.0, 2.0, -INF, -9.0),     # lower tail, 5 std away
    (-0.5, 0.02, -0.4, INF),    # mostly untruncated upper side
    (0.0, 1.0, 8.0, INF),       # far tail (float64 reaches it, float32 too: Q floor is 12.9)
]


def _kernel_vs_fallback(dtype, dist, n=1111, offset=0):
    code = DTYPES[dtype]
    got = wi.Generator(0).fill(np.empty(n, dtype), dist, seed=0xDEADBEEF, stream=5, offset=offset)
    ref = np.empty(n, dtype)
    per = C.PER_BLOCK[code]
    block, lane = divmod(offset, per)
    _fallback.fill(target(ref, (code,)).array, code, dist.code, 0xDEADBEEF, 5, block, lane,
                   dist.kernel_params(code))
    return got, ref


@pytest.mark.parametrize("dtype", list(DTYPES), ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("params", INFINITE + [(0.3, 0.0, -1.0, 1.0), (3.0, 0.0, -INF, 1.0)], ids=repr)
def test_core_and_fallback_give_identical_bytes_on_every_simd_path(params, dtype, restore_simd):
    dist = TruncatedNormal(*params)
    paths = simd_paths() if _backend.core is not None else [None]
    for path in paths:
        if path is not None:
            _backend.core.simd_select(path)
        for offset in (0, 3, 4 * 2**40 + 1):
            got, ref = _kernel_vs_fallback(dtype, dist, offset=offset)
            np.testing.assert_array_equal(got.view(np.uint8), ref.view(np.uint8), err_msg=f"{path} {offset}")
            assert np.isfinite(got.astype(np.float64)).all()
            low, high = params[2], params[3]
            assert (got.astype(np.float64) >= dtype(low)).all() and (got.astype(np.float64) <= dtype(high)).all()


@pytest.mark.parametrize("dtype", list(DTYPES), ids=lambda d: np.dtype(d).name)
def test_zero_std_normal_core_and_fallback_agree(dtype, restore_simd):
    for path in simd_paths() if _backend.core is not None else [None]:
        if path is not None:
            _backend.core.simd_select(path)
        got, ref = _kernel_vs_fallback(dtype, Normal(0.3, 0.0))
        np.testing.assert_array_equal(got.view(np.uint8), ref.view(np.uint8))


@pytest.mark.skipif(_backend.core is None, reason="the twin is in the compiled core")
@pytest.mark.parametrize("dtype", C.FLOATS)
@pytest.mark.parametrize("params", INFINITE + [(0.3, 0.0, -1.0, 1.0), (0.0, 1e37, -INF, 0.0), (0.0, 3e37, -INF, 0.0), (0.0, 2e3, 0.0, INF), (0.0, 6e3, 0.0, INF),
                                    (0.0, 1.0, 40.0, INF)], ids=repr)
def test_the_compiled_twin_agrees_with_the_rule_on_the_new_cases(params, dtype):
    dist = TruncatedNormal(*params)
    try:
        expected = tuple(dist.kernel_params(dtype))
    except ValueError:
        expected = None
    assert _backend.core.kernel_params_of(dist, dtype) == expected


def test_infinite_cutoff_rules():
    buf = np.zeros(8, np.float32)
    with pytest.raises(ValueError, match="low must be finite or -inf"):
        wi.fill_truncated_normal(buf, 0.0, 1.0, INF, INF, seed=1)
    with pytest.raises(ValueError, match="high must be finite or inf"):
        wi.fill_truncated_normal(buf, 0.0, 1.0, -1.0, -INF, seed=1)
    with pytest.raises(ValueError, match="high must be finite"):
        wi.fill_truncated_normal(buf, 0.0, 1.0, -1.0, math.nan, seed=1)
    # no clamp on an infinite side: mean + 13*std must fit the dtype
    with pytest.raises(ValueError, match="overflow float32 with an infinite cut-off"):
        wi.fill_truncated_normal(buf, 0.0, 3e37, 0.0, INF, seed=1)
    with pytest.raises(ValueError, match="overflow float16 with an infinite cut-off"):
        wi.fill_truncated_normal(np.zeros(8, np.float16), 0.0, 6000.0, -INF, 0.0, seed=1)
    assert not buf.any()
    x = wi.fill_truncated_normal(np.empty(4096, np.float16), 0.0, 4000.0, -INF, 0.0, seed=1)
    assert np.isfinite(x).all()
    with pytest.raises(ValueError, match="too far in the tail"):
        wi.fill_truncated_normal(buf, 0.0, 1.0, 40.0, INF, seed=1)  # float64 would reach 37 sd, not float32


N = 1 << 20


@pytest.mark.stats
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mean,std,low,high", INFINITE, ids=repr)
def test_infinite_cutoffs_match_scipy_truncnorm(mean, std, low, high, dtype):
    x = wi.fill_truncated_normal(np.empty(N, dtype), mean, std, low, high, seed=21, stream=1).astype(np.float64)
    assert np.isfinite(x).all() and x.min() >= low and x.max() <= high
    ref = stats.truncnorm((low - mean) / std, (high - mean) / std, loc=mean, scale=std)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-4
    assert abs(x.mean() - ref.mean()) < 6 * ref.std() / np.sqrt(N)
    assert abs(x.std() / ref.std() - 1) < 0.01
    # the extreme: no value further out than the finest cell of the 24/53-bit uniform allows
    far = ref.isf(2.0 ** -(C.UNIFORM_BITS[C.F32 if dtype is np.float32 else C.F64] + 1) / 4)
    near = ref.ppf(2.0 ** -(C.UNIFORM_BITS[C.F32 if dtype is np.float32 else C.F64] + 1) / 4)
    assert x.max() <= far and x.min() >= near


@pytest.mark.stats
def test_no_truncation_is_a_standard_normal_in_the_far_tails():
    x = wi.fill_truncated_normal(np.empty(1 << 22), 0.0, 1.0, -INF, INF, seed=3)
    # tail frequencies beyond 4 sd (expected 6.3e-5 * n each side) within 5 sigma of counting noise
    for tail in (x > 4.0, x < -4.0):
        expected = stats.norm.sf(4.0) * x.size
        assert abs(tail.sum() - expected) < 5 * math.sqrt(expected)
    assert stats.kstest(x[: 1 << 20], stats.norm.cdf).pvalue > 1e-4
