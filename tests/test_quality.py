"""Statistical quality battery (marker `stats`): every distribution against scipy with
Kolmogorov-Smirnov and Anderson-Darling for several seeds, streams and offsets;
correlations between neighbouring streams, seeds and elements; chi-square of histograms.

Sizes are moderate (2^19 samples) so the battery runs in CI in seconds. Seeds are fixed, so
the outcome is deterministic; a threshold of p < 1e-4 means a correct generator fails a given
check only by a 1-in-10^4 accident of the chosen seeds. Each statistic is also shown to
reject a slightly wrong distribution (test_*_can_fail), so none of them is vacuous.
"""
import math

import numpy as np
import pytest
from scipy import special, stats

import wi

pytestmark = pytest.mark.stats

N = 1 << 19
P_MIN = 1e-4
# (seed, stream, offset): small, large, and with the high words of the counter in use
POSITIONS = [(0, 0, 0), (1, 1, 5), (0xFFFFFFFF, 2**32, 3), (2**64 - 1, 2**64 - 1, 4 * 2**40 + 1)]


def ad_pvalue(u):
    """Anderson-Darling test that u ~ U(0, 1) (fully specified null: the case-0 statistic),
    with the asymptotic distribution of Marsaglia & Marsaglia, J. Stat. Softw. 9(2), 2004."""
    u = np.clip(np.sort(np.asarray(u, np.float64)), 1e-300, 1 - 1e-16)
    n = u.size
    i = np.arange(1, n + 1)
    a2 = -n - np.mean((2 * i - 1) * (np.log(u) + np.log1p(-u[::-1])))
    z = a2
    if z < 2:
        cdf = math.exp(-1.2337141 / z) / math.sqrt(z) * (
            2.00012 + (0.247105 - (0.0649821 - (0.0347962 - (0.0116720 - 0.00168691 * z) * z) * z) * z) * z)
    else:
        cdf = math.exp(-math.exp(1.0776 - (2.30695 - (0.43424 - (0.082433 - (0.008056 - 0.0003146 * z) * z) * z)
                                           * z) * z))
    return max(0.0, 1.0 - cdf)


class TruncNorm:
    """scipy.stats.truncnorm's cdf, computed from the upper tail (accurate above the mean) and
    vectorised with special.ndtr: scipy's own is exact but slow at 2^19 points."""

    def __init__(self, mean, std, low, high):
        self.mean, self.std = mean, std
        self.sa, self.sb = special.ndtr(-(low - mean) / std), special.ndtr(-(high - mean) / std)
        ref = stats.truncnorm((low - mean) / std, (high - mean) / std, loc=mean, scale=std)
        probe = np.linspace(low, high, 101)
        np.testing.assert_allclose(self.cdf(probe), ref.cdf(probe), rtol=1e-9, atol=1e-12)

    def cdf(self, x):
        return (self.sa - special.ndtr(-(np.asarray(x) - self.mean) / self.std)) / (self.sa - self.sb)


def draw(name, dtype, seed, stream, offset, n=N):
    """(values, frozen scipy distribution they should follow)."""
    buf = np.empty(n, dtype)
    kw = dict(seed=seed, stream=stream, offset=offset)
    if name == "uniform":
        return wi.fill_uniform(buf, -2.0, 3.0, **kw), stats.uniform(-2.0, 5.0)
    if name == "normal":
        return wi.fill_normal(buf, 0.5, 1.5, **kw), stats.norm(0.5, 1.5)
    if name == "xavier_uniform":
        a = math.sqrt(6 / (300 + 500))
        return wi.fill_xavier_uniform(buf, 300, 500, **kw), stats.uniform(-a, 2 * a)
    if name == "xavier_normal":
        return wi.fill_xavier_normal(buf, 300, 500, gain=2.0, **kw), stats.norm(0, 2.0 * math.sqrt(2 / 800))
    if name == "he_uniform":
        a = math.sqrt(2) * math.sqrt(3 / 64)
        return wi.fill_he_uniform(buf, 64, **kw), stats.uniform(-a, 2 * a)
    if name == "he_normal":
        return wi.fill_he_normal(buf, 64, **kw), stats.norm(0, math.sqrt(2 / 64))
    if name == "truncated_normal":
        mean, std, low, high = 0.5, 1.5, -1.0, 4.0
        return wi.fill_truncated_normal(buf, mean, std, low, high, **kw), TruncNorm(mean, std, low, high)
    if name == "truncated_normal_tail":  # above the mean: the reflected branch, deep in the tail
        mean, std, low, high = 0.0, 1.0, 2.5, 6.0
        return wi.fill_truncated_normal(buf, mean, std, low, high, **kw), TruncNorm(mean, std, low, high)
    raise ValueError(name)


