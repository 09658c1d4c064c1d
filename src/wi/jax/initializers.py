"""``jax.nn.initializers``' names, ``init(key, shape, dtype, out_sharding)``, drawn by wi.

    import wi.jax.initializers as winit
    dense = flax.linen.Dense(256, kernel_init=winit.he_normal())
    params = model.init(jax.random.key(0), x)     # the same key gives the same weights

Every name of ``jax.nn.initializers`` (JAX 0.10) with its arguments, defaults, formulas and
rules: ``variance_scaling`` with ``in_axis``/``out_axis``/``batch_axis`` (an empty list is no
axis) and modes ``fan_in``, ``fan_out``, ``fan_avg``, ``fan_geo_avg``; the Glorot/He/LeCun
specialisations; ``normal``, ``uniform`` (on ``[0, scale)``), ``truncated_normal``,
``orthogonal``, ``delta_orthogonal``; complex dtypes where JAX draws them; scalar arguments
as numbers or 0-d arrays. The values are wi's: the key's bits are the wi seed and stream
(``key_to_seed``), so equal keys give equal weights and the keys Flax splits per parameter
give independent streams (docs/stream.md, "JAX initialisers", says which stream element each
value comes from). ``constant``, ``ones``, ``zeros`` draw nothing and are JAX's own functions,
as is the ``Initializer`` protocol.

The fill runs on the host CPU. Called eagerly, the array is filled and put on the default
device (or made with ``out_sharding``, each shard filled where it lives). Under ``jax.jit``
(as in ``jax.jit(model.init)``), ``jax.vmap`` or ``jax.eval_shape`` the fill becomes a
``jax.pure_callback``: not traced into XLA, run on the host when the compiled function runs,
with the same values as the eager call; ``jax.vmap`` over keys calls it once per key.
"""

from __future__ import annotations

import math

from . import _jax
from ._call import initializer, region, whole
from ._complex import fill_complex_disk, fill_complex_normal, fill_complex_truncated
from ._dtypes import check, is_complex
from ._fans import check_distribution, check_mode, fans, variance
from ._keys import key_to_seed
from ._orthogonal import check_delta_orthogonal, check_orthogonal, delta_orthogonal_values, orthogonal_values
from ._scalars import scalar
from .. import _args
from .._initializers import TRUNC_STD_2SIGMA
from .. import fill_normal, fill_truncated_normal, fill_uniform

__all__ = [
    "Initializer",
    "constant",
    "delta_orthogonal",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "orthogonal",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
    "key_to_seed",
]

# Deterministic: nothing to draw, so JAX's own functions are the exact semantics
# (broadcast values, out_sharding, jit), importable from here with the rest.
Initializer = _jax.nn.initializers.Initializer
constant = _jax.nn.initializers.constant
ones = _jax.nn.initializers.ones
zeros = _jax.nn.initializers.zeros

