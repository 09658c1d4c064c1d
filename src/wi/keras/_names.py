"""Keras's initialiser names, each bound to wi's class where wi draws it, and get/serialize/deserialize.

``get("he_normal")``, ``deserialize({"class_name": "HeNormal", "config": {...}})`` and
Keras's own serialised configs (module ``keras.initializers``) give wi.keras's classes, as
``keras.initializers.get``/``deserialize`` give Keras's. Initialisers that draw nothing
(``Constant``, ``Zeros``, ``Ones``, ``Identity``, ``STFT``) and the base class are Keras's
own: their values have no stream to differ by.
"""
from __future__ import annotations

import inspect
import re

from ._base import keras
from ._orthogonal import Orthogonal
from ._random import RandomNormal, RandomUniform, TruncatedNormal
from ._variance import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    VarianceScaling,
)

Initializer = keras.initializers.Initializer
Constant = keras.initializers.Constant
Zeros = keras.initializers.Zeros
Ones = keras.initializers.Ones
Identity = keras.initializers.Identity
STFT = keras.initializers.STFT

RANDOM = (RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, HeNormal, HeUniform,
          GlorotNormal, GlorotUniform, LecunNormal, LecunUniform, Orthogonal)
DETERMINISTIC = (Constant, Zeros, Ones, Identity, STFT)


def snake_case(name: str) -> str:
    """Keras's lowercase name of a class name: HeNormal -> he_normal, STFT -> stft."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


# As keras.initializers.ALL_OBJECTS_DICT: class names, their snake case, Keras's aliases.
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (Initializer, *RANDOM, *DETERMINISTIC)}
ALL_OBJECTS_DICT.update({snake_case(name): cls for name, cls in list(ALL_OBJECTS_DICT.items())})
ALL_OBJECTS_DICT.update({
    "IdentityInitializer": Identity,
    "normal": RandomNormal,
    "one": Ones,
    "STFTInitializer": STFT,
    "OrthogonalInitializer": Orthogonal,
    "uniform": RandomUniform,
    "zero": Zeros,
})


def serialize(initializer):
    """The initialiser's configuration as a dict (``keras.initializers.serialize``)."""
    return keras.saving.serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """An initialiser from its configuration, Keras's names giving wi's classes.

    Example:
        >>> wi.keras.deserialize({"class_name": "HeNormal", "config": {"seed": 1}})
    """
    return keras.saving.deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )


def get(identifier):
    """An initialiser from a name, a config dict, a class, a callable or a tensor.

    As ``keras.initializers.get``, with Keras's names giving wi's classes: ``get("he_normal")``
    is ``wi.keras.HeNormal()``, ``get(None)`` is None, and an unknown name raises ValueError.
    A tensor or array gives a function returning it (Keras's).

    Example:
        >>> layer = keras.layers.Dense(8, kernel_initializer=wi.keras.get("glorot_uniform"))
    """
    if isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        return keras.initializers.get(identifier)  # None, a class, a callable, a tensor: Keras's rules
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
