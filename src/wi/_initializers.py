"""Shape-aware in-place initialisers: read the fans off the array's shape, fill one distribution.

Each public function works out a distribution from the shape (the ``*_distribution``
functions below, which ``wi.torch`` uses too) and makes exactly one ``Generator.fill``
call, so it inherits the fill's stream contract, speed and buffer checks. For a region fill
(``global_shape=``, ``start=``: buf is one block of a larger array, e.g. a shard) the fans
come from ``global_shape``, never from the block: a column shard keeps the whole matrix's fan-in.
"""

from __future__ import annotations

import math

from . import _args
from . import _region
from ._dists import TruncatedNormal, Normal, Uniform, he_normal, he_uniform, xavier_normal, xavier_uniform
from ._fans import calculate_gain, compute_fans, fan_for_mode
from ._generator import global_generator
from ._target import shape_of

__all__ = [
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "trunc_normal_",
    "variance_scaling_",
    "glorot_uniform_",
    "glorot_normal_",
    "he_uniform_",
    "he_normal_",
]

# Standard deviation of N(0, 1) truncated to (-2, 2): Keras and JAX divide by
# it so that the truncated samples, not their parent normal, have the target
# variance.
TRUNC_STD_2SIGMA = 0.87962566103423978

DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")
# Keras spells the plain normal "untruncated_normal".
_DISTRIBUTION_ALIASES = {"untruncated_normal": "normal"}


def fans(shape, layout="torch", in_axis=None, out_axis=None, batch_axis=()):
    """compute_fans, with zero fans of an empty shape raised to 1: nothing will be written,
    but the fill still checks the buffer, and a zero fan would only divide by zero."""
    if layout == "torch" and in_axis is None and out_axis is None and not batch_axis and len(shape) >= 2:
        receptive = math.prod(shape[2:])  # the common case: init_module_ and wi.torch, per parameter
        fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    else:
        fan_in, fan_out = compute_fans(shape, layout, in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis)
    if fan_in == 0 or fan_out == 0:
        fan_in, fan_out = max(fan_in, 1), max(fan_out, 1)
    return fan_in, fan_out


# --- shape -> distribution ------------------------------------------------------


def xavier_distribution(kind, shape, gain=1.0, layout="torch", in_axis=None, out_axis=None, batch_axis=()):
    """The Xavier uniform or normal distribution of a weight of this shape."""
    fan_in, fan_out = fans(shape, layout, in_axis, out_axis, batch_axis)
    return (xavier_uniform if kind == "uniform" else xavier_normal)(fan_in, fan_out, gain)


def kaiming_distribution(kind, shape, a=0, mode="fan_in", nonlinearity="leaky_relu", layout="torch",
                         in_axis=None, out_axis=None, batch_axis=()):
    """The He/Kaiming uniform or normal distribution of a weight of this shape: the gain of
    (nonlinearity, a) over the square root of the fan `mode` chooses."""
    _args.choice(mode, "mode", ("fan_in", "fan_out"))
    gain = calculate_gain(nonlinearity, a)
    fan_in, fan_out = fans(shape, layout, in_axis, out_axis, batch_axis)
    fan = fan_in if mode == "fan_in" else fan_out
    return (he_uniform if kind == "uniform" else he_normal)(fan, gain)


def variance_scaling_distribution(shape, scale=1.0, mode="fan_in", distribution="truncated_normal",
                                  layout="torch", in_axis=None, out_axis=None, batch_axis=()):
    """Keras/JAX variance scaling: variance scale / n, n the fan `mode` chooses."""
    scale = _args.scale(scale, "scale")
    _args.choice(mode, "mode", ("fan_in", "fan_out", "fan_avg"))
    if isinstance(distribution, str):
        distribution = _DISTRIBUTION_ALIASES.get(distribution, distribution)
    _args.choice(distribution, "distribution", DISTRIBUTIONS)
    fan_in, fan_out = fans(shape, layout, in_axis, out_axis, batch_axis)
    # Keras divides by max(1, n); n >= 1 whenever the buffer is non-empty.
    variance = scale / max(1.0, fan_for_mode(fan_in, fan_out, mode))
    if distribution == "truncated_normal":
        std = math.sqrt(variance) / TRUNC_STD_2SIGMA
        return TruncatedNormal(0.0, std, -2.0 * std, 2.0 * std, scale="scale")
    if distribution == "normal":
        return Normal(0.0, math.sqrt(variance), scale="scale")
    limit = math.sqrt(3.0 * variance)
    return Uniform(-limit, limit, scale="scale")