# JAX's divisor for the complex normal whose modulus is cut at 2: sqrt(1 - 5 e^-4). The cut
# distribution's E|z|^2 is (1 - 5 e^-4) / (1 - e^-4), so JAX's complex "truncated_normal" has
# 1 / (1 - e^-4) = 1.0187 times scale / n; wi draws what JAX draws.
COMPLEX_TRUNC_2 = 0.95311164380491208


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    r"""Variance ``scale / n``, ``n`` the fan ``mode`` names: ``jax.nn.initializers.variance_scaling``.

    With fans from ``in_axis``, ``out_axis`` and ``batch_axis`` (axes in none of them are the
    receptive field; an empty list is no axis), ``n`` is fan_in, fan_out, their mean
    (``"fan_avg"``) or :math:`\sqrt{\text{fan\_in}\,\text{fan\_out}}` (``"fan_geo_avg"``), and
    :math:`v = \text{scale} / n`:

    - ``"truncated_normal"``: :math:`\mathcal{N}(0, \sigma^2)` cut at :math:`\pm 2\sigma`,
      :math:`\sigma = \sqrt v / 0.87962566103423978` (complex: the modulus cut at 2, JAX's
      divisor 0.95311164380491208);
    - ``"normal"``: :math:`\mathcal{N}(0, v)` (complex: :math:`E|x|^2 = v`);
    - ``"uniform"``: :math:`\mathcal{U}(-\sqrt{3v}, \sqrt{3v})` (complex: the disk of radius
      :math:`\sqrt{2v}`).

    Glorot & Bengio (2010); He et al. (2015); LeCun et al. (1998). Rank <= 1 is refused only
    with the default ``in_axis``. For rank >= 2, axes naming at least one dimension each and
    modes other than ``fan_geo_avg``, real values equal ``wi.variance_scaling_(buf, scale, mode,
    distribution, layout="jax", ...)`` with the key's seed and stream.

    Example:
        >>> init = winit.variance_scaling(2.0, "fan_in", "truncated_normal", in_axis=(0, 2))
        >>> w = init(jax.random.key(0), (3, 3, 64, 128))
    """
    scale = scalar(scale, "scale")

    def plan(shape, dtype, scale):
        fan_in, fan_out = fans(shape, in_axis, out_axis, batch_axis)
        check_mode(mode)
        check_distribution(distribution)
        check(dtype, "variance_scaling", complex_ok=True)
        v = variance(_args.scale(scale, "scale"), mode, fan_in, fan_out)
        if distribution == "truncated_normal":
            if is_complex(dtype):
                return region(fill_complex_truncated, std=math.sqrt(v) / COMPLEX_TRUNC_2, cut=2.0)
            std = math.sqrt(v) / TRUNC_STD_2SIGMA
            return region(fill_truncated_normal, mean=0.0, std=std, low=-2.0 * std, high=2.0 * std)
        if distribution == "normal":
            return region(fill_complex_normal if is_complex(dtype) else fill_normal, std=math.sqrt(v))
        if is_complex(dtype):
            return region(fill_complex_disk, std=math.sqrt(v))
        limit = math.sqrt(3.0 * v)
        return region(fill_uniform, low=-limit, high=limit)

    return initializer(plan, dtype, {"scale": scale}, {"scale": 1.0}, "variance_scaling")


