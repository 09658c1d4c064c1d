"""Where a DTensor's local shard sits in its global tensor: the geometry wi.torch fills by.

A DTensor (torch.distributed.tensor) holds on each rank ``to_local()``, a piece of a global
tensor of shape ``tensor.shape``. Every placement shards one tensor dimension at a time, so
the local tensor is the Cartesian product of one list of global indices per dimension; each
list splits into runs of consecutive indices, and the product of runs gives the boxes
(regions) that wi fills with ``global_shape=``/``start=``. No communication: a rank needs its
own mesh coordinate and the placements, nothing else.

``local_indices`` is the one version-sensitive function (it asks torch's placements to split
an index vector, the way ``distribute_tensor`` splits data); tests/test_sharded_torch.py
checks it against ``distribute_tensor`` of an ``arange``. orthogonal_/sparse_ and any other
function that must see the whole tensor use ``dtensor_layout`` too: compute globally, keep
``local_part``.
"""
from __future__ import annotations

import functools

from typing import NamedTuple


class Region(NamedTuple):
    """One box of the local tensor: ``local[local_start + j]`` is ``global[global_start + j]``."""

    local_start: tuple
    global_start: tuple
    shape: tuple


class Layout(NamedTuple):
    """A DTensor's geometry on this rank: the global shape and the boxes its local tensor holds."""

    global_shape: tuple
    regions: tuple  # of Region; empty when the local shard is empty


_is_dtensor_type = {}  # type -> bool: a model has a few tensor types, asked about many times


def is_dtensor(tensor) -> bool:
    """True for a torch.distributed.tensor.DTensor (also when it is an nn.Parameter)."""
    kind = type(tensor)
    try:
        return _is_dtensor_type[kind]
    except KeyError:
        # The class check by name keeps torch.distributed unimported for plain tensors.
        answer = _is_dtensor_type[kind] = any(
            c.__name__ == "DTensor" and c.__module__.startswith("torch.distributed") for c in kind.__mro__)
        return answer


def local_indices(global_shape, mesh_shape, placements, coordinate):
    """The global indices the local shard holds: one int64 tensor per tensor dimension.

    ``coordinate`` is this rank's place in a mesh of shape ``mesh_shape``
    (``mesh.get_coordinate()``). Shard(d) follows torch.chunk (uneven, possibly empty),
    _StridedShard its strided split, several mesh dimensions compose left to right as in
    distribute_tensor; Replicate keeps every index. Partial has no values to fill: ValueError.
    """
    import torch

    indices = [torch.arange(n) for n in global_shape]
    for mesh_dim, placement in enumerate(placements):
        if placement.is_replicate():
            continue
        if placement.is_partial():
            raise ValueError(
                f"tensor is a DTensor with a Partial placement ({placement}) on mesh dimension "
                f"{mesh_dim}: its local values are summands, not a shard of the values to "
                "initialise; redistribute it to Shard or Replicate first"
            )
        dim = getattr(placement, "dim", None)
        if dim is None or not hasattr(placement, "_split_tensor"):
            raise ValueError(f"tensor has a DTensor placement wi cannot place: {placement!r}")
        # split an index vector laid along `dim`, as the placement splits the data itself
        along = indices[dim].reshape((1,) * dim + (-1,))
        pieces, _ = placement._split_tensor(along, mesh_shape[mesh_dim], with_padding=False,
                                            contiguous=False)
        indices[dim] = pieces[coordinate[mesh_dim]].reshape(-1)
    return indices


def _runs(index):
    """(local start, global start, length) of each run of consecutive global indices."""
    import torch

    if index.numel() == 0:
        return []
    starts = torch.cat([torch.zeros(1, dtype=torch.long),
                        torch.nonzero(index[1:] - index[:-1] != 1).flatten() + 1]).tolist()
    ends = starts[1:] + [index.numel()]
    first = index[starts].tolist()
    return [(s, g, e - s) for s, g, e in zip(starts, first, ends)]


def dtensor_layout(tensor) -> Layout:
    """The global shape of a DTensor and the regions its local tensor holds on this rank."""
    mesh = tensor.device_mesh
    coordinate = mesh.get_coordinate()
    if coordinate is None:  # this rank is not in the mesh: it holds nothing
        return Layout(tuple(tensor.shape), ())
    return _layout(tuple(tensor.shape), tuple(mesh.shape), tuple(tensor.placements), tuple(coordinate))


@functools.lru_cache(maxsize=1024)  # a model repeats a few shapes and placements many times
def _layout(global_shape, mesh_shape, placements, coordinate):
    per_dim = [_runs(index) for index in local_indices(global_shape, mesh_shape, placements, coordinate)]
    regions = [((), (), ())]
    for runs in per_dim:
        regions = [(ls + (r[0],), gs + (r[1],), sh + (r[2],)) for ls, gs, sh in regions for r in runs]
    return Layout(global_shape, tuple(Region(*r) for r in regions if all(r[2])))


def check_placement(tensor, name):
    """ValueError naming the parameter ``name`` if wi cannot place this DTensor (Partial)."""
    if is_dtensor(tensor):
        try:
            dtensor_layout(tensor)
        except ValueError as e:
            raise ValueError(f"parameter {name!r}: {e}") from None


def local_part(tensor, full):
    """The values of ``full`` (the global tensor, computed whole) that the DTensor ``tensor``
    holds on this rank, shaped as its local tensor: for the functions that must compute
    globally (orthogonal_, sparse_) and keep their part."""
    import torch

    local = tensor.to_local()
    out = torch.empty(local.shape, dtype=full.dtype, device=full.device)
    for r in dtensor_layout(tensor).regions:
        out[_box(r.local_start, r.shape)] = full[_box(r.global_start, r.shape)]
    return out


def _box(start, shape):
    return tuple(slice(s, s + n) for s, n in zip(start, shape))
