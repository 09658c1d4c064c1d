"""wi.keras against Keras itself: the properties Keras's own initialiser tests state, and more.

Keras's ``random_initializers_test.py`` run with its import pointed at wi.keras passes 14/14
on jax, numpy and torch (docs/engines.md has the commands); this file states the same
properties in our own words, each compared with Keras's own classes in the same run:
names, signatures, defaults and configs (via inspect), errors (type and message), seeds
from a ``keras.random.SeedGenerator``, get/serialize/deserialize and ``.keras`` files, the
fans that ``EinsumDense``/``MultiHeadAttention`` hand variance-scaling initialisers, and
``Orthogonal``'s algorithm and distribution.
"""
import hashlib
import importlib.util
import inspect
import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")  # the engine tests run where the extra is installed (CI: always)
scipy_stats = pytest.importorskip("scipy.stats")

import wi  # noqa: E402
import wi.keras  # noqa: E402
from keras.src import initializers as keras_src_initializers  # noqa: E402  (ALL_OBJECTS_DICT)
from keras.src.initializers.random_initializers import RandomInitializer  # noqa: E402

VARIANCE = ["VarianceScaling", "HeNormal", "HeUniform", "GlorotNormal", "GlorotUniform",
            "LecunNormal", "LecunUniform"]
RANDOM = VARIANCE + ["RandomNormal", "RandomUniform", "TruncatedNormal", "Orthogonal"]
DETERMINISTIC = ["Constant", "Zeros", "Ones", "Identity", "STFT", "Initializer"]


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _public(module):
    return {n for n in dir(module) if not n.startswith("_")}


# ---- names, signatures, configs ----

def test_every_keras_initializer_name_is_in_wi_keras():
    missing = _public(keras.initializers) - _public(wi.keras)
    assert not missing
    for name in _public(keras.initializers) - {"get", "serialize", "deserialize"}:
        theirs, ours = getattr(keras.initializers, name), getattr(wi.keras, name)
        assert ours.__name__ == theirs.__name__, name  # an alias names the same class as Keras's
        if issubclass(theirs, RandomInitializer):  # draws random numbers: wi's subclass
            assert issubclass(ours, theirs) and ours is not theirs, name
        else:  # draws nothing: Keras's own class
            assert ours is theirs, name


def test_random_classes_are_exactly_the_keras_random_ones():
    theirs = {n for n in _public(keras.initializers) if inspect.isclass(getattr(keras.initializers, n))
              and issubclass(getattr(keras.initializers, n), RandomInitializer) and n[0].isupper()}
    assert theirs - {"OrthogonalInitializer"} == set(RANDOM)


def test_the_names_table_is_keras_s():
    ours, theirs = wi.keras._names.ALL_OBJECTS_DICT, keras_src_initializers.ALL_OBJECTS_DICT
    assert set(ours) == set(theirs)
    for name, cls in ours.items():
        assert cls.__name__ == theirs[name].__name__ and issubclass(cls, theirs[name]), name


@pytest.mark.parametrize("name", RANDOM)
def test_signature_is_keras_s_plus_stream(name):
    ours = inspect.signature(getattr(wi.keras, name)).parameters
    theirs = inspect.signature(getattr(keras.initializers, name)).parameters
    assert list(ours) == list(theirs) + ["stream"]
    assert all(ours[p].default == theirs[p].default for p in theirs)
    assert ours["stream"].default == 0


CONFIG_CASES = [
    ("RandomNormal", {"mean": 0.5, "stddev": 2, "seed": 3}),
    ("RandomUniform", {"minval": -1, "maxval": 2.5, "seed": 3}),
    ("TruncatedNormal", {"mean": -1.0, "stddev": 0.1, "seed": 3}),
    ("VarianceScaling", {"scale": 3, "mode": "fan_avg", "distribution": "NORMAL", "seed": 3}),
    ("VarianceScaling", {"distribution": "untruncated_normal", "input_axes": [0], "output_axes": [1, 2]}),
    ("HeUniform", {"seed": 4, "input_axes": [0, 1], "output_axes": [2]}),
    ("Orthogonal", {"gain": 0.5, "seed": 3}),
] + [(name, {}) for name in RANDOM]


