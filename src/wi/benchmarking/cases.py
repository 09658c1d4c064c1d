"""The contenders: for one buffer, a no-argument callable per library that fills it the way
that library's users would.

Every contender writes the same preallocated buffer (torch through `torch.from_numpy`, which
shares its memory), so the comparison is about generating values, not allocating them.
The ceilings (`memset`: `buf.fill(1.0)` on one thread; `memset_n`: a constant fill with the
same thread count as wi) are built in ceilings.py: no fill can write memory faster.
"""
import math

import numpy as np

from . import ceilings

INITS = ("he_uniform", "he_normal", "xavier_uniform", "xavier_normal")
CONTENDERS = ("wi", "numpy", "torch", "memset", "memset_n")
# NumPy's generator and ndarray.fill run on one thread whatever the setting.
SINGLE_THREADED = frozenset({"numpy", "memset", "fresh_memset"})


def matrix_shape(size):
    """(fan_out, fan_in) with fan_out * fan_in == size, as square as possible.

    torch's initialisers need a 2-D weight to find its fans; wi is given the same fans, so
    every contender draws from the same distribution.
    """
    cols = max(d for d in range(1, math.isqrt(size) + 1) if size % d == 0)
    return size // cols, cols


def make_buffer(size, dtype):
    """A C-contiguous (fan_out, fan_in) array whose pages are already touched.

    Writing it once here makes the kernel map every page now, so no timing pays for page faults.
    """
    buf = np.empty(matrix_shape(size), dtype=dtype)
    buf.fill(0.0)
    return buf


def scale(init, buf):
    """The uniform bound or normal std the init uses for this weight's fans.

    He: variance 2 / fan_in; Xavier: 2 / (fan_in + fan_out); a uniform on [-a, a] has
    variance a^2 / 3. (Written out here: the harness uses wi's public API only.)
    """
    fan_out, fan_in = buf.shape
    variance = 2.0 / fan_in if init.startswith("he_") else 2.0 / (fan_in + fan_out)
    return math.sqrt(3.0 * variance) if init.endswith("uniform") else math.sqrt(variance)


def torch_available():
    """(True, None), or (False, the reason) when torch cannot be imported."""
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        return False, f"torch not installed ({exc}); pip install 'weightinit[bench]'"
    return True, None


def _wi_call(init, fan_in, fan_out):
    """wi's hot-path call for this init as f(buf), on the global generator (what users write)."""
    import wi

    return {
        "he_uniform": lambda b: wi.fill_he_uniform(b, fan_in),
        "he_normal": lambda b: wi.fill_he_normal(b, fan_in),
        "xavier_uniform": lambda b: wi.fill_xavier_uniform(b, fan_in, fan_out),
        "xavier_normal": lambda b: wi.fill_xavier_normal(b, fan_in, fan_out),
    }[init]


def wi_fill(init, buf, threads):
    """wi filling buf on `threads` threads."""
    import wi

    wi.set_num_threads(threads)
    call = _wi_call(init, buf.shape[1], buf.shape[0])
    return lambda: call(buf)


def fresh_wi_fill(init, buf, threads):
    """Allocate a buffer like buf (np.empty) and fill it with wi: the to_empty-then-init pattern."""
    import wi

    wi.set_num_threads(threads)
    call = _wi_call(init, buf.shape[1], buf.shape[0])
    shape, dtype = buf.shape, buf.dtype
    return lambda: call(np.empty(shape, dtype))


def numpy_fill(init, buf, threads=1):
    """NumPy's fastest in-place route: draw into `out=`, then scale in place (no temporaries).

    (np.multiply(buf, s, out=buf) is `buf *= s`, spelled so the closure need not rebind buf.)
    """
    rng = np.random.Generator(np.random.PCG64(0))
    s = scale(init, buf)
    if init.endswith("normal"):
        def fill():
            rng.standard_normal(out=buf, dtype=buf.dtype)
            np.multiply(buf, s, out=buf)
    else:
        def fill():
            rng.random(out=buf, dtype=buf.dtype)  # [0, 1) -> [-s, s)
            np.multiply(buf, 2.0 * s, out=buf)
            np.subtract(buf, s, out=buf)
    return fill


def torch_fill(init, buf, threads):
    """torch.nn.init's in-place initialiser on a tensor sharing buf's memory."""
    import torch

    torch.set_num_threads(threads)
    t = torch.from_numpy(buf)
    init_ = torch.nn.init
    return {
        "he_uniform": lambda: init_.kaiming_uniform_(t, mode="fan_in", nonlinearity="relu"),
        "he_normal": lambda: init_.kaiming_normal_(t, mode="fan_in", nonlinearity="relu"),
        "xavier_uniform": lambda: init_.xavier_uniform_(t),
        "xavier_normal": lambda: init_.xavier_normal_(t),
    }[init]


def memset_fill(init, buf, threads=1):
    """The single-thread ceiling: one constant written to every element (init is ignored)."""
    return ceilings.constant_fill(buf, 1)


def memset_n_fill(init, buf, threads):
    """The n-thread ceiling: a constant written by `threads` threads (init is ignored)."""
    return ceilings.constant_fill(buf, threads)


def fresh_memset_fill(init, buf, threads=1):
    """The single-thread fresh-memory ceiling: np.empty like buf, then fill(1.0)."""
    return ceilings.fresh_constant_fill(buf.shape, buf.dtype, 1)


def fresh_memset_n_fill(init, buf, threads):
    """The n-thread fresh-memory ceiling: np.empty like buf, then a constant on `threads` threads."""
    return ceilings.fresh_constant_fill(buf.shape, buf.dtype, threads)


BUILDERS = {"wi": wi_fill, "numpy": numpy_fill, "torch": torch_fill, "memset": memset_fill,
            "memset_n": memset_n_fill, "fresh_wi": fresh_wi_fill, "fresh_memset": fresh_memset_fill,
            "fresh_memset_n": fresh_memset_n_fill}
FRESH = ("fresh_wi", "fresh_memset", "fresh_memset_n")


def build(contender, init, buf, threads):
    """The fill callable for one contender; sets its thread count, so call it just before timing."""
    return BUILDERS[contender](init, buf, threads)
