"""wi.torch.reproducible: a model's own init code, filled from wi streams named after its parameters.

Inside the block, two routes lead every random call to `Reproducible`:

- the random functions of ``torch.nn.init`` are replaced, for the block, wherever a module
  holds them under their own name (``torch.nn.init``, torch's layer modules, any module that
  imported them by name) and in transformers' table of references
  (``transformers.initialization.TORCH_INIT_FUNCTIONS``);
- a ``TorchFunctionMode`` sees ``Tensor.normal_``, ``uniform_`` and the rest of the family,
  the factories (``torch.randn`` ...), and the ``torch.nn.init`` functions that check
  ``has_torch_function`` (``uniform_``, ``normal_``, ``kaiming_uniform_``) however the code
  got hold of them. Every other operation runs as it is.

A call is mapped by storage to a parameter (a view shares its parameter's storage) and filled
by `_local_fill` at its place in the parameter's global tensor. The rule (docs/stream.md,
"Initialising a model with its own code"): the k-th random call on parameter N draws from
stream ``stream_id(N)`` of the seed, from element ``k * 2**48`` on.
"""
from __future__ import annotations

import functools
import math
import os
import sys
import threading
import warnings

from .. import _args
from .._backend import fill_fast
from .._generator import Generator, global_generator
from . import _local_fill
from ._dtensor import check_placement, is_dtensor
from ._errors import NotLayoutFreeWarning, NotReproducibleError
from ._lazy_torch import torch_module
from ._names import owned_buffers, owned_parameters
from ._random_calls import FACTORIES, INIT_FUNCTIONS, TENSOR_METHODS
from ._record import CallRecord, ParamRecord, table
from ._seeding import torch_key
from ._streams import stream_id
from ._structured import orthogonal_values, sparse_values

CALL_SPAN = 1 << 48  # stream elements each random call on a parameter may use
MAX_CALLS = 1 << 16  # calls per parameter: 2**16 * 2**48 = 2**64 elements
_META = object()
_lock = threading.Lock()
_active = None  # the open block: blocks do not nest
_first_seen = {}  # torch.nn.init's functions as first seen (before anyone patched them)
_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep


class _Entry:
    """A parameter or buffer of the model, as the block fills it."""

    __slots__ = ("name", "tensor", "stream", "geom", "whole", "calls", "record")

    def __init__(self, name, tensor):
        self.name, self.tensor, self.stream = name, tensor, stream_id(name)
        self.geom = _local_fill.geometry(tensor)
        self.whole = _local_fill.view_placement(self.geom.local, self.geom, name)
        self.calls = 0
        self.record = ParamRecord(name, self.geom.global_shape, self.stream)