@pytest.mark.parametrize("name, kwargs", CONFIG_CASES)
def test_config_is_keras_s_plus_stream(name, kwargs):
    seed = keras.random.SeedGenerator(11)  # one object for both: its config has a name
    for kw in (kwargs, dict(kwargs, seed=seed)):
        ours = getattr(wi.keras, name)(**kw).get_config()
        theirs = getattr(keras.initializers, name)(**kw).get_config()
        assert ours.pop("stream") == 0
        assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True)


def test_lowercase_aliases_are_the_classes():
    for name in _public(keras.initializers):
        alias = getattr(keras.initializers, name)
        if inspect.isclass(alias) and alias.__name__ != name:
            assert getattr(wi.keras, name) is getattr(wi.keras, alias.__name__), name


def test_scalar_tensors_are_taken_as_keras_documents():
    init = wi.keras.RandomNormal(mean=keras.ops.convert_to_tensor(0.5), stddev=np.float32(2.0), seed=1)
    ref = wi.fill_normal(np.empty((4, 4), np.float32), 0.5, 2.0, seed=1)
    assert _np(init((4, 4))).tobytes() == ref.tobytes()
    assert wi.keras.VarianceScaling(scale=np.asarray(2.0)).scale == 2.0


# ---- errors ----

# Keras's own tests (random_initializers_test.py) and users match these messages. The last
# field: a wrong type, so also wi's TypeError (Keras raises ValueError).
KERAS_ERRORS = [
    ("VarianceScaling", {"scale": -1.0}, "Argument `scale` must be positive float.", False),
    ("VarianceScaling", {"scale": 0}, "Argument `scale` must be positive float.", False),
    ("VarianceScaling", {"mode": "invalid_mode"}, "Invalid `mode` argument:", False),
    ("VarianceScaling", {"mode": 3}, "Invalid `mode` argument:", True),
    ("VarianceScaling", {"distribution": "invalid_dist"}, "Invalid `distribution` argument:", False),
    ("RandomNormal", {"seed": "1"}, "seed", True),
    ("RandomUniform", {"seed": 1.5}, "seed", True),
    ("HeNormal", {"seed": [1]}, "seed", True),
    ("Orthogonal", {"seed": "x"}, "seed", True),
]


@pytest.mark.parametrize("name, kwargs, match, wrong_type", KERAS_ERRORS)
def test_errors_have_keras_s_type_and_words(name, kwargs, match, wrong_type):
    with pytest.raises(Exception) as theirs:
        getattr(keras.initializers, name)(**kwargs)
    assert re.search(re.escape(match), str(theirs.value))
    with pytest.raises(type(theirs.value), match=re.escape(match)) as ours:
        getattr(wi.keras, name)(**kwargs)
    assert isinstance(ours.value, TypeError) == wrong_type


@pytest.mark.parametrize("kwargs", [{"distribution": 3}, {"scale": "a"}])
def test_wrong_types_are_type_errors_naming_the_argument(kwargs):
    with pytest.raises(TypeError, match=next(iter(kwargs))):
        wi.keras.VarianceScaling(**kwargs)


# Where Keras lets a bad value through to the weights, wi refuses it (documented).
STRICTER = [
    ("VarianceScaling", {"scale": math.nan}, ValueError, "scale"),
    ("RandomNormal", {"stddev": -1.0}, ValueError, "stddev must be >= 0"),
    ("RandomNormal", {"mean": math.inf}, ValueError, "mean must be finite"),
    ("TruncatedNormal", {"stddev": math.nan}, ValueError, "stddev must be finite"),
    ("RandomUniform", {"minval": 1.0, "maxval": 0.0}, ValueError, "minval must be <= maxval"),
    ("Orthogonal", {"gain": math.inf}, ValueError, "gain must be finite"),
    ("HeNormal", {"seed": True}, TypeError, "seed must be an int or None"),
    ("HeNormal", {"seed": -1}, ValueError, "seed"),
    ("HeNormal", {"seed": 2**64}, ValueError, "seed"),
    ("HeNormal", {"stream": 2**64}, ValueError, "stream"),
]


