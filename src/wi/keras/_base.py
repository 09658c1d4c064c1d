"""What every random wi.keras initialiser shares: Keras's seed rules on wi's streams.

A ``seed`` is what Keras takes (an int, None, a ``keras.random.SeedGenerator`` or the
config dict of one) and decides which Philox key a call uses:

- an int is the key itself (wi's 64-bit seed), so every call gives the same values;
- None picks an int once, when the initialiser is made, with Python's ``random`` exactly as
  Keras does (``keras.utils.set_random_seed`` fixes it);
- a SeedGenerator is asked for a new state at every call (``SeedGenerator.next()``, which
  advances it as Keras's own initialisers do), and its two 32-bit words ``(s0, s1)`` are the
  key's low and high words: ``seed = s0 + 2**32 * s1`` (an int32 state, as on the torch
  backend, is read as the uint32 bit pattern). A fresh ``SeedGenerator(1337)`` hands out the
  states ``[1337, 0], [1337, 1], ...``, so the k-th call draws from key ``1337 + 2**32 * k`` on
  every backend.

``stream`` (wi's) picks one of 2^64 independent streams for every key.
"""
from __future__ import annotations

import random

import numpy as np

import wi

from .. import _engine
from .._args import describe
from ._errors import TypeAndValueError

keras = _engine.require("keras", "keras")
register = keras.saving.register_keras_serializable(package="wi")


def numpy_dtype(dtype) -> np.dtype:
    """The NumPy dtype a fill writes for Keras's ``dtype`` (None: ``keras.backend.floatx()``)."""
    name = keras.backend.standardize_dtype(dtype)
    if name == "bfloat16":
        import ml_dtypes  # a Keras dependency

        return np.dtype(ml_dtypes.bfloat16)
    found = np.dtype(name)
    if found.kind != "f":
        raise TypeError(f"dtype must be a floating-point dtype such as 'float32' (got {name!r})")
    return found


def shape_tuple(shape) -> tuple[int, ...]:
    """Keras's ``shape`` (a tuple, list or TensorShape of ints) as a tuple of ints."""
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"shape must be a sequence of ints (got {describe(shape)})") from None


def key_words(state) -> int:
    """The 64-bit wi seed of a SeedGenerator state: its two words, low word first."""
    words = np.asarray(keras.ops.convert_to_numpy(state)).reshape(-1).astype(np.int64) & 0xFFFFFFFF
    return int(words[0]) | int(words[1]) << 32


class WiRandom:
    """Mixin placed before a Keras initialiser class: seed and stream as Keras and wi take them.

    A subclass sets its own arguments, calls ``_seed_and_stream`` and implements ``_fill(buf,
    seed)``. ``get_config`` is the Keras class's config plus ``stream``."""

    def _seed_and_stream(self, seed, stream):
        self._init_seed = seed  # what get_config gives back, as in Keras
        if isinstance(seed, dict):  # a serialised SeedGenerator, as Keras's initialisers take it
            seed = keras.saving.deserialize_keras_object(seed)
        if seed is not None and not isinstance(seed, keras.random.SeedGenerator) and (
                isinstance(seed, bool) or not isinstance(seed, int)):
            # Keras raises ValueError here, wi TypeError: this error is both.
            raise TypeAndValueError(
                f"seed must be an int or None, a keras.random.SeedGenerator or its config dict "
                f"(got {describe(seed)}: {seed!r})"
            )
        # Checks an int seed (0 <= seed < 2**64) and the stream, writing nothing.
        wi.fill_raw(np.empty(0, np.uint32), seed=seed if isinstance(seed, int) else 0, stream=stream)
        # Keras's default seed rule (keras.src.random.seed_generator.make_default_seed).
        self.seed = random.randint(1, int(1e9)) if seed is None else seed
        self.stream = stream

    def _draw_seed(self) -> int:
        """This call's key: the int seed, or the next state of the SeedGenerator."""
        if isinstance(self.seed, keras.random.SeedGenerator):
            state = self.seed.next()
            try:
                return key_words(state)
            except TypeError as exc:  # a tracer (JAX's conversion errors are TypeErrors)
                raise TypeError(
                    "seed: a keras.random.SeedGenerator cannot be read inside a traced function "
                    "(jax.jit): wi.keras fills on the host, so give it an int seed there"
                ) from exc
        return self.seed

    def __call__(self, shape, dtype=None):
        buf = np.empty(shape_tuple(shape), numpy_dtype(dtype))
        self._fill(buf, self._draw_seed())
        return keras.ops.convert_to_tensor(buf, dtype=dtype)

    def _fill(self, buf, seed):
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "stream": self.stream}
