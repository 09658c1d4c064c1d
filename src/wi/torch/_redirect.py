"""Send every call of torch.nn.init's random functions to a handler, however the caller holds them.

Code holds these functions in many ways: ``torch.nn.init.normal_``, a name imported before
(``from torch.nn.init import trunc_normal_``), a table of references (transformers'
``TORCH_INIT_FUNCTIONS``), a ``functools.partial`` built at configuration time (torchtitan).
All of them are the same function objects, so for the duration of a block each function's
``__code__`` is swapped for a trampoline with the same parameters (its defaults stay on the
function object) that calls the handler; a clone of the original runs what torch would. The
original code is put back when the block ends.
"""
from __future__ import annotations

import functools
import inspect
import types

TRAMPOLINE_FILE = "<wi.torch.reproducible"  # the trampolines' file name starts so
_HOOK = "__wi_reproducible_call__"  # the name the trampolines call, in torch.nn.init's globals
_functions = {}  # name -> torch's own function object, as first seen


def _torch_function(init, name):
    f = _functions.get(name)
    if f is None:
        f = vars(init)[name]
        if not isinstance(f, types.FunctionType) or f.__module__ != "torch.nn.init":
            raise RuntimeError(f"torch.nn.init.{name} is not torch's own function ({f!r}): another "
                               "tool has replaced it; open wi.torch.reproducible outside that tool's block")
        _functions[name] = f
    return f


@functools.lru_cache(maxsize=None)  # compiled once per function, not per block
def _trampoline(f):
    """A code object with f's parameters that calls the hook with (name, tensor, kwargs)."""
    params, passed = [], []
    for i, p in enumerate(inspect.signature(f).parameters.values()):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
            raise RuntimeError(f"torch.nn.init.{f.__name__} has a signature wi.torch cannot redirect")
        if p.kind is p.KEYWORD_ONLY and "*" not in params:
            params.append("*")
        params.append(p.name)
        if i:
            passed.append(f"{p.name!r}: {p.name}")
    first = next(iter(inspect.signature(f).parameters))
    source = (f"def {f.__name__}({', '.join(params)}):\n"
              f"    return {_HOOK}({f.__name__!r}, {first}, {{{', '.join(passed)}}})\n")
    namespace = {}
    exec(compile(source, f"{TRAMPOLINE_FILE} {f.__name__}>", "exec"), namespace)
    return namespace[f.__name__].__code__


def _clone(f):
    """f as it is now (torch's code), as a separate function object."""
    g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    g.__kwdefaults__ = f.__kwdefaults__
    g.__qualname__, g.__doc__ = f.__qualname__, f.__doc__
    return g


def redirect(init, names, handler):
    """Redirect torch.nn.init's functions ``names``: a call becomes ``handler(name, original,
    tensor, kwargs)``, ``original`` a clone running torch's code. Returns the function that
    puts everything back."""
    functions = {name: _torch_function(init, name) for name in names}
    originals = {name: _clone(f) for name, f in functions.items()}
    trampolines = {name: _trampoline(f) for name, f in functions.items()}

    def hook(name, tensor, kwargs):
        return handler(name, originals[name], tensor, kwargs)

    saved = []

    def restore():
        while saved:
            f, code = saved.pop()
            f.__code__ = code
        vars(init).pop(_HOOK, None)

    try:
        vars(init)[_HOOK] = hook
        for name, f in functions.items():
            saved.append((f, f.__code__))
            f.__code__ = trampolines[name]
    except BaseException:
        restore()
        raise
    return restore
