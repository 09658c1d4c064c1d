"""wi.Generator, the one implementation of every fill, and the module functions.

A fill writes element i of buf from element offset+i of the stream (seed, stream); see
docs/stream.md. Every fill method builds a distribution (_dists.py) and hands it to
Generator.fill, the one entry point: the compiled fast path (_core.fill_fast) takes plain
arrays and small tensors, Generator.fill_checked everything else. The module functions wi.fill_*
are bound methods of a hidden global Generator (NumPy's mtrand pattern); with seed=None they
draw from its counter, which reserves a fresh block range for every call.
"""
import os

from . import _args
from . import _backend
from . import _region
from . import _contract as contract
from ._counter import CounterStorage, entropy_seed
from ._dists import SQRT2, Normal, Raw, TruncatedNormal, Uniform, he_normal, he_uniform, xavier_normal, xavier_uniform
from ._target import target



class Generator(CounterStorage):
    """A generator on its own (seed, stream) whose fills take consecutive block ranges.

    Each call reserves the blocks it needs atomically, so a Generator can be shared by
    threads; the values depend only on the seed, the stream and the order of the calls.
    A method given ``seed=`` (and ``stream=``, ``offset=``) fills at that explicit position
    instead, leaving this generator's counter alone: that is how the module functions
    ``wi.fill_*``, bound methods of a hidden global Generator, take explicit positions.

    Every fill also takes ``global_shape=`` and ``start=`` (default all zeros): buf (C-contiguous,
    ``buf.ndim == len(global_shape)``) is then the block ``buf.shape`` at index ``start`` of a
    row-major array of shape ``global_shape``, and its element at local index j takes stream
    element ``offset + ravel_multi_index(start + j, global_shape)``. Filling every block of a
    partition gives the bytes of one fill of the whole array (sharded parameters, chunked
    arrays). With ``seed=None`` the call reserves the blocks of the whole global array and
    takes its block inside them, so every rank filling its own block advances alike.

    Example::

        >>> import numpy as np, wi
        >>> g = wi.Generator(42, stream=7)
        >>> w = g.fill_he_normal(np.empty((512, 256), np.float32), 256)
    """

    __slots__ = ()

    def __init__(self, seed, stream=0):
        super().__init__()
        self._store(_args.uint64(seed, "seed"), _args.uint64(stream, "stream"), 0)

    def __repr__(self):
        s = self.get_state()
        return f"wi.Generator(seed={s['seed']}, stream={s['stream']}, counter={s['counter']})"

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
        seed = _args.uint64(state["seed"], "state['seed']")
        stream = _args.uint64(state["stream"], "state['stream']")
        counter = state["counter"]
        if not (type(counter) is int and counter == contract.STREAM_BLOCKS):  # a used-up stream ends at 2**64
            counter = _args.uint64(counter, "state['counter']")
        self._store(seed, stream, counter)

    def reseed(self, seed, stream=0):
        """Start over at block 0 of (seed, stream)."""
        self._store(_args.uint64(seed, "seed"), _args.uint64(stream, "stream"), 0)

    # ---- the one fill entry point ----

    # fill(buf, dist, *, seed=None, stream=0, offset=0, global_shape=None, start=None),
    # inherited from the counter storage, is the one entry point: the compiled fast path for
    # plain arrays and small tensors, else this.

    def fill_checked(self, buf, dist, seed=None, stream=0, offset=0, global_shape=None, start=None):
        """Fill buf in place from the distribution dist (a _dists object); returns buf.

        With seed=None the elements come from this generator's next blocks; with a seed, from
        element `offset` on of (seed, stream). With global_shape (and start), buf is the block
        of a row-major array of that shape starting at index start, and the call covers the
        stream range of the whole array: a seed=None call reserves the blocks of the whole
        array, so every caller filling its own block of it advances the generator alike.
        Everything is checked before anything is written or reserved.
        """
        if seed is None:
            if _args.uint64(stream, "stream"):
                raise ValueError("stream needs an explicit seed (with seed=None the generator picks the stream)")
            if _args.uint64(offset, "offset"):
                raise ValueError("offset needs an explicit seed (with seed=None the generator picks the blocks)")
        checked = target(buf, dist.dtypes)
        params = dist.kernel_params(checked.dtype)
        where = _region.region(global_shape, start, checked.shape)
        n, per_block = checked.n, contract.PER_BLOCK[checked.dtype]
        covered = n if where is None else where.size  # the stream elements this call spans
        if seed is None:
            if covered == 0:
                return buf
            seed, stream, block = self.reserve(-(-covered // per_block))
            lane = 0
        else:
            seed = _args.uint64(seed, "seed")
            stream = _args.uint64(stream, "stream")
            span = "len(buf)" if where is None else "prod(global_shape)"
            block, lane = divmod(_args.offset(offset, covered, checked.dtype, span=span), per_block)
        if n == 0:
            return buf
        if where is not None and where.is_one_run(checked.shape):
            # one contiguous run of the global array: a plain fill from its first element
            block, lane = divmod(block * per_block + lane + where.first_flat(), per_block)
            where = None
        _backend.fill(checked, dist.code, seed, stream, block, lane, params, where)
        return buf

    # ---- the fills ----

    def fill_raw(self, buf, *, seed=None, stream=0, offset=0,
            global_shape=None, start=None):
        """Fill a uint32 buffer with the raw Philox4x32-10 words of (seed, stream).

        Element i is word (offset+i) % 4 of block (offset+i) // 4, whose counter is
        (block low, block high, stream low, stream high) under key (seed low, seed high).

        Example::

            >>> import numpy as np, wi
            >>> wi.fill_raw(np.empty(4, np.uint32), seed=0)[0] == 0x6627E8D5  # Random123's known answer
            True
        """
        return self.fill_at(buf, Raw(), seed, stream, offset, global_shape, start)

    def fill_uniform(self, buf, low, high, *, seed=None, stream=0, offset=0,
            global_shape=None, start=None):
        """Fill buf in place with U(low, high) samples; returns buf.

        x = min(low + (high - low) * u, high), u = (w >> 8) * 2^-24 for float32 or
        (w >> 11) * 2^-53 for float64 (w the element's Philox word(s)); every x is in [low, high].

        Example::

            >>> import numpy as np, wi
            >>> w = wi.fill_uniform(np.empty((256, 128), np.float32), -0.1, 0.1, seed=0)
        """
        return self.fill_at(buf, Uniform(low, high), seed, stream, offset, global_shape, start)

    def fill_normal(self, buf, mean=0.0, std=1.0, *, seed=None, stream=0, offset=0,
            global_shape=None, start=None):
        """Fill buf in place with N(mean, std^2) samples (Box-Muller); returns buf.

        x = mean + std * z, with z = sqrt(-2 ln u1) * (cos 2 pi u2 or sin 2 pi u2) from the
        element's word pair (docs/stream.md).

        Example::

            >>> import numpy as np, wi
            >>> w = wi.fill_normal(np.empty((256, 128), np.float32), 0.0, 0.02, seed=0)
        """
        return self.fill_at(buf, Normal(mean, std), seed, stream, offset, global_shape, start)

    def fill_truncated_normal(self, buf, mean, std, low, high, *, seed=None, stream=0, offset=0,
            global_shape=None, start=None):
        """Fill buf in place with N(mean, std^2) truncated to [low, high]; returns buf.

        By inverse CDF, so each value still depends only on its own counter:
        x = mean + std * Q(F(a) + u * (F(b) - F(a))) with a = (low - mean)/std,
        b = (high - mean)/std, F the standard normal CDF, Q its inverse (Wichura's AS241) and
        u the element's uniform; intervals above the mean are reflected into the lower tail
        for accuracy. std is the parent normal's (torch.nn.init.trunc_normal_ semantics) and
        every value lies in [low, high].

        Example::

            >>> import numpy as np, wi
            >>> w = wi.fill_truncated_normal(np.empty((768, 768), np.float32), 0.0, 0.02, -0.04, 0.04, seed=0)
        """
        return self.fill_at(buf, TruncatedNormal(mean, std, low, high), seed, stream, offset, global_shape, start)

    def fill_xavier_uniform(self, buf, fan_in, fan_out, *, gain=1.0, seed=None, stream=0, offset=0,
            global_shape=None, start=None):
        """Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

        Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
        networks" (2010).

        Example::

            >>> import numpy as np, wi
            >>> w = wi.fill_xavier_uniform(np.empty((512, 256), np.float32), 256, 512, seed=0)
        """
        return self.fill_at(buf, xavier_uniform(fan_in, fan_out, gain), seed, stream, offset, global_shape, start)

    def fill_xavier_normal(self, buf, fan_in, fan_out, *, gain=1.0, seed=None, stream=0, offset=0,
            global_shape=None, start=None):
        """Glorot/Xavier normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).

        Glorot & Bengio (2010).

        Example::

            >>> import numpy as np, wi
            >>> w = wi.fill_xavier_normal(np.empty((512, 256), np.float32), 256, 512, seed=0)
        """
        return self.fill_at(buf, xavier_normal(fan_in, fan_out, gain), seed, stream, offset, global_shape, start)

    def fill_he_uniform(self, buf, fan_in, *, gain=SQRT2, seed=None, stream=0, offset=0,
            global_shape=None, start=None):
        """He/Kaiming uniform: U(-a, a) with a = gain * sqrt(3 / fan_in) (gain sqrt(2) for ReLU).

        He et al., "Delving Deep into Rectifiers" (2015).

        Example::

            >>> import numpy as np, wi
            >>> w = wi.fill_he_uniform(np.empty((512, 256), np.float32), 256, seed=0)
        """
        return self.fill_at(buf, he_uniform(fan_in, gain), seed, stream, offset, global_shape, start)

    def fill_he_normal(self, buf, fan_in, *, gain=SQRT2, seed=None, stream=0, offset=0,
            global_shape=None, start=None):
        """He/Kaiming normal: N(0, std^2) with std = gain / sqrt(fan_in) (gain sqrt(2) for ReLU).

        He et al., "Delving Deep into Rectifiers" (2015).

        Example::

            >>> import numpy as np, wi
            >>> w = wi.fill_he_normal(np.empty((512, 256), np.float32), 256, seed=0)
        """
        return self.fill_at(buf, he_normal(fan_in, gain), seed, stream, offset, global_shape, start)


# ---- the hidden global generator and the module functions ----

global_generator = Generator(entropy_seed())
_seed_from_entropy = True  # until wi.seed / wi.set_state fix it


def _reseed_forked_child():
    """A forked child must not repeat its parent's numbers: reseed from the OS (as Python's
    random does), unless the user chose the seed, which stays theirs to manage."""
    if _seed_from_entropy:
        global_generator.reseed(entropy_seed())


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed_forked_child)

fill_uniform = global_generator.fill_uniform
fill_normal = global_generator.fill_normal
fill_truncated_normal = global_generator.fill_truncated_normal
fill_xavier_uniform = global_generator.fill_xavier_uniform
fill_xavier_normal = global_generator.fill_xavier_normal
fill_he_uniform = global_generator.fill_he_uniform
fill_he_normal = global_generator.fill_he_normal
get_state = global_generator.get_state


def fill_raw(buf, *, seed, stream=0, offset=0, global_shape=None, start=None):
    """Fill a uint32 buffer with the raw Philox4x32-10 words of (seed, stream): Generator.fill_raw
    at an explicit position (the raw stream is only read at explicit positions)."""
    if seed is None:
        raise TypeError("seed must be an int for fill_raw (the raw stream is only read at explicit positions)")
    return global_generator.fill_raw(buf, seed=seed, stream=stream, offset=offset,
                                     global_shape=global_shape, start=start)


fill_raw.__doc__ = Generator.fill_raw.__doc__


def seed(seed):
    """Seed the global generator (used by fills with seed=None) and rewind it to block 0.

    A seeded global generator is inherited unchanged by forked children (they would repeat
    the parent's values: give each worker its own ``wi.Generator(seed, stream=worker)``);
    an unseeded one is reseeded from the OS in the child.
    """
    global _seed_from_entropy
    global_generator.reseed(seed)
    _seed_from_entropy = False


def set_state(state):
    """Restore the global generator from get_state()."""
    global _seed_from_entropy
    global_generator.set_state(state)
    _seed_from_entropy = False


def philox4x32(counter, key, rounds=10):
    """Philox4x32 of one counter block: 4 output words for counter (4 ints) and key (2 ints).

    Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3" (SC11).

    Example::

        >>> import wi
        >>> [hex(w) for w in wi.philox4x32((0, 0, 0, 0), (0, 0))]  # Random123 known answer
        ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    """
    counter = _args.uint32_words(counter, 4, "counter")
    key = _args.uint32_words(key, 2, "key")
    rounds = _args.in_range(rounds, "rounds", 1, 16)
    return _backend.philox4x32(counter, key, rounds)
