"""wi.torch.reproducible: a model's own init code, filled from wi streams named after its parameters.

Inside the block, two routes lead every random call to `Reproducible`:

- the random functions of ``torch.nn.init`` run a trampoline to it (`_redirect`), however
  the code holds them (by module attribute, a name imported before, transformers' table of
  references, a functools.partial);
- a ``TorchFunctionMode`` sees ``Tensor.normal_``, ``uniform_`` and the rest of the family
  and the factories (``torch.randn`` ...). Every other operation runs as it is.

A call is mapped by storage to a parameter (a view shares its parameter's storage) and filled
by `_local_fill` at its place in the parameter's global tensor. The rule (docs/stream.md,
"Initialising a model with its own code"): the k-th random call on parameter N draws from
stream ``stream_id(N)`` of the seed, from element ``k * 2**48`` on.
"""
from __future__ import annotations

import math
import threading
import warnings

from .. import _args
from .._backend import fill_fast
from .._generator import Generator, global_generator
from . import _local_fill
from ._errors import NotLayoutFreeWarning, NotReproducibleError
from ._intercept import call_site, mode_class
from ._lazy_torch import torch_module
from ._model_index import META, ModelIndex, model_tensors
from ._random_calls import INIT_FUNCTIONS, SHAPED, TENSOR_METHODS
from ._record import CallRecord, describe, table
from ._redirect import redirect
from ._seeding import torch_key
from ._structured import orthogonal_values, sparse_values

CALL_SPAN = 1 << 48  # stream elements each random call on a parameter may use
MAX_CALLS = 1 << 16  # calls per parameter: 2**16 * 2**48 = 2**64 elements
_lock = threading.Lock()
_active = None  # the open block: blocks do not nest


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
        self._tensors = model_tensors(model)
        self._index = None
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
            self._thread = threading.get_ident()
            self._index = ModelIndex(self._tensors)
            self._patch()
            self._mode = mode_class()(self)
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
                self._saved.pop()()
            _active = None

    def _patch(self):
        """Send torch.nn.init's random functions here, however the model's code holds them."""
        restore = redirect(torch_module().nn.init, INIT_FUNCTIONS, self._init_call)
        self._saved.append(restore)

    # ---- the calls ----

    def _init_call(self, name, original, tensor, kwargs):
        """A torch.nn.init random function called inside the block (``original``: torch's)."""
        torch = torch_module()
        if _active is not self or threading.get_ident() != self._thread:
            return original(tensor, **kwargs)  # another thread's call: torch's, untouched
        with torch._C.DisableTorchFunction():  # our own torch calls are not the model's
            if not isinstance(tensor, torch.Tensor):
                return original(tensor, **kwargs)  # torch's own error
            function = f"torch.nn.init.{name}"
            hit = self._index.locate(tensor)
            if hit is None or hit is META:
                if hit is None and tensor.numel():
                    self._temporary(function, tensor)
                return original(tensor, **kwargs)
            shape = self._index.fan_shape(tensor, hit[0]) if name in SHAPED else None
            draw = INIT_FUNCTIONS[name](shape, **kwargs)
            return self._apply(function, tensor, hit, draw)

    def _method_call(self, func, name, args, kwargs):
        """A Tensor random method inside the block (the mode has stepped aside)."""
        tensor = args[0]
        function = f"Tensor.{name}"
        hit = self._index.locate(tensor)
        if hit is None or hit is META:
            if hit is None and tensor.numel():
                self._temporary(function, tensor)
            return func(*args, **kwargs)
        draw = TENSOR_METHODS[name](tensor.dtype, *args[1:], **kwargs)
        torch = torch_module()
        if torch.is_grad_enabled() and tensor.requires_grad and tensor.is_leaf:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        return self._apply(function, tensor, hit, draw)

    def _factory_call(self, func, name, args, kwargs):
        device = kwargs.get("device")
        if not (device is not None and str(device) == "meta"):
            self._temporary(f"torch.{name}", None)
        return func(*args, **kwargs)

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
        label = draw.label or describe(draw.dist)
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
            # the parameter itself, a plain small CPU tensor: the compiled fast path, given the
            # detached tensor (the same memory and version counter; no autograd check in the way)
            if not (draw.then is None and where is entry.whole and not where.sharded
                    and fill_fast(entry.local, draw.dist, global_generator, key, entry.stream, offset)):
                _local_fill.fill(tensor, draw.dist, global_generator, key, entry.stream, offset, where, draw.then)
        else:
            self._whole_tensor(tensor, entry, where, draw, key, offset)
        entry.calls = k + 1
        calls.append(CallRecord(k, function, label, draw.arguments, tensor.numel()))
        return tensor

    def _whole_tensor(self, tensor, entry, where, draw, key, offset):
        """orthogonal_/sparse_: computed on the call's whole shape, then written in place."""
        shape = self._index.fan_shape(tensor, entry)
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
                stage, take = where.gather
                tensor.copy_(take(stage))

    def _temporary(self, function, tensor):
        """A random call on a tensor that is not the model's: warn once per call site, or refuse."""
        site = call_site()
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
        return tuple(e.record for e in self._index.entries) if self._index else ()

    def __str__(self):
        return table(self.records)

    def __repr__(self):
        n = sum(len(r.calls) for r in self.records)
        return (f"<wi.torch.reproducible on {type(self.model).__name__}: seed={getattr(self, 'seed', self._seed)}, "
                f"{len(self.records)} tensors, {n} random calls>")


