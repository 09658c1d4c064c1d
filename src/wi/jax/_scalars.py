"""Scalar arguments as ``jax.nn.initializers`` takes them: numbers or 0-d arrays, perhaps traced.

JAX multiplies its samples by ``jnp.array(scale, dtype)``, so ``scale=jnp.asarray(0.5)`` or a
NumPy scalar works there, and so does a value traced by ``jax.jit`` (``jnp.asarray(0.5)``
written inside a jitted function is one). wi fills with Python floats: a concrete scalar is
read now; a traced one is kept, and ``_call`` hands it to the host fill as an operand of the
``jax.pure_callback``, where it is concrete.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _jax
from .._args import describe


def is_traced(x) -> bool:
    return isinstance(x, _jax.core.Tracer)


def scalar(x, name):
    """A real scalar argument as a Python float, or a traced 0-d real array as it is.

    Raises TypeError for a non-number (bool, complex, str, ...) and ValueError for an array
    of more than one element, naming the argument.
    """
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        return float(x)
    shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
    if shape is None or dtype is None:
        raise TypeError(f"{name} must be a real number or a 0-d array (got {describe(x)})")
    jnp = _jax.numpy
    if not (jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.integer)):
        raise TypeError(f"{name} must be a real number or a 0-d array of reals (got dtype {np.dtype(dtype).name})")
    if tuple(shape) != ():
        raise ValueError(f"{name} must be a scalar: a number or a 0-d array (got an array of shape {tuple(shape)})")
    if is_traced(x):
        return x
    return float(np.asarray(x))
