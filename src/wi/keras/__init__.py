"""Keras 3 initialisers drawn by wi: every ``keras.initializers`` name, Keras's semantics, wi's values.

    import wi.keras
    layer = keras.layers.Dense(256, kernel_initializer=wi.keras.HeNormal(seed=3))
    layer = keras.layers.Dense(256, kernel_initializer=wi.keras.get("he_normal"))

The random initialisers (``RandomNormal``, ``RandomUniform``, ``TruncatedNormal``,
``VarianceScaling``, ``HeNormal``, ``HeUniform``, ``GlorotNormal``, ``GlorotUniform``,
``LecunNormal``, ``LecunUniform``, ``Orthogonal``) are subclasses of their
``keras.initializers`` namesakes with the same arguments, defaults, config and errors, plus
wi's ``stream``; their values come from wi's stream ``(seed, stream)``. Because they are
Keras's classes, Keras layers treat them as such: ``EinsumDense`` and ``MultiHeadAttention``
give the variance-scaling ones their input and output axes, so the fans are Keras's.
``HeNormal(seed=3)`` on a ``(32, 64)`` kernel equals ``wi.variance_scaling_(buf, 2.0,
"fan_in", "truncated_normal", layout="keras", seed=3)``, on every backend.

``seed``: an int (the Philox key: every call gives the same values), None (an int picked once
with Python's ``random``, as Keras does) or a ``keras.random.SeedGenerator`` (a new key from
``SeedGenerator.next()`` at every call); see ``wi/keras/_base.py`` and docs/engines.md.
The config is Keras's plus ``"stream"``; a config without it loads (stream 0).

``Constant``, ``Zeros``, ``Ones``, ``Identity``, ``STFT`` and ``Initializer`` are Keras's own
(they draw nothing). Every lowercase alias (``he_normal``, ``random_normal``, ...) is there,
and ``get``/``serialize``/``deserialize`` map Keras's names to wi's classes. The classes are
registered for serialisation (saved models) under the package name ``wi``. The fill runs in
NumPy on the host and the result becomes a tensor of the active backend.

Needs the ``keras`` extra (``pip install "weightinit[keras]"``) and a Keras backend
(``KERAS_BACKEND=jax``, ``torch``, ``numpy`` or ``tensorflow``).
"""
from __future__ import annotations

from .. import _engine

_engine.require("keras", "keras")  # before anything else: the error names the extra

from ._names import (  # noqa: E402
    RANDOM,
    STFT,
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Identity,
    Initializer,
    LecunNormal,
    LecunUniform,
    Ones,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    Zeros,
    deserialize,
    get,
    serialize,
)

for _cls in RANDOM:
    _cls.__module__ = __name__  # configs and reprs name the public module, wi.keras

# Keras's lowercase and compatibility aliases (keras.initializers exports the same names).
constant = Constant
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
identity = IdentityInitializer = Identity
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
ones = Ones
orthogonal = OrthogonalInitializer = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
stft = STFTInitializer = STFT
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
zeros = Zeros

__all__ = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
    "IdentityInitializer", "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
    "OrthogonalInitializer", "RandomNormal", "RandomUniform", "STFT", "STFTInitializer",
    "TruncatedNormal", "VarianceScaling", "Zeros", "constant", "deserialize", "get",
    "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity", "lecun_normal",
    "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform", "serialize",
    "stft", "truncated_normal", "variance_scaling", "zeros",
]
