"""compute_fans and calculate_gain against torch's own functions and the Keras/JAX formulas."""

import math

import numpy as np
import pytest

import wi


def torch_init():
    """torch.nn.init, the reference for the torch layout and the gains (torch is optional)."""
    return pytest.importorskip("torch").nn.init


def torch_fans(shape):
    torch = pytest.importorskip("torch")
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


# Written from the torch.nn.init docs: weight [out, in, *kernel], receptive field
# prod(kernel), fan_in = in * rf, fan_out = out * rf.
def torch_doc_fans(shape):
    rf = math.prod(shape[2:])
    return shape[1] * rf, shape[0] * rf


# torch.nn.init.calculate_gain's documented table.
GAIN_TABLE = {
    "linear": 1, "conv1d": 1, "conv2d": 1, "conv3d": 1, "conv_transpose1d": 1,
    "conv_transpose2d": 1, "conv_transpose3d": 1, "sigmoid": 1, "tanh": 5 / 3,
    "relu": math.sqrt(2), "selu": 3 / 4, "leaky_relu": math.sqrt(2 / (1 + 0.01**2)),
}


def random_shapes(rank, count, seed, high=9):
    rng = np.random.default_rng(seed)
    return [tuple(int(d) for d in rng.integers(0, high, size=rank)) for _ in range(count)]


# Written from the Keras docs (keras.initializers.VarianceScaling / compute_fans):
# rank 0 -> (1, 1); rank 1 -> (n, n); rank 2 -> (shape[0], shape[1]);
# else receptive field = prod(shape[:-2]), fans = shape[-2] * rf, shape[-1] * rf.
def keras_fans(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = math.prod(shape[:-2])
    return shape[-2] * rf, shape[-1] * rf


# Written from the jax.nn.initializers.variance_scaling docs: in/out sizes are
# products over in_axis/out_axis, batch axes are ignored, and the receptive field
# is total size / in / out / batch.
def jax_fans(shape, in_axis, out_axis, batch_axis):
    def size(axes):
        axes = (axes,) if isinstance(axes, int) else axes
        return math.prod(shape[a] for a in axes)

    n_in, n_out, n_batch = size(in_axis), size(out_axis), size(batch_axis)
    rf = math.prod(shape) // (n_in * n_out * n_batch)
    return n_in * rf, n_out * rf


# --- calculate_gain --------------------------------------------------------------

NAMES = [
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]


@pytest.mark.parametrize("name", NAMES)
def test_gain_matches_the_table(name):
    assert wi.calculate_gain(name) == pytest.approx(GAIN_TABLE[name], rel=1e-15)
    assert isinstance(wi.calculate_gain(name), float)


@pytest.mark.parametrize("name", NAMES)
def test_gain_matches_torch(name):
    assert wi.calculate_gain(name) == pytest.approx(torch_init().calculate_gain(name), rel=1e-15)


@pytest.mark.parametrize("slope", [None, 0, 0.01, 0.2, 1, -0.5, 3, math.sqrt(5), 1e-8])
def test_leaky_relu_gain_matches_torch(slope):
    expected = torch_init().calculate_gain("leaky_relu", slope)
    assert wi.calculate_gain("leaky_relu", slope) == pytest.approx(expected, rel=1e-15)
    formula = math.sqrt(2 / (1 + (0.01 if slope is None else slope) ** 2))
    assert wi.calculate_gain("leaky_relu", slope) == pytest.approx(formula, rel=1e-15)


def test_gain_values_from_the_table():
    assert wi.calculate_gain("tanh") == 5.0 / 3
    assert wi.calculate_gain("relu") == math.sqrt(2.0)
    assert wi.calculate_gain("selu") == 0.75
    assert wi.calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01**2))
    assert wi.calculate_gain("leaky_relu", np.float32(0.2)) == pytest.approx(
        math.sqrt(2.0 / (1 + 0.2**2)), rel=1e-7
    )


def test_param_is_ignored_except_for_leaky_relu():
    assert wi.calculate_gain("relu", 0.3) == math.sqrt(2.0)
    assert wi.calculate_gain("tanh", "anything") == 5.0 / 3


