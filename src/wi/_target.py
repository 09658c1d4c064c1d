"""Buffer adapters: a caller's array, buffer or tensor as a validated, writable flat view.

target() checks everything about a buffer (type, dtype, writability, layout, torch's autograd
and inference states) before anything is written, and returns a Target the core and the
fallback both fill. Errors name the argument: TypeError for a wrong type or dtype, ValueError
for a bad layout.
"""
import numpy as np

from . import _contract as contract
from ._args import describe

NUMPY_DTYPES = {
    np.dtype(np.uint32): contract.U32,
    np.dtype(np.float32): contract.F32,
    np.dtype(np.float64): contract.F64,
    np.dtype(np.float16): contract.F16,
}
_FORMATS = {"f": contract.F32, "d": contract.F64, "I": contract.U32, "e": contract.F16}
_TORCH_DTYPES = {
    "torch.float32": contract.F32,
    "torch.float64": contract.F64,
    "torch.uint32": contract.U32,
    "torch.float16": contract.F16,
    "torch.bfloat16": contract.BF16,
}
# How the core and the fallback see each buffer: half formats as their 16-bit patterns.
_STORAGE = {contract.U32: np.uint32, contract.F32: np.float32, contract.F64: np.float64,
            contract.F16: np.uint16, contract.BF16: np.uint16}
RAW_DTYPES = (contract.U32,)


class BufferDtypeError(TypeError):
    """A buffer whose element type the fill cannot write (callers that chose the dtype
    themselves, like the engine adapters, catch it to say so in their own terms)."""


class Target:
    """A validated, writable, C-contiguous flat view of the caller's buffer, and the buffer's
    logical shape (a region fill places the block by it)."""

    __slots__ = ("array", "dtype", "n", "shape")

    def __init__(self, array, dtype, shape):
        self.array = array
        self.dtype = dtype
        self.n = array.size
        self.shape = shape


def _expected(allowed):
    return " or ".join(contract.DTYPE_NAMES[d] for d in allowed)


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
            f"{name} must be a NumPy array, a writable buffer or a torch CPU tensor (got {describe(buf)})"
        ) from None
    with view:
        if view.readonly:
            raise ValueError(f"{name} must be writable (got a read-only {describe(buf)})")
        if not view.c_contiguous:
            raise ValueError(f"{name} must be C-contiguous (got a non-contiguous {describe(buf)})")
        shape = tuple(view.shape)
        fmt = view.format.lstrip("@=<")
        dtype = _FORMATS.get(fmt)
        if dtype is None or view.itemsize != contract.ITEMSIZE[dtype] or view.format.startswith(">"):
            raise TypeError(
                f"{name} must hold {_expected(allowed)} values (got a {describe(buf)} of format {view.format!r})"
            )
    if dtype not in allowed:
        raise BufferDtypeError(f"{name} must hold {_expected(allowed)} values (got {contract.DTYPE_NAMES[dtype]})")
    return Target(np.frombuffer(buf, dtype=_STORAGE[dtype]), dtype, shape)


def _from_ndarray(arr, allowed, name):
    dtype = NUMPY_DTYPES.get(arr.dtype)
    if dtype is None and arr.dtype.name == "bfloat16":  # ml_dtypes.bfloat16, without importing it
        dtype = contract.BF16
    if dtype is None or dtype not in allowed:
        raise BufferDtypeError(f"{name} must have dtype {_expected(allowed)} (got {arr.dtype})")
    if not arr.flags.writeable:
        raise ValueError(f"{name} must be writable (got a read-only numpy.ndarray)")
    if not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous (got a non-contiguous numpy.ndarray with strides {arr.strides})")
    flat = arr.reshape(-1)
    return Target(flat if dtype not in contract.HALVES else flat.view(np.uint16), dtype, arr.shape)


def _from_torch(t, allowed, name):
    import torch  # only reached when a tensor was passed, so torch is already imported

    if t.device.type != "cpu":
        raise ValueError(f"{name} must be a CPU tensor (got a tensor on device {str(t.device)!r})")
    if t.layout != torch.strided:
        raise ValueError(f"{name} must be a dense (strided) tensor (got layout {t.layout})")
    dtype = _TORCH_DTYPES.get(str(t.dtype))
    if dtype is None or dtype not in allowed:
        raise BufferDtypeError(f"{name} must have dtype {_expected(allowed)} (got {t.dtype})")
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
    if dtype in contract.HALVES:  # NumPy has no bfloat16: share the 16-bit patterns
        t = t.view(torch.int16)
    return Target(t.numpy().reshape(-1).view(_STORAGE[dtype]), dtype, tuple(t.shape))


def shape_of(buf):
    """The logical shape of an array, tensor or buffer-protocol object."""
    shape = getattr(buf, "shape", None)  # NumPy, ml_dtypes, torch
    if shape is not None and not isinstance(buf, memoryview):
        return tuple(int(d) for d in shape)
    try:
        with memoryview(buf) as view:
            return tuple(view.shape)
    except TypeError:
        raise TypeError(
            f"buf must be a writable array, tensor or buffer-protocol object (got {type(buf).__name__})"
        ) from None
