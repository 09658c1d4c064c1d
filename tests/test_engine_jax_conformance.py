"""wi.jax.initializers states jax.nn.initializers' contract, checked against JAX in the same run.

The properties of JAX's own tests/nn_test.py NNInitializersTest (tag jax-v0.10.2), which is
run by hand with the import swapped (docs/engines.md), written as our own tests: every name
and signature, shapes and dtypes (complex included, x64 off and on), the axis rules (empty
axis lists, the rank rule of JAX >= 0.9), errors of JAX's types with JAX's messages, scalar
arguments as 0-d arrays. Fans are compared with JAX's own _compute_fans, variances with JAX's
own initialisers' samples, errors with the errors JAX raises for the same call.
"""
import inspect
import math

import numpy as np
import pytest

jax = pytest.importorskip("jax")  # the engine tests run where the extra is installed (CI: always)
import jax.numpy as jnp  # noqa: E402
from jax._src.nn.initializers import _compute_fans as jax_compute_fans  # noqa: E402

import wi.jax.initializers as winit  # noqa: E402
from wi.jax import _fans  # noqa: E402

from engine_cases import same_bytes  # noqa: E402

JNI = jax.nn.initializers
KEY = jax.random.key(0)
SCALERS = ["glorot_uniform", "glorot_normal", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
           "kaiming_uniform", "kaiming_normal", "lecun_uniform", "lecun_normal"]


@pytest.fixture(params=[False, True], ids=["x64-off", "x64-on"])
def x64(request):
    with jax.enable_x64(request.param):
        yield request.param


def both(name, *args, **kwargs):
    """(wi's initialiser, JAX's) from the same factory call."""
    return getattr(winit, name)(*args, **kwargs), getattr(JNI, name)(*args, **kwargs)


# ---- names and signatures ----------------------------------------------------------------


def test_every_jax_name_is_here():
    theirs = {n for n in dir(JNI) if not n.startswith("_")}
    assert theirs <= set(winit.__all__)
    assert all(callable(getattr(winit, n)) for n in theirs)


@pytest.mark.parametrize("name", sorted(set(SCALERS) | {"variance_scaling", "normal", "uniform", "truncated_normal",
                                                         "orthogonal", "delta_orthogonal"}))
def test_factory_signatures_are_jax_s(name):
    def params(f):
        return [(p.name, p.default, p.kind) for p in inspect.signature(f).parameters.values()]

    assert params(getattr(winit, name)) == params(getattr(JNI, name))
    args = (1.0, "fan_in", "normal") if name == "variance_scaling" else ()
    ours, theirs = both(name, *args)
    assert params(ours) == params(theirs)  # init(key, shape, dtype=None, out_sharding=None)


def test_deterministic_ones_are_jax_s_own():
    for name in ("constant", "ones", "zeros", "Initializer"):
        assert getattr(winit, name) is getattr(JNI, name)
    assert same_bytes(winit.constant(-7)(KEY, (2, 3)), JNI.constant(-7)(KEY, (2, 3)))


# ---- shapes and dtypes (JAX's table) ------------------------------------------------------

ALL_SHAPES = [(), (2,), (2, 2), (2, 3), (3, 2), (2, 3, 4), (4, 3, 2), (2, 3, 4, 5)]
INEXACT, FLOATING = "inexact", "floating"
# (label, factory, dtype kind, min rank, max rank), as nn_test.py's INITIALIZER_RECS.
RECORDS = [
    ("uniform", lambda m: m.uniform, FLOATING, 1, 4),
    ("normal", lambda m: m.normal, INEXACT, 1, 4),
    *[(n, lambda m, n=n: getattr(m, n), INEXACT, 2, 4) for n in SCALERS],
    ("orthogonal", lambda m: m.orthogonal, FLOATING, 2, 2),
    ("truncated_normal", lambda m: m.truncated_normal, FLOATING, 1, 4),
    ("delta_orthogonal", lambda m: m.delta_orthogonal, FLOATING, 4, 4),
    ("vs_fan_geo_avg", lambda m: lambda **k: m.variance_scaling(1, "fan_geo_avg", "normal", **k), FLOATING, 2, 4),
    ("vs_in0_out_none", lambda m: lambda **k: m.variance_scaling(1, "fan_in", "normal", in_axis=[0], out_axis=[], **k),
     FLOATING, 1, 4),
    ("vs_in_none_out0", lambda m: lambda **k: m.variance_scaling(1, "fan_in", "normal", in_axis=[], out_axis=[0], **k),
     FLOATING, 1, 4),
    ("vs_no_axes", lambda m: lambda **k: m.variance_scaling(1, "fan_in", "normal", in_axis=[], out_axis=[], **k),
     FLOATING, 0, 4),
]


