"""A drop-in for ``torch.nn.init`` whose random fills run on wi's core.

    import wi.torch as init          # instead of: from torch.nn import init
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5))
    wi.torch.init_module_(model, seed=0)

Every public function of torch.nn.init is here with its name, parameters and return value,
the deprecated names without the underscore (with torch's FutureWarning) and the helpers
outside code calls (``_calculate_fan_in_and_fan_out``, ``_calculate_correct_fan``, the
``_no_grad_*`` functions). They work under ``torch.no_grad()`` on CPU tensors of any floating
dtype. ``generator=None`` follows torch's seeding (each call draws one key from torch's
default generator, so ``torch.manual_seed`` makes it reproducible), a ``torch.Generator`` is
used the same way, and a :class:`wi.Generator` fills from its own stream. The values differ
from torch's (docs/initializers.md, "Differences from torch.nn.init").

torch is imported on first use, so ``import wi.torch`` does not import it.
"""
from ._compat import (
    _calculate_correct_fan,
    _calculate_fan_in_and_fan_out,
    _no_grad_fill_,
    _no_grad_normal_,
    _no_grad_trunc_normal_,
    _no_grad_uniform_,
    _no_grad_zero_,
    constant,
    dirac,
    eye,
    kaiming_normal,
    kaiming_uniform,
    normal,
    orthogonal,
    sparse,
    uniform,
    xavier_normal,
    xavier_uniform,
)
from ._functions import (
    calculate_gain,
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
from ._structured import constant_, dirac_, eye_, ones_, orthogonal_, sparse_, zeros_
from ._lazy_torch import torch_module

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
    "uniform",
    "normal",
    "constant",
    "eye",
    "dirac",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "sparse",
    "init_module_",
    "stream_id",
    "no_init",
]


def __dir__():
    return sorted(__all__)


def init_module_(module, seed=0, *, prefix="", progress=False):
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

    ``seed=None`` draws the seed from torch's default generator (one key, as the
    fills with ``generator=None`` do), so ``torch.manual_seed(n)`` makes it
    reproducible. ``progress=True`` shows a tqdm progress bar over the
    parameters' elements (``pip install weightinit[progress]``).

    Works on models built on the meta device and materialised with
    ``module.to_empty(device="cpu")``. Returns ``module``.

    Example:
        >>> with torch.device("meta"):
        ...     model = torch.nn.Transformer()
        >>> model = model.to_empty(device="cpu")
        >>> wi.torch.init_module_(model, seed=0)
    """
    from ._module_init import init_module  # imports torch

    return init_module(module, seed, prefix=prefix, progress=progress)
