"""Fills whose values do not live in one plain CPU tensor: DTensor shards and other devices.

A DTensor's local tensor is filled box by box (``_dtensor.dtensor_layout``) with wi's region
fill, each box taking the stream elements of its place in the global tensor, so the shards
assembled are bit for bit one fill of the whole tensor, for any mesh and placement, with no
communication. A tensor on another device (CUDA) is filled in a CPU staging buffer (pinned
when CUDA is available, so the copy is a plain DMA) and copied over.
"""
import math

from .. import _contract as contract
from ._dtensor import dtensor_layout, is_dtensor


def needs_staging(tensor) -> bool:
    """True if wi cannot write tensor's memory directly (it is not in CPU memory)."""
    return tensor.device.type != "cpu"


def is_placed(tensor) -> bool:
    """True if tensor's values are not simply its own CPU memory (fill it with fill_placed)."""
    return is_dtensor(tensor) or needs_staging(tensor)


def _pin(torch) -> bool:
    return torch.cuda.is_available()


def _per_block(dtype, torch):
    """Elements per Philox block of the buffer wi writes for a tensor of this dtype."""
    return contract.PER_BLOCK[contract.F64 if dtype is torch.float64 else contract.F32]


def fill_placed(tensor, dist, gen, seed, stream, fill_cpu):
    """Fill a DTensor's shard or a tensor on another device; ``fill_cpu(t, seed, stream,
    offset, region)`` fills a plain CPU tensor (the region a dict of global_shape/start, or
    empty). Returns tensor."""
    torch = _torch()
    with torch.no_grad():
        if not is_dtensor(tensor):
            _fill_box(tensor.detach(), seed, stream, 0, {}, fill_cpu)
            return tensor
        layout = dtensor_layout(tensor)
        n = math.prod(layout.global_shape)
        offset = 0
        if seed is None:
            # Take the blocks of the whole global tensor, as a plain fill would, whatever this
            # rank holds: every rank's generator advances alike and stays in step.
            per_block = _per_block(tensor.dtype, torch)
            seed, stream, block = gen.reserve(-(-n // per_block))
            offset = block * per_block
        local = tensor.to_local().detach()
        for r in layout.regions:
            box = local[tuple(slice(s, s + k) for s, k in zip(r.local_start, r.shape))]
            region = {"global_shape": layout.global_shape, "start": r.global_start}
            _fill_box(box, seed, stream, offset, region, fill_cpu)
    return tensor


def _fill_box(box, seed, stream, offset, region, fill_cpu):
    if not needs_staging(box):
        fill_cpu(box, seed, stream, offset, region)
        return
    torch = _torch()
    stage = torch.empty(box.shape, dtype=box.dtype, pin_memory=_pin(torch))
    fill_cpu(stage, seed, stream, offset, region)
    box.copy_(stage)


def _torch():
    from ._tensors import torch_module

    return torch_module()


def zero_row(tensor, row):
    """Zero ``tensor[row]`` (an Embedding's padding row) in place; for a DTensor, in the part
    of that row this rank holds."""
    torch = _torch()
    with torch.no_grad():
        if not is_dtensor(tensor):
            tensor.detach()[row].zero_()
            return
        local = tensor.to_local().detach()
        for r in dtensor_layout(tensor).regions:
            if r.global_start[0] <= row < r.global_start[0] + r.shape[0]:
                box = [slice(s, s + k) for s, k in zip(r.local_start, r.shape)]
                box[0] = r.local_start[0] + row - r.global_start[0]
                local[tuple(box)].zero_()
