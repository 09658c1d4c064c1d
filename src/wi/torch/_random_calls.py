"""What a random call asks for: torch's signatures, parsed into a distribution on wi streams.

One spec per random ``torch.nn.init`` function and per random in-place ``Tensor`` method, with
torch's parameters and defaults. A spec returns a `Draw`: the distribution, the generator the
caller passed, the arguments (for the record), and for the distributions wi reaches through a
transform of its own draws, that elementwise transform (applied in float64). Bad arguments
raise here, before anything is written.
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

from .. import _args
from .._dists import Normal, Uniform
from ._functions import (kaiming_distribution_of, normal_distribution, trunc_normal_distribution,
                         uniform_distribution, xavier_distribution_of)

_UNIT = Uniform(0.0, 1.0)


class Draw(NamedTuple):
    """One random call: ``kind`` "fill" (``dist``, then ``then`` if given), "constant" (``dist``
    is the value), "orthogonal" or "sparse" (computed on the whole tensor)."""

    kind: str
    dist: object
    generator: object
    arguments: dict
    then: Callable | None = None
    label: str = ""  # the distribution as the record shows it, when not repr(dist)


# ---- torch.nn.init (fans from `shape`, the global shape the call stands for; None for the
# functions not in SHAPED) ----

def _uniform_(shape, a=0.0, b=1.0, generator=None):
    return Draw("fill", uniform_distribution(a, b), generator, {"a": a, "b": b})


def _normal_(shape, mean=0.0, std=1.0, generator=None):
    return Draw("fill", normal_distribution(mean, std), generator, {"mean": mean, "std": std})


def _trunc_normal_(shape, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    dist = trunc_normal_distribution(mean, std, a, b, stacklevel=5)
    kind = "constant" if isinstance(dist, float) else "fill"
    return Draw(kind, dist, generator, {"mean": mean, "std": std, "a": a, "b": b})


def _xavier(kind):
    def spec(shape, gain=1.0, generator=None):
        return Draw("fill", xavier_distribution_of(kind, shape, gain), generator, {"gain": gain})
    return spec


def _kaiming(kind):
    def spec(shape, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        return Draw("fill", kaiming_distribution_of(kind, shape, a, mode, nonlinearity), generator,
                    {"a": a, "mode": mode, "nonlinearity": nonlinearity})
    return spec


def _orthogonal_(shape, gain=1, generator=None):
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    gain = _args.real(gain, "gain")
    return Draw("orthogonal", None, generator, {"gain": gain}, label=f"orthogonal(gain={gain!r})")


def _sparse_(shape, sparsity, std=0.01, generator=None):
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    sparsity = _args.real(sparsity, "sparsity")
    std = normal_distribution(0.0, std).std
    return Draw("sparse", None, generator, {"sparsity": sparsity, "std": std},
                label=f"sparse(sparsity={sparsity!r}, std={std!r})")


# the functions whose distribution depends on the shape (fans) or that compute the whole tensor
SHAPED = frozenset({"xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                    "orthogonal_", "sparse_"})
INIT_FUNCTIONS = {
    "uniform_": _uniform_, "normal_": _normal_, "trunc_normal_": _trunc_normal_,
    "xavier_uniform_": _xavier("uniform"), "xavier_normal_": _xavier("normal"),
    "kaiming_uniform_": _kaiming("uniform"), "kaiming_normal_": _kaiming("normal"),
    "orthogonal_": _orthogonal_, "sparse_": _sparse_,
}


# ---- Tensor's in-place random methods ----

def _t_normal_(dtype, mean=0.0, std=1.0, *, generator=None):
    return Draw("fill", normal_distribution(mean, std), generator, {"mean": mean, "std": std})


def _t_uniform_(dtype, *args, generator=None, **kwargs):
    low, high = _bind2(args, kwargs, ("from", "to"), (0.0, 1.0))  # `from` is a keyword
    return Draw("fill", uniform_distribution(low, high), generator, {"from": low, "to": high})


def _bind2(args, kwargs, names, defaults):
    values = list(args) + list(defaults[len(args):])
    for i, n in enumerate(names):
        if n in kwargs:
            values[i] = kwargs.pop(n)
    if kwargs or len(args) > len(names):
        raise TypeError(f"unexpected arguments {sorted(kwargs) or args[len(names):]}")
    return values


def _positive(x, name, method):
    x = _args.real(x, name)
    if not x > 0:
        raise ValueError(f"{method}: {name} must be > 0 (got {x})")
    return x


def _t_exponential_(dtype, lambd=1.0, *, generator=None):
    lambd = _positive(lambd, "lambd", "exponential_")
    return Draw("fill", _UNIT, generator, {"lambd": lambd},
                lambda u: u.neg_().log1p_().div_(-lambd),  # -log(1 - u) / lambd, u in [0, 1)
                f"Exponential(lambd={lambd!r}) = -log1p(-u)/lambd, u ~ U[0, 1) float64")


def _t_cauchy_(dtype, median=0.0, sigma=1.0, *, generator=None):
    median, sigma = _args.real(median, "median"), _positive(sigma, "sigma", "cauchy_")
    return Draw("fill", _UNIT, generator, {"median": median, "sigma": sigma},
                lambda u: u.sub_(0.5).mul_(math.pi).tan_().mul_(sigma).add_(median),
                f"Cauchy(median={median!r}, sigma={sigma!r}) = median + sigma*tan(pi*(u - 1/2)), "
                "u ~ U[0, 1) float64")


def _t_log_normal_(dtype, mean=1.0, std=2.0, *, generator=None):
    std = _positive(std, "std", "log_normal_")
    return Draw("fill", Normal(_args.real(mean, "mean"), std), generator, {"mean": mean, "std": std},
                lambda x: x.exp_(), f"LogNormal(mean={mean!r}, std={std!r}) = exp(N(mean, std^2) float64)")


def _t_geometric_(dtype, p, *, generator=None):
    p = _args.real(p, "p")
    if not 0 < p < 1:
        raise ValueError(f"geometric_: p must be in (0, 1) (got {p})")
    return Draw("fill", _UNIT, generator, {"p": p},
                lambda u: u.neg_().log1p_().div_(math.log1p(-p)).ceil_().clamp_(min=1),
                f"Geometric(p={p!r}) = max(1, ceil(log1p(-u)/log1p(-p))), u ~ U[0, 1) float64")


def _t_bernoulli_(dtype, p=0.5, *, generator=None):
    if not isinstance(p, (int, float)) or isinstance(p, bool):
        raise NotImplementedError(
            f"Tensor.bernoulli_ with p a {type(p).__name__} is not on wi streams inside "
            "wi.torch.reproducible (p must be a float)")
    p = _args.real(p, "p")
    if not 0 <= p <= 1:
        raise ValueError(f"bernoulli_: p must be in [0, 1] (got {p})")
    return Draw("fill", _UNIT, generator, {"p": p}, lambda u: u.lt_(p),
                f"Bernoulli(p={p!r}) = (u < p), u ~ U[0, 1) float64")


_DIGITS = {"torch.float32": 24, "torch.float64": 53, "torch.float16": 11, "torch.bfloat16": 8}


def _t_random_(dtype, *args, generator=None, **kwargs):
    """torch's random_ on a float tensor: integers in [from, to - 1], by default [0, 2**digits]
    (every one representable); random_(to) is [0, to - 1]."""
    if len(args) == 1 and "to" not in kwargs and "from" not in kwargs:
        args = (0, args[0])
    low, high = _bind2(args, kwargs, ("from", "to"), (0, None))
    digits = _DIGITS.get(str(dtype))
    if digits is None:
        raise NotImplementedError(f"Tensor.random_ on a {dtype} tensor is not on wi streams inside "
                                  "wi.torch.reproducible")
    low = _args.integer(low, "from")
    high = 2**digits + 1 if high is None else _args.integer(high, "to")
    if not low < high:
        raise ValueError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    width = high - low
    return Draw("fill", _UNIT, generator, {"from": low, "to": high},
                lambda u: u.mul_(width).floor_().clamp_(max=width - 1).add_(low),
                f"integers [{low}, {high - 1}] = from + floor(u * (to - from)), u ~ U[0, 1) float64")


TENSOR_METHODS = {
    "normal_": _t_normal_, "uniform_": _t_uniform_, "exponential_": _t_exponential_,
    "cauchy_": _t_cauchy_, "log_normal_": _t_log_normal_, "geometric_": _t_geometric_,
    "bernoulli_": _t_bernoulli_, "random_": _t_random_,
}

# torch's functions that make new random tensors: never a model's tensor (a temporary)
FACTORIES = ("rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
             "normal", "bernoulli", "multinomial", "poisson", "binomial")
