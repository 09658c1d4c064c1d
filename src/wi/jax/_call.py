"""One initialiser call, ``init(key, shape, dtype, out_sharding)``: eager, traced or sharded.

A factory (``initializers.normal(0.02)``, ...) gives ``initializer(plan, ...)`` a plan: a
function of ``(shape, dtype, **scalars)`` that checks them and returns a ``Draw``, what the call
draws. A ``Draw`` is either a wi region fill (any block from its global index, so it can be
filled shard by shard) or a function giving the whole array at once (orthogonal weights).

Eagerly the draw runs on the host with the key's (seed, stream) and the array is put on the
default device, or, with a ``Sharding`` as ``out_sharding``, each shard is filled where it
lives (``wi.jax.from_fill``). When the key or a scalar argument is traced (``jax.jit``,
``jax.vmap``, ``jax.eval_shape``) the call is checked now and becomes a ``jax.pure_callback``
that draws on the host when the compiled code runs, with the key's words and the traced
scalars as its operands: the same values as the eager call.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import _dtypes, _jax, _keys, from_fill
from ._scalars import is_traced
from .. import _engine


class Draw(NamedTuple):
    """What one call draws: ``fill(buf, *, seed, stream, offset, global_shape, start, **kwargs)``
    (a wi region fill) or, when ``fill`` is None, ``whole(seed, stream)``, the whole array."""

    fill: Callable | None = None
    kwargs: dict = {}
    whole: Callable | None = None


def region(fill, **kwargs) -> Draw:
    return Draw(fill=fill, kwargs=kwargs)


def whole(values) -> Draw:
    return Draw(whole=values)


def _block_fill(draw, shape, dtype, seed, stream):
    """The region fill of a Draw, checked now (an empty block runs every check)."""
    return _engine.BlockFill(draw.fill, shape, dtype, seed, stream, 0, draw.kwargs)


def _host_array(draw, shape, dtype, seed, stream) -> np.ndarray:
    if draw.fill is None:
        return draw.whole(seed, stream)
    return _block_fill(draw, shape, dtype, seed, stream)((0,) * len(shape), shape)


def _constrain(x, sharding):
    """Give a traced array its out_sharding: reshard on Explicit mesh axes, a constraint on Auto ones."""
    axis_types = getattr(getattr(sharding, "mesh", None), "axis_types", ())
    if any(t == _jax.sharding.AxisType.Explicit for t in axis_types):
        return _jax.sharding.reshard(x, sharding)  # JAX wants the mesh set (jax.set_mesh) here
    return _jax.lax.with_sharding_constraint(x, sharding)


def initializer(plan, default_dtype, scalars, defaults, name):
    """An ``init(key, shape, dtype=default_dtype, out_sharding=None)`` drawing ``plan``.

    ``scalars`` are the factory's scalar arguments (floats, or traced 0-d arrays) and
    ``defaults`` valid stand-ins for them, used to check a traced call: a traced scalar's
    value is checked when the compiled code runs.
    """
    traced_names = tuple(k for k, v in scalars.items() if is_traced(v))

    def init(key, shape, dtype=default_dtype, out_sharding=None):
        shape = _engine.global_shape(shape)
        dtype = _dtypes.canonical(dtype)
        words = _jax.random.key_data(key)
        if isinstance(words, _jax.core.Tracer) or traced_names:
            return _traced(words, shape, dtype, out_sharding)
        seed, stream = _keys.words_to_seed(np.asarray(words))
        draw = plan(shape, dtype, **scalars)
        if out_sharding is None:
            return _jax.numpy.asarray(_host_array(draw, shape, dtype, seed, stream))
        if not isinstance(out_sharding, _jax.sharding.Sharding):
            raise TypeError(
                "out_sharding must be a jax.sharding.Sharding outside jax.jit "
                f"(got {type(out_sharding).__name__})"
            )
        _shardable(draw)
        return from_fill(draw.fill, shape, out_sharding, dtype=dtype, seed=seed, stream=stream, **draw.kwargs)

    def _shardable(draw):
        if draw.fill is None:  # as jax.nn.initializers.orthogonal
            raise NotImplementedError(f"{name} takes no out_sharding: its values come from the whole array at once")

    def _traced(words, shape, dtype, out_sharding):
        checked = plan(shape, dtype, **(dict(scalars, **{k: defaults[k] for k in traced_names})))
        if checked.fill is not None:
            _block_fill(checked, shape, dtype, 0, 0)  # the fill's own checks, now rather than in XLA
        if out_sharding is not None:
            _shardable(checked)
        operands = [scalars[k] for k in traced_names]

        def host(key_words, *values):
            concrete = dict(scalars, **{k: float(v) for k, v in zip(traced_names, values)})
            seed, stream = _keys.words_to_seed(key_words)
            return _host_array(plan(shape, dtype, **concrete), shape, dtype, seed, stream)

        out = _jax.pure_callback(
            host, _jax.ShapeDtypeStruct(shape, dtype), words, *operands, vmap_method="sequential"
        )
        return out if out_sharding is None else _constrain(out, out_sharding)

    return init
