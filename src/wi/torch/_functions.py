"""torch.nn.init's random fills on wi's core: same names, signatures and return value.

Each function checks its arguments, builds one distribution (the shape-aware ones through
the functions wi's own initialisers use), finds where to draw from (`_seeding.position`:
torch's seeding for ``generator=None`` or a torch.Generator, a wi.Generator's own stream)
and hands both to `fill_tensor`. Where torch raises another exception type for the same bad
input, the error also derives from torch's (`_errors`).
"""
from __future__ import annotations

import math
import warnings

from .. import _args
from .._dists import DistributionCache, Normal, TruncatedNormal, Uniform, xavier_normal, xavier_uniform
from .._fans import calculate_gain as _wi_calculate_gain
from .._initializers import fans, kaiming_distribution
from ._errors import TypeAndAttributeError, like_torch
from ._seeding import position
from . import _lazy_torch
from ._tensors import fill_constant, fill_tensor, shape_of

# wi.torch's own distributions by their exact arguments (see DistributionCache).
_cached = DistributionCache().get


def _uniform(a, b):
    return Uniform(a, b, names=("a", "b"))


def _truncated(mean, std, a, b):
    """The distribution, and whether torch would warn that the mean is far from [a, b]."""
    dist = TruncatedNormal(mean, std, a, b, names=("mean", "std", "a", "b"))
    mean, std, a, b = dist.params
    return dist, mean < a - 2 * std or mean > b + 2 * std


def uniform_distribution(a, b):
    """U(a, b) as torch.nn.init.uniform_ takes it (torch's exception types)."""
    try:
        return _cached(("uniform", type(a), a, type(b), b), _uniform, a, b)
    except ValueError as exc:  # torch's uniform_ raises RuntimeError
        raise like_torch(exc, RuntimeError) from None


def normal_distribution(mean, std):
    """N(mean, std^2) as torch.nn.init.normal_ takes it (torch's exception types)."""
    try:
        return _cached(("normal", type(mean), mean, type(std), std), Normal, mean, std)
    except ValueError as exc:  # torch's normal_ raises RuntimeError
        raise like_torch(exc, RuntimeError) from None


def trunc_normal_distribution(mean, std, a, b, stacklevel=2):
    """The truncated normal trunc_normal_ draws from, or a float where [a, b] holds one value
    (torch fills it); warns as torch does when the mean is far from [a, b]."""
    if a == b and type(a) in (int, float) and math.isfinite(a):  # torch fills the one value [a, a] holds
        try:
            _args.real(mean, "mean"), _args.non_negative(std, "std")
        except ValueError as exc:
            raise like_torch(exc, RuntimeError) from None
        return float(a)
    try:
        dist, far = _cached(("trunc", type(mean), mean, type(std), std, type(a), a, type(b), b),
                            _truncated, mean, std, a, b)
    except ValueError as exc:  # torch's uniform_ raises RuntimeError for a > b
        raise like_torch(exc, RuntimeError) from None
    if far:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=stacklevel)
    return dist


_NONLINEARITY = ("Literal['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', "
                 "'conv_transpose3d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu']")


def calculate_gain(nonlinearity: _NONLINEARITY, param: int | float | None = None) -> float:
    try:
        return _wi_calculate_gain(nonlinearity, param)
    except TypeError as exc:  # torch: ValueError for a param or nonlinearity of the wrong type
        raise like_torch(exc, ValueError) from None


calculate_gain.__doc__ = _wi_calculate_gain.__doc__


