"""Lazy dask arrays filled by wi, with values that do not depend on the chunking.

    import wi, wi.dask
    w = wi.dask.from_fill(wi.kaiming_normal_, (4096, 1024), chunks=(512, 256),
                          dtype="float32", seed=0)
    w.compute()      # the bytes of wi.kaiming_normal_(np.empty((4096, 1024), "f4"), seed=0)

Each block is filled where it is computed (a thread or a dask.distributed
worker) by a wi region fill at its place in the global array, so any chunking,
scheduler or number of workers gives the same array. dask's own random arrays
change with the chunking (dask issues 1684 and 3537).

Needs the ``dask`` extra: ``pip install "weightinit[dask]"``.
"""

from __future__ import annotations

import numpy as np

from . import _engine

_da = _engine.require("dask.array", "dask")
_base = _engine.require("dask.base", "dask")

__all__ = ["from_fill"]


def _block(block_fill, block_info=None):
    """One block of the array: dask passes its place as block_info[None]."""
    info = block_info[None]
    start = tuple(lo for lo, _ in info["array-location"])
    return block_fill(start, info["chunk-shape"])


def from_fill(fill, shape, *, chunks, dtype, seed, stream=0, offset=0, **kwargs):
    """A lazy ``dask.array.Array`` of ``shape`` whose blocks are filled by ``fill``.

    ``fill`` is any wi fill or shape-aware initialiser (``wi.fill_normal``,
    ``wi.kaiming_uniform_``, ...); ``kwargs`` are its own arguments (``mean=``,
    ``std=``, ``gain=``, ``mode=``, ``layout=``, ...). Each block is filled with
    ``global_shape=shape`` and ``start=`` its place, so element ``i`` (row-major
    over ``shape``) is stream element ``offset + i`` of ``(seed, stream)`` and
    initialisers take their fans from ``shape``, not from the block. The result
    equals one NumPy fill of the whole array for every ``chunks`` (anything
    ``dask.array`` accepts: ``(512, 256)``, ``"auto"``, explicit block sizes).

    ``seed`` must be an int (not None). The call is checked once here, so a bad
    argument raises now, not when the array is computed. ``dtype`` is passed to
    dask with a matching ``meta``, so dask never calls ``fill`` to probe it.

    Example:
        >>> w = wi.dask.from_fill(wi.fill_normal, (10_000, 1_000), chunks=(1_000, 500),
        ...                       dtype="float32", seed=3, mean=0.0, std=0.02)
        >>> w.std().compute()
    """
    block_fill = _engine.BlockFill(fill, shape, dtype, seed, stream, offset, kwargs)
    shape, dtype = block_fill.shape, block_fill.dtype
    chunks = _da.core.normalize_chunks(chunks, shape, dtype=dtype)
    label = getattr(fill, "__name__", "fill").strip("_").replace("_", "-")
    name = f"wi-{label}-" + _base.tokenize(
        fill, shape, chunks, dtype.str, seed, stream, offset, kwargs
    )
    return _da.map_blocks(
        _block, block_fill, chunks=chunks, dtype=dtype,
        meta=np.empty((0,) * len(shape), dtype), name=name,
    )