@pytest.mark.parametrize("name, kwargs, exc, match", STRICTER)
def test_values_keras_lets_through_are_refused(name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(wi.keras, name)(**kwargs)


def test_call_errors_are_keras_s():
    for mod in (keras.initializers, wi.keras):
        with pytest.raises(ValueError, match="at least two-dimensional. Received: shape=\\(5,\\) of rank 1"):
            mod.Orthogonal(seed=1)((5,))
    with pytest.raises(TypeError, match="dtype must be a floating-point dtype"):
        wi.keras.RandomNormal(seed=1)((2, 2), dtype="int32")
    with pytest.raises(ValueError, match="input_axes must be axes of the shape"):
        wi.keras.HeNormal(seed=1, input_axes=[3], output_axes=[0])((2, 2))


def test_a_failed_call_does_not_advance_the_seed_generator():
    seed = keras.random.SeedGenerator(5)
    init = wi.keras.Orthogonal(seed=seed)
    with pytest.raises(ValueError):
        init((4,))
    assert _np(init((3, 3))).tobytes() == _np(wi.keras.Orthogonal(seed=5)((3, 3))).tobytes()


# ---- seeds ----

@pytest.mark.parametrize("name", ["RandomNormal", "RandomUniform", "TruncatedNormal", "HeNormal", "Orthogonal"])
def test_seed_generator_draws_a_new_key_per_call(name):
    """The k-th call of SeedGenerator(s) uses key s + 2**32 * k; Keras's own class also changes."""
    cls = getattr(wi.keras, name)
    init = cls(seed=keras.random.SeedGenerator(1337), stream=2)
    calls = [_np(init((6, 5))) for _ in range(3)]
    for k, got in enumerate(calls):
        assert got.tobytes() == _np(cls(seed=1337 + 2**32 * k, stream=2)((6, 5))).tobytes()
    assert len({c.tobytes() for c in calls}) == 3
    theirs = getattr(keras.initializers, name)(seed=keras.random.SeedGenerator(1337))
    assert not np.allclose(_np(theirs((6, 5))), _np(theirs((6, 5))))


def test_a_seed_generator_state_is_two_uint32_words():
    # int32 states (torch's seed dtype) are read as their bit patterns.
    assert wi.keras._base.key_words(np.array([-1, 2], np.int32)) == 0xFFFFFFFF + 2 * 2**32
    assert wi.keras._base.key_words(np.array([5, 0], np.uint32)) == 5


def test_seed_generator_reproducibility():
    # The same initial seed gives the same sequence; a clone from the config starts it again.
    a = wi.keras.GlorotUniform(seed=keras.random.SeedGenerator(7))
    b = wi.keras.GlorotUniform.from_config(json.loads(json.dumps(a.get_config())))
    assert isinstance(b.seed, keras.random.SeedGenerator)
    assert [_np(a((4, 4))).tobytes() for _ in range(2)] == [_np(b((4, 4))).tobytes() for _ in range(2)]
    # Two initialisers sharing a generator take turns: the values depend on the call order.
    shared = keras.random.SeedGenerator(7)
    c, d = wi.keras.GlorotUniform(seed=shared), wi.keras.GlorotUniform(seed=shared)
    first, second = _np(d((4, 4))), _np(c((4, 4)))
    assert first.tobytes() == _np(wi.keras.GlorotUniform(seed=7)((4, 4))).tobytes()
    assert second.tobytes() == _np(wi.keras.GlorotUniform(seed=7 + 2**32)((4, 4))).tobytes()
    # An unseeded generator takes Keras's default seed: keras.utils.set_random_seed fixes it.
    keras.utils.set_random_seed(3)
    e = _np(wi.keras.HeUniform(seed=keras.random.SeedGenerator())((4, 4)))
    keras.utils.set_random_seed(3)
    assert e.tobytes() == _np(wi.keras.HeUniform(seed=keras.random.SeedGenerator())((4, 4))).tobytes()


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="Keras runs initialisers under jax.jit only on jax")
def test_under_jax_jit():
    """Keras jits initialisers of sharded JAX variables: an int seed gives the same values (the
    host fill becomes a constant); a SeedGenerator cannot be read there and says so."""
    import jax

    init = wi.keras.HeNormal(seed=3)
    jitted = jax.jit(init.__call__, static_argnames=["shape", "dtype"])
    assert _np(jitted(shape=(4, 4), dtype="float32")).tobytes() == _np(init((4, 4))).tobytes()
    seeded = wi.keras.HeNormal(seed=keras.random.SeedGenerator(3))
    with pytest.raises(TypeError, match="SeedGenerator cannot be read inside a traced function"):
        jax.jit(seeded.__call__, static_argnames=["shape", "dtype"])(shape=(4, 4), dtype="float32")