def fan_shape(buf, global_shape, start):
    """The shape fans are read from: the whole array's for a region fill (a column shard has
    the fan-in of the whole matrix; the region is checked first, so a bad one is reported as
    such), else the buffer's."""
    shape = shape_of(buf)
    where = _region.region(global_shape, start, shape)
    return shape if where is None else where.global_shape


def _fill(buf, dist, seed, stream, offset, global_shape, start):
    return global_generator.fill(buf, dist, seed=seed, stream=stream, offset=offset, global_shape=global_shape,
                                 start=start)


# --- public ---------------------------------------------------------------------


def xavier_uniform_(
    buf, gain=1.0, *, layout="torch", in_axis=None, out_axis=None, batch_axis=(),
    seed=None, stream=0, offset=0, global_shape=None, start=None,
):
    r"""Fill ``buf`` from a Glorot/Xavier uniform distribution, fans read off its shape.

    Values are drawn from :math:`\mathcal{U}(-b, b)` with

    .. math::
        b = \text{gain} \times \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}

    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks". Same as ``torch.nn.init.xavier_uniform_``
    and, with ``gain=1``, Keras/JAX ``glorot_uniform``. The fans come from
    :func:`wi.compute_fans` (``layout``, ``in_axis``, ``out_axis``,
    ``batch_axis``) of ``global_shape`` when given, else of ``buf``'s shape;
    ``seed``, ``stream``, ``offset``, ``global_shape`` and ``start`` are those
    of the ``fill_*`` functions (``buf`` is then the block at ``start`` of the
    whole array). Returns ``buf``.

    Example:
        >>> w = np.empty((256, 128), np.float32)          # torch layout [out, in]
        >>> wi.xavier_uniform_(w, gain=wi.calculate_gain("relu"), seed=0)
    """
    shape = fan_shape(buf, global_shape, start)
    dist = xavier_distribution("uniform", shape, gain, layout, in_axis, out_axis, batch_axis)
    return _fill(buf, dist, seed, stream, offset, global_shape, start)


def xavier_normal_(
    buf, gain=1.0, *, layout="torch", in_axis=None, out_axis=None, batch_axis=(),
    seed=None, stream=0, offset=0, global_shape=None, start=None,
):
    r"""Fill ``buf`` from a Glorot/Xavier normal distribution, fans read off its shape.

    Values are drawn from :math:`\mathcal{N}(0, \sigma^2)` with

    .. math::
        \sigma = \text{gain} \times \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}

    Glorot & Bengio (2010). Same as ``torch.nn.init.xavier_normal_`` (an
    untruncated normal; Keras/JAX ``glorot_normal`` is truncated: use
    ``variance_scaling_(buf, 1.0, "fan_avg", "truncated_normal")``).
    Arguments as :func:`xavier_uniform_`. Returns ``buf``.

    Example:
        >>> w = np.empty((3, 3, 64, 128), np.float32)
        >>> wi.xavier_normal_(w, layout="keras", seed=0)
    """
    shape = fan_shape(buf, global_shape, start)
    dist = xavier_distribution("normal", shape, gain, layout, in_axis, out_axis, batch_axis)
    return _fill(buf, dist, seed, stream, offset, global_shape, start)


