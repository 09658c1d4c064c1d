"""Distribution checks against scipy at 10^6+ samples with fixed seeds.

Thresholds: KS p-values are uniform under the null, so with fixed seeds a p < 1e-4 would
be a 1-in-10^4 accident; the moment checks use 6 standard errors.
"""
import math

import numpy as np
import pytest
from scipy import stats

import wi

N = 1 << 21  # 2,097,152 samples


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed,stream,offset", [(0, 0, 0), (12345, 7, 3), (2**63 + 5, 2**40, 10**12 + 1)])
def test_normal_moments_and_ks(dtype, seed, stream, offset):
    mean, std = 0.5, 2.0
    x = wi.fill_normal(np.empty(N, dtype), mean, std, seed=seed, stream=stream, offset=offset).astype(np.float64)
    se = std / math.sqrt(N)
    assert abs(x.mean() - mean) < 6 * se
    # the sample variance of a normal has standard error std^2 * sqrt(2/N)
    assert abs(x.var() - std**2) < 6 * std**2 * math.sqrt(2 / N)
    assert abs(stats.skew(x)) < 6 * math.sqrt(6 / N)
    assert abs(stats.kurtosis(x)) < 6 * math.sqrt(24 / N)
    assert stats.kstest(x, "norm", args=(mean, std)).pvalue > 1e-4
    assert np.isfinite(x).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed,stream,offset", [(0, 0, 0), (99, 1, 5), (2**64 - 1, 2**64 - 1, 7)])
def test_uniform_moments_bounds_and_ks(dtype, seed, stream, offset):
    low, high = -3.0, 5.0
    x = wi.fill_uniform(np.empty(N, dtype), low, high, seed=seed, stream=stream, offset=offset)
    assert x.min() >= dtype(low) and x.max() <= dtype(high)
    x = x.astype(np.float64)
    width = high - low
    assert abs(x.mean() - (low + high) / 2) < 6 * width / math.sqrt(12 * N)
    assert abs(x.var() - width**2 / 12) < 6 * width**2 * math.sqrt(1 / 180 / N)
    assert stats.kstest(x, "uniform", args=(low, width)).pvalue > 1e-4


def test_xavier_and_he_scales_match_their_formulas():
    fan_in, fan_out = 300, 500
    x = wi.fill_xavier_uniform(np.empty(N, np.float32), fan_in, fan_out, seed=1)
    bound = math.sqrt(6 / (fan_in + fan_out))
    assert abs(x).max() <= np.float32(bound)
    assert stats.kstest(x.astype(np.float64), "uniform", args=(-bound, 2 * bound)).pvalue > 1e-4
    x = wi.fill_xavier_normal(np.empty(N, np.float32), fan_in, fan_out, seed=2)
    assert stats.kstest(x.astype(np.float64), "norm", args=(0, math.sqrt(2 / (fan_in + fan_out)))).pvalue > 1e-4
    x = wi.fill_he_uniform(np.empty(N, np.float32), fan_in, seed=3)
    bound = math.sqrt(2) * math.sqrt(3 / fan_in)
    assert abs(x).max() <= np.float32(bound)
    assert stats.kstest(x.astype(np.float64), "uniform", args=(-bound, 2 * bound)).pvalue > 1e-4
    x = wi.fill_he_normal(np.empty(N, np.float32), fan_in, seed=4)
    assert stats.kstest(x.astype(np.float64), "norm", args=(0, math.sqrt(2 / fan_in))).pvalue > 1e-4


def test_neighbouring_streams_and_seeds_are_uncorrelated():
    a = wi.fill_normal(np.empty(N), seed=5, stream=0)
    b = wi.fill_normal(np.empty(N), seed=5, stream=1)
    c = wi.fill_normal(np.empty(N), seed=6, stream=0)
    for x, y in ((a, b), (a, c), (b, c)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 6 / math.sqrt(N)


def test_uniform_bits_fill_the_unit_interval():
    # float32 uniforms are multiples of 2^-24: every one of 2^12 top-bit buckets is hit
    # about equally often (chi-square against the uniform histogram)
    u = wi.fill_uniform(np.empty(N, np.float32), 0.0, 1.0, seed=8)
    counts = np.bincount((u * 4096).astype(np.int64), minlength=4096)
    assert stats.chisquare(counts).pvalue > 1e-4
