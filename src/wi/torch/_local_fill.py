"""Where a tensor's elements live, and filling them there: the one way into a tensor.

`placement(tensor)` decides which global tensor the elements belong to and which pieces of
it the tensor's memory holds:

- a plain CPU tensor is one piece, the whole of its own global tensor;
- a DTensor's local tensor is one piece per box (``_dtensor.dtensor_layout``), each at its
  place in the global tensor, so the shards assembled are bit for bit one fill of the whole
  tensor, for any mesh and placement, with no communication;
- a tensor on another device (CUDA) has the same pieces, written through a CPU staging
  buffer (pinned when CUDA is available, so the copy is a plain DMA);
- a view of a parameter (``wi.torch.reproducible``; `view_placement`): the boxes of the
  parameter's pieces the view covers, each at its place in the parameter's global tensor; a
  view that is not a box (``_views``) is filled through a staging buffer of the parameter's
  local shape, from which its elements are gathered.

`fill` writes every piece through `_cpu_fill.fill_cpu`, the one CPU fill.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from .. import _contract as contract
from ._cpu_fill import fill_cpu
from ._dtensor import Region, dtensor_layout, is_dtensor
from ._lazy_torch import torch_module
from ._views import as_box, gather, same_layout


class Piece(NamedTuple):
    """A box of memory to write and its index in the global tensor (None: it is all of it)."""

    target: object
    start: tuple | None


class Placement(NamedTuple):
    """Where a tensor's elements live: the global shape and the pieces this process holds.
    ``sharded``: the pieces are part of a global tensor other processes fill too. ``gather``:
    (stage, take) when the pieces are boxes of a staging buffer from which the tensor's
    elements are then gathered (``take(stage)``, see ``_views.gather``)."""

    global_shape: tuple
    pieces: tuple
    sharded: bool
    gather: tuple | None = None


class Geometry(NamedTuple):
    """A parameter as its views are placed in it: global shape, the local tensor (detached),
    the boxes (``_dtensor.Region``) the local tensor holds, whether it is sharded."""

    global_shape: tuple
    local: object
    regions: tuple
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


def geometry(tensor) -> Geometry:
    """The geometry of a parameter (plain tensor or DTensor, any device)."""
    if is_dtensor(tensor):
        layout = dtensor_layout(tensor)
        return Geometry(layout.global_shape, tensor.to_local().detach(), layout.regions, True)
    shape = tuple(tensor.shape)
    zeros = (0,) * len(shape)
    return Geometry(shape, tensor.detach(), (Region(zeros, zeros, shape),) if all(shape) else (), False)


def view_placement(view, geom, name) -> Placement:
    """Where the elements of ``view``, a view of the parameter of geometry ``geom`` (called
    ``name``), live: the pieces of the parameter it covers, or a gather from a staging buffer."""
    local = geom.local
    if same_layout(view, local):
        return Placement(geom.global_shape, _pieces(local, geom, None), geom.sharded)
    found = as_box(view, local)
    if found is not None:
        return Placement(geom.global_shape, _pieces(local, geom, found), geom.sharded)
    take = gather(view, local, name)
    stage = torch_module().empty(local.shape, dtype=view.dtype)
    return Placement(geom.global_shape, _pieces(stage, geom, None), geom.sharded, (stage, take))


def _pieces(local, geom, within):
    """The pieces of ``local`` (or of its box ``within`` = (start, shape)), one per region."""
    pieces = []
    for r in geom.regions:
        lo, hi = r.local_start, tuple(s + n for s, n in zip(r.local_start, r.shape))
        if within is not None:
            lo = tuple(max(a, b) for a, b in zip(lo, within[0]))
            hi = tuple(min(a, s + n) for a, s, n in zip(hi, *within))
            if any(a >= b for a, b in zip(lo, hi)):
                continue
        shape = tuple(b - a for a, b in zip(lo, hi))
        start = tuple(g + a - s for g, a, s in zip(r.global_start, lo, r.local_start))
        whole = not geom.sharded and shape == geom.global_shape
        pieces.append(Piece(box(local, lo, shape), None if whole else start))
    return tuple(pieces)


def _per_block(dtype, torch):
    """Elements per Philox block of the buffer wi writes for a tensor of this dtype."""
    return contract.PER_BLOCK[contract.F64 if dtype is torch.float64 else contract.F32]


def fill(tensor, dist, gen, seed, stream, offset=0, where=None, then=None):
    """Fill tensor's elements (``where``: its placement, computed if None) from dist at
    (seed, stream, offset), or from gen's next blocks when seed is None. Returns tensor.

    ``then``: an in-place elementwise transform of the values (drawn in float64), for the
    distributions wi reaches through a transform of its own (wi.torch.reproducible).
    """
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
            fill_piece(piece.target, dist, gen, seed, stream, offset, region, then)
        if where.gather is not None:
            stage, take = where.gather
            tensor.copy_(take(stage))
    return tensor


def fill_piece(target, dist, gen, seed, stream, offset, region, then=None):
    """Fill one piece: in place on CPU, else through a CPU staging buffer (float64 and
    transformed by ``then`` first, if given)."""
    if not needs_staging(target) and then is None:
        fill_cpu(target, dist, gen, seed, stream, offset, region)
        return
    torch = torch_module()
    if then is not None:
        stage = torch.empty(target.shape, dtype=torch.float64)
        fill_cpu(stage, dist, gen, seed, stream, offset, region)
        target.copy_(then(stage))
        return
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