def kaiming_uniform_(
    buf, a=0, mode="fan_in", nonlinearity="leaky_relu", *, layout="torch",
    in_axis=None, out_axis=None, batch_axis=(), seed=None, stream=0, offset=0, global_shape=None, start=None,
):
    r"""Fill ``buf`` from a He/Kaiming uniform distribution, fans read off its shape.

    Values are drawn from :math:`\mathcal{U}(-b, b)` with

    .. math::
        b = \text{gain} \times \sqrt{\frac{3}{\text{fan\_mode}}}, \qquad
        \text{gain} = \text{calculate\_gain}(\text{nonlinearity}, a)

    He et al. (2015), "Delving deep into rectifiers". Same as
    ``torch.nn.init.kaiming_uniform_``: ``a`` is the negative slope of a
    leaky ReLU, ``mode`` is ``"fan_in"`` (preserve the forward variance) or
    ``"fan_out"`` (the backward one). Other arguments as
    :func:`xavier_uniform_`. Returns ``buf``.

    Example:
        >>> w = np.empty((64, 3, 7, 7), np.float32)        # torch Conv2d weight
        >>> wi.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu", seed=0)
    """
    shape = fan_shape(buf, global_shape, start)
    dist = kaiming_distribution("uniform", shape, a, mode, nonlinearity, layout, in_axis, out_axis, batch_axis)
    return _fill(buf, dist, seed, stream, offset, global_shape, start)


def kaiming_normal_(
    buf, a=0, mode="fan_in", nonlinearity="leaky_relu", *, layout="torch",
    in_axis=None, out_axis=None, batch_axis=(), seed=None, stream=0, offset=0, global_shape=None, start=None,
):
    r"""Fill ``buf`` from a He/Kaiming normal distribution, fans read off its shape.

    Values are drawn from :math:`\mathcal{N}(0, \sigma^2)` with

    .. math::
        \sigma = \frac{\text{gain}}{\sqrt{\text{fan\_mode}}}, \qquad
        \text{gain} = \text{calculate\_gain}(\text{nonlinearity}, a)

    He et al. (2015). Same as ``torch.nn.init.kaiming_normal_`` (untruncated;
    Keras/JAX ``he_normal`` is ``variance_scaling_(buf, 2.0, "fan_in",
    "truncated_normal")``). Arguments as :func:`kaiming_uniform_`. Returns
    ``buf``.

    Example:
        >>> w = np.empty((512, 256), np.float32)
        >>> wi.kaiming_normal_(w, nonlinearity="relu", seed=0)
    """
    shape = fan_shape(buf, global_shape, start)
    dist = kaiming_distribution("normal", shape, a, mode, nonlinearity, layout, in_axis, out_axis, batch_axis)
    return _fill(buf, dist, seed, stream, offset, global_shape, start)


def variance_scaling_(
    buf, scale=1.0, mode="fan_in", distribution="truncated_normal", *, layout="torch",
    in_axis=None, out_axis=None, batch_axis=(), seed=None, stream=0, offset=0, global_shape=None, start=None,
):
    r"""Fill ``buf`` with variance ``scale / n``, ``n`` a fan read off its shape (Keras/JAX).

    With :math:`n` = fan_in, fan_out or (fan_in + fan_out) / 2 by ``mode``
    and :math:`v = \text{scale} / n`:

    - ``"truncated_normal"``: :math:`\mathcal{N}(0, \sigma^2)` cut at
      :math:`\pm 2\sigma`, with :math:`\sigma = \sqrt{v} / 0.87962566103423978`
      so that the *truncated* values have variance :math:`v`;
    - ``"normal"`` (Keras: ``"untruncated_normal"``): :math:`\mathcal{N}(0, v)`;
    - ``"uniform"``: :math:`\mathcal{U}(-\sqrt{3v}, \sqrt{3v})`.

    The formula of ``keras.initializers.VarianceScaling`` and
    ``jax.nn.initializers.variance_scaling``, which generalise Glorot &
    Bengio (2010), He et al. (2015) and LeCun et al. (1998). Note that
    ``layout`` defaults to ``"torch"`` as everywhere in ``wi``; pass
    ``layout="keras"`` for ``[*kernel, in, out]`` weights. Returns ``buf``.

    Example:
        >>> w = np.empty((784, 256), np.float32)           # Keras Dense kernel
        >>> wi.variance_scaling_(w, 2.0, "fan_in", "truncated_normal", layout="keras", seed=0)
    """
    shape = fan_shape(buf, global_shape, start)
    dist = variance_scaling_distribution(shape, scale, mode, distribution, layout, in_axis, out_axis, batch_axis)
    return _fill(buf, dist, seed, stream, offset, global_shape, start)


