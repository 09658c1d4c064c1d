"""Block counters: a (seed, stream) and the next unused block, reserved atomically.

Every fill that draws from a counter reserves whole blocks atomically, so fills from many
threads never overlap; a value still depends only on (seed, stream, block, lane). With the
compiled core the storage is _core.Counter (reserved under the GIL, usable by its fast path);
the NumPy fallback uses a lock.
"""
import os
import threading

from . import _backend
from . import _validate as V
from ._contract import STREAM_BLOCKS


class _LockedCounter:
    """Pure-Python storage with the same interface as _core.Counter."""

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


_Storage = _backend.core.Counter if _backend.core is not None else _LockedCounter


class BlockCounter(_Storage):
    """The seed, stream and next free block of a generator."""

    def __init__(self, seed, stream=0):
        super().__init__()
        self._store(V.uint64(seed, "seed"), V.uint64(stream, "stream"), 0)

    @property
    def seed(self):
        return self._load()[0]

    @property
    def stream(self):
        return self._load()[1]

    def get_state(self):
        """The state as a plain dict: {'seed', 'stream', 'counter'} (counter = next block)."""
        seed, stream, counter = self._load()
        return {"seed": seed, "stream": stream, "counter": counter}

    def set_state(self, state):
        """Restore a state returned by get_state (validated before anything changes)."""
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict from get_state() (got {type(state).__name__})")
        missing = {"seed", "stream", "counter"} - state.keys()
        if missing:
            raise ValueError(f"state is missing {', '.join(sorted(missing))}")
        seed = V.uint64(state["seed"], "state['seed']")
        stream = V.uint64(state["stream"], "state['stream']")
        counter = state["counter"]
        if not (type(counter) is int and counter == STREAM_BLOCKS):  # a used-up stream ends at 2**64
            counter = V.uint64(counter, "state['counter']")
        self._store(seed, stream, counter)

    def reseed(self, seed, stream=0):
        self._store(V.uint64(seed, "seed"), V.uint64(stream, "stream"), 0)


def entropy_seed():
    """A 64-bit seed from the OS."""
    return int.from_bytes(os.urandom(8), "little")
