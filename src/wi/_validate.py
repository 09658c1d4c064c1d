"""Checks every argument and buffer before anything is written, and words the errors.

Errors name the argument and say what was expected: TypeError for a wrong type or dtype,
ValueError for a bad value or layout. Nothing here writes to a buffer.
"""
import math
import numbers
import operator

import numpy as np

from . import _contract as C

_NUMPY_DTYPES = {
    np.dtype(np.uint32): C.U32,
    np.dtype(np.float32): C.F32,
    np.dtype(np.float64): C.F64,
    np.dtype(np.float16): C.F16,
}
_FORMATS = {"f": C.F32, "d": C.F64, "I": C.U32, "e": C.F16}
_TORCH_DTYPES = {
    "torch.float32": C.F32,
    "torch.float64": C.F64,
    "torch.uint32": C.U32,
    "torch.float16": C.F16,
    "torch.bfloat16": C.BF16,
}
# How the core and the fallback see each buffer: half formats as their 16-bit patterns.
_STORAGE = {C.U32: np.uint32, C.F32: np.float32, C.F64: np.float64, C.F16: np.uint16, C.BF16: np.uint16}


class Target:
    """A validated, writable, C-contiguous flat view of the caller's buffer."""

    __slots__ = ("array", "dtype", "n")

    def __init__(self, array, dtype):
        self.array = array
        self.dtype = dtype
        self.n = array.size


def _describe(obj):
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _expected(allowed):
    return " or ".join(C.DTYPE_NAMES[d] for d in allowed)


def target(buf, allowed, name="buf"):
    """Return a Target for buf, or raise if buf cannot be filled in place."""
    if isinstance(buf, np.ndarray):
        return _from_ndarray(buf, allowed, name)
    if type(buf).__module__.startswith("torch") and hasattr(buf, "data_ptr"):
        return _from_torch(buf, allowed, name)
    try:
        view = memoryview(buf)
    except TypeError:
        raise TypeError(
            f"{name} must be a NumPy array, a writable buffer or a torch CPU tensor (got {_describe(buf)})"
        ) from None
    with view:
        if view.readonly:
            raise ValueError(f"{name} must be writable (got a read-only {_describe(buf)})")
        if not view.c_contiguous:
            raise ValueError(f"{name} must be C-contiguous (got a non-contiguous {_describe(buf)})")
        fmt = view.format.lstrip("@=<")
        dtype = _FORMATS.get(fmt)
        if dtype is None or view.itemsize != C.ITEMSIZE[dtype] or view.format.startswith(">"):
            raise TypeError(
                f"{name} must hold {_expected(allowed)} values (got a {_describe(buf)} of format {view.format!r})"
            )
    if dtype not in allowed:
        raise TypeError(f"{name} must hold {_expected(allowed)} values (got {C.DTYPE_NAMES[dtype]})")
    return Target(np.frombuffer(buf, dtype=_STORAGE[dtype]), dtype)


def _from_ndarray(arr, allowed, name):
    dtype = _NUMPY_DTYPES.get(arr.dtype)
    if dtype is None and arr.dtype.name == "bfloat16":  # ml_dtypes.bfloat16, without importing it
        dtype = C.BF16
    if dtype is None or dtype not in allowed:
        raise TypeError(f"{name} must have dtype {_expected(allowed)} (got {arr.dtype})")
    if not arr.flags.writeable:
        raise ValueError(f"{name} must be writable (got a read-only numpy.ndarray)")
    if not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous (got a non-contiguous numpy.ndarray with strides {arr.strides})")
    flat = arr.reshape(-1)
    return Target(flat if dtype not in C.HALVES else flat.view(np.uint16), dtype)


def _from_torch(t, allowed, name):
    import torch  # only reached when a tensor was passed, so torch is already imported

    if t.device.type != "cpu":
        raise ValueError(f"{name} must be a CPU tensor (got a tensor on device {str(t.device)!r})")
    if t.layout != torch.strided:
        raise ValueError(f"{name} must be a dense (strided) tensor (got layout {t.layout})")
    dtype = _TORCH_DTYPES.get(str(t.dtype))
    if dtype is None or dtype not in allowed:
        raise TypeError(f"{name} must have dtype {_expected(allowed)} (got {t.dtype})")
    if not t.is_contiguous():
        raise ValueError(f"{name} must be C-contiguous (got a non-contiguous torch.Tensor with strides {t.stride()})")
    if t.is_neg() or t.is_conj():
        raise ValueError(f"{name} must not be a lazily negated or conjugated view (call resolve_neg()/resolve_conj())")
    if t.requires_grad and torch.is_grad_enabled():
        raise ValueError(
            f"{name} is a tensor that requires grad: fill it under torch.no_grad() (as torch.nn.init does)"
        )
    if t.is_inference() and not torch.is_inference_mode_enabled():
        raise ValueError(f"{name} is an inference tensor: fill it inside torch.inference_mode()")
    if t.requires_grad:
        t = t.detach()
    if dtype in C.HALVES:  # NumPy has no bfloat16: share the 16-bit patterns
        t = t.view(torch.int16)
    return Target(t.numpy().reshape(-1).view(_STORAGE[dtype]), dtype)


