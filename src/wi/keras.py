"""Keras 3 initialisers drawn by wi, with Keras's names, defaults and formulas.

    import wi.keras
    layer = keras.layers.Dense(256, kernel_initializer=wi.keras.HeNormal(seed=3))

``HeNormal``, ``HeUniform``, ``GlorotNormal``, ``GlorotUniform``, ``LecunNormal``,
``LecunUniform``, ``RandomNormal``, ``RandomUniform``, ``TruncatedNormal`` and
``VarianceScaling`` take the arguments of their ``keras.initializers``
namesakes plus wi's ``stream``, and compute what Keras computes: its fan rule
(``[*kernel, in, out]``, or ``input_axes``/``output_axes``), its scales, and its
truncation at two standard deviations (``HeNormal``, ``GlorotNormal`` and
``LecunNormal`` are truncated normals whose sigma is divided by
0.87962566103423978). The values are wi's: ``HeNormal(seed=3)`` on a
``(32, 64)`` kernel equals ``wi.variance_scaling_(buf, 2.0, "fan_in",
"truncated_normal", layout="keras", seed=3)``, on every backend.

As in Keras, ``seed=None`` picks a seed once, when the initialiser is made
(with Python's ``random``, so ``keras.utils.set_random_seed`` fixes it), and
every call of that initialiser gives the same values. ``seed`` is an int:
a ``keras.random.SeedGenerator`` has no wi counterpart. The fill runs in NumPy
on the host and the result becomes a tensor of the active backend. The classes
are registered for serialisation (``keras.initializers.serialize`` /
``deserialize``, saved models) under the package name ``wi``.

Needs the ``keras`` extra (``pip install "weightinit[keras]"``) and a Keras
backend (``KERAS_BACKEND=jax``, ``torch``, ``numpy`` or ``tensorflow``).
"""

from __future__ import annotations

import random

import numpy as np

import wi

from . import _engine

_keras = _engine.require("keras", "keras")

__all__ = [
    "VarianceScaling",
    "HeNormal",
    "HeUniform",
    "GlorotNormal",
    "GlorotUniform",
    "LecunNormal",
    "LecunUniform",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
]

_register = _keras.saving.register_keras_serializable(package="wi")


def _numpy_dtype(dtype) -> np.dtype:
    name = _keras.backend.standardize_dtype(dtype)  # None: keras.backend.floatx()
    if name == "bfloat16":
        import ml_dtypes  # a Keras dependency

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


class _WiInitializer(_keras.initializers.Initializer):
    """Seed and stream handling shared by every wi.keras initialiser."""

    def __init__(self, seed=None, stream=0):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(
                f"seed must be an int or None (got {type(seed).__name__}; wi.keras draws from "
                "wi's counter-based streams, which a keras.random.SeedGenerator cannot drive)"
            )
        self._init_seed = seed
        self.seed = random.randint(1, 10**9) if seed is None else seed  # Keras's default seed rule
        self.stream = stream
        wi.fill_raw(np.empty(0, np.uint32), seed=self.seed, stream=stream)  # checks seed and stream

    def __call__(self, shape, dtype=None):
        buf = np.empty(tuple(shape), _numpy_dtype(dtype))
        self._fill(buf)
        return _keras.ops.convert_to_tensor(buf, dtype=dtype)

    def _fill(self, buf):
        raise NotImplementedError

    def get_config(self):
        return {"seed": self._init_seed, "stream": self.stream}


class _MeanStddev(_WiInitializer):
    """The normals' arguments: Keras's mean and stddev, default 0 and 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, stream=0):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed, stream)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@_register
class RandomNormal(_MeanStddev):
    """N(mean, stddev^2), as ``keras.initializers.RandomNormal``."""

    def _fill(self, buf):
        wi.fill_normal(buf, self.mean, self.stddev, seed=self.seed, stream=self.stream)


@_register
class TruncatedNormal(_MeanStddev):
    """N(mean, stddev^2) cut to mean +- 2 stddev, as ``keras.initializers.TruncatedNormal``."""

    def _fill(self, buf):
        low, high = self.mean - 2 * self.stddev, self.mean + 2 * self.stddev
        wi.fill_truncated_normal(buf, self.mean, self.stddev, low, high, seed=self.seed, stream=self.stream)


@_register
class RandomUniform(_WiInitializer):
    """U(minval, maxval), as ``keras.initializers.RandomUniform``."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None, stream=0):
        self.minval, self.maxval = minval, maxval
        super().__init__(seed, stream)

    def _fill(self, buf):
        wi.fill_uniform(buf, self.minval, self.maxval, seed=self.seed, stream=self.stream)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")


@_register
class VarianceScaling(_WiInitializer):
    """Variance ``scale / n``, as ``keras.initializers.VarianceScaling`` (see :func:`wi.variance_scaling_`).

    As in Keras, ``distribution="normal"`` means the truncated normal; the
    plain one is ``"untruncated_normal"``. With both ``input_axes`` and
    ``output_axes`` given, the fans are the products of those axes alone.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None, stream=0):
        if isinstance(distribution, str):
            distribution = distribution.lower()
            distribution = "truncated_normal" if distribution == "normal" else distribution
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(map(repr, _MODES))} (got {mode!r})")
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"distribution must be one of {', '.join(map(repr, _DISTRIBUTIONS))} or 'normal' "
                f"(got {distribution!r})"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed, stream)
        # The scale is checked by a fill of nothing (it raises TypeError/ValueError naming scale).
        wi.variance_scaling_(np.empty((0, 0), np.float32), scale, mode, distribution, layout="keras", seed=0)

    def _axes(self, ndim):
        """wi's axes for Keras's explicit fans: every other axis is a batch axis, not receptive field."""
        if self.input_axes is None or self.output_axes is None:
            return {}
        ins = [a % ndim for a in self.input_axes]
        outs = [a % ndim for a in self.output_axes]
        rest = [a for a in range(ndim) if a not in ins and a not in outs]
        return {"in_axis": ins, "out_axis": outs, "batch_axis": rest}

    def _fill(self, buf):
        wi.variance_scaling_(
            buf, self.scale, self.mode, self.distribution, layout="keras",
            seed=self.seed, stream=self.stream, **self._axes(buf.ndim),
        )

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes, **super().get_config()}


def _preset(name, scale, mode, distribution):
    """A VarianceScaling with fixed scale, mode and distribution, as Keras's named initialisers."""

    def __init__(self, seed=None, input_axes=None, output_axes=None, stream=0):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes, stream)

    def get_config(self):
        return {"seed": self._init_seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes, "stream": self.stream}

    doc = (f"``VarianceScaling({scale}, {mode!r}, {distribution!r})``, as "
           f"``keras.initializers.{name}``.")
    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "__doc__": doc, "__module__": __name__})
    return _register(cls)


HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform")