def test_seed_none_is_fixed_at_construction_and_cloning_redraws_it():
    init = wi.keras.RandomNormal(seed=None)
    assert _np(init((5, 5))).tobytes() == _np(init((5, 5))).tobytes()
    clone = wi.keras.RandomNormal.from_config(init.get_config())
    assert _np(clone((5, 5))).tobytes() != _np(init((5, 5))).tobytes()  # as Keras: seed None in the config


# ---- serialisation ----

@pytest.mark.parametrize("name", RANDOM)
def test_serialize_deserialize_round_trip(name):
    init = getattr(wi.keras, name)(seed=9, stream=4)
    for serialize, deserialize in [(wi.keras.serialize, wi.keras.deserialize),
                                   (keras.initializers.serialize, keras.initializers.deserialize)]:
        config = json.loads(json.dumps(serialize(init)))
        assert config["registered_name"] == f"wi>{name}" and config["module"] == "wi.keras"
        back = deserialize(config)
        assert type(back) is type(init) and back.get_config() == init.get_config()
        assert _np(back((6, 4))).tobytes() == _np(init((6, 4))).tobytes()
    assert set(dir(init)) == set(dir(type(init).from_config(init.get_config())))


@pytest.mark.parametrize("name", sorted(wi.keras._names.ALL_OBJECTS_DICT))
def test_get_by_name_gives_wi_s_class(name):
    expected = wi.keras._names.ALL_OBJECTS_DICT[name]
    for identifier in (name, {"class_name": name, "config": {}}):
        try:
            theirs = keras.initializers.get(identifier)
        except Exception as exc:  # Keras's get("Constant") needs a value: the same error here
            with pytest.raises(type(exc)):
                wi.keras.get(identifier)
            continue
        ours = wi.keras.get(identifier)
        assert type(ours) is expected and isinstance(ours, type(theirs))


def test_get_follows_keras_s_other_rules():
    assert wi.keras.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        wi.keras.get("typo")
    assert type(wi.keras.get(wi.keras.HeNormal)) is wi.keras.HeNormal
    init = wi.keras.HeNormal(seed=1)
    assert wi.keras.get(init) is init
    table = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert (_np(wi.keras.get(table)((2, 3))) == table).all()


def test_keras_configs_load_into_wi_classes_and_back():
    """A Keras config loads into wi.keras (stream 0); a wi config loads into Keras's class
    only without "stream" (Keras's from_config passes every key to __init__)."""
    theirs = keras.initializers.HeNormal(seed=5, input_axes=[0], output_axes=[1])
    ours = wi.keras.HeNormal.from_config(theirs.get_config())
    assert ours.stream == 0
    assert type(wi.keras.deserialize(keras.initializers.serialize(theirs))) is wi.keras.HeNormal
    assert type(wi.keras.get("HeNormal")) is wi.keras.HeNormal
    config = wi.keras.HeNormal(seed=5, stream=3).get_config()
    with pytest.raises(TypeError, match="stream"):
        keras.initializers.HeNormal.from_config(config)
    config.pop("stream")
    assert keras.initializers.HeNormal.from_config(config).get_config() == theirs.get_config() | {
        "input_axes": None, "output_axes": None}


def test_saved_model_keeps_wi_initialisers(tmp_path):
    inputs = keras.Input((6, 32))
    attention = keras.layers.MultiHeadAttention(4, 8, kernel_initializer=wi.keras.LecunNormal(seed=2, stream=1))
    dense = keras.layers.Dense(5, kernel_initializer=wi.keras.Orthogonal(gain=2.0, seed=3))
    noisy = keras.layers.Dense(5, kernel_initializer=wi.keras.RandomNormal(seed=keras.random.SeedGenerator(4)))
    model = keras.Model(inputs, noisy(dense(attention(inputs, inputs))))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert all(_np(a).tobytes() == _np(b).tobytes() for a, b in zip(model.weights, loaded.weights))
    by_name = {layer.name: layer for layer in loaded.layers}
    assert type(by_name[attention.name]._kernel_initializer) is wi.keras.LecunNormal
    assert by_name[attention.name]._kernel_initializer.stream == 1
    assert type(by_name[dense.name].kernel_initializer) is wi.keras.Orthogonal
    revived = by_name[noisy.name].kernel_initializer
    assert type(revived) is wi.keras.RandomNormal and isinstance(revived.seed, keras.random.SeedGenerator)


# ---- the fans EinsumDense and MultiHeadAttention hand variance-scaling initialisers ----

