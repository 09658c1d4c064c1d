"""Where a view of a parameter sits in it: storage offsets and strides, no torch calls on values.

A view (a slice, ``.data``, ``.detach()``, ``p[i]``, ``p.T``, a DTensor's ``to_local()``)
shares its parameter's storage. ``as_box`` finds the box of the parameter's local tensor the
view covers, if it is one (any view that selects a range in every dimension, in any
dimension order); ``gather`` takes, for any other view (a strided step, ``diagonal``, ``expand``),
a buffer of the local tensor's shape to the view's elements.
"""
from __future__ import annotations

from ._lazy_torch import torch_module


def same_layout(view, local) -> bool:
    """The view is the local tensor itself (``.data``, ``.detach()``, ``to_local()``)."""
    return (view.storage_offset() == local.storage_offset() and view.shape == local.shape
            and view.stride() == local.stride() and view.dtype == local.dtype)


def as_box(view, local):
    """(start, shape) of the box of ``local`` whose memory is exactly the view's, or None.

    The offset between the two is split along local's dimensions (largest stride first); each
    dimension of the view longer than 1 must step as one distinct dimension of local does.
    """
    if view.dtype != local.dtype:
        return None
    dims = [k for k in range(local.ndim) if local.shape[k] > 1]
    strides = local.stride()
    rest = view.storage_offset() - local.storage_offset()
    if rest < 0:
        return None
    start = [0] * local.ndim
    for k in sorted(dims, key=lambda k: -strides[k]):
        start[k], rest = divmod(rest, strides[k])
    if rest:
        return None
    shape = [1] * local.ndim
    free = set(dims)
    for size, stride in zip(view.shape, view.stride()):
        if size == 1:
            continue
        match = [k for k in free if strides[k] == stride]
        if len(match) != 1:
            return None
        free.discard(match[0])
        shape[match[0]] = size
    if any(s + n > m for s, n, m in zip(start, shape, local.shape)):
        return None
    return tuple(start), tuple(shape)


def gather(view, local, name):
    """A function taking a tensor of ``local``'s shape (contiguous) to the view's elements, in
    the view's shape: what each element of the view holds at its place in ``local``.

    When ``local`` is contiguous, the view's storage offsets are flat indices into it, so the
    gather is the view's own strides over the buffer (no index tensor); otherwise an int64
    index of the view's shape. ValueError if the view reaches memory outside ``local``.
    """
    if view.dtype != local.dtype:
        raise ValueError(f"tensor is a view of parameter {name!r} with another dtype ({view.dtype}, "
                         f"the parameter is {local.dtype}): its elements have no place in it")
    if local.is_contiguous():
        first = view.storage_offset() - local.storage_offset()
        last = first + sum((n - 1) * s for n, s in zip(view.shape, view.stride()))
        if first < 0 or last >= local.numel():
            raise ValueError(f"tensor shares memory with parameter {name!r} but reaches outside it")
        return lambda values: values.reshape(-1).as_strided(view.shape, view.stride(), first)
    index = local_index(view, local, name)
    return lambda values: values.reshape(-1)[index]


def local_index(view, local, name):
    """int64 tensor of the view's shape: the flat (row-major) index in ``local`` of each of the
    view's elements. ValueError if the view reaches memory outside ``local`` (``name``)."""
    torch = torch_module()
    size = local.untyped_storage().nbytes() // local.element_size()
    with torch.no_grad():
        where = torch.full((size,), -1, dtype=torch.int64)
        where.as_strided(local.shape, local.stride(), local.storage_offset()).copy_(
            torch.arange(local.numel()).view(local.shape))
        index = where.as_strided(view.shape, view.stride(), view.storage_offset()).clone()
    if index.numel() and int(index.min()) < 0:
        raise ValueError(f"tensor shares memory with parameter {name!r} but reaches outside it")
    return index
