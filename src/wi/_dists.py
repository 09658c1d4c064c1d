"""The distributions a fill draws from, and the one mapping to the kernels' parameters.

A distribution object (Raw, Uniform, Normal, TruncatedNormal) holds checked user parameters.
Its kernel_params(dtype) is the one definition of what the kernels (and the NumPy fallback)
are given for an output dtype, and of the overflow rule: it raises if the fill could produce a
value that is not finite in that dtype. The compiled core's fast path has a twin of it
(_core.pyx, `kernel_params`) that declines instead of raising; tests/test_dists.py checks
the two agree on every distribution and dtype.

Parameters a caller derived from another argument (the gain of a Xavier/He fill, the scale
of variance scaling) are built with scale=<that argument's name>, so an overflow names what
the caller can change; names=(...) gives the caller's names for the parameters (torch's a, b).
"""
import math
import numbers
from typing import NamedTuple

from . import _args
from . import _contract as contract

SQRT2 = math.sqrt(2.0)


class KernelParams(NamedTuple):
    """What the kernels read, rounded to the computing precision (wi_fill_spec's fields).

    uniform:  x = min(lo + width * u, hi)
    normal:   x = lo + width * z
    truncnorm: x = clamp(lo + width * Q(p0 + pw * u), clamp_lo, hi)
    """

    lo: float = 0.0
    width: float = 0.0
    hi: float = 0.0
    clamp_lo: float = 0.0
    p0: float = 0.0
    pw: float = 0.0


def _rounded(dtype, *values):
    cast = contract.COMPUTE[dtype]
    return KernelParams(*(float(cast(v)) for v in values))


class Distribution:
    """Base: `code` is the kernel's wi_dist, `dtypes` the output dtypes it can fill, `params`
    the user parameters in the order the compiled fast path reads them."""

    __slots__ = ("params", "names", "scale")
    code = None
    dtypes = contract.FLOATS

    def __repr__(self):
        args = ", ".join(f"{n}={v!r}" for n, v in zip(self.names, self.params))
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(other) is type(self) and other.params == self.params

    def __hash__(self):
        return hash((type(self), self.params))

    def kernel_params(self, dtype):
        """KernelParams for an output dtype; ValueError if a value could overflow it."""
        raise NotImplementedError


class Raw(Distribution):
    """The raw Philox words (uint32 output)."""

    __slots__ = ()
    code = contract.RAW
    dtypes = (contract.U32,)

    def __init__(self):
        self.params, self.names, self.scale = (), (), None

    def kernel_params(self, dtype):
        return KernelParams()


class Uniform(Distribution):
    """U(low, high): every value in [low, high]."""

    __slots__ = ()
    code = contract.UNIFORM

    def __init__(self, low, high, *, names=("low", "high"), scale=None):
        if scale is None:
            low, high = _args.real(low, names[0]), _args.real(high, names[1])
            if low > high:
                raise ValueError(f"{names[0]} must be <= {names[1]} (got {names[0]}={low}, {names[1]}={high})")
        self.params, self.names, self.scale = (low, high), names, scale

    @property
    def low(self):
        return self.params[0]

    @property
    def high(self):
        return self.params[1]

    def kernel_params(self, dtype):
        low, high = self.params
        big, name = contract.MAX[dtype], contract.DTYPE_NAMES[dtype]
        width = high - low
        if not (abs(low) <= big and abs(high) <= big and width <= contract.COMPUTE_MAX[dtype]):
            if self.scale is not None:
                raise ValueError(f"{self.scale} is too large: the bounds ({low:g}, {high:g}) overflow {name}")
            lo_name, hi_name = self.names
            raise ValueError(f"{lo_name} and {hi_name} must be finite in {name}, and so must {hi_name} - {lo_name} "
                             f"(got {lo_name}={low}, {hi_name}={high})")
        return _rounded(dtype, low, width, high)


