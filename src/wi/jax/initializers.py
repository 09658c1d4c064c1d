"""``jax.nn.initializers``-style initialisers, ``init(key, shape, dtype)``, drawn by wi.

    import wi.jax.initializers as winit
    dense = flax.linen.Dense(256, kernel_init=winit.he_normal())
    params = model.init(jax.random.key(0), x)     # the same key gives the same weights

The names, arguments, defaults and formulas are those of
``jax.nn.initializers`` (so also Flax's ``nn.initializers``): ``variance_scaling``
with its ``in_axis``/``out_axis``/``batch_axis`` and modes ``fan_in``,
``fan_out``, ``fan_avg``, ``fan_geo_avg``, the Glorot/He/LeCun specialisations,
``normal``, ``uniform`` (on ``[0, scale)``) and ``truncated_normal``. The values
are wi's: the key's bits are the wi seed and stream, read with
``jax.random.key_data`` (a threefry key's two words ``(k0, k1)`` give seed
``k0 << 32 | k1`` and stream 0; an rbg key's four give seed ``k0 << 32 | k1``
and stream ``k2 << 32 | k3``), so equal keys give equal weights and the keys
Flax splits per parameter give independent streams.

The fill runs on the host CPU. Called eagerly, the array is filled and put on
the default device (or made with ``out_sharding``, each shard filled where it
lives). Under ``jax.jit`` (as in ``jax.jit(model.init)``) the fill becomes a
``jax.pure_callback``: it is not traced into XLA, it runs on the host when the
compiled function runs, with the key's value known by then, and gives the
same values as the eager call; ``jax.vmap`` over keys calls it once per key.
"""

from __future__ import annotations

import math

import numpy as np

import wi

from . import _jax, from_fill
from .. import _engine

__all__ = [
    "variance_scaling",
    "glorot_uniform",
    "glorot_normal",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "lecun_uniform",
    "lecun_normal",
    "normal",
    "uniform",
    "truncated_normal",
    "key_to_seed",
]

_jnp = _jax.numpy


def key_to_seed(key) -> tuple[int, int]:
    """The wi ``(seed, stream)`` of a concrete JAX PRNG key (typed or raw uint32)."""
    return _words_to_seed(np.asarray(_jax.random.key_data(key)))


def _words_to_seed(words) -> tuple[int, int]:
    words = np.asarray(words, dtype=np.uint32)
    if words.ndim != 1 or words.size not in (2, 4):
        raise ValueError(
            "key must be one PRNG key of 2 (threefry) or 4 (rbg) 32-bit words "
            f"(got key data of shape {words.shape}; use jax.vmap for a batch of keys)"
        )
    w = [int(x) for x in words]
    return (w[0] << 32) | w[1], ((w[2] << 32) | w[3]) if len(w) == 4 else 0


def _dtype(dtype):
    """jax.nn.initializers' dtype rule: None is the default float (float32 unless x64)."""
    return np.dtype(_jax.dtypes.canonicalize_dtype(_jnp.result_type(float) if dtype is None else dtype))


def _constrain(x, sharding):
    """Give a traced array its out_sharding: reshard on Explicit mesh axes, a constraint on Auto ones."""
    axis_types = getattr(getattr(sharding, "mesh", None), "axis_types", ())
    if any(t == _jax.sharding.AxisType.Explicit for t in axis_types):
        return _jax.sharding.reshard(x, sharding)  # JAX wants the mesh set (jax.set_mesh) here
    return _jax.lax.with_sharding_constraint(x, sharding)


