"""The model's parameters and floating buffers by storage: which one a tensor in a call is.

A call's tensor is the model's if it shares the storage of one of its parameters (the
parameter itself, ``.data``, ``.detach()``, a slice, a DTensor's ``to_local()``); its
placement in that parameter comes from `_local_fill`.
"""
from __future__ import annotations

from . import _local_fill
from ._dtensor import check_placement, is_dtensor
from ._lazy_torch import torch_module
from ._names import canonical_modules, owned_buffers, owned_parameters
from ._record import ParamRecord
from ._views import same_layout

META = object()  # locate's answer for a meta tensor


class Entry:
    """A parameter or buffer of the model, as the block fills it."""

    __slots__ = ("name", "tensor", "local", "_geom", "_whole", "calls", "record")

    def __init__(self, name, tensor):
        self.name, self.tensor = name, tensor
        self.local = (tensor.to_local() if is_dtensor(tensor) else tensor).detach()
        self._geom = self._whole = None  # computed on the first call that needs them
        self.calls = 0
        self.record = ParamRecord(name, tuple(tensor.shape))  # a DTensor's shape is global

    @property
    def stream(self):
        return self.record.stream

    @property
    def geom(self):
        """Where the parameter's local tensor sits in its global tensor (_local_fill.Geometry)."""
        if self._geom is None:
            self._geom = _local_fill.geometry(self.tensor)
        return self._geom

    @property
    def whole(self):
        """The placement of the parameter itself."""
        if self._whole is None:
            if is_dtensor(self.tensor):
                self._whole = _local_fill.view_placement(self.local, self.geom, self.name)
            else:  # a plain tensor: one piece, all of it
                self._whole = _local_fill.Placement(self.record.shape, (_local_fill.Piece(self.local, None),), False)
        return self._whole


class ModelIndex:
    """The model's tensors (``entries``, in the model's order), found by storage."""

    def __init__(self, named_tensors):
        self.entries = [Entry(name, t) for name, t in named_tensors]
        self._by_storage = {}
        for e in self.entries:
            if not e.local.is_meta and e.local.numel():
                self._by_storage.setdefault(e.local.untyped_storage().data_ptr(), []).append(e)

    def locate(self, tensor):
        """(entry, placement) of a model tensor, META for a meta tensor, None otherwise."""
        if is_dtensor(tensor):
            local = tensor.to_local()
        else:
            local = tensor
        if local.is_meta:
            return META
        if not local.numel():
            return None
        entries = self._by_storage.get(local.untyped_storage().data_ptr())
        if not entries:
            return None
        for e in entries:
            if same_layout(local, e.local):
                if local is not tensor and tuple(tensor.shape) != e.record.shape:
                    break
                return e, e.whole
        if local is not tensor:  # a DTensor that is not the parameter itself
            raise ValueError(f"tensor is a DTensor view of parameter {entries[0].name!r} that is not "
                             "the whole parameter: call the function on the parameter (or its "
                             "to_local()) inside wi.torch.reproducible")
        e = entries[0]
        return e, _local_fill.view_placement(tensor, e.geom, e.name)

    @staticmethod
    def fan_shape(tensor, entry):
        """The shape fans come from: the global shape for the parameter itself (a DTensor, its
        .data, its to_local()), the view's own shape for a part of it (as torch computes)."""
        if is_dtensor(tensor) or same_layout(tensor, entry.local):
            return entry.record.shape
        return tuple(tensor.shape)


def model_tensors(model):
    """[(canonical name, tensor)] of the model's parameters and floating buffers, checked."""
    torch = torch_module()
    canonical = canonical_modules(model)
    params = owned_parameters(model, canonical=canonical)
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
    buffers = owned_buffers(model, canonical=canonical)
    for b in model.buffers():
        if id(b) in seen or id(b) not in buffers or not b.is_floating_point():
            continue
        seen.add(id(b))
        check_placement(b, buffers[id(b)][2])
        out.append((buffers[id(b)][2], b))
    return out