@pytest.mark.parametrize(
    "args, exc, match",
    [
        (("gelu",), ValueError, r"nonlinearity must be one of 'linear', .*'selu' \(got 'gelu'\)"),
        (("ReLU",), ValueError, r"\(got 'ReLU'\)"),
        ((None,), TypeError, r"nonlinearity must be a str.*\(got NoneType\)"),
        ((len,), TypeError, r"nonlinearity must be a str"),
        (("leaky_relu", True), TypeError, r"param .*must be a real number or None \(got bool\)"),
        (("leaky_relu", "0.2"), TypeError, r"param .*\(got str\)"),
        (("leaky_relu", [0.2]), TypeError, r"param .*\(got list\)"),
        (("leaky_relu", math.nan), ValueError, r"param .*must be finite \(got nan\)"),
        (("leaky_relu", math.inf), ValueError, r"must be finite"),
    ],
)
def test_gain_errors(args, exc, match):
    with pytest.raises(exc, match=match):
        wi.calculate_gain(*args)


# --- compute_fans: torch layout ---------------------------------------------------

TORCH_SHAPES = (
    [(5, 3), (1, 1), (3, 5), (64, 3, 7, 7), (16, 8, 3), (4, 2, 3, 3, 3), (768, 3072), (0, 5), (5, 0)]
    + random_shapes(2, 15, 1)
    + random_shapes(3, 15, 2)
    + random_shapes(4, 15, 3)
    + random_shapes(5, 10, 4)
)


@pytest.mark.parametrize("shape", TORCH_SHAPES)
def test_torch_layout_matches_torch_formula(shape):
    got = wi.compute_fans(shape)
    assert got == torch_doc_fans(shape)
    assert got == wi.compute_fans(shape, "torch")
    assert all(type(f) is int for f in got)


@pytest.mark.parametrize("shape", TORCH_SHAPES)
def test_torch_layout_matches_torch(shape):
    assert wi.compute_fans(shape) == torch_fans(shape)


@pytest.mark.parametrize("shape", [(), (7,)])
def test_torch_layout_rejects_rank_below_2_like_torch(shape):
    with pytest.raises(ValueError):
        torch_fans(shape)
    with pytest.raises(ValueError, match=r"at least 2 dimensions .*layout 'torch'"):
        wi.compute_fans(shape)


def test_shape_kinds():
    assert wi.compute_fans(np.empty((4, 3)).shape) == (3, 4)
    assert wi.compute_fans([np.int64(4), np.int32(3)]) == (3, 4)


def test_torch_size_is_a_shape():
    torch = pytest.importorskip("torch")
    assert wi.compute_fans(torch.Size([4, 3, 2])) == (6, 8)


# --- compute_fans: keras and jax ----------------------------------------------------

KERAS_SHAPES = (
    [(), (7,), (0,), (784, 256), (3, 3, 64, 128), (5, 16, 32), (2, 3, 3, 8, 4)]
    + random_shapes(2, 10, 5)
    + random_shapes(3, 10, 6)
    + random_shapes(4, 10, 7)
)


@pytest.mark.parametrize("shape", KERAS_SHAPES)
def test_keras_layout_matches_keras_formula(shape):
    assert wi.compute_fans(shape, "keras") == keras_fans(shape)


@pytest.mark.parametrize("shape", [s for s in KERAS_SHAPES if len(s) >= 2 and 0 not in s])
def test_jax_layout_matches_jax_default_axes(shape):
    assert wi.compute_fans(shape, "jax") == jax_fans(shape, -2, -1, ())


@pytest.mark.parametrize("shape", [s for s in KERAS_SHAPES if len(s) >= 2 and 0 in s])
def test_jax_layout_with_empty_dims_agrees_with_keras(shape):
    # JAX's formula divides by the total size here (0/0); the product form agrees with Keras.
    assert wi.compute_fans(shape, "jax") == keras_fans(shape)