DISTS = ["uniform", "normal", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "truncated_normal",
         "truncated_normal_tail"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", DISTS)
@pytest.mark.parametrize("seed,stream,offset", POSITIONS)
def test_ks_and_anderson_darling_against_scipy(name, dtype, seed, stream, offset):
    x, dist = draw(name, dtype, seed, stream, offset)
    assert np.isfinite(x).all()
    x = x.astype(np.float64)
    ks = stats.kstest(x, dist.cdf).pvalue
    ad = ad_pvalue(dist.cdf(x))
    assert ks > P_MIN and ad > P_MIN, (ks, ad)


def test_ks_and_anderson_darling_can_fail():
    # a 1% error in the scale, or a shift of 1/75 sigma, must be caught at this size
    x, _ = draw("normal", np.float64, 0, 0, 0)
    wrong = stats.norm(0.5, 1.5 * 1.01)
    assert ad_pvalue(wrong.cdf(x)) < P_MIN
    shifted = stats.norm(0.52, 1.5)
    assert stats.kstest(x, shifted.cdf).pvalue < P_MIN and ad_pvalue(shifted.cdf(x)) < P_MIN
    # and the AD p-value of the asymptotic formula is calibrated: uniform under the null
    rng = np.random.default_rng(0)
    ps = [ad_pvalue(rng.random(2000)) for _ in range(300)]
    assert stats.kstest(ps, "uniform").pvalue > 1e-3


def test_pvalues_over_many_streams_are_uniform():
    # second order: 128 streams' KS p-values must themselves look uniform
    ps = []
    for s in range(128):
        x = wi.fill_normal(np.empty(4096, np.float32), seed=11, stream=s).astype(np.float64)
        ps.append(stats.kstest(x, "norm").pvalue)
    assert stats.kstest(ps, "uniform").pvalue > P_MIN
    assert ad_pvalue(ps) > P_MIN


def corr_bound(n):
    return 5 / math.sqrt(n)  # |r| of independent samples has standard deviation ~ 1/sqrt(n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["normal", "uniform"])
def test_neighbouring_streams_and_seeds_are_uncorrelated(kind, dtype):
    def get(seed, stream):
        buf = np.empty(N, dtype)
        if kind == "normal":
            return wi.fill_normal(buf, seed=seed, stream=stream).astype(np.float64)
        return wi.fill_uniform(buf, 0.0, 1.0, seed=seed, stream=stream).astype(np.float64)

    base = get(100, 100)
    neighbours = {"stream+1": get(100, 101), "stream-1": get(100, 99), "stream+2^32": get(100, 100 + 2**32),
                  "seed+1": get(101, 100), "seed-1": get(99, 100), "seed+2^32": get(100 + 2**32, 100),
                  "seed+1,stream+1": get(101, 101)}
    for label, other in neighbours.items():
        r = np.corrcoef(base, other)[0, 1]
        assert abs(r) < corr_bound(N), (label, r)
        # rank correlation too, and the neighbour's values are not a shifted copy
        assert abs(stats.spearmanr(base[: N // 8], other[: N // 8]).statistic) < corr_bound(N // 8), label
        assert not np.array_equal(base[1:], other[:-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_neighbouring_elements_are_uncorrelated(dtype):
    # lags inside a block (1..3), across blocks (4, 8) and within a Box-Muller pair
    x = wi.fill_normal(np.empty(N, dtype), seed=5).astype(np.float64)
    u = wi.fill_uniform(np.empty(N, dtype), 0.0, 1.0, seed=5).astype(np.float64)
    for v in (x, u):
        for lag in (1, 2, 3, 4, 5, 8):
            r = np.corrcoef(v[:-lag], v[lag:])[0, 1]
            assert abs(r) < corr_bound(N), (lag, r)
    # the two normals of a pair are independent: r(z0, z1) ~ 0, and r(z0^2, z1^2) ~ 0 too
    z0, z1 = x[0::2], x[1::2]
    assert abs(np.corrcoef(z0, z1)[0, 1]) < corr_bound(N // 2)
    assert abs(np.corrcoef(z0**2, z1**2)[0, 1]) < corr_bound(N // 2)


def test_the_correlation_checks_can_fail():
    a = wi.fill_normal(np.empty(N), seed=1)
    b = wi.fill_normal(np.empty(N), seed=2)
    mixed = b + 0.02 * a  # r ~ 0.02
    assert abs(np.corrcoef(a, mixed)[0, 1]) > corr_bound(N)


@pytest.mark.parametrize("dtype,bins", [(np.float32, 1024), (np.float64, 1024), (np.float32, 2**14)])
@pytest.mark.parametrize("seed,stream,offset", POSITIONS[:3])
def test_uniform_histogram_chi_square(dtype, bins, seed, stream, offset):
    u = wi.fill_uniform(np.empty(N, dtype), 0.0, 1.0, seed=seed, stream=stream, offset=offset)
    counts = np.bincount(np.minimum((u.astype(np.float64) * bins).astype(np.int64), bins - 1), minlength=bins)
    assert counts.size == bins
    assert stats.chisquare(counts).pvalue > P_MIN


def test_uniform_2d_histogram_chi_square():
    # pairs of consecutive uniforms fill the unit square evenly (serial test, 64 x 64 cells)
    u = wi.fill_uniform(np.empty(N, np.float32), 0.0, 1.0, seed=3).astype(np.float64)
    cells = (u[0::2] * 64).astype(np.int64) * 64 + (u[1::2] * 64).astype(np.int64)
    assert stats.chisquare(np.bincount(cells, minlength=4096)).pvalue > P_MIN


def test_raw_bits_and_bytes_chi_square():
    w = wi.fill_raw(np.empty(N, np.uint32), seed=9, stream=2)
    # each of the 32 bit positions is set half the time (binomial, 5 sigma)
    ones = np.array([np.count_nonzero((w >> np.uint32(b)) & np.uint32(1)) for b in range(32)])
    assert (np.abs(ones - N / 2) < 5 * math.sqrt(N / 4)).all(), ones
    # each byte lane is uniform on 0..255
    by = w.view(np.uint8).reshape(-1, 4)
    for lane in range(4):
        assert stats.chisquare(np.bincount(by[:, lane], minlength=256)).pvalue > P_MIN
    # and each word position within a block has the same distribution
    blocks = w.reshape(-1, 4)
    for pos in range(4):
        top = blocks[:, pos] >> np.uint32(24)
        assert stats.chisquare(np.bincount(top, minlength=256)).pvalue > P_MIN


def test_the_chi_square_checks_can_fail():
    u = wi.fill_uniform(np.empty(N, np.float32), 0.0, 1.0, seed=0).astype(np.float64)
    bent = u ** 1.05  # a 5% warp of the interval
    counts = np.bincount((bent * 1024).astype(np.int64), minlength=1024)
    assert stats.chisquare(counts).pvalue < P_MIN


def test_normal_tails_have_the_right_mass():
    # beyond 3 and 4 sigma: binomial counts within 5 standard deviations of the expected
    x = wi.fill_normal(np.empty(1 << 22, np.float32), seed=21, stream=4).astype(np.float64)
    for t in (3.0, 4.0):
        p = special.erfc(t / math.sqrt(2))
        k = np.count_nonzero(np.abs(x) > t)
        assert abs(k - p * x.size) < 5 * math.sqrt(p * (1 - p) * x.size) + 1, (t, k, p * x.size)
