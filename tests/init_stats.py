"""One check shared by the proofs: a parameter's values come from the distribution its init code asks for.

Kolmogorov-Smirnov against scipy's distribution (built from the constants the model's code
uses) and, two-sample, against the same code run by torch; a constant rule must hold exactly.
"""
import torch
from scipy import stats

P_MIN = 1e-4  # per parameter; the values are fixed by the seed, so a pass is a pass for good


def assert_drawn_from(name, values, reference, dist):
    """`dist`: a frozen scipy distribution, or a float every element must equal."""
    values = values.detach().double().flatten()
    if isinstance(dist, float):
        assert torch.all(values == dist), (name, dist, values[:5])
        return
    values = values.numpy()
    reference = reference.detach().double().flatten().numpy()
    assert stats.kstest(values, dist.cdf).pvalue > P_MIN, (name, dist.kwds, dist.args, values.std())
    assert stats.ks_2samp(values, reference).pvalue > P_MIN, (name, "against torch's run of the same code")