def _initializer(plan, default_dtype):
    """An init(key, shape, dtype, out_sharding) doing the wi fill plan(shape) returns."""

    def init(key, shape, dtype=default_dtype, out_sharding=None):
        shape = _engine.global_shape(shape)
        dtype = _dtype(dtype)
        fill, kwargs = plan(shape)
        words = _jax.random.key_data(key)
        if isinstance(words, _jax.core.Tracer):
            # Check the call now (a bad argument would otherwise surface as an XLA
            # runtime error), then fill on the host when the compiled code runs.
            _engine.BlockFill(fill, shape, dtype, 0, 0, 0, kwargs)

            def host(key_words):
                seed, stream = _words_to_seed(key_words)
                return _engine.BlockFill(fill, shape, dtype, seed, stream, 0, kwargs)(
                    (0,) * len(shape), shape
                )

            out = _jax.pure_callback(
                host, _jax.ShapeDtypeStruct(shape, dtype), words, vmap_method="sequential"
            )
            return out if out_sharding is None else _constrain(out, out_sharding)
        seed, stream = _words_to_seed(np.asarray(words))
        if isinstance(out_sharding, _jax.sharding.Sharding):
            return from_fill(fill, shape, out_sharding, dtype=dtype, seed=seed, stream=stream, **kwargs)
        if out_sharding is not None:
            raise TypeError(
                "out_sharding must be a jax.sharding.Sharding outside jax.jit "
                f"(got {type(out_sharding).__name__})"
            )
        block = _engine.BlockFill(fill, shape, dtype, seed, stream, 0, kwargs)((0,) * len(shape), shape)
        return _jnp.asarray(block)

    return init


def variance_scaling(
    scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(), dtype=None
):
    r"""Variance ``scale / n``, ``n`` the fan of ``mode``: ``jax.nn.initializers.variance_scaling``.

    ``distribution`` is ``"truncated_normal"`` (cut at 2 sigma, sigma divided
    by 0.87962566103423978 so the truncated values have the variance),
    ``"normal"`` or ``"uniform"`` (on :math:`\pm\sqrt{3v}`); ``mode`` is
    ``"fan_in"``, ``"fan_out"``, ``"fan_avg"`` or ``"fan_geo_avg"``
    (:math:`\sqrt{\text{fan\_in}\,\text{fan\_out}}`). Fans as JAX computes
    them from ``in_axis``, ``out_axis`` and ``batch_axis``. See
    :func:`wi.variance_scaling_`.
    """

    def plan(shape):
        call = {"layout": "jax", "in_axis": in_axis, "out_axis": out_axis, "batch_axis": batch_axis,
                "mode": mode, "distribution": distribution, "scale": scale}
        if mode == "fan_geo_avg":  # not a wi mode: the same variance, expressed through fan_in
            fan_in, fan_out = wi.compute_fans(
                shape, "jax", in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis
            )
            call.update(mode="fan_in", scale=scale * fan_in / math.sqrt(fan_in * fan_out))
        return wi.variance_scaling_, call

    return _initializer(plan, dtype)


def _scaled(scale, mode, distribution):
    def factory(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)

    factory.__doc__ = (
        f"``variance_scaling({scale}, {mode!r}, {distribution!r})``, as ``jax.nn.initializers``."
    )
    return factory


glorot_uniform = xavier_uniform = _scaled(1.0, "fan_avg", "uniform")
glorot_normal = xavier_normal = _scaled(1.0, "fan_avg", "truncated_normal")
lecun_uniform = _scaled(1.0, "fan_in", "uniform")
lecun_normal = _scaled(1.0, "fan_in", "truncated_normal")
he_uniform = kaiming_uniform = _scaled(2.0, "fan_in", "uniform")
he_normal = kaiming_normal = _scaled(2.0, "fan_in", "truncated_normal")


def normal(stddev=1e-2, dtype=None):
    """N(0, stddev^2), as ``jax.nn.initializers.normal``."""
    return _initializer(lambda shape: (wi.fill_normal, {"mean": 0.0, "std": stddev}), dtype)


def uniform(scale=1e-2, dtype=None):
    """U[0, scale), as ``jax.nn.initializers.uniform`` (not centred on zero)."""
    return _initializer(lambda shape: (wi.fill_uniform, {"low": 0.0, "high": scale}), dtype)


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """``stddev`` times a standard normal cut to ``[lower, upper]``, as ``jax.nn.initializers``."""

    def plan(shape):
        return wi.fill_truncated_normal, {
            "mean": 0.0, "std": stddev, "low": lower * stddev, "high": upper * stddev,
        }

    return _initializer(plan, dtype)
