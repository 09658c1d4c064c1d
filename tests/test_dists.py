"""The distribution objects: kernel parameters against the formulas, the compiled twin of the
one rule against the Python one, and the one entry point behind every layer."""
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import wi
from wi import _backend
from wi import _contract as C
from wi._dists import BY_CODE, Normal, Raw, TruncatedNormal, Uniform, he_normal, xavier_uniform

F32_MAX = float(np.finfo(np.float32).max)


def test_every_contract_distribution_has_a_class():
    # adding a distribution to _contract.DISTS without its class (or the reverse) fails here
    assert sorted(BY_CODE) == sorted(C.DISTS.values())
    for code, cls in BY_CODE.items():
        assert cls.code == code


@pytest.mark.parametrize("dtype", C.FLOATS)
def test_kernel_params_follow_the_formulas(dtype):
    cast = C.COMPUTE[dtype]
    kp = Uniform(-1.5, 2.25).kernel_params(dtype)
    assert kp == (float(cast(-1.5)), float(cast(3.75)), float(cast(2.25)), 0.0, 0.0, 0.0)
    kp = Normal(0.25, 3.0).kernel_params(dtype)
    assert (kp.lo, kp.width, kp.hi) == (0.25, 3.0, 0.0)
    # below the mean: p0 = F(alpha), pw = F(beta) - F(alpha); above it, reflected (width = -std)
    kp = TruncatedNormal(0.0, 2.0, -3.0, -1.0).kernel_params(dtype)
    assert kp.p0 == pytest.approx(stats.norm.cdf(-1.5), rel=1e-6)
    assert kp.pw == pytest.approx(stats.norm.cdf(-0.5) - stats.norm.cdf(-1.5), rel=1e-6)
    assert (kp.width, kp.hi, kp.clamp_lo) == (2.0, -1.0, -3.0)
    kp = TruncatedNormal(0.0, 2.0, 1.0, 3.0).kernel_params(dtype)
    assert kp.width == -2.0 and kp.p0 == pytest.approx(stats.norm.cdf(-1.5), rel=1e-6)
    assert Raw().kernel_params(C.U32) == (0.0,) * 6


def test_scales_are_the_papers_formulas():
    assert xavier_uniform(300, 100).high == pytest.approx(math.sqrt(6 / 400))
    assert he_normal(64, gain=2.0).std == 2.0 / 8.0
    with pytest.raises(ValueError, match="gain is too large"):
        he_normal(1, gain=1e39).kernel_params(C.F32)


def test_errors_use_the_callers_names():
    with pytest.raises(ValueError, match=r"a must be <= b \(got a=1.0, b=0.0\)"):
        Uniform(1.0, 0.0, names=("a", "b"))
    with pytest.raises(ValueError, match="a and b must be finite in float16, and so must b - a"):
        Uniform(0.0, 1e5, names=("a", "b")).kernel_params(C.F16)


GRID = [
    Uniform(-1.0, 1.0), Uniform(-F32_MAX, F32_MAX), Uniform(-F32_MAX / 2, F32_MAX / 2), Uniform(0.0, 1e39),
    Uniform(-1e308, 1e308), Uniform(3.0, 3.0), Normal(0.0, 1.0), Normal(0.0, F32_MAX / 6),
    Normal(0.0, F32_MAX / 5.9), Normal(3.4e38, 1e37), Normal(1.0, 1e300), Normal(0.0, 2e4),
    TruncatedNormal(0.0, 1.0, -2.0, 2.0), TruncatedNormal(0.0, 1.0, 40.0, 41.0), TruncatedNormal(0.0, 1.0, -60, -50),
    TruncatedNormal(0.25, 3.0, -2.0, 5.0), TruncatedNormal(0.0, 0.02, -0.04, 0.04), TruncatedNormal(1.0, 1.0, -1e5, 1.0),
    TruncatedNormal(0.0, 1.0, 5.0, 9.0), TruncatedNormal(0.0, 1.0, -13.0, -12.0),
]


@pytest.mark.skipif(_backend.core is None, reason="the twin is in the compiled core")
@pytest.mark.parametrize("dtype", C.FLOATS)
@pytest.mark.parametrize("dist", GRID, ids=repr)
def test_the_compiled_twin_agrees_with_the_rule(dist, dtype):
    try:
        expected = tuple(dist.kernel_params(dtype))
    except ValueError:
        expected = None
    assert _backend.core.kernel_params_of(dist, dtype) == expected


def test_module_functions_are_bound_methods_of_one_hidden_generator(restore_global_state):
    owner = wi.fill_normal.__self__
    assert isinstance(owner, wi.Generator)
    for name in ("fill_uniform", "fill_truncated_normal", "fill_xavier_uniform", "fill_xavier_normal",
                 "fill_he_uniform", "fill_he_normal", "get_state"):
        assert getattr(wi, name).__self__ is owner, name
    wi.seed(5)
    a = wi.fill_he_normal(np.empty(300, np.float32), 64)
    b = wi.Generator(5).fill_he_normal(np.empty(300, np.float32), 64)
    np.testing.assert_array_equal(a, b)
    # an explicit position is the same code on any generator
    g = wi.Generator(9)
    c = g.fill_he_normal(np.empty(300, np.float32), 64, seed=5)
    np.testing.assert_array_equal(c, a)
    assert g.get_state()["counter"] == 0


def test_wi_torch_surface_and_lazy_import():
    pytest.importorskip("torch")
    code = ("import sys, wi.torch as t; assert 'torch' not in sys.modules, 'imported torch'; "
            "names = set(dir(t)); assert not names & {'hashlib', 'importlib', 'numbers', 'warnings'}, names; "
            "assert set(t.__all__) <= names; print(sorted(t.__all__))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert "init_module_" in out and "kaiming_normal_" in out


@pytest.mark.skipif(_backend.core is None, reason="the tensor fast path is in the compiled core")
def test_tensor_fast_path_declines_what_it_cannot_write_and_the_checked_path_fills_it():
    torch = pytest.importorskip("torch")
    import wi.torch as wt

    wt.torch_module()  # registers torch with the fast path
    dist = Normal(0.0, 1.0)
    g = wi.Generator(1)
    fast = _backend.core.fill_fast
    assert fast(torch.empty(4, 5), dist, g, 7, 3, 0)
    declined = {
        "non-contiguous": torch.zeros(5, 4).T,
        "int32": torch.zeros(4, 5, dtype=torch.int32),
        "meta": torch.empty(4, 5, device="meta"),
        "needs grad": torch.zeros(4, 5, requires_grad=True),
        "large": torch.zeros(1 << 15),
        "negated view": torch._neg_view(torch.zeros(4, 5)),
    }
    for why, t in declined.items():
        before = t.detach().clone() if not t.is_meta else None
        assert not fast(t, dist, g, 7, 3, 0), why
        if before is not None:
            assert torch.equal(t.detach(), before), why
    assert g.get_state()["counter"] == 0
    ref = wi.fill_normal(np.empty((4, 5), np.float32), seed=7, stream=3)
    got = torch.zeros(5, 4).T
    from wi.torch._tensors import fill_tensor

    fill_tensor(got, dist, seed=7, stream=3)
    np.testing.assert_array_equal(got.numpy(), ref)
    p = torch.nn.Parameter(torch.zeros(4, 5))
    fill_tensor(p, dist, seed=7, stream=3)
    np.testing.assert_array_equal(p.detach().numpy(), ref)
    assert p._version > 0