def _dtypes(kind, x64):
    real = [jnp.bfloat16, jnp.float16, jnp.float32] + ([jnp.float64] if x64 else [])
    return real + ([jnp.complex64] + ([jnp.complex128] if x64 else []) if kind == INEXACT else [])


@pytest.mark.filterwarnings("ignore:Explicitly requested dtype float64")  # JAX's and ours, x64 off
@pytest.mark.parametrize("record", RECORDS, ids=[r[0] for r in RECORDS])
def test_shapes_and_dtypes_as_jax(record, x64):
    """Every shape and dtype JAX's test draws: JAX's shape and (canonical) dtype, finite values,
    the dtype given to the call or to the factory."""
    label, factory, kind, lo, hi = record
    for shape in [s for s in ALL_SHAPES if lo <= len(s) <= hi]:
        for dtype in _dtypes(kind, x64) + [jnp.float64]:  # float64 without x64: float32, as in JAX
            expected = jax.eval_shape(lambda k: factory(JNI)()(k, shape, dtype), KEY)
            for got in (factory(winit)()(KEY, shape, dtype), factory(winit)(dtype=dtype)(KEY, shape)):
                assert (got.shape, got.dtype) == (expected.shape, expected.dtype), (label, shape, dtype)
                assert got.dtype == jax.dtypes.canonicalize_dtype(dtype)
                assert np.isfinite(np.asarray(got, np.complex128)).all()


def test_default_dtype_is_jax_s_default_float(x64):
    got = winit.he_normal()(KEY, (4, 4))
    assert got.dtype == (jnp.float64 if x64 else jnp.float32) == JNI.he_normal()(KEY, (4, 4)).dtype


def test_float64_without_x64_warns_as_jax():
    with jax.enable_x64(False):
        with pytest.warns(UserWarning) as theirs:
            JNI.normal()(KEY, (2,), jnp.float64)
        with pytest.warns(UserWarning, match="Explicitly requested dtype float64") as ours:
            got = winit.normal()(KEY, (2,), jnp.float64)
    assert got.dtype == jnp.float32
    assert any(str(w.message) == str(ours[0].message) for w in theirs)


# ---- axis rules -----------------------------------------------------------------------------

AXES = [  # (shape, in_axis, out_axis, batch_axis): JAX's fans for every one
    ((200, 300), -2, -1, ()),
    ((200, 300), [], [], ()),
    ((3, 3, 16, 32), [], [], ()),
    ((3, 3, 16, 32), (0, 2), 3, 1),
    ((2, 3, 4, 5), (0, 1), (-2, -1), ()),
    ((2, 3, 4, 5), 0, (2, 3), 1),
    ((8, 3, 3, 16, 32), -2, -1, 0),
    ((7,), [0], [], ()),
    ((7,), [], [0], ()),
    ((7,), 0, -1, ()),  # an explicit in_axis lifts the rank rule (and JAX does not check overlap)
    ((), [], [], ()),
    ((5, 6), [0, 0], [1], ()),
    ((4, 0, 3), -2, -1, ()),  # empty: nothing drawn (JAX would divide by zero)
]


@pytest.mark.parametrize("shape, in_axis, out_axis, batch_axis", AXES)
def test_fans_are_jax_s(shape, in_axis, out_axis, batch_axis):
    ours = _fans.fans(shape, in_axis, out_axis, batch_axis)
    if math.prod(shape) == 0:
        assert ours == (0.0, 0.0)
        with pytest.raises(ZeroDivisionError):
            jax_compute_fans(shape, in_axis, out_axis, batch_axis)
        got = winit.variance_scaling(1.0, "fan_in", "normal", in_axis, out_axis, batch_axis)(KEY, shape)
        assert got.shape == shape
        return
    assert ours == jax_compute_fans(shape, in_axis, out_axis, batch_axis)


