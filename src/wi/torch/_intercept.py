"""The TorchFunctionMode of a wi.torch.reproducible block, and where a call came from.

The mode sees every torch call made in the block's thread; the random Tensor methods and the
factories go to the block, every other call runs as it is (a dictionary lookup).
"""
from __future__ import annotations

import functools
import os
import sys

from ._lazy_torch import torch_module
from ._random_calls import FACTORIES, TENSOR_METHODS
from ._redirect import TRAMPOLINE_FILE

_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def call_site():
    """(file, line) of the first frame outside torch, wi.torch and transformers' init table."""
    torch_dir = os.path.dirname(torch_module().__file__) + os.sep
    frame = sys._getframe(1)
    while frame is not None:
        path = frame.f_code.co_filename
        if not (path.startswith(_HERE) or path.startswith(torch_dir) or path.startswith(TRAMPOLINE_FILE)
                or path.endswith(os.path.join("transformers", "initialization.py"))):
            return path, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


@functools.lru_cache(maxsize=None)
def mode_class():
    """The TorchFunctionMode class (built on first use: torch is imported lazily)."""
    torch = torch_module()
    from torch.overrides import TorchFunctionMode

    def table(block):
        calls = {}
        for name in TENSOR_METHODS:
            method = getattr(torch.Tensor, name)
            calls[method] = functools.partial(block._method_call, method, name)
        for name in FACTORIES:
            if hasattr(torch, name):
                f = getattr(torch, name)
                calls[f] = functools.partial(block._factory_call, f, name)
        return calls

    class Intercept(TorchFunctionMode):
        """Sends the random calls of the block to it; every other call runs as it is."""

        def __init__(self, block):
            super().__init__()
            self.calls = table(block)

        def __torch_function__(self, func, types, args=(), kwargs=None):
            handler = self.calls.get(func)
            if handler is None:
                return func(*args, **(kwargs or {}))
            return handler(args, kwargs or {})

    return Intercept

