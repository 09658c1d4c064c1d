r"""Fans and variance exactly as ``jax.nn.initializers.variance_scaling`` computes them (JAX >= 0.9).

.. math::
    n_\text{in} = \prod_{i \in \text{in\_axis}} d_i,\quad
    n_\text{out} = \prod_{i \in \text{out\_axis}} d_i,\quad
    r = \frac{\prod_i d_i}{n_\text{in}\, n_\text{out}\, n_\text{batch}},\quad
    \text{fan\_in} = n_\text{in} r,\quad \text{fan\_out} = n_\text{out} r

An int axis names one dimension, a sequence several, an empty sequence none (its product is 1,
so every other axis is receptive field: ``in_axis=[], out_axis=[]`` on (200, 300) gives fans of
60000). Like JAX, the axes are not checked for overlap and ``r`` is a float. Only a shape of
rank <= 1 with the default ``in_axis=-2`` is refused (JAX's message); any explicit axes work on
any rank, rank 0 included. An axis outside the shape raises NumPy's ``AxisError``, both the
ValueError of wi's convention and the IndexError JAX raises there. wi.compute_fans(layout="jax")
is the checked, integer version for wi's own initialisers; this module is JAX's arithmetic.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _args

MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


def _product(shape, axis, name):
    """The product of the dimensions `axis` names (an int, or a sequence of ints)."""
    try:
        items = tuple(axis)
    except TypeError:
        items = (axis,)  # one axis
    size = 1
    for a in items:
        try:
            a = _args.integer(a, name)
        except TypeError:
            raise TypeError(f"{name} must be an int or a sequence of ints (got {axis!r})") from None
        if not -len(shape) <= a < len(shape):
            raise np.exceptions.AxisError(
                f"{name} {a} is out of range for a shape of rank {len(shape)} (got shape {shape})"
            )
        size *= shape[a]
    return size


def fans(shape, in_axis=-2, out_axis=-1, batch_axis=()) -> tuple[float, float]:
    """(fan_in, fan_out) of a weight of `shape`, JAX's formula; (0, 0) for an empty shape."""
    if isinstance(in_axis, int) and not isinstance(in_axis, bool) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(
            f"Can't compute input and output sizes of a {len(shape)}-dimensional weights tensor "
            "with default in_axis. Must be at least 2D or specify in_axis explicitly. "
            f"(shape must have at least 2 dimensions with the default in_axis=-2; got shape {shape})"
        )
    in_size = _product(shape, in_axis, "in_axis")
    out_size = _product(shape, out_axis, "out_axis")
    batch_size = _product(shape, batch_axis, "batch_axis")
    if math.prod(shape) == 0:
        return 0.0, 0.0  # nothing will be drawn (JAX would divide by zero)
    receptive = math.prod(shape) / in_size / out_size / batch_size
    return in_size * receptive, out_size * receptive


def check_mode(mode):
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(
            f"invalid mode for variance scaling initializer: {mode} "
            f"(mode must be one of {', '.join(map(repr, MODES))})"
        )


def check_distribution(distribution):
    if not isinstance(distribution, str) or distribution not in DISTRIBUTIONS:
        raise ValueError(
            f"invalid distribution for variance scaling initializer: {distribution} "
            f"(distribution must be one of {', '.join(map(repr, DISTRIBUTIONS))})"
        )


def variance(scale: float, mode: str, fan_in: float, fan_out: float) -> float:
    """scale / n, n the fan `mode` names (JAX's denominators)."""
    if fan_in == 0 or fan_out == 0:
        return scale  # an empty array: any finite value, nothing is drawn
    if mode == "fan_in":
        return scale / fan_in
    if mode == "fan_out":
        return scale / fan_out
    if mode == "fan_avg":
        return scale / ((fan_in + fan_out) / 2)
    # fan_geo_avg, sqrt(fan_in * fan_out), in the arithmetic wi has always used for it (a
    # fan_in-relative scale), so its values do not change.
    return scale * fan_in / math.sqrt(fan_in * fan_out) / fan_in
