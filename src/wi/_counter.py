"""Counter storage: a (seed, stream) and the next unused block, reserved atomically.

Every fill that draws from a counter reserves whole blocks atomically, so fills from many
threads never overlap; a value still depends only on (seed, stream, block, lane). With the
compiled core the storage is _core.Counter (reserved under the GIL, read by the fast path
without a Python call); the NumPy fallback uses LockedCounter. wi.Generator derives from
whichever is in use, and takes from it `fill`, the one fill entry point: the compiled one tries
the fast path (_core.fill_fast) before Generator.fill_checked.
"""
import os
import threading

from . import _backend
from ._contract import STREAM_BLOCKS


class LockedCounter:
    """Pure-Python storage with the same interface as _core.Counter."""

    __slots__ = ("_lock", "_state")

    def __init__(self):
        self._lock = threading.Lock()
        self._state = (0, 0, 0)

    def _store(self, seed, stream, next_block):
        with self._lock:
            self._state = (seed, stream, next_block)

    def _load(self):
        return self._state

    def reserve(self, nblocks):
        with self._lock:
            seed, stream, start = self._state
            if start + nblocks > STREAM_BLOCKS:
                raise ValueError(
                    f"the generator's stream is exhausted: {nblocks} more blocks requested after block {start} "
                    f"of {STREAM_BLOCKS}; use another stream or seed"
                )
            self._state = (seed, stream, start + nblocks)
            return seed, stream, start

    def fill(self, buf, dist, *, seed=None, stream=0, offset=0, global_shape=None, start=None):
        """wi.Generator.fill: without the compiled core every fill takes the checked path."""
        return self.fill_checked(buf, dist, seed, stream, offset, global_shape, start)

    def fill_at(self, buf, dist, seed, stream, offset, global_shape, start):
        """fill with every argument positional (as the compiled storage has it)."""
        return self.fill_checked(buf, dist, seed, stream, offset, global_shape, start)


CounterStorage = _backend.core.Counter if _backend.core is not None else LockedCounter


def entropy_seed():
    """A 64-bit seed from the OS."""
    return int.from_bytes(os.urandom(8), "little")