def lecun_uniform_(
    buf, *, layout="torch", in_axis=None, out_axis=None, batch_axis=(),
    seed=None, stream=0, offset=0, global_shape=None, start=None,
):
    r"""Fill ``buf`` from LeCun uniform: :math:`\mathcal{U}(-\sqrt{3/\text{fan\_in}}, \sqrt{3/\text{fan\_in}})`.

    ``variance_scaling_(buf, 1.0, "fan_in", "uniform")``, as Keras and JAX
    ``lecun_uniform``. LeCun et al. (1998), "Efficient BackProp";
    Klambauer et al. (2017), "Self-Normalizing Neural Networks". Returns
    ``buf``.

    Example:
        >>> wi.lecun_uniform_(np.empty((128, 64), np.float32), seed=0)
    """
    return variance_scaling_(
        buf, 1.0, "fan_in", "uniform", layout=layout, in_axis=in_axis, out_axis=out_axis,
        batch_axis=batch_axis, seed=seed, stream=stream, offset=offset,
        global_shape=global_shape, start=start,
    )


def lecun_normal_(
    buf, *, layout="torch", in_axis=None, out_axis=None, batch_axis=(),
    seed=None, stream=0, offset=0, global_shape=None, start=None,
):
    r"""Fill ``buf`` from LeCun normal: truncated at 2 sigma, variance :math:`1/\text{fan\_in}`.

    ``variance_scaling_(buf, 1.0, "fan_in", "truncated_normal")``, as Keras
    and JAX ``lecun_normal``: the parent normal has
    :math:`\sigma = \sqrt{1/\text{fan\_in}} / 0.87962566103423978`, so the
    truncated values have variance :math:`1/\text{fan\_in}`. LeCun et al.
    (1998); Klambauer et al. (2017). Returns ``buf``.

    Example:
        >>> wi.lecun_normal_(np.empty((128, 64), np.float32), seed=0)
    """
    return variance_scaling_(
        buf, 1.0, "fan_in", "truncated_normal", layout=layout, in_axis=in_axis,
        out_axis=out_axis, batch_axis=batch_axis, seed=seed, stream=stream, offset=offset,
        global_shape=global_shape, start=start,
    )


def trunc_normal_(buf, mean=0.0, std=1.0, a=-2.0, b=2.0, *, seed=None, stream=0, offset=0, global_shape=None,
                  start=None):
    r"""Fill ``buf`` from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated to :math:`[a, b]`.

    torch semantics: ``a`` and ``b`` are absolute cut-offs and ``std`` is
    that of the parent normal (the truncated values have a smaller one).
    Sampled by inverse CDF, so each value depends only on its counter:

    .. math::
        x = \text{mean} + \text{std}\,\Phi^{-1}\big(\Phi(\alpha) + u\,(\Phi(\beta) - \Phi(\alpha))\big),
        \quad \alpha = \tfrac{a - \text{mean}}{\text{std}},\ \beta = \tfrac{b - \text{mean}}{\text{std}}

    Same as ``torch.nn.init.trunc_normal_``; a shape-free
    :func:`wi.fill_truncated_normal` with torch's defaults. Returns ``buf``.

    Example:
        >>> wi.trunc_normal_(np.empty((768, 768), np.float32), std=0.02, seed=0)
    """
    dist = TruncatedNormal(mean, std, a, b, names=("mean", "std", "a", "b"))
    return _fill(buf, dist, seed, stream, offset, global_shape, start)


# Keras/JAX names for the torch-semantics functions above (same objects).
glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_
