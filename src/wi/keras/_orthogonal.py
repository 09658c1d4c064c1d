"""Orthogonal: Keras's (semi-)orthogonal initialiser with its normal draws from wi's streams."""
from __future__ import annotations

import math

import numpy as np

import wi

from . import _checks
from .._haar import haar_q
from ._base import WiRandom, keras, register


def orthogonal_values(shape, gain, seed, stream):
    """The float64 array of ``shape`` that ``Orthogonal(gain, seed, stream)`` gives.

    Keras's algorithm: rows = prod(shape[:-1]), cols = shape[-1]; A is the (max(rows, cols),
    min(rows, cols)) matrix whose row-major element i is float64 element i of wi's N(0, 1)
    stream (seed, stream); A = QR (reduced, NumPy's LAPACK); Q's columns are multiplied by
    sign(diag R) so that Q is Haar-distributed (Mezzadri 2007); Q is transposed when rows <
    cols, so the result has orthonormal columns (rows, if fewer), times gain.
    """
    rows, cols = math.prod(shape[:-1]), shape[-1]
    a = wi.fill_normal(np.empty((max(rows, cols), min(rows, cols))), 0.0, 1.0, seed=seed, stream=stream)
    q = haar_q(a)
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


@register
class Orthogonal(WiRandom, keras.initializers.Orthogonal):
    r"""A (semi-)orthogonal matrix, as ``keras.initializers.Orthogonal``, from wi's normals.

    Saxe et al. (2014), "Exact solutions to the nonlinear dynamics of learning in deep linear
    neural networks". A tensor of rank > 2 is the orthogonal matrix of shape
    ``(prod(shape[:-1]), shape[-1])`` reshaped. Computed in float64 on the host (the same
    values on every Keras backend), then cast to ``dtype``; see `orthogonal_values`.

    Example:
        >>> w = wi.keras.Orthogonal(gain=2.0, seed=0)((5, 5))    # w.T @ w == 4 * eye(5)
    """

    def __init__(self, gain=1.0, seed=None, stream=0):
        self.gain = _checks.finite(gain, "gain")
        self._seed_and_stream(seed, stream)

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return super().__call__(shape, dtype)

    def _fill(self, buf, seed):
        buf[...] = orthogonal_values(buf.shape, self.gain, seed, self.stream)
