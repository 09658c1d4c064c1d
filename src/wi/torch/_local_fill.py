"""Where a tensor's elements live, and filling them there: the one way into a tensor.

`placement(tensor)` decides which global tensor the elements belong to and which pieces of
it the tensor's memory holds:

- a plain CPU tensor is one piece, the whole of its own global tensor;
- a DTensor's local tensor is one piece per box (``_dtensor.dtensor_layout``), each at its
  place in the global tensor, so the shards assembled are bit for bit one fill of the whole
  tensor, for any mesh and placement, with no communication;
- a tensor on another device (CUDA) has the same pieces, written through a CPU staging
  buffer (pinned when CUDA is available, so the copy is a plain DMA);
- a view of a parameter (``wi.torch.reproducible``): see ``_views``.

`fill` writes every piece through `_cpu_fill.fill_cpu`, the one CPU fill.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from .. import _contract as contract
from ._cpu_fill import fill_cpu
from ._dtensor import dtensor_layout, is_dtensor
from ._lazy_torch import torch_module


class Piece(NamedTuple):
    """A box of memory to write and its index in the global tensor (None: it is all of it)."""

    target: object
    start: tuple | None


class Placement(NamedTuple):
    """Where a tensor's elements live: the global shape and the pieces this process holds.
    ``sharded``: the pieces are part of a global tensor other processes fill too."""

    global_shape: tuple
    pieces: tuple
    sharded: bool


def needs_staging(tensor) -> bool:
    """True if wi cannot write tensor's memory directly (it is not in CPU memory)."""
    return tensor.device.type != "cpu"


def box(tensor, start, shape):
    """tensor[start : start + shape] in every dimension (a view)."""
    return tensor[tuple(slice(s, s + n) for s, n in zip(start, shape))]


def placement(tensor) -> Placement:
    """Where tensor's elements live (a plain tensor, a DTensor, on any device)."""
    if not is_dtensor(tensor):
        return Placement(tuple(tensor.shape), (Piece(tensor.detach(), None),), False)
    layout = dtensor_layout(tensor)
    local = tensor.to_local().detach()
    pieces = tuple(Piece(box(local, r.local_start, r.shape), r.global_start) for r in layout.regions)
    return Placement(layout.global_shape, pieces, True)


def _per_block(dtype, torch):
    """Elements per Philox block of the buffer wi writes for a tensor of this dtype."""
    return contract.PER_BLOCK[contract.F64 if dtype is torch.float64 else contract.F32]


def fill(tensor, dist, gen, seed, stream, offset=0, where=None):
    """Fill tensor's elements (``where``: its placement, computed if None) from dist at
    (seed, stream, offset), or from gen's next blocks when seed is None. Returns tensor."""
    torch = torch_module()
    where = where or placement(tensor)
    with torch.no_grad():
        if seed is None and where.sharded:
            # Take the blocks of the whole global tensor, as a plain fill would, whatever this
            # rank holds: every rank's generator advances alike and stays in step.
            per_block = _per_block(tensor.dtype, torch)
            seed, stream, block = gen.reserve(-(-math.prod(where.global_shape) // per_block))
            offset = block * per_block
        for piece in where.pieces:
            region = None if piece.start is None else {"global_shape": where.global_shape, "start": piece.start}
            fill_piece(piece.target, dist, gen, seed, stream, offset, region)
    return tensor


def fill_piece(target, dist, gen, seed, stream, offset, region):
    """Fill one piece: in place on CPU, else through a CPU staging buffer."""
    if not needs_staging(target):
        fill_cpu(target, dist, gen, seed, stream, offset, region)
        return
    torch = torch_module()
    stage = torch.empty(target.shape, dtype=target.dtype, pin_memory=torch.cuda.is_available())
    fill_cpu(stage, dist, gen, seed, stream, offset, region)
    target.copy_(stage)


def zero_row(tensor, row):
    """Zero ``tensor[row]`` (an Embedding's padding row) in place; for a DTensor, in the part
    of that row this rank holds."""
    torch = torch_module()
    with torch.no_grad():
        for piece in placement(tensor).pieces:
            first = 0 if piece.start is None else piece.start[0]
            if first <= row < first + piece.target.shape[0]:
                piece.target[row - first].zero_()
