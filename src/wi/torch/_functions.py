"""torch.nn.init's random fills on wi's core: same names, signatures and return value.

Each function checks its arguments, builds one distribution (the shape-aware ones through
the functions wi's own initialisers use) and hands it to `fill_tensor`. ``generator=`` takes
a wi.Generator; None means wi's global generator, seeded by ``wi.seed``.
"""
import warnings

from .. import _args
from .._dists import Normal, TruncatedNormal, Uniform
from .._initializers import fans, kaiming_distribution, xavier_distribution
from ._tensors import check_generator, fill_constant, fill_tensor, shape_of


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{U}(a, b)` (as ``torch.nn.init.uniform_``).

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.uniform_(w, -0.1, 0.1)
    """
    dist = Uniform(a, b, names=("a", "b"))
    check_generator(generator)
    shape_of(tensor)
    return fill_tensor(tensor, dist, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` (as ``torch.nn.init.normal_``).

    A zero std fills the mean, as torch does.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.normal_(w, std=0.02, generator=wi.Generator(0))
    """
    check_generator(generator)
    shape_of(tensor)
    if _args.is_zero(std):
        return fill_constant(tensor, _args.real(mean, "mean"))
    return fill_tensor(tensor, Normal(mean, std), generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated to :math:`[a, b]`.

    As ``torch.nn.init.trunc_normal_``: ``a`` and ``b`` are absolute
    cut-offs, ``std`` is that of the parent normal. Sampled by inverse CDF
    rather than rejection, so each value depends only on its index.

    Example:
        >>> w = torch.empty(768, 768)
        >>> wi.torch.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
    """
    dist = TruncatedNormal(mean, std, a, b, names=("mean", "std", "a", "b"))
    check_generator(generator)
    shape_of(tensor)
    return fill_tensor(tensor, dist, generator)


def _xavier(kind, tensor, gain, generator):
    check_generator(generator)
    shape = shape_of(tensor)
    if _args.is_zero(gain):  # torch: a zero gain gives zeros (after checking the shape)
        fans(shape)
        return fill_constant(tensor, 0.0)
    return fill_tensor(tensor, xavier_distribution(kind, shape, gain), generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{U}(-b, b)`, :math:`b = \text{gain}\sqrt{6/(\text{fan\_in}+\text{fan\_out})}`.

    Glorot & Bengio (2010). As ``torch.nn.init.xavier_uniform_`` (fans of a
    ``[out, in, *kernel]`` weight).

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.xavier_uniform_(w, gain=wi.torch.calculate_gain("relu"))
    """
    return _xavier("uniform", tensor, gain, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain}\sqrt{2/(\text{fan\_in}+\text{fan\_out})}`.

    Glorot & Bengio (2010). As ``torch.nn.init.xavier_normal_``.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.xavier_normal_(w)
    """
    return _xavier("normal", tensor, gain, generator)


def _kaiming(kind, tensor, a, mode, nonlinearity, generator):
    check_generator(generator)
    shape = shape_of(tensor)
    dist = kaiming_distribution(kind, shape, a, mode, nonlinearity)
    if 0 in shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
    return fill_tensor(tensor, dist, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{U}(-b, b)`, :math:`b = \text{gain}\sqrt{3/\text{fan\_mode}}`.

    He et al. (2015), "Delving deep into rectifiers". As
    ``torch.nn.init.kaiming_uniform_``: gain = ``calculate_gain(nonlinearity, a)``.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")
    """
    return _kaiming("uniform", tensor, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain}/\sqrt{\text{fan\_mode}}`.

    He et al. (2015). As ``torch.nn.init.kaiming_normal_``.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    """
    return _kaiming("normal", tensor, a, mode, nonlinearity, generator)