def real(x, name):
    """A finite real number (bools and non-numbers rejected) as a Python float."""
    if type(x) is float and -math.inf < x < math.inf:  # the common case, cheaply
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number (got {_describe(x)})")
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite (got {v})")
    return v


def positive(x, name):
    if type(x) is float and 0.0 < x < math.inf:
        return x
    v = real(x, name)
    if v <= 0.0:
        raise ValueError(f"{name} must be > 0 (got {v})")
    return v


def fan(x, name):
    """A layer fan: a positive integer (not a bool or a float)."""
    if type(x) is int and x > 0:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer (got {_describe(x)})")
    v = int(x)
    if v <= 0:
        raise ValueError(f"{name} must be a positive integer (got {v})")
    return v


def integer(x, name):
    """An int (or NumPy integer), never a bool or a float."""
    if isinstance(x, bool):
        raise TypeError(f"{name} must be an int (got bool)")
    try:
        return operator.index(x)
    except TypeError:
        raise TypeError(f"{name} must be an int (got {_describe(x)})") from None


def uint64(x, name):
    """An integer in [0, 2**64)."""
    v = integer(x, name)
    if not 0 <= v < 2**64:
        raise ValueError(f"{name} must be in [0, 2**64) (got {v})")
    return v


def uint32_words(words, count, name):
    """A sequence of `count` ints, each in [0, 2**32)."""
    try:
        words = tuple(words)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of {count} ints (got {_describe(words)})") from None
    if len(words) != count:
        raise ValueError(f"{name} must have {count} words (got {len(words)})")
    out = []
    for i, w in enumerate(words):
        v = uint64(w, f"{name}[{i}]")
        if v >= 2**32:
            raise ValueError(f"{name}[{i}] must be in [0, 2**32) (got {v})")
        out.append(v)
    return tuple(out)


def offset(x, n, dtype, name="offset"):
    """An element offset such that offset + n stays inside the stream."""
    v = integer(x, name)
    if v < 0:
        raise ValueError(f"{name} must be >= 0 (got {v})")
    end = C.STREAM_BLOCKS * C.PER_BLOCK[dtype]
    if v + n > end:
        raise ValueError(
            f"{name} + len(buf) must be <= {end} (the stream's length in {C.DTYPE_NAMES[dtype]} elements); "
            f"got {name}={v} with len(buf)={n}"
        )
    return v


def transform(dist, params, dtype, scale=None):
    """Turn a distribution's parameters into the kernel's (lo, width, hi, clamp_lo, p0, pw),
    rounded to the computing precision (float64 for float64 output, float32 otherwise).

    Raises if the values the fill could produce are not finite in the output format. `scale`
    names the argument that set params when the caller did not pass them directly (the gain
    of a Xavier/He fill), so the error names what the caller can change.
    """
    if dtype == C.U32:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    cast = C.COMPUTE[dtype]
    big, name = C.MAX[dtype], C.DTYPE_NAMES[dtype]
    if dist == C.UNIFORM:
        low, high = params
        width = high - low
        if not (abs(low) <= big and abs(high) <= big and width <= float(np.finfo(cast).max)):
            if scale is not None:
                raise ValueError(f"{scale} is too large: the bounds ({low:g}, {high:g}) overflow {name}")
            raise ValueError(f"low and high must be finite in {name}, and so must high - low (got low={low}, high={high})")
        return float(cast(low)), float(cast(width)), float(cast(high)), 0.0, 0.0, 0.0
    if dist == C.NORMAL:
        mean, std = params
        if abs(mean) + C.MAX_ABS_NORMAL[dtype] * std > big:
            if scale is not None:
                raise ValueError(
                    f"{scale} is too large: std={std:g} overflows {name} "
                    f"({C.MAX_ABS_NORMAL[dtype]:g}*std must be <= {big:g})"
                )
            raise ValueError(
                f"mean and std overflow {name}: |mean| + {C.MAX_ABS_NORMAL[dtype]:g}*std must be <= {big:g} "
                f"(got mean={mean}, std={std})"
            )
        return float(cast(mean)), float(cast(std)), 0.0, 0.0, 0.0, 0.0
    mean, std, low, high = params
    if not (abs(low) <= big and abs(high) <= big):
        raise ValueError(f"low and high must be finite in {name} (got low={low}, high={high})")
    alpha, beta = (low - mean) / std, (high - mean) / std
    sign = 1.0
    if alpha + beta > 0:  # work in the lower tail, where the quantile is accurate
        alpha, beta, sign = -beta, -alpha, -1.0
    p_lo, p_hi = _normal_cdf(alpha), _normal_cdf(beta)
    if p_lo < C.TINY[dtype]:
        p_lo = 0.0  # the mass below is negligible; the quantile's floor and the clamp handle u = 0
    if p_hi < C.TINY[dtype]:
        raise ValueError(
            f"[low, high] lies too far in the tail of N(mean, std^2) for {name} "
            f"(got low={low}, high={high}, mean={mean}, std={std}: {min(abs(alpha), abs(beta)):.1f} std away)"
        )
    return (float(cast(mean)), float(cast(sign * std)), float(cast(high)), float(cast(low)),
            float(cast(p_lo)), float(cast(p_hi - p_lo)))


def _normal_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))
