"""Filling a torch tensor from a distribution: the compiled fast path, or a checked one.

torch is imported on the first call (`torch_module`), never at import. Small contiguous CPU
tensors of torch's float dtypes are written directly by the compiled core (registered here
on first use); anything else (other layouts such as ``w.T``, other float dtypes, large
tensors) gets the checked path: the tensor in place when it can be, else the values a
contiguous tensor of the same shape would receive, copied in. Values depend on the logical
index only.
"""
from .. import _backend
from .._backend import fill_fast
from .._generator import Generator, global_generator

_torch = None
_native = ()


def torch_module():
    """torch, imported (and registered with the fast path) on first use."""
    global _torch, _native
    if _torch is None:
        import torch

        from .. import _contract as contract

        dtypes = {torch.float32: contract.F32, torch.float64: contract.F64,
                  torch.float16: contract.F16, torch.bfloat16: contract.BF16}
        # torch.autograd.graph.increment_version's own body is this C call on a tuple of
        # tensors; calling it directly saves a third of the fast path's time on small tensors.
        bump = getattr(torch._C, "_increment_version", torch.autograd.graph.increment_version)
        _backend.register_torch((torch.Tensor, torch.nn.Parameter), dtypes, bump, torch.is_grad_enabled)
        _native = tuple(dtypes)
        _torch = torch
    return _torch


def check_generator(generator):
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(
            "generator must be a wi.Generator or None "
            f"(got {type(generator).__module__}.{type(generator).__name__})"
        )


def shape_of(tensor):
    """tensor's shape as a tuple; TypeError if it is not a torch.Tensor."""
    torch = _torch or torch_module()
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor (got {type(tensor).__name__})")
    return tuple(tensor.shape)


def _has_storage_to_fill(tensor):
    """Device and dtype checks of a tensor; False for meta and empty tensors (a no-op, as in
    torch.nn.init)."""
    if tensor.is_meta:
        return False
    if tensor.device.type != "cpu":
        raise ValueError(
            f"tensor must be on the CPU (got device '{tensor.device}'); "
            "initialise on the CPU and move it, or use torch.nn.init"
        )
    if not tensor.is_floating_point():
        raise TypeError(f"tensor must have a floating dtype (got {tensor.dtype})")
    return tensor.numel() > 0


def fill_tensor(tensor, dist, generator=None, *, seed=None, stream=0):
    """Fill a torch tensor in place from dist (already checked); returns tensor.

    generator=None with seed=None draws from the global generator; a seed gives the explicit
    position (seed, stream, 0), as init_module_ uses it.
    """
    gen = global_generator if generator is None else generator
    if fill_fast(tensor, dist, gen, seed, stream, 0):
        return tensor
    if not _has_storage_to_fill(tensor):
        return tensor
    torch = _torch or torch_module()
    with torch.no_grad():
        target = tensor.detach()  # same storage, no autograd bookkeeping
        direct = target.is_contiguous() and not target.is_neg() and target.dtype in _native
        if not direct:
            buf = torch.empty(target.shape, dtype=target.dtype if target.dtype in _native else torch.float32)
        elif target.dtype is not torch.bfloat16 and not target.is_inference():
            buf = target.numpy()  # the same memory; NumPy arrays take the core's cheapest path
        else:
            buf = target
        gen.fill(buf, dist, seed=seed, stream=stream)
        if direct:
            # The core wrote behind autograd's back: bump the version counter as an
            # in-place torch op would, so stale saved tensors are caught.
            torch.autograd.graph.increment_version(tensor)
        else:
            target.copy_(buf)
    return tensor


def fill_constant(tensor, value):
    """torch's answer to a zero std or gain: every element `value` (meta tensors untouched)."""
    if _has_storage_to_fill(tensor):
        with _torch.no_grad():
            tensor.fill_(value)
    return tensor
