"""Keras's argument rules with Keras's messages, and wi's types.

Each message starts with the words Keras's own initialisers use ("Argument `scale` must be
positive float", "Invalid `mode` argument: ...") so code matching Keras's errors matches
these, and goes on in wi's form (the argument, what was expected, what was given). wi is
stricter where Keras lets a bad value through to the weights: a NaN or infinite scale, a mode
or distribution that is not a str.
"""
from __future__ import annotations

import math
import numbers

from .._args import describe, quoted
from ._base import keras
from ._errors import TypeAndValueError

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def number(x, name):
    """A real number as given, or a scalar tensor or 0-d array as a float (Keras takes those)."""
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return x
    if not isinstance(x, (bool, str)) and tuple(getattr(x, "shape", (None,))) == ():
        value = keras.ops.convert_to_numpy(x)
        if value.dtype.kind in "iuf":
            return float(value)
    raise TypeError(f"{name} must be a real number or a scalar tensor (got {describe(x)})")


def finite(x, name):
    """A finite real number (Keras lets NaN and infinity through to the weights; wi does not)."""
    x = number(x, name)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite (got {x})")
    return x


def stddev(x):
    """A normal's ``stddev``: finite and >= 0 (0 gives the constant mean)."""
    x = finite(x, "stddev")
    if x < 0:
        raise ValueError(f"stddev must be >= 0 (got {x})")
    return x


def bounds(minval, maxval):
    """A uniform's ``minval <= maxval``, both finite."""
    minval, maxval = finite(minval, "minval"), finite(maxval, "maxval")
    if minval > maxval:
        raise ValueError(f"minval must be <= maxval (got minval={minval}, maxval={maxval})")
    return minval, maxval


def scale(x):
    """Keras's ``scale``: a positive number (and, in wi, a finite one)."""
    x = number(x, "scale")
    if not (math.isfinite(x) and x > 0):
        raise ValueError(
            f"Argument `scale` must be positive float. Received: scale={x} "
            "(scale must be a positive finite number)"
        )
    return x


def mode(x):
    """Keras's ``mode``: one of fan_in, fan_out, fan_avg."""
    if not isinstance(x, str):
        raise TypeAndValueError(
            f"Invalid `mode` argument: {x!r}. mode must be a str, one of {quoted(MODES)} (got {describe(x)})"
        )
    if x not in MODES:
        raise ValueError(f"Invalid `mode` argument: {x}. mode must be one of {quoted(MODES)} (got {x!r})")
    return x


def distribution(x):
    """Keras's ``distribution``, lower-cased, with ``"normal"`` meaning the truncated normal."""
    if not isinstance(x, str):
        raise TypeAndValueError(
            f"Invalid `distribution` argument: {x!r}. distribution must be a str, one of "
            f"{quoted(DISTRIBUTIONS)} or 'normal' (got {describe(x)})"
        )
    x = x.lower()
    x = "truncated_normal" if x == "normal" else x
    if x not in DISTRIBUTIONS:
        raise ValueError(
            f"Invalid `distribution` argument: {x}. distribution must be one of "
            f"{quoted(DISTRIBUTIONS)} or 'normal' (got {x!r})"
        )
    return x
