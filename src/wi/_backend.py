"""Picks the implementation: the compiled core (wi._core) or the NumPy fallback.

WI_BACKEND=numpy forces the fallback; WI_BACKEND=native makes a missing extension an
error instead of a warning. WI_SIMD=portable|avx2|avx512 forces a kernel of the core.
"""
import os
import warnings

from . import _fallback

_choice = os.environ.get("WI_BACKEND", "").strip().lower()
if _choice not in ("", "native", "numpy"):
    raise ImportError(f"WI_BACKEND must be 'native' or 'numpy' (got {_choice!r})")

core = None
if _choice != "numpy":
    try:
        from . import _core as core
    except ImportError as exc:
        if _choice == "native":
            raise ImportError(f"WI_BACKEND=native but the compiled core cannot be imported: {exc}") from exc
        warnings.warn(
            f"weightinit's compiled core is not available ({exc}); using the NumPy fallback, "
            "which gives the same values but is much slower",
            RuntimeWarning,
            stacklevel=2,
        )

name = "native" if core is not None else "numpy"

if core is not None and os.environ.get("WI_SIMD"):
    try:
        core.simd_select(os.environ["WI_SIMD"].strip().lower())
    except ValueError as exc:
        raise ImportError(f"WI_SIMD: {exc}") from None

def fill(target, dist, seed, stream, block, lane, params, region=None):
    """Fill a validated Target with elements of (seed, stream) from (block, lane).

    params is the distribution's _dists.KernelParams for target.dtype. With a _region.Region
    the target is that block of the global array, and (block, lane) is the position of the
    global array's element 0; the core splits it into runs in C."""
    if region is None:
        if core is not None:
            core.fill(target.array, target.dtype, dist, target.n, target.array.itemsize, seed, stream, block, lane,
                      *params)
        else:
            _fallback.fill(target.array, target.dtype, dist, seed, stream, block, lane, params)
    elif core is not None:
        core.fill_region(target.array.reshape(target.shape), target.dtype, dist, target.array.itemsize, seed, stream,
                         block, lane, *params, region.global_shape, region.start)
    else:
        _fallback.fill_region(target.array, target.shape, target.dtype, dist, seed, stream, block, lane, params,
                              region.global_shape, region.start)


def fill_fast(buf, dist, counter, seed, stream, offset):
    """The compiled fast path (_core.fill_fast): True if it filled buf; False, nothing
    touched, for anything it does not take (and always without the core)."""
    return False


if core is not None:
    fill_fast = core.fill_fast  # noqa: F811  (the compiled one replaces the stub)


def philox4x32(counter, key, rounds):
    if core is not None:
        return core.philox4x32(*counter, *key, rounds)
    return _fallback.philox4x32(counter, key, rounds)


def simd_active():
    return core.simd_active() if core is not None else "none (NumPy fallback)"


def simd_supported():
    return core.simd_supported() if core is not None else ()


def set_num_threads(n):
    """n >= 1 fixes the thread count; 0 returns to the default (the fallback has one thread)."""
    if core is not None:
        core.set_num_threads(n)


def get_num_threads():
    return core.get_num_threads() if core is not None else 1


def register_torch(types, dtypes, increment_version, is_grad_enabled):
    """Let the compiled fast path write small torch tensors of exactly `types` directly."""
    if core is not None:
        core.register_torch(types, dtypes, increment_version, is_grad_enabled)
