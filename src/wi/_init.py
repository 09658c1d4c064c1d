"""Shape-aware in-place initialisers: read the fans off the buffer's shape, call a fill_*.

Each public function works out a scale from the shape (see ``_fans``) and
makes exactly one ``fill_*`` call, so it inherits that fill's stream
contract, speed and buffer checks. The private ``_plan_*`` helpers return the
call instead of making it, so ``wi.torch`` can send it to a ``wi.Generator``.
"""

from __future__ import annotations

import math
import numbers

from . import _api
from ._fans import calculate_gain, compute_fans, fan_for_mode

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


def shape_of(buf) -> tuple[int, ...]:
    """The logical shape of an array, tensor or buffer-protocol object."""
    shape = getattr(buf, "shape", None)  # NumPy, ml_dtypes, torch
    if shape is not None and not isinstance(buf, memoryview):
        return tuple(int(d) for d in shape)
    try:
        with memoryview(buf) as view:
            return tuple(view.shape)
    except TypeError:
        raise TypeError(
            "buf must be a writable array, tensor or buffer-protocol object "
            f"(got {type(buf).__name__})"
        ) from None


def _fans(shape, layout, in_axis, out_axis, batch_axis):
    fan_in, fan_out = compute_fans(
        shape, layout, in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis
    )
    if math.prod(shape) == 0:
        # Nothing will be written, but the fill still checks the buffer; a
        # zero fan would only turn that into a ZeroDivisionError.
        fan_in, fan_out = max(fan_in, 1), max(fan_out, 1)
    return fan_in, fan_out


def _check_choice(name, value, choices):
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a str, one of {', '.join(map(repr, choices))} "
            f"(got {type(value).__name__})"
        )
    if value not in choices:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, choices))} (got {value!r})"
        )


def _check_scale(scale):
    if not isinstance(scale, numbers.Real) or isinstance(scale, bool):
        raise TypeError(f"scale must be a real number (got {type(scale).__name__})")
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number (got {scale!r})")


# --- plans: (fill_* name, positional args after buf, keyword args) -------------


def _plan_xavier(kind, shape, gain, layout, in_axis, out_axis, batch_axis):
    fan_in, fan_out = _fans(shape, layout, in_axis, out_axis, batch_axis)
    return f"fill_xavier_{kind}", (fan_in, fan_out), {"gain": gain}


def _plan_kaiming(kind, shape, a, mode, nonlinearity, layout, in_axis, out_axis, batch_axis):
    _check_choice("mode", mode, ("fan_in", "fan_out"))
    gain = calculate_gain(nonlinearity, a)
    fan_in, fan_out = _fans(shape, layout, in_axis, out_axis, batch_axis)
    fan = fan_in if mode == "fan_in" else fan_out
    # fill_he_* scale by gain / sqrt(fan): the fan we pass is the chosen one.
    return f"fill_he_{kind}", (fan,), {"gain": gain}


def _plan_variance_scaling(shape, scale, mode, distribution, layout, in_axis, out_axis, batch_axis):
    _check_scale(scale)
    _check_choice("mode", mode, ("fan_in", "fan_out", "fan_avg"))
    if isinstance(distribution, str):
        distribution = _DISTRIBUTION_ALIASES.get(distribution, distribution)
    _check_choice("distribution", distribution, DISTRIBUTIONS)
    fan_in, fan_out = _fans(shape, layout, in_axis, out_axis, batch_axis)
    # Keras divides by max(1, n); n >= 1 whenever the buffer is non-empty.
    variance = scale / max(1.0, fan_for_mode(fan_in, fan_out, mode))
    if distribution == "truncated_normal":
        std = math.sqrt(variance) / TRUNC_STD_2SIGMA
        return "fill_truncated_normal", (0.0, std, -2.0 * std, 2.0 * std), {}
    if distribution == "normal":
        return "fill_normal", (0.0, math.sqrt(variance)), {}
    limit = math.sqrt(3.0 * variance)
    return "fill_uniform", (-limit, limit), {}


