"""wi.keras: Keras's initialisers, formulas and serialisation, wi's values, on every backend.

Keras fixes its backend when first imported, so the tests in this process use
KERAS_BACKEND (default jax here) and each installed backend also runs the layer
and saved-model checks in a subprocess of its own (this file run as a script).
"""
import importlib.util
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")  # the engine tests run where the extra is installed (CI: always)

import wi  # noqa: E402
import wi.keras  # noqa: E402

TRUNC = 0.87962566103423978  # Keras's std of N(0, 1) cut at +-2 (random_initializers.py)

# name: (scale, mode, distribution) of Keras's variance-scaling presets (keras/src/initializers).
PRESETS = {
    "HeNormal": (2.0, "fan_in", "truncated_normal"),
    "HeUniform": (2.0, "fan_in", "uniform"),
    "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
    "GlorotUniform": (1.0, "fan_avg", "uniform"),
    "LecunNormal": (1.0, "fan_in", "truncated_normal"),
    "LecunUniform": (1.0, "fan_in", "uniform"),
}
ALL = list(PRESETS) + ["VarianceScaling", "RandomNormal", "RandomUniform", "TruncatedNormal"]


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _reference(name, shape, seed, stream=0, dtype=np.float32):
    """What wi.keras.<name>(seed=seed, stream=stream) must give, from the plain wi functions."""
    buf = np.empty(shape, dtype)
    kw = {"seed": seed, "stream": stream}
    if name in PRESETS:
        scale, mode, dist = PRESETS[name]
        return wi.variance_scaling_(buf, scale, mode, dist, layout="keras", **kw)
    if name == "VarianceScaling":  # Keras's defaults: 1.0, fan_in, truncated_normal
        return wi.variance_scaling_(buf, 1.0, "fan_in", "truncated_normal", layout="keras", **kw)
    if name == "RandomNormal":
        return wi.fill_normal(buf, 0.0, 0.05, **kw)
    if name == "RandomUniform":
        return wi.fill_uniform(buf, -0.05, 0.05, **kw)
    return wi.fill_truncated_normal(buf, 0.0, 0.05, -0.1, 0.1, **kw)


def test_he_normal_on_a_dense_kernel_is_wi_variance_scaling():
    layer = keras.layers.Dense(64, kernel_initializer=wi.keras.HeNormal(seed=3))
    layer.build((None, 32))
    buf = np.empty((32, 64), np.float32)
    expected = wi.variance_scaling_(buf, 2.0, "fan_in", "truncated_normal", layout="keras", seed=3)
    assert _np(layer.kernel).tobytes() == expected.tobytes()


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("shape", [(32, 64), (3, 3, 8, 16), (7,)])
def test_values(name, shape):
    got = getattr(wi.keras, name)(seed=5, stream=2)(shape)
    assert _np(got).tobytes() == _reference(name, shape, 5, 2).tobytes()


@pytest.mark.parametrize("name", list(PRESETS))
def test_keras_formulas(name):
    """Bounds and spread from Keras's constants, and Keras's own initialiser's spread."""
    scale, mode, dist = PRESETS[name]
    shape = (3, 3, 64, 96)  # Keras fans: 9 * 64 = 576 in, 9 * 96 = 864 out
    fan = {"fan_in": 576, "fan_out": 864, "fan_avg": 720}[mode]
    variance = scale / fan
    got = _np(getattr(wi.keras, name)(seed=0)(shape)).astype(np.float64)
    theirs = _np(getattr(keras.initializers, name)(seed=0)(shape)).astype(np.float64)
    bound = math.sqrt(3 * variance) if dist == "uniform" else 2 * math.sqrt(variance) / TRUNC
    assert bound * 0.99 < np.abs(got).max() <= bound * (1 + 1e-6)
    assert np.abs(theirs).max() <= bound * (1 + 1e-6)
    assert got.std() == pytest.approx(math.sqrt(variance), rel=0.01)
    assert got.std() == pytest.approx(theirs.std(), rel=0.02)


@pytest.mark.parametrize("name", ALL)
def test_same_arguments_and_defaults_as_keras(name):
    ours = getattr(wi.keras, name)(seed=1).get_config()
    theirs = getattr(keras.initializers, name)(seed=1).get_config()
    assert ours.pop("stream") == 0
    assert ours == theirs