class Normal(Distribution):
    """N(mean, std^2), std >= 0 (Box-Muller; std = 0 fills the mean, as NumPy and torch do)."""

    __slots__ = ()
    code = contract.NORMAL

    def __init__(self, mean, std, *, names=("mean", "std"), scale=None):
        if scale is None and not (type(mean) is float and type(std) is float
                                  and -math.inf < mean < math.inf and 0.0 <= std < math.inf):
            mean, std = _args.real(mean, names[0]), _args.non_negative(std, names[1])
        self.params, self.names, self.scale = (mean, std), names, scale

    @property
    def mean(self):
        return self.params[0]

    @property
    def std(self):
        return self.params[1]

    def kernel_params(self, dtype):
        mean, std = self.params
        big, name, reach = contract.MAX[dtype], contract.DTYPE_NAMES[dtype], contract.MAX_ABS_NORMAL[dtype]
        if not abs(mean) + reach * std <= big:
            if self.scale is not None:
                raise ValueError(f"{self.scale} is too large: std={std:g} overflows {name} "
                                 f"({reach:g}*std must be <= {big:g})")
            m, s = self.names
            raise ValueError(f"{m} and {s} overflow {name}: |{m}| + {reach:g}*{s} must be <= {big:g} "
                             f"(got {m}={mean}, {s}={std})")
        return _rounded(dtype, mean, std, 0.0)


class TruncatedNormal(Distribution):
    """N(mean, std^2) cut to [low, high] (std is the parent normal's), by inverse CDF.

    low may be -inf and high +inf (one-sided truncation, or none); std = 0 puts every value
    at the mean moved into [low, high] (the limit as std -> 0)."""

    __slots__ = ()
    code = contract.TRUNCNORM

    def __init__(self, mean, std, low, high, *, names=("mean", "std", "low", "high"), scale=None):
        if scale is None:
            mean, std = _args.real(mean, names[0]), _args.non_negative(std, names[1])
            low, high = _cutoff(low, names[2], -math.inf), _cutoff(high, names[3], math.inf)
            if not low < high:
                raise ValueError(f"{names[2]} must be < {names[3]} (got {names[2]}={low}, {names[3]}={high})")
        self.params, self.names, self.scale = (mean, std, low, high), names, scale

    def kernel_params(self, dtype):
        mean, std, low, high = self.params
        big, name = contract.MAX[dtype], contract.DTYPE_NAMES[dtype]
        m, s, lo_name, hi_name = self.names
        if not ((abs(low) <= big or low == -math.inf) and (abs(high) <= big or high == math.inf)):
            if self.scale is not None:
                raise ValueError(f"{self.scale} is too large: the cut-offs ({low:g}, {high:g}) overflow {name}")
            raise ValueError(f"{lo_name} and {hi_name} must be finite in {name} (got {lo_name}={low}, {hi_name}={high})")
        if std == 0.0:  # Q(0.5) = 0: every value is the mean, clamped into [low, high]
            return _rounded(dtype, mean, 0.0, high, low, 0.5, 0.0)
        reach = contract.MAX_ABS_QUANTILE[dtype]
        if (low == -math.inf or high == math.inf) and not abs(mean) + reach * std <= big:
            # no clamp on an infinite side: mean + std*z must stay finite for every z the quantile gives
            raise ValueError(f"{m} and {s} overflow {name} with an infinite cut-off: |{m}| + {reach:g}*{s} "
                             f"must be <= {big:g} (got {m}={mean}, {s}={std})")
        alpha, beta = (low - mean) / std, (high - mean) / std
        sign, open_below = 1.0, low == -math.inf
        if alpha + beta > 0:  # work in the lower tail, where the quantile is accurate
            alpha, beta, sign, open_below = -beta, -alpha, -1.0, high == math.inf
        p_lo, p_hi = normal_cdf(alpha), normal_cdf(beta)
        tiny = contract.TINY[dtype]
        if p_lo < tiny:
            p_lo = 0.0  # the mass below is negligible; the quantile's floor and the clamp handle u = 0
        if p_hi < tiny:
            raise ValueError(
                f"[{lo_name}, {hi_name}] lies too far in the tail of N({m}, {s}^2) for {name} "
                f"(got {lo_name}={low}, {hi_name}={high}, {m}={mean}, {s}={std}: "
                f"{min(abs(alpha), abs(beta)):.1f} {s} away)"
            )
        p0, pw = p_lo, p_hi - p_lo
        if open_below:
            # No clamp below: u = 0 would give the quantile's floor (-12.9 sd in float32). Take
            # the middle of u's first cell instead, p = pw * (u + 2^-(bits+1)).
            half_cell = 2.0 ** -(contract.UNIFORM_BITS[dtype] + 1)
            if p_hi == 1.0:  # no cut-off at all: keep p below 1 in the computing precision too
                p0, pw = half_cell, 1.0 - 4.0 * half_cell
            else:
                p0 = pw * half_cell
        return _rounded(dtype, mean, sign * std, high, low, p0, pw)


