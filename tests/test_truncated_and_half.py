"""The truncated normal against scipy.stats.truncnorm, and the half formats against
NumPy's / ml_dtypes' rounding of the float32 samples."""
import numpy as np
import pytest
from scipy import stats

import wi

ml_dtypes = pytest.importorskip("ml_dtypes")
N = 1 << 19


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "mean,std,low,high",
    [
        (0.0, 1.0, -2.0, 2.0),      # torch's default trunc_normal_
        (0.0, 0.02, -0.04, 0.04),   # GPT-style init
        (1.0, 2.0, 2.0, 9.0),       # one-sided: reflected into the lower tail
        (0.0, 1.0, -10.0, -6.0),    # deep lower tail (AS241's far branch)
        (0.0, 1.0, 6.5, 7.0),       # deep upper tail
        (0.0, 1.0, -0.5, 30.0),     # nearly half a normal
    ],
)
def test_truncated_normal_matches_scipy(dtype, mean, std, low, high):
    x = wi.fill_truncated_normal(np.empty(N, dtype), mean, std, low, high, seed=11, stream=2)
    assert np.isfinite(x).all()
    assert x.min() >= dtype(low) and x.max() <= dtype(high)
    a, b = (low - mean) / std, (high - mean) / std
    ref = stats.truncnorm(a, b, loc=mean, scale=std)
    x = x.astype(np.float64)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-4
    assert abs(x.mean() - ref.mean()) < 6 * ref.std() / np.sqrt(N)


def test_truncated_normal_rejects_bad_intervals():
    buf = np.zeros(8, np.float32)
    with pytest.raises(ValueError, match="low must be < high"):
        wi.fill_truncated_normal(buf, 0.0, 1.0, 1.0, 1.0, seed=1)
    with pytest.raises(ValueError, match="too far in the tail"):
        wi.fill_truncated_normal(buf, 0.0, 1.0, 20.0, 21.0, seed=1)
    with pytest.raises(ValueError, match="std must be >= 0"):
        wi.fill_truncated_normal(buf, 0.0, -1.0, -1.0, 1.0, seed=1)
    assert not buf.any()
    # float64 reaches much further into the tail
    x = wi.fill_truncated_normal(np.empty(1000), 0.0, 1.0, 20.0, 21.0, seed=1)
    assert (x >= 20).all() and (x <= 21).all()


def fills():
    return [
        ("uniform", lambda b: wi.fill_uniform(b, -0.3, 0.7, seed=5, stream=1, offset=3)),
        ("normal", lambda b: wi.fill_normal(b, 0.1, 0.5, seed=5, stream=1, offset=3)),
        ("he_normal", lambda b: wi.fill_he_normal(b, 64, seed=5, stream=1, offset=3)),
        ("xavier_uniform", lambda b: wi.fill_xavier_uniform(b, 64, 32, seed=5, stream=1, offset=3)),
        ("truncated", lambda b: wi.fill_truncated_normal(b, 0.0, 1.0, -2.0, 2.0, seed=5, stream=1, offset=3)),
        ("tiny (subnormal float16)", lambda b: wi.fill_normal(b, 0.0, 1e-6, seed=5, stream=1, offset=3)),
    ]


@pytest.mark.parametrize("name,fill", fills(), ids=[f[0] for f in fills()])
@pytest.mark.parametrize("half", [np.float16, ml_dtypes.bfloat16], ids=["float16", "bfloat16"])
def test_half_formats_are_the_float32_samples_rounded(name, fill, half):
    n = 100003
    ref = fill(np.empty(n, np.float32)).astype(half)
    got = fill(np.empty(n, half))
    np.testing.assert_array_equal(got.view(np.uint16), ref.view(np.uint16))


def test_half_torch_tensors():
    torch = pytest.importorskip("torch")
    for tdt, ndt in ((torch.float16, np.float16), (torch.bfloat16, ml_dtypes.bfloat16)):
        t = torch.empty(33, 7, dtype=tdt)
        wi.fill_he_uniform(t, 7, seed=9)
        ref = wi.fill_he_uniform(np.empty(33 * 7, np.float32), 7, seed=9).astype(ndt)
        np.testing.assert_array_equal(t.view(torch.int16).numpy().reshape(-1), ref.view(np.int16))


def test_half_overflow_is_rejected():
    with pytest.raises(ValueError, match="overflow float16"):
        wi.fill_normal(np.zeros(4, np.float16), 0.0, 20000.0, seed=1)
    with pytest.raises(ValueError, match="finite in float16"):
        wi.fill_uniform(np.zeros(4, np.float16), 0.0, 70000.0, seed=1)