def test_variance_scaling_distributions_and_axes():
    shape = (4, 5, 600)
    normal = wi.keras.VarianceScaling(distribution="normal", seed=2)(shape)  # Keras: truncated
    truncated = wi.keras.VarianceScaling(distribution="truncated_normal", seed=2)(shape)
    assert _np(normal).tobytes() == _np(truncated).tobytes()
    plain = wi.keras.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=2)(shape)
    ref = wi.variance_scaling_(np.empty(shape, np.float32), 3.0, "fan_out", "normal", layout="keras", seed=2)
    assert _np(plain).tobytes() == ref.tobytes()
    # Keras's explicit axes: fans are the products of those axes alone (4 and 600 here).
    axes = wi.keras.HeUniform(seed=2, input_axes=(0,), output_axes=(-1,))(shape)
    assert keras.initializers.HeUniform(input_axes=(0,), output_axes=(-1,)).get_config()["input_axes"] == (0,)
    bound = math.sqrt(3 * 2.0 / 4)
    assert bound * 0.99 < np.abs(_np(axes)).max() <= bound


def test_seed_none_follows_keras():
    init = wi.keras.GlorotUniform()
    assert _np(init((8, 8))).tobytes() == _np(init((8, 8))).tobytes()  # fixed per instance
    assert init.get_config()["seed"] is None
    keras.utils.set_random_seed(7)
    a = wi.keras.GlorotUniform()((8, 8))
    keras.utils.set_random_seed(7)
    b = wi.keras.GlorotUniform()((8, 8))
    assert _np(a).tobytes() == _np(b).tobytes()


def test_streams_and_seeds_differ():
    a, b, c = (wi.keras.HeNormal(seed=s, stream=t)((16, 16)) for s, t in [(1, 0), (1, 1), (2, 0)])
    assert len({_np(x).tobytes() for x in (a, b, c)}) == 3


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])  # float64 needs x64 on jax
def test_dtypes(dtype):
    got = wi.keras.RandomNormal(seed=4)((6, 6), dtype=dtype)
    assert keras.backend.standardize_dtype(got.dtype) == dtype


@pytest.mark.parametrize("name", ALL)
def test_serialisation_round_trip(name):
    init = getattr(wi.keras, name)(seed=9, stream=4)
    config = keras.initializers.serialize(init)
    assert config["registered_name"] == f"wi>{name}"
    back = keras.initializers.deserialize(json.loads(json.dumps(config)))
    assert type(back) is type(init) and back.get_config() == init.get_config()
    assert _np(back((5, 7))).tobytes() == _np(init((5, 7))).tobytes()
    assert type(init.clone()) is type(init)
    assert type(keras.initializers.get(config)) is type(init)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"seed": "1"}, TypeError, "seed must be an int or None"),
    ({"seed": True}, TypeError, "seed must be an int or None"),
    ({"seed": -1}, ValueError, "seed"),
    ({"stream": 2**64}, ValueError, "stream"),
    ({"mode": "fan_sideways"}, ValueError, "mode must be one of"),
    ({"distribution": "cauchy"}, ValueError, "distribution must be one of"),
    ({"scale": -1.0}, ValueError, "scale"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        wi.keras.VarianceScaling(**kwargs)


# ---- every installed backend, each in its own process ----

BACKENDS = [b for b, module in [("jax", "jax"), ("numpy", "numpy"), ("torch", "torch"),
                                ("tensorflow", "tensorflow")] if importlib.util.find_spec(module)]


def _backend_checks(tmp):
    """Layers built with every initialiser, and a saved model loaded back."""
    found = {"backend": keras.backend.backend()}
    layers = {name: keras.layers.Dense(12, kernel_initializer=getattr(wi.keras, name)(seed=3, stream=1))
              for name in ALL}
    conv = keras.layers.Conv2D(6, 3, kernel_initializer=wi.keras.HeNormal(seed=3, stream=1))
    model = keras.Sequential([keras.Input((4, 4, 2)), conv, keras.layers.Flatten()]
                             + [layers[name] for name in ALL[:1]])
    for name in ALL[1:]:
        layers[name].build((None, 10))
    found["values"] = all(
        _np(layers[name].kernel).tobytes() == _reference(name, tuple(layers[name].kernel.shape), 3, 1).tobytes()
        for name in ALL
    )
    found["conv"] = _np(conv.kernel).tobytes() == _reference("HeNormal", (3, 3, 2, 6), 3, 1).tobytes()
    path = os.path.join(tmp, "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    found["loaded weights"] = all(
        _np(a).tobytes() == _np(b).tobytes() for a, b in zip(model.weights, loaded.weights)
    )
    found["loaded initialiser"] = type(loaded.layers[0].kernel_initializer) is wi.keras.HeNormal
    return found


@pytest.mark.parametrize("backend", BACKENDS)
def test_layers_and_saved_models_on_each_backend(backend, tmp_path):
    env = dict(os.environ, KERAS_BACKEND=backend)
    out = subprocess.run([sys.executable, __file__, str(tmp_path)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-4000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found == {"backend": backend, "values": True, "conv": True,
                     "loaded weights": True, "loaded initialiser": True}


def test_the_backends_tried_include_jax_and_numpy():
    assert {"jax", "numpy"} <= set(BACKENDS)


if __name__ == "__main__":
    print(json.dumps(_backend_checks(sys.argv[1])))
