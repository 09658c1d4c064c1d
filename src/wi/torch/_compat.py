"""The rest of torch.nn.init's namespace: the deprecated names without the underscore and the
private helpers that outside code calls, with torch's signatures and behaviour."""
from __future__ import annotations

import warnings

from .._fans import compute_fans
from . import _functions as f
from . import _structured as s
from ._errors import TypeAndAttributeError
from ._tensors import shape_of


def _calculate_fan_in_and_fan_out(tensor: torch.Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a ``[out, in, *kernel]`` tensor; ValueError below 2 dimensions."""
    shape = shape_of(tensor)
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    return compute_fans(shape)


def _calculate_correct_fan(tensor: torch.Tensor, mode: Literal['fan_in', 'fan_out']) -> int:
    """fan_in or fan_out of tensor, as ``mode`` (any case) names it."""
    if not isinstance(mode, str):  # torch calls mode.lower()
        raise TypeAndAttributeError(f"mode must be a str, one of 'fan_in', 'fan_out' (got {type(mode).__name__})")
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _no_grad_uniform_(tensor: torch.Tensor, a: float, b: float,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    return f.uniform_(tensor, a, b, generator)


def _no_grad_normal_(tensor: torch.Tensor, mean: float, std: float,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    return f.normal_(tensor, mean, std, generator)


def _no_grad_trunc_normal_(tensor: torch.Tensor, mean: float, std: float, a: float, b: float,
                           generator: torch.Generator | None = None) -> torch.Tensor:
    return f.trunc_normal_(tensor, mean, std, a, b, generator)


def _no_grad_fill_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    return s.constant_(tensor, val)


def _no_grad_zero_(tensor: torch.Tensor) -> torch.Tensor:
    return s.zeros_(tensor)


def _make_deprecate(meth):
    """The old name of meth (without the trailing underscore), warning as torch's does."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
                      FutureWarning, stacklevel=2)
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = f"{old_name}(...): deprecated, use :func:`wi.torch.{new_name}`."
    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    return deprecated_init


uniform = _make_deprecate(f.uniform_)
normal = _make_deprecate(f.normal_)
constant = _make_deprecate(s.constant_)
eye = _make_deprecate(s.eye_)
dirac = _make_deprecate(s.dirac_)
xavier_uniform = _make_deprecate(f.xavier_uniform_)
xavier_normal = _make_deprecate(f.xavier_normal_)
kaiming_uniform = _make_deprecate(f.kaiming_uniform_)
kaiming_normal = _make_deprecate(f.kaiming_normal_)
orthogonal = _make_deprecate(s.orthogonal_)
sparse = _make_deprecate(s.sparse_)