class Reproducible:
    """The context manager ``wi.torch.reproducible`` returns (see there); after the block,
    ``print(ctx)`` shows what the model's code did and ``ctx.records`` holds it."""

    def __init__(self, model, seed=0, *, strict=False):
        torch = torch_module()
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"model must be a torch.nn.Module (got {type(model).__name__})")
        if type(strict) is not bool:
            raise TypeError(f"strict must be a bool (got {type(strict).__name__})")
        self._seed = None if seed is None else _args.uint64(seed, "seed")
        self.model, self.strict = model, strict
        self._tensors = _model_tensors(model)
        self._entries = None
        self._entered = False
        self._warned = set()
        self._saved = []
        self._mode = None

    # ---- entering and leaving ----

    def __enter__(self):
        global _active
        with _lock:
            if _active is not None:
                raise RuntimeError("wi.torch.reproducible blocks do not nest: one is already open "
                                   f"(on a {type(_active.model).__name__})")
            if self._entered:
                raise RuntimeError("this wi.torch.reproducible block was already used; make a new one")
            _active, self._entered = self, True
        try:
            self.seed = torch_key() if self._seed is None else self._seed
            self._index()
            self._patch()
            self._mode = _mode_class()(self)
            self._mode.__enter__()
        except BaseException:
            self._leave()
            raise
        return self

    def __exit__(self, *exc):
        self._leave()
        return False

    def _leave(self):
        global _active
        try:
            if self._mode is not None:
                mode, self._mode = self._mode, None
                mode.__exit__(None, None, None)
        finally:
            while self._saved:
                namespace, name, original = self._saved.pop()
                namespace[name] = original
            _active = None

    def _index(self):
        self._entries = [_Entry(name, t) for name, t in self._tensors]
        self._by_storage = {}
        for e in self._entries:
            local = e.geom.local
            if not local.is_meta and local.numel():
                self._by_storage.setdefault(local.untyped_storage().data_ptr(), []).append(e)

    def _patch(self):
        """Replace torch.nn.init's random functions wherever they are held by name."""
        init = torch_module().nn.init
        current = {name: getattr(init, name) for name in INIT_FUNCTIONS}
        for name, f in current.items():
            _first_seen.setdefault(name, f)
        mine = {name: self._patched(name, f) for name, f in current.items()}
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if not isinstance(namespace, dict):
                continue
            for name in INIT_FUNCTIONS:
                f = namespace.get(name)
                if f is not None and (f is current[name] or f is _first_seen[name]):
                    self._saved.append((namespace, name, f))
                    namespace[name] = mine[name]
        hf = sys.modules.get("transformers.initialization")
        references = getattr(hf, "TORCH_INIT_FUNCTIONS", None)  # taken at its import
        if isinstance(references, dict):
            for name in INIT_FUNCTIONS:
                if name in references:
                    self._saved.append((references, name, references[name]))
                    references[name] = mine[name]

    def _patched(self, name, original):
        def init_function(*args, **kwargs):
            return self._init_call(name, original, args, kwargs)

        functools.update_wrapper(init_function, original)
        return init_function

    # ---- the calls ----

    def _init_call(self, name, original, args, kwargs):
        """A torch.nn.init random function called inside the block."""
        torch = torch_module()
        if _active is not self:  # a reference kept after the block
            return original(*args, **kwargs)
        with torch._C.DisableTorchFunction():  # our own torch calls are not the model's
            if args:
                tensor, rest = args[0], args[1:]
            else:
                kwargs = dict(kwargs)
                tensor, rest = kwargs.pop("tensor", None), ()
            if not isinstance(tensor, torch.Tensor):
                return original(tensor, *rest, **kwargs)  # torch's own error
            function = f"torch.nn.init.{name}"
            hit = self._locate(tensor)
            if hit is None or hit is _META:
                if hit is None:
                    self._temporary(function, tensor)
                return original(tensor, *rest, **kwargs)
            draw = INIT_FUNCTIONS[name](self._fan_shape(tensor, hit[0]), *rest, **kwargs)
            return self._apply(function, tensor, hit, draw)

    def _method_call(self, func, name, args, kwargs):
        """A Tensor random method inside the block (the mode has stepped aside)."""
        tensor = args[0]
        function = f"Tensor.{name}"
        hit = self._locate(tensor)
        if hit is None or hit is _META:
            if hit is None:
                self._temporary(function, tensor)
            return func(*args, **kwargs)
        draw = TENSOR_METHODS[name](*args[1:], **kwargs)
        torch = torch_module()
        if torch.is_grad_enabled() and tensor.requires_grad and tensor.is_leaf:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        return self._apply(function, tensor, hit, draw)

    def _factory_call(self, func, name, args, kwargs):
        device = kwargs.get("device")
        if not (device is not None and str(device) == "meta"):
            self._temporary(f"torch.{name}", None)
        return func(*args, **kwargs)

    def _locate(self, tensor):
        """(entry, placement) of a model tensor, _META for a meta tensor, None otherwise."""
        if is_dtensor(tensor):
            local = tensor.to_local()
        else:
            local = tensor
        if local.is_meta:
            return _META
        if not local.numel():
            return None
        entries = self._by_storage.get(local.untyped_storage().data_ptr())
        if not entries:
            return None
        for e in entries:
            if _same(local, e.geom.local):
                if local is not tensor and tuple(tensor.shape) != e.geom.global_shape:
                    break
                return e, e.whole
        if local is not tensor:  # a DTensor that is not the parameter itself
            raise ValueError(f"tensor is a DTensor view of parameter {entries[0].name!r} that is not "
                             "the whole parameter: call the function on the parameter (or its "
                             "to_local()) inside wi.torch.reproducible")
        e = entries[0]
        return e, _local_fill.view_placement(tensor, e.geom, e.name)

    def _fan_shape(self, tensor, entry):
        """The shape fans come from: the global shape for the parameter itself (a DTensor, its
        .data, its to_local()), the view's own shape for a part of it (as torch computes)."""
        if is_dtensor(tensor) or _same(tensor, entry.geom.local):
            return entry.geom.global_shape
        return tuple(tensor.shape)

    def _key(self, generator):
        if generator is None:
            return self.seed
        if isinstance(generator, Generator):
            return generator.seed
        if isinstance(generator, torch_module().Generator):
            return torch_key(generator)
        raise TypeError("generator must be a torch.Generator, a wi.Generator or None "
                        f"(got {type(generator).__module__}.{type(generator).__name__})")

    def _apply(self, function, tensor, hit, draw):
        entry, where = hit
        label = draw.label or repr(draw.dist)
        calls = entry.record.calls
        if getattr(entry.tensor, "_is_hf_initialized", False) or getattr(tensor, "_is_hf_initialized", False):
            calls.append(CallRecord(None, function, label, draw.arguments, 0, "skipped: _is_hf_initialized"))
            return tensor
        key = self._key(draw.generator)
        torch = torch_module()
        if draw.kind == "constant":  # trunc_normal_ on [a, a]: torch fills a, no draw
            with torch.no_grad():
                tensor.fill_(draw.dist)
            calls.append(CallRecord(None, function, f"constant {draw.dist!r}", draw.arguments, tensor.numel()))
            return tensor
        k = entry.calls
        if k >= MAX_CALLS:
            raise ValueError(f"parameter {entry.name!r} had {MAX_CALLS} random calls in this block: "
                             "its stream is used up")
        offset = k * CALL_SPAN
        if draw.kind == "fill":
            if not (draw.then is None and where is entry.whole and not where.sharded and type(tensor) in _fast_types()
                    and fill_fast(tensor, draw.dist, global_generator, key, entry.stream, offset)):
                _local_fill.fill(tensor, draw.dist, global_generator, key, entry.stream, offset, where, draw.then)
        else:
            self._whole_tensor(tensor, entry, where, draw, key, offset)
        entry.calls = k + 1
        calls.append(CallRecord(k, function, label, draw.arguments, tensor.numel()))
        return tensor

    def _whole_tensor(self, tensor, entry, where, draw, key, offset):
        """orthogonal_/sparse_: computed on the call's whole shape, then written in place."""
        shape = self._fan_shape(tensor, entry)
        rows, cols = shape[0], math.prod(shape[1:])
        if draw.kind == "orthogonal":
            values = orthogonal_values(rows, cols, draw.arguments["gain"], global_generator, key,
                                       entry.stream, offset)
        else:
            values = sparse_values(rows, cols, draw.arguments["sparsity"], draw.arguments["std"],
                                   global_generator, key, (entry.stream, offset),
                                   (entry.stream, offset + rows * cols))
        values = values.reshape(shape)
        torch = torch_module()
        with torch.no_grad():
            if shape != entry.geom.global_shape:  # a part of the parameter, computed on its own
                tensor.copy_(values)
                return
            for piece in where.pieces:
                start = piece.start or (0,) * len(shape)
                piece.target.copy_(_local_fill.box(values, start, piece.target.shape))
            if where.gather is not None:
                stage, index = where.gather
                tensor.copy_(stage.reshape(-1)[index])

    def _temporary(self, function, tensor):
        """A random call on a tensor that is not the model's: warn once per call site, or refuse."""
        site = _call_site()
        what = f"{function} on a tensor that is not a parameter or buffer of the model"
        if tensor is None:
            what = f"{function} (a new random tensor)"
        if self.strict:
            raise NotReproducibleError(
                f"{what}, at {site[0]}:{site[1]}: wi.torch.reproducible(strict=True) refuses it "
                "(torch's generator would fill it, so its values would depend on the call order, "
                "device and layout)")
        if site not in self._warned:
            self._warned.add(site)
            warnings.warn_explicit(
                f"{what}: torch's generator fills it, so these values are not reproducible across "
                "layouts (wi.torch.reproducible; strict=True makes this an error)",
                NotLayoutFreeWarning, site[0], site[1])

    # ---- the record ----

    @property
    def records(self):
        """One ParamRecord per parameter and floating buffer (canonical name, global shape,
        stream, calls), in the model's order."""
        entries = self._entries or []
        return tuple(e.record for e in entries)

    def __str__(self):
        return table(self.records)

    def __repr__(self):
        n = sum(len(r.calls) for r in self.records)
        return (f"<wi.torch.reproducible on {type(self.model).__name__}: seed={getattr(self, 'seed', self._seed)}, "
                f"{len(self.records)} tensors, {n} random calls>")