def uniform_(tensor: torch.Tensor, a: float = 0.0, b: float = 1.0,
             generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal{U}(a, b)` (as ``torch.nn.init.uniform_``).

    ``generator``: None or a torch.Generator follow torch's seeding (one key drawn from it per
    call), a wi.Generator fills from its own stream.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.uniform_(w, -0.1, 0.1)
    """
    dist = uniform_distribution(a, b)
    gen, seed = position(generator)
    return fill_tensor(tensor, dist, gen, seed=seed)


def normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0,
            generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` (as ``torch.nn.init.normal_``).

    A zero std fills the mean, as torch does.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.normal_(w, std=0.02, generator=wi.Generator(0))
    """
    dist = normal_distribution(mean, std)
    gen, seed = position(generator)
    return fill_tensor(tensor, dist, gen, seed=seed)


def trunc_normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated to :math:`[a, b]`.

    As ``torch.nn.init.trunc_normal_``: ``a`` and ``b`` are absolute
    cut-offs (``a=-math.inf`` or ``b=math.inf`` for one-sided truncation), ``std``
    is that of the parent normal. Sampled by inverse CDF rather than rejection,
    so each value depends only on its index.

    Example:
        >>> w = torch.empty(768, 768)
        >>> wi.torch.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
    """
    dist = trunc_normal_distribution(mean, std, a, b, stacklevel=3)
    gen, seed = position(generator)
    if isinstance(dist, float):
        return fill_constant(tensor, dist)
    return fill_tensor(tensor, dist, gen, seed=seed)


def _xavier_distribution(kind, shape, gain):
    fan_in, fan_out = fans(shape)  # ValueError for fewer than 2 dimensions, as torch
    try:
        return (xavier_uniform if kind == "uniform" else xavier_normal)(fan_in, fan_out, gain)
    except ValueError as exc:  # a negative gain: torch's tensor op raises RuntimeError
        raise like_torch(exc, RuntimeError) from None


def _shape(tensor):
    """tensor.shape (a torch.Size, hashable), checking it is a tensor."""
    return tensor.shape if isinstance(tensor, _lazy_torch.Tensor) else shape_of(tensor)


def xavier_distribution_of(kind, shape, gain):
    """The distribution xavier_{kind}_ fills a tensor of this shape (a torch.Size or tuple) from."""
    return _cached((kind, shape, type(gain), gain), _xavier_distribution, kind, shape, gain)


def _xavier(kind, tensor, gain, generator):
    dist = xavier_distribution_of(kind, _shape(tensor), gain)
    gen, seed = position(generator)
    return fill_tensor(tensor, dist, gen, seed=seed)  # a zero gain gives zeros, as torch


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal{U}(-b, b)`, :math:`b = \text{gain}\sqrt{6/(\text{fan\_in}+\text{fan\_out})}`.

    Glorot & Bengio (2010). As ``torch.nn.init.xavier_uniform_`` (fans of a
    ``[out, in, *kernel]`` weight).

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.xavier_uniform_(w, gain=wi.torch.calculate_gain("relu"))
    """
    return _xavier("uniform", tensor, gain, generator)


def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain}\sqrt{2/(\text{fan\_in}+\text{fan\_out})}`.

    Glorot & Bengio (2010). As ``torch.nn.init.xavier_normal_``.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.xavier_normal_(w)
    """
    return _xavier("normal", tensor, gain, generator)


def _kaiming_distribution(kind, shape, a, mode, nonlinearity):
    if not isinstance(mode, str):  # torch calls mode.lower()
        raise TypeAndAttributeError(f"mode must be a str, one of 'fan_in', 'fan_out' (got {type(mode).__name__})")
    try:
        return kaiming_distribution(kind, shape, a, mode.lower(), nonlinearity)  # torch: any case
    except TypeError as exc:  # torch: ValueError for a, mode or nonlinearity of the wrong type
        raise like_torch(exc, ValueError) from None


def kaiming_distribution_of(kind, shape, a, mode, nonlinearity):
    """The distribution kaiming_{kind}_ fills a tensor of this shape from."""
    return _cached((kind, shape, type(a), a, type(mode), mode, type(nonlinearity), nonlinearity),
                   _kaiming_distribution, kind, shape, a, mode, nonlinearity)


def _kaiming(kind, tensor, a, mode, nonlinearity, generator):
    shape = _shape(tensor)
    dist = kaiming_distribution_of(kind, shape, a, mode, nonlinearity)
    gen, seed = position(generator)
    if 0 in shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
    return fill_tensor(tensor, dist, gen, seed=seed)


def kaiming_uniform_(tensor: torch.Tensor, a: float = 0, mode: Literal['fan_in', 'fan_out'] = "fan_in",
                     nonlinearity: _NONLINEARITY = "leaky_relu",
                     generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal{U}(-b, b)`, :math:`b = \text{gain}\sqrt{3/\text{fan\_mode}}`.

    He et al. (2015), "Delving deep into rectifiers". As
    ``torch.nn.init.kaiming_uniform_``: gain = ``calculate_gain(nonlinearity, a)``.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")
    """
    return _kaiming("uniform", tensor, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor: torch.Tensor, a: float = 0, mode: Literal['fan_in', 'fan_out'] = "fan_in",
                    nonlinearity: _NONLINEARITY = "leaky_relu",
                    generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` from :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain}/\sqrt{\text{fan\_mode}}`.

    He et al. (2015). As ``torch.nn.init.kaiming_normal_``.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    """
    return _kaiming("normal", tensor, a, mode, nonlinearity, generator)