def _run(plan, buf, seed, stream, offset, scale_name=None):
    """Do the planned fill; an overflow caused by scale_name's value is reported under that name."""
    name, args, kwargs = plan
    try:
        return getattr(_api, name)(buf, *args, seed=seed, stream=stream, offset=offset, **kwargs)
    except ValueError as exc:
        if scale_name is None or not ("overflow" in str(exc) or "must be finite in" in str(exc)):
            raise
        raise ValueError(f"{scale_name} is too large for this buffer: {exc}") from None


# --- public ---------------------------------------------------------------------


def xavier_uniform_(
    buf, gain=1.0, *, layout="torch", in_axis=None, out_axis=None, batch_axis=(),
    seed=None, stream=0, offset=0,
):
    r"""Fill ``buf`` from a Glorot/Xavier uniform distribution, fans read off its shape.

    Values are drawn from :math:`\mathcal{U}(-b, b)` with

    .. math::
        b = \text{gain} \times \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}

    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks". Same as ``torch.nn.init.xavier_uniform_``
    and, with ``gain=1``, Keras/JAX ``glorot_uniform``. The fans come from
    :func:`wi.compute_fans` (``layout``, ``in_axis``, ``out_axis``,
    ``batch_axis``); ``seed``, ``stream`` and ``offset`` are those of the
    ``fill_*`` functions. Returns ``buf``.

    Example:
        >>> w = np.empty((256, 128), np.float32)          # torch layout [out, in]
        >>> wi.xavier_uniform_(w, gain=wi.calculate_gain("relu"), seed=0)
    """
    plan = _plan_xavier("uniform", shape_of(buf), gain, layout, in_axis, out_axis, batch_axis)
    return _run(plan, buf, seed, stream, offset)


def xavier_normal_(
    buf, gain=1.0, *, layout="torch", in_axis=None, out_axis=None, batch_axis=(),
    seed=None, stream=0, offset=0,
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
    plan = _plan_xavier("normal", shape_of(buf), gain, layout, in_axis, out_axis, batch_axis)
    return _run(plan, buf, seed, stream, offset)


def kaiming_uniform_(
    buf, a=0, mode="fan_in", nonlinearity="leaky_relu", *, layout="torch",
    in_axis=None, out_axis=None, batch_axis=(), seed=None, stream=0, offset=0,
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
    plan = _plan_kaiming(
        "uniform", shape_of(buf), a, mode, nonlinearity, layout, in_axis, out_axis, batch_axis
    )
    return _run(plan, buf, seed, stream, offset)


def kaiming_normal_(
    buf, a=0, mode="fan_in", nonlinearity="leaky_relu", *, layout="torch",
    in_axis=None, out_axis=None, batch_axis=(), seed=None, stream=0, offset=0,
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
    plan = _plan_kaiming(
        "normal", shape_of(buf), a, mode, nonlinearity, layout, in_axis, out_axis, batch_axis
    )
    return _run(plan, buf, seed, stream, offset)


def variance_scaling_(
    buf, scale=1.0, mode="fan_in", distribution="truncated_normal", *, layout="torch",
    in_axis=None, out_axis=None, batch_axis=(), seed=None, stream=0, offset=0,
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
    plan = _plan_variance_scaling(
        shape_of(buf), scale, mode, distribution, layout, in_axis, out_axis, batch_axis
    )
    return _run(plan, buf, seed, stream, offset, scale_name="scale")


def lecun_uniform_(
    buf, *, layout="torch", in_axis=None, out_axis=None, batch_axis=(),
    seed=None, stream=0, offset=0,
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
    )


def lecun_normal_(
    buf, *, layout="torch", in_axis=None, out_axis=None, batch_axis=(),
    seed=None, stream=0, offset=0,
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
    )


def trunc_normal_(buf, mean=0.0, std=1.0, a=-2.0, b=2.0, *, seed=None, stream=0, offset=0):
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
    _api._truncated_args(mean, std, a, b, names=("a", "b"))  # errors name torch's a and b
    return _api.fill_truncated_normal(buf, mean, std, a, b, seed=seed, stream=stream, offset=offset)


# Keras/JAX names for the torch-semantics functions above (same objects).
glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_
