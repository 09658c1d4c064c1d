r"""Complex fills on wi streams, drawn as ``jax.nn.initializers`` draws them.

Complex element ``i`` of a fill takes the two stream elements ``offset + 2i`` and
``offset + 2i + 1``: the array is filled through its real view of shape ``(*shape, 2)``
(real part first, as complex numbers lie in memory), so region fills and shardings work
as for real arrays. What the two elements become (``u``: wi's uniform on [0, 1) of the
part's float type, ``z``: wi's standard normal):

- ``fill_complex_normal``: :math:`(z_{2i} + i z_{2i+1})\,\sigma/\sqrt 2`, so
  :math:`E|x|^2 = \sigma^2` (``jax.random.normal`` on a complex dtype);
- ``fill_complex_disk``: :math:`\sigma\sqrt{2u_{2i}}\,e^{2\pi i u_{2i+1}}`, uniform on the
  disk of radius :math:`\sigma\sqrt 2` (JAX's ``_complex_uniform``, :math:`E|x|^2=\sigma^2`);
- ``fill_complex_truncated``: :math:`\sigma\sqrt{-\ln(1 - (1 - e^{-c^2})u_{2i})}\,
  e^{2\pi i u_{2i+1}}`, a complex normal whose modulus is cut at :math:`c\sigma`
  (JAX's ``_complex_truncated_normal``).

The polar forms are computed in float64 from the part-precision uniforms and rounded once.
"""

from __future__ import annotations

import math

import numpy as np

import wi

from .. import _args

from . import _dtypes


def _real_view(buf, global_shape, start):
    """buf's (*shape, 2) real view and the region arguments that place it."""
    if not isinstance(buf, np.ndarray) or not _dtypes.is_complex(buf.dtype):
        raise _dtypes.DtypeError(
            f"buf must be a complex64 or complex128 numpy.ndarray (got {getattr(buf, 'dtype', type(buf).__name__)})"
        )
    if not buf.flags.c_contiguous:
        raise ValueError("buf must be C-contiguous (got a strided view)")
    parts = buf.reshape(-1).view(_dtypes.real_part(buf.dtype)).reshape(buf.shape + (2,))
    if global_shape is not None:
        global_shape = tuple(global_shape) + (2,)
    if start is not None:
        start = tuple(start) + (0,)
    return parts, global_shape, start


def fill_complex_normal(buf, std, *, seed, stream=0, offset=0, global_shape=None, start=None):
    """Fill the complex ``buf`` with a circular normal of :math:`E|x|^2 = \\text{std}^2`; returns buf."""
    parts, global_shape, start = _real_view(buf, global_shape, start)
    wi.fill_normal(parts, 0.0, std / math.sqrt(2.0), seed=seed, stream=stream, offset=offset,
                   global_shape=global_shape, start=start)
    return buf


def _polar(buf, radius, seed, stream, offset, global_shape, start):
    """Fill buf with radius(u_r) * (cos + i sin)(2 pi u_theta) from its elements' two uniforms."""
    parts, global_shape, start = _real_view(buf, global_shape, start)
    u = wi.fill_uniform(np.empty_like(parts), 0.0, 1.0, seed=seed, stream=stream, offset=offset,
                        global_shape=global_shape, start=start)
    r = radius(u[..., 0].astype(np.float64))
    theta = u[..., 1].astype(np.float64)
    theta *= 2.0 * np.pi
    parts[..., 0] = r * np.cos(theta)
    parts[..., 1] = r * np.sin(theta)
    return buf


def fill_complex_disk(buf, std, *, seed, stream=0, offset=0, global_shape=None, start=None):
    """Fill the complex ``buf`` uniformly on the disk of radius ``std * sqrt(2)``; returns buf."""
    std = _args.non_negative(std, "std")
    return _polar(buf, lambda u: std * np.sqrt(2.0 * u), seed, stream, offset, global_shape, start)


def fill_complex_truncated(buf, std, cut, *, seed, stream=0, offset=0, global_shape=None, start=None):
    """Fill the complex ``buf`` with a circular normal (``std``) whose modulus is cut at ``cut * std``."""
    std = _args.non_negative(std, "std")
    cut = _args.positive(cut, "cut")
    mass = -math.expm1(-cut * cut)  # P(|z| <= cut) for a unit complex normal
    return _polar(buf, lambda u: std * np.sqrt(-np.log1p(-mass * u)), seed, stream, offset, global_shape, start)
