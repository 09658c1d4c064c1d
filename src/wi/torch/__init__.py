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
from ._errors import NotLayoutFreeWarning, NotReproducibleError
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
    "reproducible",
    "NotReproducibleError",
    "NotLayoutFreeWarning",
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


def reproducible(model, seed=0, *, strict=False):
    """A block in which the model's own init code fills its parameters from wi streams.

    Every random initialisation of one of ``model``'s parameters or buffers inside the block
    (the random ``torch.nn.init`` functions however the code reaches them, including
    transformers' table of references; ``Tensor.normal_``, ``uniform_``, ``exponential_``,
    ``cauchy_``, ``log_normal_``, ``geometric_``, ``bernoulli_``, ``random_`` on the parameter or any
    view of it: ``.data``, ``.detach()``, slices, a DTensor's ``to_local()``) gets the
    distribution the call asks for (torch's parameters and defaults; fans from the global
    shape), with values from wi: the k-th random call on the parameter with canonical name
    N (as ``init_module_`` names it) draws from stream ``stream_id(N)`` of ``seed``,
    elements ``k * 2**48`` on, each element at its index in the global tensor. So the values
    depend only on the seed, the names and the calls made on each parameter: not on the
    order across parameters, threads, device, world size or sharding. Call 0 gives the
    values ``wi.fill_*(..., seed=seed, stream=stream_id(N))`` gives. Deterministic
    operations (``zero_``, ``fill_``, ``copy_``, ``mul_`` ...) run as they are.

    ``seed=None`` draws one key from torch's default generator when the block opens
    (``torch.manual_seed`` reproduces it on every rank). A ``generator=`` the model's code
    passes gives the key (a torch.Generator: one key drawn from it per call; a wi.Generator:
    its seed); the stream is still the parameter's. A random call on a tensor that is not the
    model's (a temporary, ``torch.randn``) runs on torch's generator with a
    :class:`NotLayoutFreeWarning` once per call site; ``strict=True`` raises
    :class:`NotReproducibleError` instead, before anything is written. Parameters marked
    ``_is_hf_initialized`` (loaded by transformers) are left untouched. ``bernoulli_`` with
    a tensor ``p`` raises NotImplementedError. Blocks do not nest. Leaving the block restores torch.

    The returned object records the calls: ``print(ctx)`` shows a table (parameter, shape,
    call, function, distribution, elements), ``ctx.records`` the same as objects.

    Example:
        >>> with torch.device("meta"):
        ...     model = GPT2LMHeadModel(config)
        >>> model = model.to_empty(device="cpu")
        >>> with wi.torch.reproducible(model, seed=0) as ctx:
        ...     model.init_weights()
        >>> print(ctx)
    """
    from ._reproducible import Reproducible  # imports torch

    return Reproducible(model, seed, strict=strict)
