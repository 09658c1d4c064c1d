"""The contenders: for one buffer, a no-argument callable per library that fills it the way
that library's users would.

Every contender writes the same preallocated buffer (torch through `torch.from_numpy`, which
shares its memory), so the comparison is about generating values, not allocating them.
`memset` (`buf.fill(1.0)`) is the ceiling: no fill can write memory faster.
"""
import math

import numpy as np

from .._dists import he_normal, he_uniform, xavier_normal, xavier_uniform

INITS = ("he_uniform", "he_normal", "xavier_uniform", "xavier_normal")
CONTENDERS = ("wi", "numpy", "torch", "memset")
# NumPy's generator and ndarray.fill run on one thread whatever the setting.
SINGLE_THREADED = frozenset({"numpy", "memset"})


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
    """The uniform bound or normal std the init uses for this weight's fans."""
    fan_out, fan_in = buf.shape
    return {
        "he_uniform": lambda: he_uniform(fan_in).high,
        "he_normal": lambda: he_normal(fan_in).std,
        "xavier_uniform": lambda: xavier_uniform(fan_in, fan_out).high,
        "xavier_normal": lambda: xavier_normal(fan_in, fan_out).std,
    }[init]()


def torch_available():
    """(True, None), or (False, the reason) when torch cannot be imported."""
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        return False, f"torch not installed ({exc}); pip install 'weightinit[bench]'"
    return True, None


def wi_fill(init, buf, threads):
    """wi's hot-path call for this init, on the global generator (what users write)."""
    import wi

    wi.set_num_threads(threads)
    fan_out, fan_in = buf.shape
    return {
        "he_uniform": lambda: wi.fill_he_uniform(buf, fan_in),
        "he_normal": lambda: wi.fill_he_normal(buf, fan_in),
        "xavier_uniform": lambda: wi.fill_xavier_uniform(buf, fan_in, fan_out),
        "xavier_normal": lambda: wi.fill_xavier_normal(buf, fan_in, fan_out),
    }[init]


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
    """The ceiling: one constant written to every element (init is ignored)."""
    return lambda: buf.fill(1.0)


BUILDERS = {"wi": wi_fill, "numpy": numpy_fill, "torch": torch_fill, "memset": memset_fill}


def build(contender, init, buf, threads):
    """The fill callable for one contender; sets its thread count, so call it just before timing."""
    return BUILDERS[contender](init, buf, threads)


def hot_path_fills(with_torch=True):
    """The per-layer call overhead case: 256 float32 weights (a 16x16 layer), He normal.

    Returns {contender: callable} for wi and, if asked for and installed, torch.
    """
    import wi

    buf = make_buffer(256, np.float32)
    fills = {"wi": lambda: wi.fill_he_normal(buf, 16)}
    if with_torch and torch_available()[0]:
        import torch

        t = torch.empty(16, 16)
        fills["torch"] = lambda: torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="relu")
    return fills