def _cutoff(x, name, infinity):
    """A truncation cut-off: a finite real number, or the infinity on its own side."""
    if x == infinity and not isinstance(x, bool):
        return infinity
    if isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isinf(x):
        side = "-inf" if infinity < 0 else "inf"
        raise ValueError(f"{name} must be finite or {side} (got {x})")
    return _args.real(x, name)


def normal_cdf(x):
    return 0.5 * math.erfc(-x / SQRT2)


class DistributionCache:
    """Distributions already built, by the exact arguments that built them.

    Distributions are immutable, so callers that build the same one again and again (a model's
    init repeats a few shapes and settings; building costs about as much as a small fill) take it
    from here. Keys carry the argument types, so True never stands for 1; bad arguments raise
    while building and are not kept; the cache empties itself past ``limit`` entries.
    """

    __slots__ = ("_built", "_limit")

    def __init__(self, limit=4096):
        self._built, self._limit = {}, limit

    def get(self, key, build, *args):
        try:
            return self._built[key]
        except KeyError:
            dist = build(*args)
            if len(self._built) >= self._limit:
                self._built.clear()
            self._built[key] = dist
            return dist
        except TypeError:  # an unhashable argument: build explains what is wrong with it
            return build(*args)


# ---- the Glorot/He scales: fans and gain -> a distribution (fans and gain checked here) ----

_scales = DistributionCache()


def _xavier_scale(fan_in, fan_out, gain, numerator):
    return _args.non_negative(gain, "gain") * math.sqrt(
        numerator / (_args.fan(fan_in, "fan_in") + _args.fan(fan_out, "fan_out")))


def _xavier_uniform(fan_in, fan_out, gain):
    a = _xavier_scale(fan_in, fan_out, gain, 6.0)
    return Uniform(-a, a, scale="gain")


def _xavier_normal(fan_in, fan_out, gain):
    return Normal(0.0, _xavier_scale(fan_in, fan_out, gain, 2.0), scale="gain")


def _he_checked(fan_in, gain):
    if not (type(gain) is float and 0.0 <= gain < math.inf and type(fan_in) is int and fan_in > 0):
        gain, fan_in = _args.non_negative(gain, "gain"), _args.fan(fan_in, "fan_in")
    return fan_in, gain


def _he_uniform(fan_in, gain):
    fan_in, gain = _he_checked(fan_in, gain)
    a = gain * math.sqrt(3.0 / fan_in)
    return Uniform(-a, a, scale="gain")


def _he_normal(fan_in, gain):
    fan_in, gain = _he_checked(fan_in, gain)
    return Normal(0.0, gain / math.sqrt(fan_in), scale="gain")


def xavier_uniform(fan_in, fan_out, gain=1.0):
    """U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010, eq. 16)."""
    return _scales.get(("xu", type(fan_in), fan_in, type(fan_out), fan_out, type(gain), gain),
                       _xavier_uniform, fan_in, fan_out, gain)


def xavier_normal(fan_in, fan_out, gain=1.0):
    """N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot & Bengio 2010)."""
    return _scales.get(("xn", type(fan_in), fan_in, type(fan_out), fan_out, type(gain), gain),
                       _xavier_normal, fan_in, fan_out, gain)


def he_uniform(fan_in, gain=SQRT2):
    """U(-a, a), a = gain * sqrt(3 / fan_in) (He et al. 2015)."""
    return _scales.get(("hu", type(fan_in), fan_in, type(gain), gain), _he_uniform, fan_in, gain)


def he_normal(fan_in, gain=SQRT2):
    """N(0, std^2), std = gain / sqrt(fan_in) (He et al. 2015, eq. 10)."""
    return _scales.get(("hn", type(fan_in), fan_in, type(gain), gain), _he_normal, fan_in, gain)


# Every distribution of the contract (_contract.DISTS) by its kernel code.
BY_CODE = {cls.code: cls for cls in (Raw, Uniform, Normal, TruncatedNormal)}
