"""The dtype an initialiser makes: JAX's default and canonicalisation, and which dtypes wi fills.

``jax.nn.initializers`` takes ``dtype=None`` as the default float (float32, float64 with
``jax_enable_x64``) and canonicalises what it is given (float64 becomes float32 without x64),
so the result's dtype is ``jax.dtypes.canonicalize_dtype(dtype)``. wi fills float16,
bfloat16, float32 and float64 and, through their real and imaginary parts (docs/stream.md),
complex64 and complex128.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _jax

REAL = tuple(np.dtype(d) for d in (np.float16, _jax.numpy.bfloat16, np.float32, np.float64))
COMPLEX = (np.dtype(np.complex64), np.dtype(np.complex128))


class DtypeError(TypeError, ValueError):
    """A dtype the initialiser cannot make: a TypeError as wi raises for a wrong dtype, and a
    ValueError as JAX's samplers raise (``dtype argument to `uniform` must be a float dtype``),
    so code written against either catches it."""


def canonical(dtype) -> np.dtype:
    """JAX's rule: None is the default float; 64-bit types become 32-bit without x64, with
    JAX's warning."""
    if dtype is None:
        return np.dtype(_jax.dtypes.canonicalize_dtype(_jax.numpy.result_type(float)))
    try:
        asked, got = np.dtype(dtype), np.dtype(_jax.dtypes.canonicalize_dtype(dtype))
    except TypeError:
        raise DtypeError(f"dtype must be a floating-point dtype such as jax.numpy.float32 (got {dtype!r})") from None
    if got != asked:
        warnings.warn(
            f"Explicitly requested dtype {asked.name} is not available, and will be truncated to dtype "
            f"{got.name}. To enable more dtypes, set the jax_enable_x64 configuration option or the "
            "JAX_ENABLE_X64 shell environment variable. See https://github.com/jax-ml/jax#current-gotchas "
            "for more.",
            stacklevel=3,  # the caller of init
        )
    return got


def check(dtype: np.dtype, name: str, complex_ok: bool) -> np.dtype:
    """dtype if the initialiser `name` can make it, else DtypeError naming what it can."""
    allowed = REAL + COMPLEX if complex_ok else REAL
    if dtype not in allowed:
        kinds = "a float or complex" if complex_ok else "a float"
        raise DtypeError(  # JAX's message, then what wi can fill
            f"dtype argument to `{name}` must be {kinds} dtype, got {dtype.name} "
            f"(wi fills {', '.join(d.name for d in allowed)})"
        )
    return dtype


def is_complex(dtype: np.dtype) -> bool:
    return dtype.kind == "c"


def real_part(dtype: np.dtype) -> np.dtype:
    """The dtype of a complex dtype's real and imaginary parts (float32 for complex64)."""
    return np.dtype(np.float32) if dtype == COMPLEX[0] else np.dtype(np.float64)
