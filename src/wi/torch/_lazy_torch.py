"""torch, imported on first use and registered with the compiled fast path.

The bottom of wi.torch: every module that needs torch asks ``torch_module()`` here, so
``import wi.torch`` does not import torch, and nothing here imports the rest of wi.torch.
"""
from .. import _backend

_torch = None
native = ()  # torch's float dtypes the core writes directly, once torch is imported
Tensor = ()  # torch.Tensor once imported (the fast path would also fill a NumPy array)


def torch_module():
    """torch, imported (and registered with the fast path) on first use."""
    global _torch, native, Tensor
    if _torch is None:
        import torch

        from .. import _contract as contract

        dtypes = {torch.float32: contract.F32, torch.float64: contract.F64,
                  torch.float16: contract.F16, torch.bfloat16: contract.BF16}
        # torch.autograd.graph.increment_version's own body is this C call on a tuple of
        # tensors; calling it directly saves a third of the fast path's time on small tensors.
        bump = getattr(torch._C, "_increment_version", torch.autograd.graph.increment_version)
        _backend.register_torch((torch.Tensor, torch.nn.Parameter), dtypes, bump, torch.is_grad_enabled)
        native = tuple(dtypes)
        Tensor = torch.Tensor
        _torch = torch
    return _torch
