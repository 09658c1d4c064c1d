"""What the engine adapters (wi.dask, wi.zarr, wi.jax, wi.keras) share.

Each adapter cuts a global array into blocks and fills every block with a wi
region fill (``global_shape=``, ``start=``), so the values do not depend on the
cut. This module imports an engine with an error that names the extra to
install, checks a fill call once before any block is scheduled, and fills one
block. It knows the public wi fill signature and nothing below it.
"""

from __future__ import annotations

import importlib

import numpy as np

from . import _args
from ._target import BufferDtypeError


def require(module: str, extra: str):
    """Import an engine module, or raise ImportError saying which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name is None or exc.name.partition(".")[0] != module.partition(".")[0]:
            raise  # the engine is there but something it needs is not: show that
        raise ImportError(
            f"wi.{extra} needs {module.partition('.')[0]}, which is not installed: "
            f'pip install "weightinit[{extra}]"'
        ) from exc


def global_shape(shape) -> tuple[int, ...]:
    """A checked shape: a sequence of non-negative ints (errors name ``shape``)."""
    return _args.shape(shape, "shape")


def array_dtype(dtype) -> np.dtype:
    """A NumPy dtype from anything np.dtype takes, except None (which it reads as float64)."""
    if dtype is None:
        raise TypeError("dtype must be given, e.g. numpy.float32 (got None)")
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a NumPy dtype such as numpy.float32 (got {dtype!r})") from None


class BlockFill:
    """One fill call, checked up front, that fills any block of a global array.

    Picklable when ``fill`` is (module-level functions are), so dask can ship it
    to worker processes. ``seed`` must be explicit: with ``seed=None`` each block
    would draw from the global generator and the values would depend on the cut.
    """

    def __init__(self, fill, shape, dtype, seed, stream, offset, kwargs):
        if not callable(fill):
            raise TypeError(
                f"fill must be a wi fill or initialiser such as wi.fill_normal (got {type(fill).__name__})"
            )
        if seed is None:
            raise ValueError(
                "seed must be an int, not None: every block is filled on its own, and with "
                "seed=None each would draw from the global generator, so the values would "
                "depend on the chunking"
            )
        self.fill = fill
        self.shape = global_shape(shape)
        self.dtype = array_dtype(dtype)
        self.seed, self.stream, self.offset = seed, stream, offset
        self.kwargs = dict(kwargs)
        # An empty block at the origin runs every check of the fill (dtype, seed,
        # stream, offset, its own arguments, the region) and writes nothing, so a
        # bad call fails here, not inside a worker.
        origin = tuple(0 for _ in self.shape)
        try:
            self(origin, origin)
        except BufferDtypeError as exc:
            # The caller chose the blocks' dtype, not a buffer: say so.
            name = getattr(fill, "__name__", "fill")
            raise TypeError(f"dtype {self.dtype} cannot be filled by {name} ({exc})") from None

    def __call__(self, start, block_shape) -> np.ndarray:
        """A new array of block_shape holding the block of the global array at start."""
        buf = np.empty(block_shape, self.dtype)
        self.fill(
            buf, seed=self.seed, stream=self.stream, offset=self.offset,
            global_shape=self.shape, start=tuple(start), **self.kwargs,
        )
        return buf

    def __repr__(self):
        name = getattr(self.fill, "__name__", repr(self.fill))
        return f"BlockFill({name}, shape={self.shape}, dtype={self.dtype}, seed={self.seed}, stream={self.stream})"
