"""Shape-aware initialisers: scales against their formulas, truncated normal against scipy,
exact agreement with the fill_* call they stand for, half precision, bad input."""

import math

import ml_dtypes
import numpy as np
import pytest
from scipy import stats

import wi

TRUNC = 0.87962566103423978  # std of N(0,1) truncated to (-2, 2), as in Keras/JAX
SEED = 20240601


def keras_fans(shape):  # from the Keras docs
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    rf = math.prod(shape[:-2])
    return shape[-2] * rf, shape[-1] * rf


def gain(nonlinearity, a):  # torch.nn.init.calculate_gain's documented table
    return {"relu": math.sqrt(2), "tanh": 5 / 3, "leaky_relu": math.sqrt(2 / (1 + a * a))}[nonlinearity]


def torch_fans(shape):  # from the torch.nn.init docs
    rf = math.prod(shape[2:])
    return shape[1] * rf, shape[0] * rf


FANS = {"torch": torch_fans, "keras": keras_fans, "jax": keras_fans}

# Shapes with about 2**18 elements so that sample moments are within ~0.3 %.
STAT_SHAPES = {"torch": [(512, 512), (128, 64, 4, 8)], "keras": [(512, 512), (4, 8, 64, 128)]}


def empty(shape, dtype=np.float64):
    return np.full(shape, np.nan, dtype)


def check_std(x, expected, rel=0.01):
    assert np.std(x) == pytest.approx(expected, rel=rel)
    assert abs(np.mean(x)) < 5 * expected / math.sqrt(x.size)


# --- each initialiser against its formula ------------------------------------------


@pytest.mark.parametrize("layout", ["torch", "keras"])
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2.0)])
def test_xavier_uniform_formula(layout, gain):
    for shape in STAT_SHAPES[layout]:
        fi, fo = FANS[layout](shape)
        bound = gain * math.sqrt(6.0 / (fi + fo))
        w = wi.xavier_uniform_(empty(shape), gain=gain, layout=layout, seed=SEED)
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
        check_std(w, bound / math.sqrt(3))


@pytest.mark.parametrize("layout", ["torch", "keras"])
def test_xavier_normal_formula(layout):
    for shape in STAT_SHAPES[layout]:
        fi, fo = FANS[layout](shape)
        w = wi.xavier_normal_(empty(shape), gain=5 / 3, layout=layout, seed=SEED)
        check_std(w, 5 / 3 * math.sqrt(2.0 / (fi + fo)))
        assert stats.kstest(w.ravel() / np.std(w), "norm").pvalue > 1e-3


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("leaky_relu", 0), ("leaky_relu", math.sqrt(5)), ("relu", 0), ("tanh", 0)])
def test_kaiming_uniform_formula(mode, nonlinearity, a):
    for shape in STAT_SHAPES["torch"]:
        fi, fo = torch_fans(shape)
        bound = gain(nonlinearity, a) * math.sqrt(3.0 / (fi if mode == "fan_in" else fo))
        w = wi.kaiming_uniform_(empty(shape), a=a, mode=mode, nonlinearity=nonlinearity, seed=SEED)
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
        check_std(w, bound / math.sqrt(3))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_normal_formula(mode):
    for shape in STAT_SHAPES["torch"]:
        fi, fo = torch_fans(shape)
        w = wi.kaiming_normal_(empty(shape), mode=mode, nonlinearity="relu", seed=SEED)
        check_std(w, math.sqrt(2.0) / math.sqrt(fi if mode == "fan_in" else fo))


@pytest.mark.parametrize("layout", ["torch", "keras"])
def test_lecun_uniform_formula(layout):
    for shape in STAT_SHAPES[layout]:
        fi, _ = FANS[layout](shape)
        limit = math.sqrt(3.0 / fi)
        w = wi.lecun_uniform_(empty(shape), layout=layout, seed=SEED)
        assert np.abs(w).max() <= limit and np.abs(w).max() > 0.999 * limit
        check_std(w, math.sqrt(1.0 / fi))


@pytest.mark.parametrize("layout", ["torch", "keras"])
def test_lecun_normal_is_truncated_and_variance_corrected(layout):
    for shape in STAT_SHAPES[layout]:
        fi, _ = FANS[layout](shape)
        parent = math.sqrt(1.0 / fi) / TRUNC
        w = wi.lecun_normal_(empty(shape), layout=layout, seed=SEED)
        check_std(w, math.sqrt(1.0 / fi))  # the truncated values have variance 1/fan_in
        assert np.abs(w).max() <= 2 * parent
        assert stats.kstest(w.ravel(), stats.truncnorm(-2, 2, scale=parent).cdf).pvalue > 1e-3