@pytest.mark.parametrize("distribution", ["normal", "truncated_normal", "uniform"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])
def test_empty_axis_lists_give_jax_s_variance(mode, distribution):
    """in_axis=[], out_axis=[]: every axis is receptive field, fans 60000 for (200, 300).

    wi once read [] as "the default axes" and drew 300x JAX's variance without a word; the
    sample variance is compared with JAX's own initialiser's in the same run."""
    shape, scale = (200, 300), 3.0
    ours, theirs = both("variance_scaling", scale, mode, distribution, in_axis=[], out_axis=[])
    v_ours = np.var(np.asarray(ours(jax.random.key(1), shape), np.float64))
    v_jax = np.var(np.asarray(theirs(jax.random.key(1), shape), np.float64))
    assert v_ours == pytest.approx(v_jax, rel=0.04)
    assert v_ours == pytest.approx(scale / 60000, rel=0.03)


@pytest.mark.parametrize("shape, in_axis, out_axis, batch_axis", [
    ((40, 50, 30), (0, 2), 1, ()), ((40, 50, 30), [], [2], 0), ((60000,), [], [], ()), ((60, 1000), [0], [], ()),
])
def test_axis_rules_give_jax_s_variance(shape, in_axis, out_axis, batch_axis):
    ours, theirs = both("variance_scaling", 2.0, "fan_avg", "normal", in_axis, out_axis, batch_axis)
    v_ours = np.var(np.asarray(ours(jax.random.key(2), shape), np.float64))
    v_jax = np.var(np.asarray(theirs(jax.random.key(2), shape), np.float64))
    fan_in, fan_out = jax_compute_fans(shape, in_axis, out_axis, batch_axis)
    assert v_ours == pytest.approx(2.0 / ((fan_in + fan_out) / 2), rel=0.03)
    assert v_ours == pytest.approx(v_jax, rel=0.04)


@pytest.mark.parametrize("shape", [(), (5,)])
def test_rank_rule_refuses_only_the_default_in_axis(shape):
    with pytest.raises(ValueError) as theirs:
        JNI.he_normal()(KEY, shape)
    with pytest.raises(ValueError) as ours:
        winit.he_normal()(KEY, shape)
    assert str(theirs.value) in str(ours.value)
    explicit = dict(in_axis=[], out_axis=[]) if shape == () else dict(in_axis=0)
    assert winit.he_normal(**explicit)(KEY, shape).shape == JNI.he_normal(**explicit)(KEY, shape).shape == shape


# ---- errors: JAX's types, JAX's messages ----------------------------------------------------

ERRORS = [  # (id, make the call on a module, whether the message is JAX's word for word)
    ("mode", lambda m: m.variance_scaling(1.0, "fan_sideways", "normal")(KEY, (4, 4)), True),
    ("distribution", lambda m: m.variance_scaling(1.0, "fan_in", "cauchy")(KEY, (4, 4)), True),
    ("rank 1", lambda m: m.variance_scaling(1.0, "fan_avg", "truncated_normal")(KEY, (5,)), True),
    ("orthogonal rank 1", lambda m: m.orthogonal()(KEY, (5,)), True),
    ("delta rank 2", lambda m: m.delta_orthogonal()(KEY, (4, 4)), True),
    ("delta in > out", lambda m: m.delta_orthogonal()(KEY, (3, 3, 5, 4)), True),
    ("uniform int32", lambda m: m.uniform()(KEY, (4, 4), jnp.int32), True),
    ("uniform complex", lambda m: m.uniform()(KEY, (4, 4), jnp.complex64), True),
    ("normal int32", lambda m: m.normal()(KEY, (4, 4), jnp.int32), True),
    ("truncated complex", lambda m: m.truncated_normal()(KEY, (4, 4), jnp.complex64), True),
    ("he_normal int32", lambda m: m.he_normal()(KEY, (4, 4), jnp.int32), False),  # JAX names its sampler
    ("orthogonal int32", lambda m: m.orthogonal()(KEY, (4, 4), jnp.int32), False),
    ("in_axis out of range", lambda m: m.variance_scaling(1.0, "fan_in", "normal", in_axis=5)(KEY, (4, 4)), False),
    ("in_axis None", lambda m: m.variance_scaling(1.0, "fan_in", "normal", in_axis=None)(KEY, (4, 4)), False),
    ("out_axis float", lambda m: m.variance_scaling(1.0, "fan_in", "normal", out_axis=1.5)(KEY, (4, 4)), False),
    ("column_axis out of range", lambda m: m.orthogonal(column_axis=2)(KEY, (4, 4)), False),
    ("orthogonal out_sharding", lambda m: m.orthogonal()(
        KEY, (4, 4), out_sharding=jax.sharding.SingleDeviceSharding(jax.devices()[0])), False),
]