def _same(a, b):
    return (a.storage_offset() == b.storage_offset() and a.shape == b.shape
            and a.stride() == b.stride() and a.dtype == b.dtype)


@functools.lru_cache(maxsize=None)
def _fast_types():
    torch = torch_module()
    return (torch.Tensor, torch.nn.Parameter)


def _model_tensors(model):
    """[(canonical name, tensor)] of the model's parameters and floating buffers, checked."""
    torch = torch_module()
    params = owned_parameters(model)
    out, seen = [], set()
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        name = params[id(p)][2]
        if isinstance(p, torch.nn.parameter.UninitializedParameter):
            raise ValueError(f"parameter {name!r} is an uninitialised lazy parameter; "
                             "run a forward pass to materialise it first")
        check_placement(p, name)  # Partial: ValueError naming the parameter
        if p.is_floating_point():
            out.append((name, p))
    if not seen:
        raise ValueError(f"model has no parameters (a {type(model).__name__}): nothing to initialise")
    buffers = owned_buffers(model)
    for b in model.buffers():
        if id(b) in seen or id(b) not in buffers or not b.is_floating_point():
            continue
        seen.add(id(b))
        check_placement(b, buffers[id(b)][2])
        out.append((buffers[id(b)][2], b))
    return out


def _call_site():
    """(file, line) of the first frame outside torch, wi.torch and transformers' init table."""
    torch_dir = os.path.dirname(torch_module().__file__) + os.sep
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if not (path.startswith(_HERE) or path.startswith(torch_dir)
                or path.endswith(os.path.join("transformers", "initialization.py"))):
            return path, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


@functools.lru_cache(maxsize=None)
def _mode_class():
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
        for name in ("uniform_", "normal_", "kaiming_uniform_"):  # those that check has_torch_function
            original = _first_seen.get(name, getattr(torch.nn.init, name))
            calls[original] = functools.partial(_init_via_mode, block, name, original)
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


def _init_via_mode(block, name, original, args, kwargs):
    return block._init_call(name, original, args, kwargs)
