"""A drop-in for ``torch.nn.init`` whose random fills run on wi's core.

    import wi.torch as init          # instead of: from torch.nn import init
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5))
    wi.torch.init_module_(model, seed=0)

The functions keep torch.nn.init's names, signatures and return value, work
under ``torch.no_grad()`` on CPU tensors of any floating dtype, and accept a
:class:`wi.Generator` as ``generator=`` (``None`` means wi's global
generator, seeded by ``wi.seed``). The remaining torch.nn.init functions
(``constant_``, ``orthogonal_``, ...) are forwarded to torch unchanged.

torch is imported on first use, so ``import wi.torch`` does not import it.
"""
from .._fans import calculate_gain
from ._functions import (
    kaiming_normal_,
    kaiming_uniform_,
    normal_,
    trunc_normal_,
    uniform_,
    xavier_normal_,
    xavier_uniform_,
)
from ._no_init import no_init
from ._streams import stream_id
from ._tensors import torch_module

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
    "no_init",
]

# torch.nn.init functions that draw no wi random numbers (or need a
# torch.Generator): forwarded so that this module replaces torch.nn.init.
FORWARDED = ("constant_", "ones_", "zeros_", "eye_", "dirac_", "orthogonal_", "sparse_")


def __getattr__(name):
    if name in FORWARDED:
        return getattr(torch_module().nn.init, name)
    raise AttributeError(f"module 'wi.torch' has no attribute {name!r}")


def __dir__():
    return sorted(__all__ + list(FORWARDED))


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
    from ._module_init import init_module  # imports torch

    return init_module(module, seed, prefix=prefix)