@pytest.mark.parametrize("shape", [(), (7,)])
def test_jax_layout_rejects_rank_below_2(shape):
    with pytest.raises(ValueError, match=r"at least 2 dimensions .*layout 'jax'"):
        wi.compute_fans(shape, "jax")


def test_torch_and_keras_agree_on_transposed_kernels():
    # A torch Conv2d weight [out, in, kh, kw] is a Keras kernel [kh, kw, in, out].
    for shape in random_shapes(4, 20, 8):
        o, i, kh, kw = shape
        assert wi.compute_fans(shape, "torch") == wi.compute_fans((kh, kw, i, o), "keras")


AXES_CASES = [
    ((3, 4), 0, 1, ()),
    ((3, 4), 1, 0, ()),
    ((8, 3, 3, 16, 32), -2, -1, 0),
    ((8, 3, 3, 16, 32), -2, -1, (0,)),
    ((2, 5, 6, 7), (1, 2), 3, ()),
    ((2, 5, 6, 7, 3), [0, 4], (1,), [2]),
    ((4, 5, 6), 2, 0, ()),
    ((6, 4, 0, 3), 1, 0, ()),
]


@pytest.mark.parametrize("shape, in_axis, out_axis, batch_axis", AXES_CASES)
def test_explicit_axes_match_jax_formula(shape, in_axis, out_axis, batch_axis):
    if 0 in shape:
        expected = (shape[1] * 0, shape[0] * 0)  # JAX divides by zero here; wi: product of the rest
    else:
        expected = jax_fans(shape, in_axis, out_axis, batch_axis)
    got = wi.compute_fans(shape, in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis)
    assert got == expected
    assert all(type(f) is int for f in got)


def test_unspecified_axes_take_the_layouts_defaults():
    shape = (8, 6, 3, 5)
    # torch layout: in=1, out=0; batching axis 0 is impossible (it is out), so batch 3
    assert wi.compute_fans(shape, batch_axis=3) == (6 * 3, 8 * 3)
    assert wi.compute_fans(shape, "keras", batch_axis=0) == jax_fans(shape, -2, -1, 0)
    assert wi.compute_fans(shape, "keras", in_axis=1) == jax_fans(shape, 1, -1, ())
    assert wi.compute_fans(shape, "keras", batch_axis=()) == keras_fans(shape)
    assert wi.compute_fans(shape, "keras", batch_axis=[]) == keras_fans(shape)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        (((3, 4), "tf"), {}, ValueError, r"layout must be one of 'torch', 'keras', 'jax' \(got 'tf'\)"),
        (((3, 4), None), {}, TypeError, r"layout must be a str.*\(got NoneType\)"),
        ((3,), {}, TypeError, r"shape must be a sequence of ints \(got int\)"),
        (((3, 4.0),), {}, TypeError, r"shape must be a sequence of ints"),
        (((3, True),), {}, TypeError, r"shape must be a sequence of ints"),
        (((3, -4),), {}, ValueError, r"shape must not have negative dimensions"),
        (((3, 4),), {"in_axis": 2}, ValueError, r"in_axis 2 is out of range for a shape of rank 2"),
        (((3, 4),), {"out_axis": -3}, ValueError, r"out_axis -3 is out of range"),
        (((3, 4, 5),), {"in_axis": 0, "out_axis": 0}, ValueError, r"must be disjoint"),
        (((3, 4, 5),), {"in_axis": 1, "out_axis": 0, "batch_axis": -2}, ValueError, r"must be disjoint"),
        (((3, 4, 5),), {"in_axis": (1, -2)}, ValueError, r"in_axis must not repeat an axis"),
        (((3, 4, 5),), {"in_axis": 1.0}, TypeError, r"in_axis must be an int or a sequence of ints"),
        (((3, 4, 5),), {"in_axis": True}, TypeError, r"in_axis must be an int or a sequence of ints"),
        (((3, 4, 5),), {"batch_axis": ("a",)}, TypeError, r"batch_axis must be an int or a sequence"),
        (((5,), "keras"), {"in_axis": 0}, ValueError, r"at least 2 dimensions"),
    ],
)
def test_compute_fans_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        wi.compute_fans(*args, **kwargs)