ATTENTION_CASES = {name: {} for name in VARIANCE[1:]}
ATTENTION_CASES.update({"VarianceScaling": {"scale": 3.0, "mode": "fan_out", "distribution": "untruncated_normal"}})


@pytest.mark.parametrize("name", sorted(ATTENTION_CASES))
def test_attention_kernels_have_keras_s_variance(name):
    """Query kernel (256, 8, 64), output kernel (8, 64, 256): Keras's fans come from the axes
    EinsumDense gives; the sample variance matches Keras's own initialiser's in this run."""
    kwargs = ATTENTION_CASES[name]
    layers = {}
    for origin, module in [("wi", wi.keras), ("keras", keras.initializers)]:
        mha = keras.layers.MultiHeadAttention(8, 64, kernel_initializer=getattr(module, name)(seed=1, **kwargs))
        mha.build((None, 4, 256), (None, 4, 256))
        layers[origin] = mha
    for part in ("query", "key", "value", "output"):
        ours = _np(getattr(layers["wi"], f"{part}_dense").kernel).astype(np.float64)
        theirs = _np(getattr(layers["keras"], f"{part}_dense").kernel).astype(np.float64)
        assert ours.shape == theirs.shape
        assert ours.var() / theirs.var() == pytest.approx(1.0, abs=0.03), part


def test_attention_kernels_are_wi_fills_with_the_einsum_axes():
    mha = keras.layers.MultiHeadAttention(8, 64, kernel_initializer=wi.keras.HeUniform(seed=5, stream=2))
    mha.build((None, 4, 256), (None, 4, 256))
    for part, in_axis, out_axis in [("query", [0], [1, 2]), ("output", [0, 1], [2])]:
        kernel = _np(getattr(mha, f"{part}_dense").kernel)
        ref = wi.variance_scaling_(np.empty(kernel.shape, np.float32), 2.0, "fan_in", "uniform",
                                   layout="keras", in_axis=in_axis, out_axis=out_axis, seed=5, stream=2)
        assert kernel.tobytes() == ref.tobytes(), part


@pytest.mark.parametrize("name", ["HeNormal", "GlorotUniform"])
def test_einsum_dense_fans(name):
    """A 3-D kernel (512, 16, 32) of "ab,bcd->acd": fans 512 and 512, not Keras's default
    [*kernel, in, out] ones (8192, 16384)."""
    variances = []
    for module in (wi.keras, keras.initializers):
        layer = keras.layers.EinsumDense("ab,bcd->acd", (16, 32), kernel_initializer=getattr(module, name)(seed=3))
        layer.build((None, 512))
        variances.append(_np(layer.kernel).astype(np.float64).var())
    assert variances[0] == pytest.approx(1 / 512 * (2 if name == "HeNormal" else 1), rel=0.03)
    assert variances[0] / variances[1] == pytest.approx(1.0, abs=0.03)


def test_explicit_axes_follow_keras_compute_fans():
    from keras.src.initializers.random_initializers import compute_fans

    shape, axes = (6, 5, 7), {"input_axes": [0, -2], "output_axes": [2]}
    assert wi.keras._variance.keras_fans(shape, **axes) == compute_fans(shape, **axes)
    assert wi.keras._variance.keras_fans((6, 5), [], [1]) == compute_fans((6, 5), [], [1])
    for shape in [(), (7,), (3, 4), (3, 3, 4, 5)]:
        assert wi.keras._variance.keras_fans(shape) == compute_fans(shape)
    got = _np(wi.keras.LecunUniform(seed=1, input_axes=[], output_axes=[1])((400, 5)))
    assert np.abs(got).max() == pytest.approx(math.sqrt(3.0), rel=0.01)  # fan_in = 1, as in Keras


# ---- Orthogonal ----

def _keras_orthogonal_of(a, shape, gain):
    """Keras's Orthogonal algorithm (keras.ops, the backend's QR) applied to the draws a."""
    ops = keras.ops
    rows, cols = math.prod(shape[:-1]), shape[-1]
    q, r = ops.qr(ops.convert_to_tensor(a))
    q = q * ops.sign(ops.diag(r))
    if rows < cols:
        q = ops.transpose(q)
    return gain * _np(ops.reshape(q, shape))


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (2, 3, 4), (3, 3, 4, 2), (4, 1, 6)])
def test_orthogonal_is_keras_s_algorithm_on_wi_normals(shape):
    rows, cols = math.prod(shape[:-1]), shape[-1]
    a = wi.fill_normal(np.empty((max(rows, cols), min(rows, cols))), seed=8, stream=3)  # float64 draws
    got = _np(wi.keras.Orthogonal(gain=1.5, seed=8, stream=3)(shape))
    np.testing.assert_allclose(got, _keras_orthogonal_of(a, shape, 1.5), atol=2e-5)
    flat = got.reshape(rows, cols).astype(np.float64)
    gram = flat.T @ flat if rows >= cols else flat @ flat.T
    np.testing.assert_allclose(gram, 1.5**2 * np.eye(min(rows, cols)), atol=1e-5)


