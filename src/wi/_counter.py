"""Block counters: a (seed, stream) and the next unused block, reserved under a lock.

Every fill that draws from a counter reserves whole blocks atomically, so fills from many
threads never overlap; a value still depends only on (seed, stream, block, lane).
"""
import os
import threading

from . import _validate as V
from ._contract import STREAM_BLOCKS


class BlockCounter:
    """The seed, stream and next free block of a generator."""

    __slots__ = ("_seed", "_stream", "_next", "_lock")

    def __init__(self, seed, stream=0):
        self._seed = V.uint64(seed, "seed")
        self._stream = V.uint64(stream, "stream")
        self._next = 0
        self._lock = threading.Lock()

    @property
    def seed(self):
        return self._seed

    @property
    def stream(self):
        return self._stream

    def reserve(self, nblocks):
        """Take the next nblocks blocks: returns (seed, stream, first block), read together."""
        with self._lock:
            start = self._next
            if start + nblocks > STREAM_BLOCKS:
                raise ValueError(
                    f"the generator's stream is exhausted: {nblocks} more blocks requested after block {start} "
                    f"of {STREAM_BLOCKS}; use another stream or seed"
                )
            self._next = start + nblocks
            return self._seed, self._stream, start

    def get_state(self):
        """The state as a plain dict: {'seed', 'stream', 'counter'} (counter = next block)."""
        with self._lock:
            return {"seed": self._seed, "stream": self._stream, "counter": self._next}

    def set_state(self, state):
        """Restore a state returned by get_state (validated before anything changes)."""
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict from get_state() (got {type(state).__name__})")
        missing = {"seed", "stream", "counter"} - state.keys()
        if missing:
            raise ValueError(f"state is missing {', '.join(sorted(missing))}")
        seed = V.uint64(state["seed"], "state['seed']")
        stream = V.uint64(state["stream"], "state['stream']")
        counter = V.uint64(state["counter"], "state['counter']")
        with self._lock:
            self._seed, self._stream, self._next = seed, stream, counter

    def reseed(self, seed, stream=0):
        seed = V.uint64(seed, "seed")
        stream = V.uint64(stream, "stream")
        with self._lock:
            self._seed, self._stream, self._next = seed, stream, 0


def entropy_seed():
    """A 64-bit seed from the OS."""
    return int.from_bytes(os.urandom(8), "little")
