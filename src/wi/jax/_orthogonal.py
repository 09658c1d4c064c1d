r"""(Semi-)orthogonal and delta-orthogonal weights from wi normals, with JAX's shape rules.

``orthogonal_values``: the weight seen as a ``rows x cols`` matrix (``cols`` the size of
``column_axis``, moved last; ``rows`` the product of the other dimensions) starts as
:math:`A`, a matrix of standard normals in float64 (complex128 for complex dtypes, drawn as
in ``_complex``) whose row-major element ``i`` is stream element ``i``. With :math:`A = QR`
(NumPy's LAPACK QR of :math:`A`, or of :math:`A^T` when ``rows < cols``, transposed back), the
columns of :math:`Q` are multiplied by the phases :math:`R_{jj}/|R_{jj}|`, which makes
:math:`Q` Haar-distributed (Mezzadri 2007, "How to generate random matrices from the classical
compact groups"; what ``jax.random.orthogonal`` does). The result is ``scale`` times
:math:`Q`, rounded once to the dtype: the same key gives the same matrix for every dtype.
This is the stream rule of ``wi.torch.orthogonal_`` (torch's QR there, NumPy's here).

``delta_orthogonal_values``: Xiao et al. (2018), "Dynamical Isometry and a Mean Field Theory of
CNNs": zeros except the kernel's centre tap, which is ``orthogonal_values`` of
``shape[-2:]`` (JAX's rule: the same key's orthogonal matrix of that shape).
"""

from __future__ import annotations

import math

import numpy as np

import wi

from . import _complex, _dtypes
from .._haar import haar_q


def check_orthogonal(shape, column_axis):
    """JAX's errors for a shape orthogonal cannot fill (rank < 2; column_axis outside it)."""
    if len(shape) < 2:
        raise ValueError(f"orthogonal initializer requires at least a 2D shape (got shape {shape})")
    if not -len(shape) <= column_axis < len(shape):
        raise np.exceptions.AxisError(
            f"column_axis {column_axis} is out of range for a shape of rank {len(shape)} (got shape {shape})"
        )


def check_delta_orthogonal(shape, column_axis):
    """JAX's errors for a shape delta_orthogonal cannot fill (rank not 3-5; in > out)."""
    if len(shape) not in (3, 4, 5):
        raise ValueError(f"Delta orthogonal initializer requires a 3D, 4D or 5D shape. (got shape {shape})")
    if shape[-1] < shape[-2]:
        raise ValueError(
            "`fan_in` must be less or equal than `fan_out`. "
            f"(got shape {shape}: in {shape[-2]} > out {shape[-1]})"
        )
    check_orthogonal(shape[-2:], column_axis)


def orthogonal_values(shape, column_axis, scale, dtype, seed, stream):
    """The whole orthogonal weight of `shape` as a NumPy array of `dtype` (JAX's layout)."""
    check_orthogonal(shape, column_axis)
    if math.prod(shape) == 0:
        return np.zeros(shape, dtype)
    cols = shape[column_axis]
    rows = math.prod(shape) // cols
    if _dtypes.is_complex(dtype):
        a = _complex.fill_complex_normal(np.empty((rows, cols), np.complex128), 1.0, seed=seed, stream=stream)
    else:
        a = wi.fill_normal(np.empty((rows, cols), np.float64), 0.0, 1.0, seed=seed, stream=stream)
    q = haar_q(a.T).T if rows < cols else haar_q(a)
    moved = (scale * q).reshape(tuple(np.delete(shape, column_axis)) + (cols,))
    return np.moveaxis(moved, -1, column_axis).astype(dtype)


def delta_orthogonal_values(shape, column_axis, scale, dtype, seed, stream):
    """The whole delta-orthogonal kernel of `shape` (3-D, 4-D or 5-D, in <= out)."""
    check_delta_orthogonal(shape, column_axis)
    w = np.zeros(shape, dtype)
    if math.prod(shape) == 0:
        return w
    w[tuple((k - 1) // 2 for k in shape[:-2])] = orthogonal_values(shape[-2:], column_axis, scale, dtype, seed, stream)
    return w