@pytest.mark.parametrize("distribution", ["truncated_normal", "normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("layout", ["torch", "keras"])
def test_variance_scaling_gives_variance_scale_over_n(distribution, mode, layout):
    scale = 2.5
    for shape in STAT_SHAPES[layout]:
        fi, fo = FANS[layout](shape)
        n = {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
        std = math.sqrt(scale / n)
        w = wi.variance_scaling_(empty(shape), scale, mode, distribution, layout=layout, seed=SEED)
        check_std(w, std)
        if distribution == "truncated_normal":
            assert np.abs(w).max() <= 2 * std / TRUNC
            assert stats.kstest(w.ravel(), stats.truncnorm(-2, 2, scale=std / TRUNC).cdf).pvalue > 1e-3
        elif distribution == "uniform":
            assert np.abs(w).max() <= math.sqrt(3) * std
        else:
            assert stats.kstest(w.ravel(), stats.norm(scale=std).cdf).pvalue > 1e-3


def test_variance_scaling_explicit_axes():
    # JAX-style: a batch of 8 kernels (3, 3, in=16, out=32), batch axis 0.
    w = wi.variance_scaling_(empty((8, 3, 3, 16, 32)), 2.0, "fan_avg", "uniform",
                             in_axis=-2, out_axis=-1, batch_axis=0, seed=SEED)
    check_std(w, math.sqrt(2.0 / ((9 * 16 + 9 * 32) / 2)), rel=0.02)


@pytest.mark.parametrize(
    "mean, std, a, b",
    [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 3.0), (0.0, 0.02, -0.04, 0.04), (1.0, 1.0, 0.0, 5.0), (0.0, 1.0, 0.5, 3.0)],
)
def test_trunc_normal_matches_scipy(mean, std, a, b):
    w = wi.trunc_normal_(empty((512, 512)), mean, std, a, b, seed=SEED)
    assert w.min() >= a and w.max() <= b
    ref = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    assert stats.kstest(w.ravel(), ref.cdf).pvalue > 1e-3
    assert np.std(w) == pytest.approx(ref.std(), rel=0.01)


def test_trunc_normal_defaults_are_torchs():
    w = wi.trunc_normal_(empty((512, 512)), seed=SEED)
    assert w.min() >= -2 and w.max() <= 2 and w.max() > 1.99
    assert np.std(w) == pytest.approx(TRUNC, rel=0.01)


# --- each initialiser is exactly the fill_* call it stands for ---------------------

SHAPES = {"torch": [(33, 17), (6, 5, 3, 3)], "keras": [(17,), (33, 17), (3, 3, 5, 6)], "jax": [(33, 17), (3, 5, 6)]}
CASES = [(layout, shape) for layout, shapes in SHAPES.items() for shape in shapes]
KW = dict(seed=7, stream=11, offset=5)


@pytest.mark.parametrize("layout, shape", CASES)
def test_xavier_is_fill_xavier_with_the_fans(layout, shape):
    fi, fo = wi.compute_fans(shape, layout)
    for shaped, fill in [(wi.xavier_uniform_, wi.fill_xavier_uniform), (wi.xavier_normal_, wi.fill_xavier_normal)]:
        got = shaped(empty(shape, np.float32), gain=0.7, layout=layout, **KW)
        ref = fill(empty(shape, np.float32), fi, fo, gain=0.7, **KW)
        np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("layout, shape", CASES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_is_fill_he_with_the_chosen_fan(layout, shape, mode):
    fan = dict(zip(("fan_in", "fan_out"), wi.compute_fans(shape, layout)))[mode]
    gain = wi.calculate_gain("leaky_relu", 0.3)
    for shaped, fill in [(wi.kaiming_uniform_, wi.fill_he_uniform), (wi.kaiming_normal_, wi.fill_he_normal)]:
        got = shaped(empty(shape, np.float32), 0.3, mode, layout=layout, **KW)
        ref = fill(empty(shape, np.float32), fan, gain=gain, **KW)
        np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("layout, shape", CASES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_is_the_right_fill(layout, shape, mode):
    fi, fo = wi.compute_fans(shape, layout)
    v = 3.0 / {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
    s = math.sqrt(v) / TRUNC
    refs = {
        "truncated_normal": wi.fill_truncated_normal(empty(shape, np.float32), 0.0, s, -2 * s, 2 * s, **KW),
        "normal": wi.fill_normal(empty(shape, np.float32), 0.0, math.sqrt(v), **KW),
        "uniform": wi.fill_uniform(empty(shape, np.float32), -math.sqrt(3 * v), math.sqrt(3 * v), **KW),
    }
    for dist, ref in refs.items():
        got = wi.variance_scaling_(empty(shape, np.float32), 3.0, mode, dist, layout=layout, **KW)
        np.testing.assert_array_equal(got, ref)
    if mode == "fan_in":
        np.testing.assert_array_equal(
            wi.lecun_uniform_(empty(shape, np.float32), layout=layout, **KW),
            wi.variance_scaling_(empty(shape, np.float32), 1.0, "fan_in", "uniform", layout=layout, **KW),
        )
        np.testing.assert_array_equal(
            wi.lecun_normal_(empty(shape, np.float32), layout=layout, **KW),
            wi.variance_scaling_(empty(shape, np.float32), 1.0, "fan_in", layout=layout, **KW),
        )


def test_trunc_normal_is_fill_truncated_normal():
    got = wi.trunc_normal_(empty((40, 9), np.float32), 0.1, 0.5, -0.3, 0.9, **KW)
    ref = wi.fill_truncated_normal(empty((40, 9), np.float32), 0.1, 0.5, -0.3, 0.9, **KW)
    np.testing.assert_array_equal(got, ref)


def test_global_generator_when_seed_is_none(restore_global_state):
    wi.seed(123)
    got = wi.kaiming_uniform_(empty((50, 20), np.float32))
    wi.seed(123)
    ref = wi.fill_he_uniform(empty((50, 20), np.float32), 20, gain=wi.calculate_gain("leaky_relu", 0))
    np.testing.assert_array_equal(got, ref)


def test_aliases_are_the_same_functions():
    assert wi.glorot_uniform_ is wi.xavier_uniform_
    assert wi.glorot_normal_ is wi.xavier_normal_
    assert wi.he_uniform_ is wi.kaiming_uniform_
    assert wi.he_normal_ is wi.kaiming_normal_


# --- buffers: returned object, torch tensors, buffer protocol, empty ------------------


def test_returns_the_buffer_and_tensors_get_the_same_values():
    a = empty((30, 20), np.float32)
    assert wi.xavier_uniform_(a, **KW) is a
    torch = pytest.importorskip("torch")
    t = torch.empty(30, 20)
    assert wi.xavier_uniform_(t, **KW) is t
    np.testing.assert_array_equal(t.numpy(), a)


def test_buffer_protocol_object_uses_its_shape():
    a = empty((30, 20), np.float32)
    m = memoryview(a)
    assert wi.xavier_normal_(m, **KW) is m
    np.testing.assert_array_equal(a, wi.fill_xavier_normal(empty((30, 20), np.float32), 20, 30, **KW))


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 0), (0, 3, 3, 3)])
def test_empty_buffers_are_fine(shape):
    for f in (wi.xavier_uniform_, wi.xavier_normal_, wi.kaiming_uniform_, wi.kaiming_normal_,
              wi.lecun_uniform_, wi.lecun_normal_, wi.variance_scaling_):
        a = np.empty(shape, np.float32)
        assert f(a, seed=1) is a


# --- half precision: the float32 samples rounded to nearest even -----------------------

HALF_CALLS = [
    lambda b: wi.xavier_uniform_(b, **KW),
    lambda b: wi.kaiming_normal_(b, nonlinearity="relu", **KW),
    lambda b: wi.lecun_normal_(b, layout="keras", **KW),
    lambda b: wi.variance_scaling_(b, 2.0, "fan_avg", "uniform", **KW),
    lambda b: wi.trunc_normal_(b, 0.0, 0.02, -0.04, 0.04, **KW),
]


@pytest.mark.parametrize("call", HALF_CALLS)
@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16])
def test_half_numpy_is_rounded_float32(call, dtype):
    ref = call(empty((97, 31), np.float32)).astype(dtype)  # NumPy/ml_dtypes round to nearest even
    got = call(np.zeros((97, 31), dtype))
    assert got.dtype == dtype
    np.testing.assert_array_equal(got.view(np.uint16), ref.view(np.uint16))


