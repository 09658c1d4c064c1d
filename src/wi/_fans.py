"""Shape -> (fan_in, fan_out), and the recommended gain of a nonlinearity.

Pure Python: no NumPy, no torch, no C. The formulas are those of
torch.nn.init, Keras/TensorFlow and jax.nn.initializers, so that a user of
any of them gets exactly the fans (and hence the scales) they are used to.
"""

from __future__ import annotations

import math
import numbers

from . import _args

__all__ = ["calculate_gain", "compute_fans", "LAYOUTS", "FAN_MODES", "fan_for_mode"]

# Layout name -> (in_axis, out_axis) of the weight.
#   torch: [out, in, *kernel]    (nn.Linear, nn.ConvNd)
#   keras: [*kernel, in, out]    (Keras, tf.keras; also JAX's default axes)
#   jax:   the same axes as keras, with jax.nn.initializers' rank rule
LAYOUTS = ("torch", "keras", "jax")
_LAYOUT_AXES = {"torch": (1, 0), "keras": (-2, -1), "jax": (-2, -1)}

FAN_MODES = ("fan_in", "fan_out", "fan_avg")

_LINEAR_LIKE = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)
NONLINEARITIES = _LINEAR_LIKE + ("tanh", "relu", "leaky_relu", "selu")


def _is_real(x) -> bool:
    # bool is an int, but True as a slope is almost certainly a mistake.
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""Return the recommended gain for a nonlinearity (torch.nn.init's table).

    ================================================  ===================================
    nonlinearity                                      gain
    ================================================  ===================================
    linear, conv{1,2,3}d, conv_transpose{1,2,3}d,     :math:`1`
    sigmoid
    tanh                                              :math:`5/3`
    relu                                              :math:`\sqrt{2}`
    leaky_relu                                        :math:`\sqrt{2 / (1 + \text{slope}^2)}`
    selu                                              :math:`3/4`
    ================================================  ===================================

    ``param`` is the negative slope of ``leaky_relu`` (default 0.01) and is
    ignored for every other nonlinearity, as in PyTorch. The ReLU gain is
    from He et al. (2015), "Delving deep into rectifiers"; the SELU value is
    PyTorch's empirical choice (for self-normalising networks use "linear").

    Example:
        >>> wi.calculate_gain("leaky_relu", 0.2)
        1.3867504905630728
    """
    if not isinstance(nonlinearity, str):
        raise TypeError(
            f"nonlinearity must be a str, one of {_args.quoted(NONLINEARITIES)} "
            f"(got {type(nonlinearity).__name__})"
        )
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not _is_real(param):
            raise TypeError(
                "param (the negative slope of leaky_relu) must be a real number "
                f"or None (got {type(param).__name__})"
            )
        elif not math.isfinite(param):
            raise ValueError(
                "param (the negative slope of leaky_relu) must be finite "
                f"(got {param!r})"
            )
        else:
            slope = float(param)
        if abs(slope) > 1e150:  # slope**2 would overflow
            raise ValueError(
                "param (the negative slope of leaky_relu) is too large "
                f"(got {param!r}; |slope| must be <= 1e150)"
            )
        return math.sqrt(2.0 / (1 + slope**2))
    raise ValueError(
        f"nonlinearity must be one of {_args.quoted(NONLINEARITIES)} (got {nonlinearity!r})"
    )


def _given(axis) -> bool:
    """True when an axis argument names at least one axis."""
    if axis is None:
        return False
    try:
        return len(axis) > 0
    except TypeError:
        return True  # a single int (or something _args.axes will reject)


def compute_fans(
    shape,
    layout: str = "torch",
    *,
    in_axis=None,
    out_axis=None,
    batch_axis=(),
) -> tuple[int, int]:
    r"""Return ``(fan_in, fan_out)`` of a weight of the given shape.

    With a receptive field :math:`r` (the product of the kernel dimensions),

    .. math::
        \text{fan\_in} = n_\text{in} \cdot r, \qquad
        \text{fan\_out} = n_\text{out} \cdot r

    where the axes of :math:`n_\text{in}` and :math:`n_\text{out}` depend on
    the layout:

    - ``"torch"``: ``[out, in, *kernel]``, as ``torch.nn.init``. Rank < 2 is
      an error.
    - ``"keras"``: ``[*kernel, in, out]``, as Keras/TensorFlow (and JAX's
      default axes). Rank 0 gives ``(1, 1)``, rank 1 ``(n, n)``.
    - ``"jax"``: the Keras axes with ``jax.nn.initializers``' rule that rank
      < 2 is an error.

    ``in_axis``, ``out_axis`` and ``batch_axis`` (an int or a sequence of
    ints) follow ``jax.nn.initializers.variance_scaling``: :math:`n_\text{in}`
    and :math:`n_\text{out}` are the products over those axes, batch axes are
    ignored, and every remaining axis is part of the receptive field. An axis
    left as ``None`` takes the layout's default; giving any axis switches to
    JAX's rank rule.

    Example:
        >>> wi.compute_fans((64, 3, 7, 7))                  # torch Conv2d
        (147, 3136)
        >>> wi.compute_fans((7, 7, 3, 64), "keras")         # Keras Conv2D
        (147, 3136)
        >>> wi.compute_fans((8, 3, 3, 16, 32), in_axis=-2, out_axis=-1, batch_axis=0)
        (144, 288)
    """
    dims = _args.shape(shape)
    _args.choice(layout, "layout", LAYOUTS)
    explicit = _given(in_axis) or _given(out_axis) or _given(batch_axis)
    ndim = len(dims)

    if layout == "keras" and not explicit:
        if ndim == 0:
            return 1, 1
        if ndim == 1:
            return dims[0], dims[0]
    if not explicit and ndim >= 2:
        # The layouts' own axes, without the general axis machinery (init_module_
        # computes fans for every parameter of a model).
        if layout == "torch":
            receptive = math.prod(dims[2:])
            return dims[1] * receptive, dims[0] * receptive
        receptive = math.prod(dims[:-2])
        return dims[-2] * receptive, dims[-1] * receptive
    if ndim < 2:
        who = "torch.nn.init" if layout == "torch" and not explicit else "jax.nn.initializers"
        raise ValueError(
            f"shape must have at least 2 dimensions to compute fans with layout "
            f"{layout!r} (got {shape!r}; {who} has the same rule)"
        )

    default_in, default_out = _LAYOUT_AXES[layout]
    ins = _args.axes(default_in if in_axis is None else in_axis, "in_axis", ndim)
    outs = _args.axes(default_out if out_axis is None else out_axis, "out_axis", ndim)
    batch = _args.axes(() if batch_axis is None else batch_axis, "batch_axis", ndim)
    if set(ins) & set(outs) or set(ins) & set(batch) or set(outs) & set(batch):
        raise ValueError(
            "in_axis, out_axis and batch_axis must be disjoint "
            f"(got in_axis={in_axis!r}, out_axis={out_axis!r}, batch_axis={batch_axis!r} "
            f"for layout {layout!r})"
        )
    used = set(ins) | set(outs) | set(batch)
    receptive = math.prod(d for i, d in enumerate(dims) if i not in used)
    n_in = math.prod(dims[i] for i in ins)
    n_out = math.prod(dims[i] for i in outs)
    return n_in * receptive, n_out * receptive


def fan_for_mode(fan_in: int, fan_out: int, mode: str) -> float:
    """The denominator of variance scaling: fan_in, fan_out or their mean."""
    _args.choice(mode, "mode", FAN_MODES)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    return (fan_in + fan_out) / 2