@pytest.mark.parametrize("call, same_message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_are_jax_s(call, same_message):
    """What JAX raises for the call, wi raises too (a subclass at least), before drawing."""
    with pytest.raises(Exception) as theirs:
        call(JNI)
    with pytest.raises(type(theirs.value)) as ours:
        call(winit)
    if same_message:
        assert str(theirs.value) in str(ours.value)
    if isinstance(ours.value, ValueError) and not isinstance(ours.value, NotImplementedError):
        assert isinstance(ours.value, (ValueError, TypeError))  # and wi's own convention holds


def test_bad_axes_name_the_argument():
    with pytest.raises(TypeError, match=r"batch_axis must be an int or a sequence of ints \(got \['a'\]\)"):
        winit.he_normal(batch_axis=["a"])(KEY, (4, 4))
    with pytest.raises(ValueError, match=r"out_axis -3 is out of range for a shape of rank 2"):
        winit.he_normal(out_axis=-3)(KEY, (4, 4))


def test_bad_dtype_is_also_a_type_error():
    with pytest.raises(TypeError, match="dtype argument to `uniform` must be a float dtype, got int32"):
        winit.uniform()(KEY, (2,), jnp.int32)


def test_errors_are_raised_when_traced_not_inside_xla():
    with pytest.raises(ValueError, match="invalid mode"):
        jax.jit(lambda k: winit.variance_scaling(1.0, "fan_sideways", "uniform")(k, (4, 4)))(KEY)
    with pytest.raises(ValueError, match="Delta orthogonal initializer requires"):
        jax.jit(lambda k: winit.delta_orthogonal()(k, (4, 4)))(KEY)
    with pytest.raises(TypeError, match="must be a float dtype"):
        jax.eval_shape(lambda k: winit.uniform()(k, (4, 4), jnp.int32), KEY)


# ---- scalar arguments ----------------------------------------------------------------------

SCALARS = [0.5, np.float32(0.5), np.array(0.5), jnp.asarray(0.5), jnp.array(0.5, jnp.bfloat16)]


@pytest.mark.parametrize("value", SCALARS, ids=lambda v: type(v).__name__ + str(getattr(v, "dtype", "")))
@pytest.mark.parametrize("make", [
    lambda s: winit.normal(s), lambda s: winit.uniform(s), lambda s: winit.truncated_normal(s),
    lambda s: winit.truncated_normal(1.0, lower=-s, upper=s), lambda s: winit.variance_scaling(s, "fan_in", "normal"),
    lambda s: winit.orthogonal(s), lambda s: winit.delta_orthogonal(s),
], ids=["normal", "uniform", "truncated_normal", "truncated_bounds", "variance_scaling", "orthogonal", "delta"])
def test_scalar_arguments_may_be_0d_arrays(make, value):
    shape = (3, 4, 4)
    assert same_bytes(make(value)(KEY, shape), make(0.5)(KEY, shape))
    traced = jax.jit(lambda k: make(jnp.asarray(0.5))(k, shape))(KEY)  # a tracer inside jit
    assert same_bytes(traced, make(0.5)(KEY, shape))


def test_traced_scalars_under_vmap_are_checked_when_run():
    rows = jax.vmap(lambda s: winit.normal(s)(KEY, (3,)))(jnp.array([0.1, 0.2]))
    assert same_bytes(rows[0], winit.normal(0.1)(KEY, (3,)))
    assert same_bytes(rows[1], winit.normal(0.2)(KEY, (3,)))
    with pytest.raises(Exception, match="stddev must be >= 0"):  # JAX wraps the host's ValueError
        jax.block_until_ready(jax.jit(lambda s: winit.normal(s)(KEY, (3,)))(-1.0))


def test_scalar_parameters_do_not_upcast():
    """JAX's testAccidentalUpcasting: a float32 0-d parameter, bfloat16 weights."""
    p = jnp.array(1.0, dtype=jnp.float32)
    for factory in (winit.uniform, winit.normal, winit.truncated_normal):
        assert factory(p, jnp.bfloat16)(KEY, (4, 4)).dtype == jnp.bfloat16


def test_bad_scalar_arguments():
    with pytest.raises(ValueError, match=r"stddev must be a scalar: .*shape \(3,\)"):
        winit.normal(jnp.ones(3))
    with pytest.raises(TypeError, match="stddev must be a real number"):
        winit.truncated_normal("0.1")
    with pytest.raises(TypeError, match="scale must be a real number"):
        winit.variance_scaling(True, "fan_in", "normal")
    with pytest.raises(ValueError, match="scale must be a positive finite number"):
        winit.variance_scaling(-1.0, "fan_in", "normal")(KEY, (4, 4))
    with pytest.raises(ValueError, match="lower must be < upper"):
        winit.truncated_normal(lower=1.0, upper=-1.0)(KEY, (4, 4))


# ---- transformations and keys on the new names --------------------------------------------

NEW = [  # (id, initialiser, shape, dtype)
    ("complex normal", winit.normal(0.3), (6, 5), jnp.complex64),
    ("complex he_uniform", winit.he_uniform(), (6, 5), jnp.complex64),
    ("complex glorot_normal", winit.glorot_normal(), (6, 5), jnp.complex64),
    ("orthogonal", winit.orthogonal(), (6, 5), jnp.float32),
    ("complex orthogonal", winit.orthogonal(), (4, 7), jnp.complex64),
    ("delta_orthogonal", winit.delta_orthogonal(), (3, 3, 4, 5), jnp.float32),
    ("no axes", winit.variance_scaling(1.0, "fan_in", "uniform", in_axis=[], out_axis=[]), (), jnp.float32),
]


@pytest.mark.parametrize("init, shape, dtype", [c[1:] for c in NEW], ids=[c[0] for c in NEW])
def test_jit_vmap_eval_shape_grad(init, shape, dtype):
    eager = init(KEY, shape, dtype)
    assert same_bytes(jax.jit(lambda k: init(k, shape, dtype))(KEY), eager)
    keys = jax.random.split(KEY, 3)
    batched = jax.vmap(lambda k: init(k, shape, dtype))(keys)
    assert all(same_bytes(batched[i], init(keys[i], shape, dtype)) for i in range(3))
    assert jax.eval_shape(lambda k: init(k, shape, dtype), KEY) == jax.ShapeDtypeStruct(shape, dtype)

    def loss(x, key):  # the weights are constants of the loss: its gradient is theirs
        return jnp.sum(jnp.real(init(key, shape, dtype)) * x)

    expected = np.real(np.asarray(eager))
    assert np.allclose(jax.grad(loss)(jnp.ones(shape), KEY), expected)
    assert np.allclose(jax.jit(jax.grad(loss))(jnp.ones(shape), KEY), expected)


@pytest.mark.parametrize("init, shape, dtype", [c[1:] for c in NEW], ids=[c[0] for c in NEW])
def test_typed_raw_and_rbg_keys(init, shape, dtype):
    typed, raw = init(jax.random.key(3), shape, dtype), init(jax.random.PRNGKey(3), shape, dtype)
    assert same_bytes(typed, raw)  # the same words, the same (seed, stream)
    rbg = init(jax.random.key(3, impl="rbg"), shape, dtype)
    assert rbg.shape == shape and (shape == () or not np.array_equal(rbg, typed))
    other = init(jax.random.key(4), shape, dtype)
    assert shape == () or not np.array_equal(other, typed)
