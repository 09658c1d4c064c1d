"""RandomNormal, TruncatedNormal and RandomUniform: Keras's classes, wi's values.

Each is a subclass of its ``keras.initializers`` namesake (same arguments, defaults, config,
``isinstance``) whose call fills a NumPy buffer from wi's stream ``(seed, stream)``: element i
of the row-major array is element i of the stream (docs/stream.md).
"""
from __future__ import annotations

import wi

from . import _checks
from ._base import WiRandom, keras, register


class _MeanStddev(WiRandom):
    """The normals' arguments, Keras's ``mean=0.0, stddev=0.05``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, stream=0):
        self.mean = _checks.finite(mean, "mean")
        self.stddev = _checks.stddev(stddev)
        self._seed_and_stream(seed, stream)


@register
class RandomNormal(_MeanStddev, keras.initializers.RandomNormal):
    r"""Normal draws :math:`\mathcal{N}(\text{mean}, \text{stddev}^2)`, as
    ``keras.initializers.RandomNormal``, on wi's stream ``(seed, stream)``.

    Example:
        >>> layer = keras.layers.Dense(3, kernel_initializer=wi.keras.RandomNormal(stddev=0.02, seed=0))
    """

    def _fill(self, buf, seed):
        wi.fill_normal(buf, self.mean, self.stddev, seed=seed, stream=self.stream)


@register
class TruncatedNormal(_MeanStddev, keras.initializers.TruncatedNormal):
    r"""Normal draws cut to :math:`\text{mean} \pm 2\,\text{stddev}`, as
    ``keras.initializers.TruncatedNormal`` (``stddev`` is the parent normal's, as in Keras).

    wi draws by inverse CDF instead of re-drawing, so each value depends only on its own
    counter; the distribution is the same.

    Example:
        >>> init = wi.keras.TruncatedNormal(stddev=0.02, seed=0, stream=1)
    """

    def _fill(self, buf, seed):
        low, high = self.mean - 2 * self.stddev, self.mean + 2 * self.stddev
        wi.fill_truncated_normal(buf, self.mean, self.stddev, low, high, seed=seed, stream=self.stream)


@register
class RandomUniform(WiRandom, keras.initializers.RandomUniform):
    r"""Uniform draws :math:`\mathcal{U}(\text{minval}, \text{maxval})`, as
    ``keras.initializers.RandomUniform`` (Keras's defaults -0.05 and 0.05).

    Example:
        >>> init = wi.keras.RandomUniform(-0.1, 0.1, seed=0)
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None, stream=0):
        self.minval, self.maxval = _checks.bounds(minval, maxval)
        self._seed_and_stream(seed, stream)

    def _fill(self, buf, seed):
        wi.fill_uniform(buf, self.minval, self.maxval, seed=seed, stream=self.stream)
