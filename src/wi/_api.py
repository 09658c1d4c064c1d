"""The fill_* functions, the global generator and wi.Generator.

A fill writes element i of buf from element offset+i of the stream (seed, stream); see
docs/stream.md. With seed=None the values come from the global generator, which reserves
a fresh block range for every call.
"""
import math
import os
import operator

from . import _backend
from . import _contract as C
from . import _validate as V
from ._counter import BlockCounter, entropy_seed

SQRT2 = math.sqrt(2.0)
_RAW_DTYPES = (C.U32,)

_GLOBAL = BlockCounter(entropy_seed())
_global_from_entropy = True  # until wi.seed / wi.set_state fix it


def _reseed_forked_child():
    """A forked child must not repeat its parent's numbers: reseed from the OS (as Python's
    random does), unless the user chose the seed, which stays theirs to manage."""
    if _global_from_entropy:
        _GLOBAL.reseed(entropy_seed())


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed_forked_child)

# The hot path: plain float32/float64 arrays filled from a counter in one compiled call
# (it returns False for anything else, which then takes the checked path below).
_core = _backend.core
_ZERO = 0  # `stream is _ZERO` admits only the int 0 (bools, floats and NumPy ints go the checked way)


def _fast(buf, dist, a, b, seed, stream, offset):
    """True if the compiled hot path did the fill (plain arrays, plain int arguments)."""
    if _core is None:
        return False
    if seed is None:
        return stream is _ZERO and offset is _ZERO and _core.fast_fill(buf, dist, a, b, _GLOBAL)
    return (type(seed) is int and type(stream) is int and type(offset) is int
            and _core.fast_fill_at(buf, dist, a, b, seed, stream, offset))


