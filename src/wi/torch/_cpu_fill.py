"""The one CPU fill of wi.torch: a plain CPU tensor, or one box of a global tensor.

Every path that is not the compiled fast path (DTensor shards, tensors on other devices,
views of parameters, non-contiguous layouts, other float dtypes) ends here.
"""
from . import _lazy_torch


def fill_cpu(tensor, dist, gen, seed, stream, offset=0, region=None):
    """Fill a CPU tensor from dist at (seed, stream, offset), or from gen's next blocks when
    seed is None; with region = dict(global_shape=, start=), tensor is the block of a
    row-major global tensor at `start` and takes the stream elements of its place there.

    A contiguous tensor of a float dtype the core writes is written in place; any other
    gets the values a contiguous tensor of its shape would, through a buffer copied in.
    """
    torch = _lazy_torch.torch_module()
    where = region or {}
    with torch.no_grad():
        target = tensor.detach()  # same storage, no autograd bookkeeping
        native = _lazy_torch.native
        direct = target.is_contiguous() and not target.is_neg() and target.dtype in native
        if not direct:
            buf = torch.empty(target.shape, dtype=target.dtype if target.dtype in native else torch.float32)
        elif target.dtype is not torch.bfloat16 and not target.is_inference():
            buf = target.numpy()  # the same memory; NumPy arrays take the core's cheapest path
        else:
            buf = target
        gen.fill(buf, dist, seed=seed, stream=stream, offset=offset, **where)
        if direct:
            # The core wrote behind autograd's back: bump the version counter as an
            # in-place torch op would, so stale saved tensors are caught.
            torch.autograd.graph.increment_version(tensor)
        else:
            target.copy_(buf)
