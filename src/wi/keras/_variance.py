"""VarianceScaling and its presets (He, Glorot, LeCun): Keras's classes, wi's values.

They subclass ``keras.initializers.VarianceScaling`` (the presets also their Keras namesake),
so Keras layers treat them as Keras's own: ``EinsumDense`` (hence ``MultiHeadAttention``)
hands a variance-scaling initialiser the kernel's input and output axes, and the fans come
from those axes. The fans are Keras's ``compute_fans``:

- with both ``input_axes`` and ``output_axes``: the products of the sizes on those axes;
- otherwise ``[*kernel, in, out]`` (``wi.compute_fans(shape, "keras")``): rank 0 gives
  (1, 1), rank 1 (n, n).
"""
from __future__ import annotations

import math
import operator

from .._args import describe
from .._fans import compute_fans
from .._generator import global_generator
from .._initializers import variance_scaling_distribution
from . import _checks
from ._base import WiRandom, keras, register


def _axis_sizes(shape, axes, name):
    """The sizes of shape on Keras's axes (negative ones count from the end)."""
    try:
        axes = [operator.index(a) for a in axes]
    except TypeError:
        raise TypeError(f"{name} must be a list of ints (got {describe(axes)})") from None
    for a in axes:
        if not -len(shape) <= a < len(shape):
            raise ValueError(f"{name} must be axes of the shape {shape} (got {a} in {list(axes)})")
    return [shape[a] for a in axes]


def keras_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) by Keras's rule (keras.initializers.VarianceScaling's compute_fans)."""
    if input_axes is not None and output_axes is not None:
        return (math.prod(_axis_sizes(shape, input_axes, "input_axes")),
                math.prod(_axis_sizes(shape, output_axes, "output_axes")))
    return compute_fans(shape, "keras")


@register
class VarianceScaling(WiRandom, keras.initializers.VarianceScaling):
    r"""Variance ``scale / n``, as ``keras.initializers.VarianceScaling``, on wi's streams.

    With :math:`n` = fan_in, fan_out or their mean by ``mode`` (at least 1) and
    :math:`v = \text{scale} / n`: ``"truncated_normal"`` (also ``"normal"``, as in Keras) is
    :math:`\mathcal{N}(0, \sigma^2)` cut at :math:`\pm 2\sigma` with
    :math:`\sigma = \sqrt{v} / 0.87962566103423978`; ``"untruncated_normal"`` is
    :math:`\mathcal{N}(0, v)`; ``"uniform"`` is :math:`\mathcal{U}(-\sqrt{3v}, \sqrt{3v})`.
    Fans: see the module. Glorot & Bengio (2010), He et al. (2015), LeCun et al. (1998).
    The values are ``wi.variance_scaling_(buf, scale, mode, distribution, layout="keras",
    seed=seed, stream=stream)`` whenever the fans are the layout's.

    Example:
        >>> init = wi.keras.VarianceScaling(2.0, "fan_in", "uniform", seed=0)
        >>> w = init((784, 256))
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None, stream=0):
        self.scale = _checks.scale(scale)
        self.mode = _checks.mode(mode)
        self.distribution = _checks.distribution(distribution)
        self.input_axes = input_axes
        self.output_axes = output_axes
        self._seed_and_stream(seed, stream)

    def _fill(self, buf, seed):
        fan_in, fan_out = keras_fans(buf.shape, self.input_axes, self.output_axes)
        # A Keras (fan_in, fan_out) matrix has exactly these fans: the one distribution rule.
        dist = variance_scaling_distribution((fan_in, fan_out), self.scale, self.mode,
                                             self.distribution, layout="keras")
        global_generator.fill(buf, dist, seed=seed, stream=self.stream)


def _preset(keras_class, scale, mode, distribution, paper):
    """wi's namesake of a Keras preset: a VarianceScaling with fixed scale, mode and distribution."""
    name = keras_class.__name__

    def __init__(self, seed=None, input_axes=None, output_axes=None, stream=0):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes, stream)

    doc = (f"``VarianceScaling({scale}, {mode!r}, {distribution!r})``, as ``keras.initializers.{name}``"
           f" ({paper}), on wi's stream ``(seed, stream)``.\n\n    Example:\n"
           f"        >>> layer = keras.layers.Dense(64, kernel_initializer=wi.keras.{name}(seed=0))\n")
    cls = type(name, (VarianceScaling, keras_class),
               {"__init__": __init__, "__doc__": doc, "__module__": __name__})
    return register(cls)


HeNormal = _preset(keras.initializers.HeNormal, 2.0, "fan_in", "truncated_normal", "He et al. 2015")
HeUniform = _preset(keras.initializers.HeUniform, 2.0, "fan_in", "uniform", "He et al. 2015")
GlorotNormal = _preset(keras.initializers.GlorotNormal, 1.0, "fan_avg", "truncated_normal",
                       "Glorot & Bengio 2010")
GlorotUniform = _preset(keras.initializers.GlorotUniform, 1.0, "fan_avg", "uniform", "Glorot & Bengio 2010")
LecunNormal = _preset(keras.initializers.LecunNormal, 1.0, "fan_in", "truncated_normal", "Klambauer et al. 2017")
LecunUniform = _preset(keras.initializers.LecunUniform, 1.0, "fan_in", "uniform", "Klambauer et al. 2017")
