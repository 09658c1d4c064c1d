"""A drop-in for ``torch.nn.init`` whose random fills run on wi's core.

    import wi.torch as init          # instead of: from torch.nn import init
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5))
    wi.torch.init_module_(model, seed=0)

The functions keep torch.nn.init's names, signatures and return value, work
under ``torch.no_grad()`` on CPU tensors of any floating dtype, and accept a
:class:`wi.Generator` as ``generator=`` (``None`` means wi's global
generator, seeded by ``wi.seed``). The remaining torch.nn.init functions
(``constant_``, ``orthogonal_``, ...) are forwarded to torch unchanged.

torch is imported on first use, so ``import wi`` never imports it.
"""

from __future__ import annotations

import hashlib
import importlib
import numbers
import warnings

from . import _api
from ._fans import calculate_gain
from ._init import _plan_kaiming, _plan_xavier, shape_of

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "init_module_",
    "stream_id",
]

# torch.nn.init functions that draw no wi random numbers (or need a
# torch.Generator): forwarded so that this module replaces torch.nn.init.
_FORWARDED = ("constant_", "ones_", "zeros_", "eye_", "dirac_", "orthogonal_", "sparse_")


def __getattr__(name):
    if name in _FORWARDED:
        return getattr(_torch().nn.init, name)
    raise AttributeError(f"module 'wi.torch' has no attribute {name!r}")


def _torch():
    return importlib.import_module("torch")


def _check_generator(generator):
    if generator is not None and not isinstance(generator, _api.Generator):
        raise TypeError(
            "generator must be a wi.Generator or None "
            f"(got {type(generator).__module__}.{type(generator).__name__})"
        )


def _check_tensor(tensor):
    """Device/dtype checks of a tensor; returns True if there is storage to write."""
    if tensor.is_meta:
        return False  # no storage: a no-op, as in torch.nn.init
    if tensor.device.type != "cpu":
        raise ValueError(
            f"tensor must be on the CPU (got device '{tensor.device}'); "
            "initialise on the CPU and move it, or use torch.nn.init"
        )
    if not tensor.is_floating_point():
        raise TypeError(f"tensor must have a floating dtype (got {tensor.dtype})")
    return tensor.numel() > 0


_NATIVE = []


def _native_dtypes(torch):
    """The dtypes the core fills in place (cached: this runs once per parameter)."""
    if not _NATIVE:
        _NATIVE.extend((torch.float32, torch.float64, torch.float16, torch.bfloat16))
    return _NATIVE


def _fill_tensor(tensor, plan, *, generator=None, seed=None, stream=0):
    """Run a fill plan on a CPU tensor, directly or through a contiguous copy.

    Contiguous tensors of a dtype the core fills are written in place. Any
    other layout (e.g. ``w.T``) or floating dtype gets a correct slow path:
    the values a contiguous float tensor of the same shape would receive,
    copied in. Values therefore depend on the logical index only.
    """
    torch = _torch()
    name, args, kwargs = plan
    target = tensor.detach()  # same storage, no autograd bookkeeping
    native = _native_dtypes(torch)
    direct = target.is_contiguous() and not target.is_neg() and target.dtype in native
    if not direct:
        buf = torch.empty(target.shape, dtype=target.dtype if target.dtype in native else torch.float32)
    elif target.dtype is not torch.bfloat16 and not target.is_inference():
        buf = target.numpy()  # the same memory; NumPy arrays take the core's cheapest path
    else:
        buf = target
    if generator is not None:
        getattr(generator, name)(buf, *args, **kwargs)
    else:
        getattr(_api, name)(buf, *args, seed=seed, stream=stream, **kwargs)
    if direct:
        # The core wrote behind autograd's back: bump the version counter as an
        # in-place torch op would, so stale saved tensors are caught.
        torch.autograd.graph.increment_version(tensor)
    else:
        with torch.no_grad():
            target.copy_(buf)
    return tensor


def _apply(tensor, plan_fn, generator):
    _check_generator(generator)
    torch = _torch()
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor (got {type(tensor).__name__})")
    plan = plan_fn(shape_of(tensor))  # validates the arguments first
    if _check_tensor(tensor):
        with torch.no_grad():
            if plan[0] == "constant":
                tensor.fill_(*plan[1])
            else:
                _fill_tensor(tensor, plan, generator=generator)
    return tensor