@pytest.mark.parametrize("call", HALF_CALLS)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_torch_is_rounded_float32(call, dtype):
    torch = pytest.importorskip("torch")
    dtype = getattr(torch, dtype)
    ref = call(torch.empty(97, 31)).to(dtype)
    got = call(torch.zeros(97, 31, dtype=dtype))
    assert got.dtype == dtype
    assert torch.equal(got.view(torch.int16), ref.view(torch.int16))


# --- bad input: exception, message, buffer untouched -----------------------------------

BAD = [
    (wi.xavier_uniform_, (), {"layout": "tf"}, ValueError, r"layout must be one of 'torch', 'keras', 'jax' \(got 'tf'\)"),
    (wi.xavier_normal_, (), {"in_axis": 5}, ValueError, r"in_axis 5 is out of range"),
    (wi.kaiming_uniform_, (), {"mode": "fan_avg"}, ValueError, r"mode must be one of 'fan_in', 'fan_out' \(got 'fan_avg'\)"),
    (wi.kaiming_normal_, (), {"nonlinearity": "gelu"}, ValueError, r"nonlinearity must be one of .* \(got 'gelu'\)"),
    (wi.kaiming_uniform_, ("0.1",), {}, TypeError, r"param .*\(got str\)"),
    (wi.kaiming_normal_, (), {"mode": 1}, TypeError, r"mode must be a str"),
    (wi.variance_scaling_, (1.0, "fan"), {}, ValueError, r"mode must be one of 'fan_in', 'fan_out', 'fan_avg' \(got 'fan'\)"),
    (wi.variance_scaling_, (1.0, "fan_in", "gaussian"), {}, ValueError,
     r"distribution must be one of 'truncated_normal', 'normal', 'uniform' \(got 'gaussian'\)"),
    (wi.variance_scaling_, (0.0,), {}, ValueError, r"scale must be a positive finite number \(got 0.0\)"),
    (wi.variance_scaling_, (-1.0,), {}, ValueError, r"scale must be a positive finite number"),
    (wi.variance_scaling_, (math.inf,), {}, ValueError, r"scale must be a positive finite number"),
    (wi.variance_scaling_, (math.nan,), {}, ValueError, r"scale must be a positive finite number"),
    (wi.variance_scaling_, ("1",), {}, TypeError, r"scale must be a real number \(got str\)"),
    (wi.variance_scaling_, (True,), {}, TypeError, r"scale must be a real number \(got bool\)"),
    (wi.lecun_normal_, (), {"layout": None}, TypeError, r"layout must be a str"),
]


