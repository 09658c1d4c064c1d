"""wi.jax.initializers: jax.nn.initializers' names and formulas, wi values seeded by the key."""
import math

import numpy as np
import pytest

jax = pytest.importorskip("jax")  # the engine tests run where the extra is installed (CI: always)
import jax.numpy as jnp  # noqa: E402
import ml_dtypes  # noqa: E402

import wi  # noqa: E402
import wi.jax.initializers as winit  # noqa: E402

from engine_cases import same_bytes  # noqa: E402

TRUNC = 0.87962566103423978  # jax.nn.initializers' std of N(0,1) cut at +-2
SHAPE = (256, 384)  # [in, out]: fan_in 256, fan_out 384

# (wi factory, jax.nn.initializers factory, scale, mode, distribution) of the variance scalers.
SCALERS = [
    (winit.glorot_uniform, jax.nn.initializers.glorot_uniform, 1.0, "fan_avg", "uniform"),
    (winit.glorot_normal, jax.nn.initializers.glorot_normal, 1.0, "fan_avg", "truncated_normal"),
    (winit.lecun_uniform, jax.nn.initializers.lecun_uniform, 1.0, "fan_in", "uniform"),
    (winit.lecun_normal, jax.nn.initializers.lecun_normal, 1.0, "fan_in", "truncated_normal"),
    (winit.he_uniform, jax.nn.initializers.he_uniform, 2.0, "fan_in", "uniform"),
    (winit.he_normal, jax.nn.initializers.he_normal, 2.0, "fan_in", "truncated_normal"),
    (winit.xavier_uniform, jax.nn.initializers.xavier_uniform, 1.0, "fan_avg", "uniform"),
    (winit.kaiming_normal, jax.nn.initializers.kaiming_normal, 2.0, "fan_in", "truncated_normal"),
]


def _fan(mode, fan_in=256, fan_out=384):
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
            "fan_geo_avg": math.sqrt(fan_in * fan_out)}[mode]


@pytest.mark.parametrize("case", SCALERS, ids=[c[1].__name__ for c in SCALERS])
def test_scalers_are_wi_variance_scaling_seeded_by_the_key(case):
    ours, _, scale, mode, distribution = case
    key = jax.random.key(42)
    got = ours()(key, SHAPE)
    seed, stream = winit.key_to_seed(key)
    assert (seed, stream) == (42, 0)
    ref = wi.variance_scaling_(np.empty(SHAPE, np.float32), scale, mode, distribution,
                               layout="jax", seed=seed, stream=stream)
    assert same_bytes(got, ref)


@pytest.mark.parametrize("case", SCALERS, ids=[c[1].__name__ for c in SCALERS])
def test_scalers_match_jax_formulas(case):
    """Bounds and spread from JAX's constants, and JAX's own initialiser's spread."""
    ours, theirs, scale, mode, distribution = case
    got = np.asarray(ours()(jax.random.key(1), SHAPE), np.float64)
    ref = np.asarray(theirs()(jax.random.key(1), SHAPE), np.float64)
    variance = scale / _fan(mode)
    if distribution == "uniform":
        bound = math.sqrt(3 * variance)
    else:
        bound = 2 * math.sqrt(variance) / TRUNC
    assert np.abs(got).max() <= bound * (1 + 1e-6) and np.abs(got).max() > 0.99 * bound
    assert got.std() == pytest.approx(math.sqrt(variance), rel=0.01)
    assert got.std() == pytest.approx(ref.std(), rel=0.02)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "normal", "uniform"])
def test_variance_scaling_modes(mode, distribution):
    init = winit.variance_scaling(0.5, mode, distribution)
    got = np.asarray(init(jax.random.key(3), SHAPE), np.float64)
    assert got.std() == pytest.approx(math.sqrt(0.5 / _fan(mode)), rel=0.015)


def test_axes_follow_jax():
    """A conv kernel [h, w, in, out] and explicit axes give JAX's fans."""
    shape = (3, 3, 16, 32)
    init = winit.he_uniform(in_axis=(0, 2), out_axis=3, batch_axis=1)
    got = np.asarray(init(jax.random.key(0), shape))
    fan_in, _ = wi.compute_fans(shape, "jax", in_axis=(0, 2), out_axis=3, batch_axis=1)
    assert fan_in == 3 * 16
    assert np.abs(got).max() <= math.sqrt(6.0 / fan_in) and np.abs(got).max() > 0.99 * math.sqrt(6.0 / fan_in)