def test_orthogonal_stream_rule():
    shape = (4, 3, 6)
    rows, cols = 12, 6
    a = wi.fill_normal(np.empty((rows, cols)), 0.0, 1.0, seed=2, stream=5)
    q, r = np.linalg.qr(a)
    expected = (q * np.sign(np.diag(r))).reshape(shape)
    got = wi.keras.Orthogonal(seed=2, stream=5)(shape, dtype="float32")
    assert _np(got).tobytes() == expected.astype(np.float32).tobytes()


def test_orthogonal_is_haar_distributed_like_keras_s():
    """An entry of a Haar-random 3x3 orthogonal matrix is a coordinate of a uniform point on
    the sphere S^2, hence U(-1, 1) (Archimedes): KS against scipy, and against Keras's own."""
    ours = np.array([_np(wi.keras.Orthogonal(seed=s)((3, 3)))[[0, 1], [0, 2]] for s in range(2000)])
    for column in ours.T:
        assert scipy_stats.kstest(column, scipy_stats.uniform(-1, 2).cdf).pvalue > 1e-3
    theirs = np.array([_np(keras.initializers.Orthogonal(seed=s)((3, 3)))[0, 0] for s in range(300)])
    assert scipy_stats.ks_2samp(ours[:, 0], theirs).pvalue > 1e-3


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("name", ["Orthogonal", "GlorotNormal", "TruncatedNormal"])
def test_dtypes(name, dtype):
    got = getattr(wi.keras, name)(seed=4)((6, 6), dtype=dtype)
    assert keras.backend.standardize_dtype(got.dtype) == dtype


# ---- every installed backend, each in its own process ----

BACKENDS = [b for b, module in [("jax", "jax"), ("numpy", "numpy"), ("torch", "torch"),
                                ("tensorflow", "tensorflow")] if importlib.util.find_spec(module)]


def _digest(x):
    return hashlib.sha256(_np(x).tobytes()).hexdigest()


def _backend_checks():
    """Values that must not depend on the backend, and the attention fans on it."""
    found = {"backend": keras.backend.backend()}
    big = keras.random.SeedGenerator(2_000_000_000)  # near the top of int32 (torch's state dtype)
    init = wi.keras.HeNormal(seed=big)
    found["seed generator"] = [_digest(init((5, 4))) for _ in range(2)]
    found["orthogonal"] = _digest(wi.keras.Orthogonal(seed=6, stream=1)((3, 4, 5)))
    mha = keras.layers.MultiHeadAttention(8, 16, kernel_initializer=wi.keras.LecunNormal(seed=1))
    mha.build((None, 10, 32), (None, 10, 32))
    found["query std"] = float(_np(mha.query_dense.kernel).std())
    return found


def test_on_every_backend(tmp_path):
    expected_seed = [hashlib.sha256(wi.variance_scaling_(np.empty((5, 4), np.float32), 2.0, "fan_in",
                     "truncated_normal", layout="keras", seed=2_000_000_000 + 2**32 * k).tobytes()).hexdigest()
                     for k in range(2)]
    expected_orthogonal = hashlib.sha256(
        wi.keras._orthogonal.orthogonal_values((3, 4, 5), 1.0, 6, 1).astype(np.float32).tobytes()).hexdigest()
    for backend in BACKENDS:
        env = dict(os.environ, KERAS_BACKEND=backend)
        out = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-4000:]
        found = json.loads(out.stdout.strip().splitlines()[-1])
        assert found["backend"] == backend
        assert found["seed generator"] == expected_seed, backend
        assert found["orthogonal"] == expected_orthogonal, backend
        assert found["query std"] == pytest.approx(math.sqrt(1 / 32), rel=0.05), backend  # Keras: 0.177


if __name__ == "__main__":
    print(json.dumps(_backend_checks()))
