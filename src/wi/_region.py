"""Region arguments: a buffer as the block of a larger row-major array (docs/stream.md, Regions).

A fill given ``global_shape=`` (and ``start=``, default all zeros) writes the block
``buf.shape`` of the global array whose first element is at index ``start``: the block's
element at local index j takes stream element offset + ravel_multi_index(start + j,
global_shape). ``region()`` checks the two arguments against the block's shape and returns a
Region, or None for a plain fill; errors name the argument (TypeError for a wrong type,
ValueError for a bad value), raised before anything is written or reserved.
"""
import math
from typing import NamedTuple

from . import _args

# The C core numbers global elements with 64-bit indices.
MAX_GLOBAL_SIZE = 2**64


class Region(NamedTuple):
    global_shape: tuple
    start: tuple
    size: int  # elements of the whole global array: the stream range the call covers

    def first_flat(self):
        """The global flat index of the block's first element."""
        flat = 0
        for g, s in zip(self.global_shape, self.start):
            flat = flat * g + s
        return flat

    def is_one_run(self, shape):
        """True if the block is one contiguous run of the global array (then it is a plain fill
        from first_flat()): every dimension before the last partial one has extent 1."""
        partial = [d for d, (b, g) in enumerate(zip(shape, self.global_shape)) if b != g]
        return not partial or all(b == 1 for b in shape[: partial[-1]]) or 0 in shape


def region(global_shape, start, shape):
    """The Region of a block of `shape` for the caller's global_shape and start, or None when
    both are None (a plain fill)."""
    if global_shape is None:
        if start is not None:
            raise ValueError("start needs global_shape (the shape of the whole array the block belongs to)")
        return None
    dims = _args.shape(global_shape, "global_shape")
    size = math.prod(dims)
    if size > MAX_GLOBAL_SIZE:
        raise ValueError(f"global_shape must have at most 2**64 elements (got {dims}, {size} elements)")
    if len(dims) != len(shape):
        raise ValueError(
            f"global_shape must have buf.ndim = {len(shape)} dimensions (got {dims} for a buf of shape {shape})")
    first = (0,) * len(dims) if start is None else _args.shape(start, "start", entries="indices")
    if len(first) != len(dims):
        raise ValueError(f"start must have len(global_shape) = {len(dims)} entries (got {first})")
    for d, (s, b, g) in enumerate(zip(first, shape, dims)):
        if s + b > g:
            raise ValueError(
                f"start={first} with buf of shape {shape} does not fit in global_shape={dims}: "
                f"dimension {d} would end at {s + b} > {g}")
    return Region(dims, first, size)
