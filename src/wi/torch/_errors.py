"""Errors that both wi's type and torch.nn.init's type catch.

wi reports a wrong type as TypeError and a bad value as ValueError; torch.nn.init sometimes
raises another type for the same input (ValueError for calculate_gain's param, RuntimeError
from the tensor op for uniform_(a > b) or normal_(std < 0), NotImplementedError for an integer
tensor, AttributeError for a tensor that is not one or a mode that is not a str). wi.torch raises these classes there, so code written against either catches them.
"""


class TypeAndValueError(TypeError, ValueError):
    """A wrong type where torch raises ValueError (calculate_gain's param, mode, nonlinearity)."""


class ValueAndRuntimeError(ValueError, RuntimeError):
    """A bad value where torch's tensor op raises RuntimeError (uniform_ with a > b, std < 0)."""


class TypeAndAttributeError(TypeError, AttributeError):
    """tensor is not a torch.Tensor (torch fails on a missing tensor method)."""


class TypeAndNotImplementedError(TypeError, NotImplementedError):
    """tensor has no floating dtype (torch's random kernels raise NotImplementedError, a
    RuntimeError)."""


def like_torch(exc, torch_type):
    """exc re-made as the class above that also derives from torch_type (exc if it already
    is one), keeping its message."""
    if isinstance(exc, torch_type):
        return exc
    for cls in (TypeAndValueError, ValueAndRuntimeError, TypeAndAttributeError, TypeAndNotImplementedError):
        if isinstance(exc, cls.__mro__[1]) and issubclass(cls, torch_type):
            return cls(*exc.args)
    return exc


class NotReproducibleError(ValueError):
    """wi.torch.reproducible(strict=True): a random call on a tensor that is not one of the
    model's parameters or buffers (a temporary, a factory such as torch.randn)."""


class NotLayoutFreeWarning(UserWarning):
    """wi.torch.reproducible: a random call on a tensor that is not the model's ran on torch's
    generator; its values depend on the order of calls, the device and the layout."""
