"""Argument coercion, one function per kind: every module checks its scalar arguments here.

Each function takes the value and the caller's name for it, returns the value in canonical
form (a Python int or float, a tuple of axes) and raises TypeError for a wrong type or
ValueError for a bad value, naming the argument. The common case is checked first, cheaply.
"""
import math
import numbers
import operator

from . import _contract as contract


def describe(obj):
    """A type name for messages: `list`, `numpy.ndarray`, `torch.Tensor`."""
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def quoted(choices):
    return ", ".join(repr(c) for c in choices)


def real(x, name):
    """A finite real number (bools and non-numbers rejected) as a Python float."""
    if type(x) is float and -math.inf < x < math.inf:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number (got {describe(x)})")
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite (got {v})")
    return v


def positive(x, name):
    """A finite real number > 0 as a Python float."""
    if type(x) is float and 0.0 < x < math.inf:
        return x
    v = real(x, name)
    if v <= 0.0:
        raise ValueError(f"{name} must be > 0 (got {v})")
    return v


def non_negative(x, name):
    """A finite real number >= 0 as a Python float (a zero std or gain is a constant fill)."""
    if type(x) is float and 0.0 <= x < math.inf:
        return x
    v = real(x, name)
    if v < 0.0:
        raise ValueError(f"{name} must be >= 0 (got {v})")
    return v


def scale(x, name):
    """A positive finite real number (the Keras wording of `positive`)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number (got {type(x).__name__})")
    if not (math.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a positive finite number (got {x!r})")
    return float(x)


def is_zero(x):
    """x is a real number equal to zero (torch treats a zero std or gain as a constant fill)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and x == 0


def integer(x, name):
    """An int (or NumPy integer), never a bool or a float."""
    if type(x) is int:
        return x
    if isinstance(x, bool):
        raise TypeError(f"{name} must be an int (got bool)")
    try:
        return operator.index(x)
    except TypeError:
        raise TypeError(f"{name} must be an int (got {describe(x)})") from None


def uint64(x, name):
    """An integer in [0, 2**64)."""
    v = integer(x, name)
    if not 0 <= v < 2**64:
        raise ValueError(f"{name} must be in [0, 2**64) (got {v})")
    return v


def in_range(x, name, low, high, what="an int"):
    """An integer in [low, high]."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be {what} (got {type(x).__name__})")
    if not low <= int(x) <= high:
        raise ValueError(f"{name} must be between {low} and {high} (got {x})")
    return int(x)


def fan(x, name):
    """A layer fan: a positive integer (not a bool or a float)."""
    if type(x) is int and x > 0:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer (got {describe(x)})")
    v = int(x)
    if v <= 0:
        raise ValueError(f"{name} must be a positive integer (got {v})")
    return v


def uint32_words(words, count, name):
    """A sequence of `count` ints, each in [0, 2**32)."""
    try:
        words = tuple(words)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of {count} ints (got {describe(words)})") from None
    if len(words) != count:
        raise ValueError(f"{name} must have {count} words (got {len(words)})")
    out = []
    for i, w in enumerate(words):
        v = uint64(w, f"{name}[{i}]")
        if v >= 2**32:
            raise ValueError(f"{name}[{i}] must be in [0, 2**32) (got {v})")
        out.append(v)
    return tuple(out)


def choice(value, name, choices):
    """One of the strings in choices."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, one of {quoted(choices)} (got {type(value).__name__})")
    if value not in choices:
        raise ValueError(f"{name} must be one of {quoted(choices)} (got {value!r})")
    return value


def text(value, name):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str (got {type(value).__name__})")
    return value


def shape(dims, name="shape", entries="dimensions"):
    """A sequence of non-negative ints as a tuple (a shape, or an index: entries="indices")."""
    if isinstance(dims, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of ints (got {type(dims).__name__})")
    try:
        dims = tuple(dims)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of ints (got {type(dims).__name__})") from None
    if all(type(d) is int and d >= 0 for d in dims):
        return dims  # tuples and torch.Size, checked cheaply
    out = []
    for d in dims:
        if isinstance(d, bool):
            raise TypeError(f"{name} must be a sequence of ints (got {dims!r})")
        try:
            d = operator.index(d)
        except TypeError:
            raise TypeError(f"{name} must be a sequence of ints (got {dims!r})") from None
        if d < 0:
            raise ValueError(f"{name} must not have negative {entries} (got {dims!r})")
        out.append(d)
    return tuple(out)


def axes(axis, name, ndim):
    """An int-or-sequence axis argument as distinct non-negative ints below ndim."""
    bad = TypeError(f"{name} must be an int or a sequence of ints (got {axis!r})")
    if isinstance(axis, bool):
        raise bad
    try:
        items = (operator.index(axis),)
    except TypeError:
        try:
            items = tuple(axis)
        except TypeError:
            raise bad from None
    out = []
    for a in items:
        if isinstance(a, bool):
            raise bad
        try:
            a = operator.index(a)
        except TypeError:
            raise bad from None
        if not -ndim <= a < ndim:
            raise ValueError(f"{name} {a} is out of range for a shape of rank {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat an axis (got {axis!r})")
    return tuple(out)


def offset(x, n, dtype, name="offset", span="len(buf)"):
    """An element offset such that offset + n stays inside a stream of `dtype` elements; `span`
    names what n counts (a region fill covers its whole global array: "prod(global_shape)")."""
    v = integer(x, name)
    if v < 0:
        raise ValueError(f"{name} must be >= 0 (got {v})")
    end = contract.STREAM_BLOCKS * contract.PER_BLOCK[dtype]
    if v + n > end:
        raise ValueError(
            f"{name} + {span} must be <= {end} (the stream's length in {contract.DTYPE_NAMES[dtype]} elements); "
            f"got {name}={v} with {span}={n}"
        )
    return v