@pytest.mark.parametrize("func, args, kwargs, exc, match", BAD)
def test_bad_arguments(func, args, kwargs, exc, match):
    buf = np.arange(12, dtype=np.float32).reshape(3, 4)
    before = buf.copy()
    with pytest.raises(exc, match=match):
        func(buf, *args, **kwargs)
    np.testing.assert_array_equal(buf, before)


@pytest.mark.parametrize("func", [wi.xavier_uniform_, wi.kaiming_normal_, wi.lecun_uniform_])
def test_rank_1_is_rejected_in_torch_layout(func):
    buf = np.arange(5, dtype=np.float32)
    with pytest.raises(ValueError, match=r"at least 2 dimensions"):
        func(buf)
    np.testing.assert_array_equal(buf, np.arange(5))


def test_not_a_buffer():
    with pytest.raises(TypeError, match=r"buf must be .*\(got list\)"):
        wi.xavier_uniform_([[0.0, 1.0], [2.0, 3.0]])


@pytest.mark.parametrize("func", [wi.xavier_uniform_, wi.kaiming_uniform_, wi.variance_scaling_, wi.trunc_normal_])
def test_buffer_errors_come_from_the_fill(func):
    ro = np.arange(12, dtype=np.float32).reshape(3, 4)
    ro.flags.writeable = False
    with pytest.raises((TypeError, ValueError), match="buf"):
        func(ro)
    np.testing.assert_array_equal(ro, np.arange(12).reshape(3, 4))
    ints = np.arange(12, dtype=np.int32).reshape(3, 4)
    with pytest.raises(TypeError, match="buf"):
        func(ints)
    np.testing.assert_array_equal(ints, np.arange(12).reshape(3, 4))