def test_plain_distributions():
    key = jax.random.key(5)
    seed, stream = winit.key_to_seed(key)
    empty = np.empty((64, 64), np.float32)
    assert same_bytes(winit.normal(0.1)(key, (64, 64)), wi.fill_normal(empty, 0.0, 0.1, seed=seed))
    u = np.asarray(winit.uniform(0.5)(key, (64, 64)))
    assert same_bytes(u, wi.fill_uniform(empty, 0.0, 0.5, seed=seed))
    assert 0 <= u.min() and u.max() <= 0.5  # JAX's uniform is on [0, scale), not centred
    t = winit.truncated_normal(0.2, lower=-1.0, upper=3.0)(key, (64, 64))
    assert same_bytes(t, wi.fill_truncated_normal(empty, 0.0, 0.2, -0.2, 0.6, seed=seed))


def test_dtypes():
    key = jax.random.key(9)
    assert winit.he_normal()(key, (8, 8)).dtype == jnp.float32  # None: JAX's default float
    got = winit.he_normal(dtype=jnp.bfloat16)(key, (8, 8))
    assert got.dtype == jnp.bfloat16
    ref = wi.variance_scaling_(np.empty((8, 8), ml_dtypes.bfloat16), 2.0, layout="jax", seed=9)
    assert same_bytes(got, ref)
    assert winit.normal()(key, (4,), jnp.float16).dtype == jnp.float16


def _mlp_init(key, init):
    """A Flax-style model: one key split per layer, each kernel from init(key, shape)."""
    keys = jax.random.split(key, 3)
    shapes = [(784, 256), (256, 128), (128, 10)]
    return [init(k, s) for k, s in zip(keys, shapes)]


def test_same_key_same_model_other_key_other_model():
    init = winit.he_normal()
    a, b = _mlp_init(jax.random.key(0), init), _mlp_init(jax.random.key(0), init)
    c = _mlp_init(jax.random.key(1), init)
    assert all(same_bytes(x, y) for x, y in zip(a, b))
    assert not any(np.array_equal(x, y) for x, y in zip(a, c))
    assert len({x.tobytes()[:64] for x in a}) == 3  # each layer its own stream


def test_under_jit_and_vmap_equals_eager():
    init = winit.glorot_uniform()
    key = jax.random.key(11)
    eager = _mlp_init(key, init)
    jitted = jax.jit(lambda k: _mlp_init(k, init))(key)
    assert all(same_bytes(x, y) for x, y in zip(eager, jitted))
    keys = jax.random.split(key, 3)
    batched = jax.vmap(lambda k: init(k, (16, 4)))(keys)
    assert all(same_bytes(batched[i], init(keys[i], (16, 4))) for i in range(3))


def test_key_kinds():
    assert winit.key_to_seed(jax.random.PRNGKey(3)) == (3, 0)  # a raw uint32[2] key
    rbg = jax.random.key(1, impl="rbg")
    words = [int(w) for w in jax.random.key_data(rbg)]
    assert winit.key_to_seed(rbg) == ((words[0] << 32) | words[1], (words[2] << 32) | words[3])
    assert winit.he_normal()(rbg, (4, 4)).shape == (4, 4)
    with pytest.raises(ValueError, match="key must be one PRNG key"):
        winit.he_normal()(jax.random.split(jax.random.key(0), 2), (4, 4))


def test_bad_arguments_raise_before_compiling():
    with pytest.raises(ValueError, match="mode"):
        winit.variance_scaling(1.0, "fan_sideways", "uniform")(jax.random.key(0), (4, 4))
    with pytest.raises(ValueError, match="mode"):  # traced: checked when traced, not as an XLA error
        jax.jit(lambda k: winit.variance_scaling(1.0, "fan_sideways", "uniform")(k, (4, 4)))(jax.random.key(0))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        winit.he_normal()(jax.random.key(0), (4,))
