"""Filling a torch tensor from a distribution: the compiled fast path, or the way in.

torch is imported on the first call (`_lazy_torch`), never at import. Small contiguous CPU
tensors of torch's float dtypes are written directly by the compiled core; anything else
(other layouts such as ``w.T``, other float dtypes, large tensors, DTensors, other devices)
goes through `_local_fill` (where the elements live) to the one CPU fill (`_cpu_fill`).
Values depend on the logical index only.
"""
from .._backend import fill_fast
from .._generator import global_generator
from . import _lazy_torch
from . import _local_fill
from ._errors import TypeAndAttributeError, TypeAndNotImplementedError
from ._lazy_torch import torch_module


def shape_of(tensor):
    """tensor's shape as a tuple; TypeError (an AttributeError too, as torch's) if it is not a
    torch.Tensor."""
    torch = torch_module()
    if not isinstance(tensor, torch.Tensor):
        raise TypeAndAttributeError(f"tensor must be a torch.Tensor (got {type(tensor).__name__})")
    return tuple(tensor.shape)


def has_storage_to_fill(tensor):
    """Device and dtype checks of a tensor; False for meta and empty tensors (a no-op, as in
    torch.nn.init)."""
    if tensor.is_meta:
        return False
    if not tensor.is_floating_point():
        raise TypeAndNotImplementedError(f"tensor must have a floating dtype (got {tensor.dtype})")
    return tensor.numel() > 0


def fill_tensor(tensor, dist, generator=None, *, seed=None, stream=0):
    """Fill a torch tensor in place from dist (already checked); returns tensor.

    generator=None with seed=None draws from the global generator; a seed gives the explicit
    position (seed, stream, 0), as init_module_ uses it.
    """
    gen = global_generator if generator is None else generator
    if isinstance(tensor, _lazy_torch.Tensor) and fill_fast(tensor, dist, gen, seed, stream, 0):
        return tensor
    shape_of(tensor)
    if has_storage_to_fill(tensor):
        _local_fill.fill(tensor, dist, gen, seed, stream)  # where its elements live, then the CPU fill
    return tensor


def fill_constant(tensor, value):
    """torch's answer to a zero std or gain: every element `value` (meta tensors untouched)."""
    shape_of(tensor)
    if has_storage_to_fill(tensor):
        with torch_module().no_grad():
            tensor.fill_(value)
    return tensor