def _fill(buf, dist, params, seed, stream, offset, counter=None, scale=None):
    """Validate everything, then write: the one path every fill takes.

    scale names the argument that set params when the caller did not pass them directly (the
    gain of a Xavier/He fill), so an overflow error names what the caller can change.
    """
    if counter is None and seed is None:
        if V.uint64(stream, "stream"):
            raise ValueError("stream needs an explicit seed (with seed=None the global generator picks the stream)")
        if V.uint64(offset, "offset"):
            raise ValueError("offset needs an explicit seed (with seed=None the global generator picks the blocks)")
        counter = _GLOBAL
    target = V.target(buf, _RAW_DTYPES if dist == C.RAW else C.FLOATS)
    kernel_params = V.transform(dist, params, target.dtype, scale)
    n, per_block = target.n, C.PER_BLOCK[target.dtype]
    if counter is not None:
        if n == 0:
            return buf
        seed, stream, block = counter.reserve(-(-n // per_block))
        lane = 0
    else:
        seed = V.uint64(seed, "seed")
        stream = V.uint64(stream, "stream")
        block, lane = divmod(V.offset(offset, n, target.dtype), per_block)
        if n == 0:
            return buf
    _backend.fill(target, dist, seed, stream, block, lane, kernel_params)
    return buf


# ---- the distributions and their scales ----

def _uniform_args(low, high, names=("low", "high")):
    """Checked bounds; names are the caller's (torch's uniform_ calls them a and b)."""
    lo_name, hi_name = names
    low, high = V.real(low, lo_name), V.real(high, hi_name)
    if low > high:
        raise ValueError(f"{lo_name} must be <= {hi_name} (got {lo_name}={low}, {hi_name}={high})")
    return low, high


def _normal_args(mean, std):
    return V.real(mean, "mean"), V.positive(std, "std")


def _truncated_args(mean, std, low, high, names=("low", "high")):
    """Checked parameters; names are the caller's for the cut-offs (torch: a and b)."""
    mean, std = _normal_args(mean, std)
    lo_name, hi_name = names
    low, high = V.real(low, lo_name), V.real(high, hi_name)
    if not low < high:
        raise ValueError(f"{lo_name} must be < {hi_name} (got {lo_name}={low}, {hi_name}={high})")
    return mean, std, low, high


def _plain(fan, gain):
    """The common case, checked cheaply: an int fan > 0 and a finite float gain > 0."""
    return type(fan) is int and fan > 0 and type(gain) is float and 0.0 < gain < math.inf


def xavier_uniform_bound(fan_in, fan_out, gain=1.0):
    """gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010, eq. 16)."""
    if _plain(fan_in, gain) and type(fan_out) is int and fan_out > 0:
        return gain * math.sqrt(6.0 / (fan_in + fan_out))
    return V.positive(gain, "gain") * math.sqrt(6.0 / (V.fan(fan_in, "fan_in") + V.fan(fan_out, "fan_out")))


def xavier_normal_std(fan_in, fan_out, gain=1.0):
    """gain * sqrt(2 / (fan_in + fan_out)) (Glorot & Bengio 2010)."""
    if _plain(fan_in, gain) and type(fan_out) is int and fan_out > 0:
        return gain * math.sqrt(2.0 / (fan_in + fan_out))
    return V.positive(gain, "gain") * math.sqrt(2.0 / (V.fan(fan_in, "fan_in") + V.fan(fan_out, "fan_out")))


def he_uniform_bound(fan_in, gain=SQRT2):
    """gain * sqrt(3 / fan_in) (He et al. 2015)."""
    if _plain(fan_in, gain):
        return gain * math.sqrt(3.0 / fan_in)
    return V.positive(gain, "gain") * math.sqrt(3.0 / V.fan(fan_in, "fan_in"))


def he_normal_std(fan_in, gain=SQRT2):
    """gain / sqrt(fan_in) (He et al. 2015, eq. 10)."""
    if _plain(fan_in, gain):
        return gain / math.sqrt(fan_in)
    return V.positive(gain, "gain") / math.sqrt(V.fan(fan_in, "fan_in"))


# ---- module-level fills ----

def fill_raw(buf, *, seed, stream=0, offset=0):
    """Fill a uint32 buffer with the raw Philox4x32-10 words of (seed, stream).

    Element i is word (offset+i) % 4 of block (offset+i) // 4, whose counter is
    (block low, block high, stream low, stream high) under key (seed low, seed high).

    Example::

        >>> import numpy as np, wi
        >>> wi.fill_raw(np.empty(4, np.uint32), seed=0)[0] == 0x6627E8D5  # Random123's known answer
        True
    """
    if seed is None:
        raise TypeError("seed must be an int for fill_raw (the raw stream is only read at explicit positions)")
    return _fill(buf, C.RAW, (), seed, stream, offset)


def fill_uniform(buf, low, high, *, seed=None, stream=0, offset=0):
    """Fill buf in place with U(low, high) samples; returns buf.

    x = min(low + (high - low) * u, high), u = (w >> 8) * 2^-24 for float32 or
    (w >> 11) * 2^-53 for float64 (w the element's Philox word(s)); every x is in [low, high].

    Example::

        >>> import numpy as np, wi
        >>> w = wi.fill_uniform(np.empty((256, 128), np.float32), -0.1, 0.1, seed=0)
    """
    low, high = _uniform_args(low, high)
    if _fast(buf, C.UNIFORM, low, high, seed, stream, offset):
        return buf
    return _fill(buf, C.UNIFORM, (low, high), seed, stream, offset)


def fill_normal(buf, mean=0.0, std=1.0, *, seed=None, stream=0, offset=0):
    """Fill buf in place with N(mean, std^2) samples (Box-Muller); returns buf.

    x = mean + std * z, with z = sqrt(-2 ln u1) * (cos 2 pi u2 or sin 2 pi u2) from the
    element's word pair (docs/stream.md).

    Example::

        >>> import numpy as np, wi
        >>> w = wi.fill_normal(np.empty((256, 128), np.float32), 0.0, 0.02, seed=0)
    """
    mean, std = _normal_args(mean, std)
    if _fast(buf, C.NORMAL, mean, std, seed, stream, offset):
        return buf
    return _fill(buf, C.NORMAL, (mean, std), seed, stream, offset)


def fill_truncated_normal(buf, mean, std, low, high, *, seed=None, stream=0, offset=0):
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
    return _fill(buf, C.TRUNCNORM, _truncated_args(mean, std, low, high), seed, stream, offset)


def fill_xavier_uniform(buf, fan_in, fan_out, *, gain=1.0, seed=None, stream=0, offset=0):
    """Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
    networks" (2010).

    Example::

        >>> import numpy as np, wi
        >>> w = wi.fill_xavier_uniform(np.empty((512, 256), np.float32), 256, 512, seed=0)
    """
    a = xavier_uniform_bound(fan_in, fan_out, gain)
    if _fast(buf, C.UNIFORM, -a, a, seed, stream, offset):
        return buf
    return _fill(buf, C.UNIFORM, (-a, a), seed, stream, offset, scale="gain")


def fill_xavier_normal(buf, fan_in, fan_out, *, gain=1.0, seed=None, stream=0, offset=0):
    """Glorot/Xavier normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    Glorot & Bengio (2010).

    Example::

        >>> import numpy as np, wi
        >>> w = wi.fill_xavier_normal(np.empty((512, 256), np.float32), 256, 512, seed=0)
    """
    std = xavier_normal_std(fan_in, fan_out, gain)
    if _fast(buf, C.NORMAL, 0.0, std, seed, stream, offset):
        return buf
    return _fill(buf, C.NORMAL, (0.0, std), seed, stream, offset, scale="gain")


def fill_he_uniform(buf, fan_in, *, gain=SQRT2, seed=None, stream=0, offset=0):
    """He/Kaiming uniform: U(-a, a) with a = gain * sqrt(3 / fan_in) (gain sqrt(2) for ReLU).

    He et al., "Delving Deep into Rectifiers" (2015).

    Example::

        >>> import numpy as np, wi
        >>> w = wi.fill_he_uniform(np.empty((512, 256), np.float32), 256, seed=0)
    """
    a = he_uniform_bound(fan_in, gain)
    if _fast(buf, C.UNIFORM, -a, a, seed, stream, offset):
        return buf
    return _fill(buf, C.UNIFORM, (-a, a), seed, stream, offset, scale="gain")


def fill_he_normal(buf, fan_in, *, gain=SQRT2, seed=None, stream=0, offset=0):
    """He/Kaiming normal: N(0, std^2) with std = gain / sqrt(fan_in) (gain sqrt(2) for ReLU).

    He et al., "Delving Deep into Rectifiers" (2015).

    Example::

        >>> import numpy as np, wi
        >>> w = wi.fill_he_normal(np.empty((512, 256), np.float32), 256, seed=0)
    """
    std = he_normal_std(fan_in, gain)
    if _fast(buf, C.NORMAL, 0.0, std, seed, stream, offset):
        return buf
    return _fill(buf, C.NORMAL, (0.0, std), seed, stream, offset, scale="gain")


def philox4x32(counter, key, rounds=10):
    """Philox4x32 of one counter block: 4 output words for counter (4 ints) and key (2 ints).

    Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3" (SC11).

    Example::

        >>> import wi
        >>> [hex(w) for w in wi.philox4x32((0, 0, 0, 0), (0, 0))]  # Random123 known answer
        ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    """
    counter = V.uint32_words(counter, 4, "counter")
    key = V.uint32_words(key, 2, "key")
    if isinstance(rounds, bool):
        raise TypeError("rounds must be an int (got bool)")
    try:
        rounds = operator.index(rounds)  # ints and NumPy integers, as for seeds and offsets
    except TypeError:
        raise TypeError(f"rounds must be an int (got {type(rounds).__name__})") from None
    if not 1 <= rounds <= 16:
        raise ValueError(f"rounds must be between 1 and 16 (got {rounds})")
    return _backend.philox4x32(counter, key, rounds)


# ---- the global generator ----

def seed(seed):
    """Seed the global generator (used by fills with seed=None) and rewind it to block 0.

    A seeded global generator is inherited unchanged by forked children (they would repeat
    the parent's values: give each worker its own ``wi.Generator(seed, stream=worker)``);
    an unseeded one is reseeded from the OS in the child.
    """
    global _global_from_entropy
    _GLOBAL.reseed(seed)
    _global_from_entropy = False


def get_state():
    """The global generator's state: {'seed', 'stream', 'counter'}."""
    return _GLOBAL.get_state()


def set_state(state):
    """Restore the global generator from get_state()."""
    global _global_from_entropy
    _GLOBAL.set_state(state)
    _global_from_entropy = False


class Generator:
    """A generator on its own (seed, stream) whose fills take consecutive block ranges.

    Each call reserves the blocks it needs under a lock, so a Generator can be shared by
    threads; the values depend only on the seed, the stream and the order of the calls.

    Example::

        >>> import numpy as np, wi
        >>> g = wi.Generator(42, stream=7)
        >>> w = g.fill_he_normal(np.empty((512, 256), np.float32), 256)
    """

    __slots__ = ("_counter",)

    def __init__(self, seed, stream=0):
        self._counter = BlockCounter(seed, stream)

    def __repr__(self):
        s = self._counter.get_state()
        return f"wi.Generator(seed={s['seed']}, stream={s['stream']}, counter={s['counter']})"

    @property
    def seed(self):
        return self._counter.seed

    @property
    def stream(self):
        return self._counter.stream

    def get_state(self):
        return self._counter.get_state()

    def set_state(self, state):
        self._counter.set_state(state)

    def fill_raw(self, buf):
        return _fill(buf, C.RAW, (), None, 0, 0, self._counter)

    def fill_uniform(self, buf, low, high):
        return _fill(buf, C.UNIFORM, _uniform_args(low, high), None, 0, 0, self._counter)

    def fill_normal(self, buf, mean=0.0, std=1.0):
        return _fill(buf, C.NORMAL, _normal_args(mean, std), None, 0, 0, self._counter)

    def fill_truncated_normal(self, buf, mean, std, low, high):
        return _fill(buf, C.TRUNCNORM, _truncated_args(mean, std, low, high), None, 0, 0, self._counter)

    def fill_xavier_uniform(self, buf, fan_in, fan_out, *, gain=1.0):
        a = xavier_uniform_bound(fan_in, fan_out, gain)
        return _fill(buf, C.UNIFORM, (-a, a), None, 0, 0, self._counter, "gain")

    def fill_xavier_normal(self, buf, fan_in, fan_out, *, gain=1.0):
        std = xavier_normal_std(fan_in, fan_out, gain)
        return _fill(buf, C.NORMAL, (0.0, std), None, 0, 0, self._counter, "gain")

    def fill_he_uniform(self, buf, fan_in, *, gain=SQRT2):
        a = he_uniform_bound(fan_in, gain)
        return _fill(buf, C.UNIFORM, (-a, a), None, 0, 0, self._counter, "gain")

    def fill_he_normal(self, buf, fan_in, *, gain=SQRT2):
        std = he_normal_std(fan_in, gain)
        return _fill(buf, C.NORMAL, (0.0, std), None, 0, 0, self._counter, "gain")