def _is_zero(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and x == 0


def _scaled(plan, scale):
    """torch accepts a zero std or gain (all values the mean, or zero); the fills do not."""
    return ("constant", (0.0,), {}) if _is_zero(scale) else plan


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{U}(a, b)` (as ``torch.nn.init.uniform_``).

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.uniform_(w, -0.1, 0.1)
    """
    _api._uniform_args(a, b, names=("a", "b"))  # errors name torch's a and b
    return _apply(tensor, lambda shape: ("fill_uniform", (a, b), {}), generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` (as ``torch.nn.init.normal_``).

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.normal_(w, std=0.02, generator=wi.Generator(0))
    """
    if _is_zero(std):
        return _apply(tensor, lambda shape: ("constant", (mean,), {}), generator)
    return _apply(tensor, lambda shape: ("fill_normal", (mean, std), {}), generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated to :math:`[a, b]`.

    As ``torch.nn.init.trunc_normal_``: ``a`` and ``b`` are absolute
    cut-offs, ``std`` is that of the parent normal. Sampled by inverse CDF
    rather than rejection, so each value depends only on its index.

    Example:
        >>> w = torch.empty(768, 768)
        >>> wi.torch.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
    """
    _api._truncated_args(mean, std, a, b, names=("a", "b"))  # errors name torch's a and b
    return _apply(
        tensor, lambda shape: ("fill_truncated_normal", (mean, std, a, b), {}), generator
    )


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{U}(-b, b)`, :math:`b = \text{gain}\sqrt{6/(\text{fan\_in}+\text{fan\_out})}`.

    Glorot & Bengio (2010). As ``torch.nn.init.xavier_uniform_`` (fans of a
    ``[out, in, *kernel]`` weight).

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.xavier_uniform_(w, gain=wi.torch.calculate_gain("relu"))
    """
    return _apply(
        tensor,
        lambda shape: _scaled(_plan_xavier("uniform", shape, gain, "torch", None, None, ()), gain),
        generator,
    )


def xavier_normal_(tensor, gain=1.0, generator=None):
    r"""Fill ``tensor`` from :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain}\sqrt{2/(\text{fan\_in}+\text{fan\_out})}`.

    Glorot & Bengio (2010). As ``torch.nn.init.xavier_normal_``.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.xavier_normal_(w)
    """
    return _apply(
        tensor,
        lambda shape: _scaled(_plan_xavier("normal", shape, gain, "torch", None, None, ()), gain),
        generator,
    )


def _kaiming(kind, tensor, a, mode, nonlinearity, generator):
    def plan(shape):
        p = _plan_kaiming(kind, shape, a, mode, nonlinearity, "torch", None, None, ())
        if 0 in shape:
            warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=5)
        return p

    return _apply(tensor, plan, generator)


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


def stream_id(name: str) -> int:
    """The wi stream of a parameter: the first 8 bytes of BLAKE2b(name), little-endian.

    ``init_module_`` fills the parameter called ``name`` (its qualified name,
    e.g. ``"encoder.layers.0.linear1.weight"``) from this stream at offset 0,
    so a value depends only on (seed, name, index).

    Example:
        >>> wi.torch.stream_id("fc.weight") < 2**64
        True
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str (got {type(name).__name__})")
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def init_module_(module, seed=0, *, prefix=""):
    """Re-initialise every parameter of ``module`` as PyTorch's defaults would, at wi speed.

    Each parameter gets the distribution its layer's own initialisation
    uses (Linear, Conv*/ConvTranspose*, Bilinear, Embedding(Bag), the norm
    layers, MultiheadAttention, RNN/LSTM/GRU and their cells, Transformer),
    drawn from stream ``stream_id(qualified name)`` of ``seed``: its values
    depend only on (seed, name, shape), not on what else is in the model or
    the order it was built. Modules of other types are reset through their
    ``reset_parameters()`` (torch's RNG, not order-independent); parameters
    nothing knows how to initialise are left alone with a warning. Batch-norm
    running statistics are reset too. ``prefix`` is prepended to every name,
    so ``init_module_(model.block, seed, prefix="block")`` matches
    ``init_module_(model, seed)``.

    Works on models built on the meta device and materialised with
    ``module.to_empty(device="cpu")``. Returns ``module``.

    Example:
        >>> with torch.device("meta"):
        ...     model = torch.nn.Transformer()
        >>> model = model.to_empty(device="cpu")
        >>> wi.torch.init_module_(model, seed=0)
    """
    from ._module_init import init_module_ as impl

    return impl(module, seed, prefix=prefix)