def _specialised(scale, mode, distribution, name, paper):
    def factory(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = (
        f"``variance_scaling({scale}, {mode!r}, {distribution!r})``, as ``jax.nn.initializers.{name}``.\n\n"
        f"    {paper}\n\n"
        f"    Example:\n        >>> w = winit.{name}()(jax.random.key(0), (784, 256))\n"
    )
    return factory


_GLOROT = "Glorot & Bengio (2010), \"Understanding the difficulty of training deep feedforward neural networks\"."
_HE = "He et al. (2015), \"Delving deep into rectifiers\"."
_LECUN = "LeCun et al. (1998), \"Efficient BackProp\"; Klambauer et al. (2017), \"Self-Normalizing Neural Networks\"."
glorot_uniform = xavier_uniform = _specialised(1.0, "fan_avg", "uniform", "glorot_uniform", _GLOROT)
glorot_normal = xavier_normal = _specialised(1.0, "fan_avg", "truncated_normal", "glorot_normal", _GLOROT)
lecun_uniform = _specialised(1.0, "fan_in", "uniform", "lecun_uniform", _LECUN)
lecun_normal = _specialised(1.0, "fan_in", "truncated_normal", "lecun_normal", _LECUN)
he_uniform = kaiming_uniform = _specialised(2.0, "fan_in", "uniform", "he_uniform", _HE)
he_normal = kaiming_normal = _specialised(2.0, "fan_in", "truncated_normal", "he_normal", _HE)


def normal(stddev=1e-2, dtype=None):
    r""":math:`\mathcal{N}(0, \text{stddev}^2)`, as ``jax.nn.initializers.normal``.

    A complex dtype gives a circular normal with :math:`E|x|^2 = \text{stddev}^2` (real and
    imaginary parts each of variance :math:`\text{stddev}^2/2`).

    Example:
        >>> w = winit.normal(0.02)(jax.random.key(0), (50257, 768))
    """
    stddev = scalar(stddev, "stddev")

    def plan(shape, dtype, stddev):
        check(dtype, "normal", complex_ok=True)
        stddev = _args.non_negative(stddev, "stddev")
        return region(fill_complex_normal if is_complex(dtype) else fill_normal, std=stddev)

    return initializer(plan, dtype, {"stddev": stddev}, {"stddev": 1e-2}, "normal")


def uniform(scale=1e-2, dtype=None):
    r""":math:`\mathcal{U}[0, \text{scale})`, as ``jax.nn.initializers.uniform`` (not centred on zero).

    Example:
        >>> w = winit.uniform(0.1)(jax.random.key(0), (128, 64))
    """
    scale = scalar(scale, "scale")

    def plan(shape, dtype, scale):
        check(dtype, "uniform", complex_ok=False)
        scale = _args.non_negative(scale, "scale")
        return region(fill_uniform, low=0.0, high=scale)

    return initializer(plan, dtype, {"scale": scale}, {"scale": 1e-2}, "uniform")


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    r"""``stddev`` times a standard normal cut to ``[lower, upper]``, as ``jax.nn.initializers``.

    Values lie in :math:`[\text{lower}\cdot\text{stddev}, \text{upper}\cdot\text{stddev}]`;
    ``stddev`` is the parent normal's (no variance correction, as in JAX).

    Example:
        >>> w = winit.truncated_normal(0.02)(jax.random.key(0), (768, 3072))
    """
    scalars = {"stddev": scalar(stddev, "stddev"), "lower": scalar(lower, "lower"), "upper": scalar(upper, "upper")}

    def plan(shape, dtype, stddev, lower, upper):
        check(dtype, "truncated_normal", complex_ok=False)
        stddev = _args.positive(stddev, "stddev")
        if not lower < upper:
            raise ValueError(f"lower must be < upper (got lower={lower}, upper={upper})")
        return region(fill_truncated_normal, mean=0.0, std=stddev, low=lower * stddev, high=upper * stddev)

    return initializer(plan, dtype, scalars, {"stddev": 1e-2, "lower": -2.0, "upper": 2.0}, "truncated_normal")


def _orthogonal_kind(check_shape, values, name, scale, column_axis, dtype):
    """orthogonal or delta_orthogonal: checks, then the whole array's values (no shards)."""
    scale = scalar(scale, "scale")
    column_axis = _args.integer(column_axis, "column_axis")

    def plan(shape, dtype, scale):
        check(dtype, name, complex_ok=True)
        check_shape(shape, column_axis)
        scale = _args.real(scale, "scale")
        return whole(lambda seed, stream: values(shape, column_axis, scale, dtype, seed, stream))

    return initializer(plan, dtype, {"scale": scale}, {"scale": 1.0}, name)


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    r"""A (semi-)orthogonal matrix times ``scale``, as ``jax.nn.initializers.orthogonal``.

    The weight as a matrix of ``shape[column_axis]`` columns has orthonormal rows or columns,
    whichever are fewer; Haar-distributed (QR of a wi normal matrix with the sign correction
    of Mezzadri 2007); Saxe et al. (2013), "Exact solutions to the nonlinear dynamics of
    learning in deep linear neural networks". Needs rank >= 2; takes no ``out_sharding``.

    Example:
        >>> q = winit.orthogonal()(jax.random.key(0), (256, 256))   # q @ q.T == I
    """
    return _orthogonal_kind(check_orthogonal, orthogonal_values, "orthogonal", scale, column_axis, dtype)


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    r"""A delta-orthogonal convolution kernel, as ``jax.nn.initializers.delta_orthogonal``.

    Zero except the centre tap ``w[(k1-1)//2, ..., :, :]``, which is ``orthogonal(scale,
    column_axis)`` of ``shape[-2:]`` drawn with the same key. Xiao et al. (2018), "Dynamical
    Isometry and a Mean Field Theory of CNNs". The shape must be 3-D, 4-D or 5-D with
    ``shape[-2] <= shape[-1]``; takes no ``out_sharding``.

    Example:
        >>> w = winit.delta_orthogonal()(jax.random.key(0), (3, 3, 64, 64))
    """
    return _orthogonal_kind(
        check_delta_orthogonal, delta_orthogonal_values, "delta_orthogonal", scale, column_axis, dtype
    )
