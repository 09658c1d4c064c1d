"""init_module_: each layer's PyTorch default initialisation, on streams named after its parameters.

The rules below restate the ``reset_parameters`` of torch 2.x layers (read
torch/nn/modules/*.py for the originals). Modules are visited children
first, as they are constructed, so a parent that re-initialises its
children's parameters (MultiheadAttention, Transformer) wins, as it does in
torch. Imported by ``wi.torch.init_module_`` only, so torch stays lazy.
"""

from __future__ import annotations

import math
import warnings

import torch
from torch import nn
from torch.nn.modules.batchnorm import _NormBase
from torch.nn.modules.conv import _ConvNd
from torch.nn.modules.rnn import RNNBase, RNNCellBase

from .. import _args
from .._dists import Normal, Uniform
from .._fans import compute_fans
from .._initializers import kaiming_distribution, xavier_distribution
from ._dtensor import check_placement
from ._local_fill import zero_row
from ._names import owned_parameters
from ._seeding import module_seed
from ._streams import stream_id
from ._tensors import fill_tensor

_SQRT5 = math.sqrt(5)


def _is(module, base, method="reset_parameters"):
    """module is a `base` whose init method is base's own (not overridden)."""
    return isinstance(module, base) and getattr(type(module), method, None) is getattr(base, method)


class _Run:
    """Carries the seed and each parameter's canonical (first) qualified name."""

    def __init__(self, module, seed, prefix):
        self.seed = seed
        self.owners = owned_parameters(module, prefix)  # id(p) -> (id(owner), attr, name)
        self.names = {k: owner[2] for k, owner in self.owners.items()}

    def fill(self, p, dist):
        if p.numel():
            fill_tensor(p, dist, seed=self.seed, stream=stream_id(self.names[id(p)]))

    def uniform(self, p, bound):
        if bound == 0:  # torch: U(-0, 0) for empty layers, i.e. zeros
            p.detach().zero_()
        else:
            self.fill(p, Uniform(-bound, bound))

    def kaiming_a_sqrt5(self, p):
        # kaiming_uniform_(w, a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        self.fill(p, kaiming_distribution("uniform", tuple(p.shape), _SQRT5))

    def xavier(self, p, kind):
        self.fill(p, xavier_distribution(kind, tuple(p.shape)))


def _linear_bias_bound(weight):
    fan_in, _ = compute_fans(tuple(weight.shape), "torch")
    return 1 / math.sqrt(fan_in) if fan_in > 0 else 0


def _own_rule(run, module, own):
    """Initialise the module's own parameters; return the names it handled, or None."""
    if _is(module, nn.Linear) or _is(module, _ConvNd):
        if "weight" in own:
            run.kaiming_a_sqrt5(own["weight"])
        if "bias" in own:
            run.uniform(own["bias"], _linear_bias_bound(module.weight))
        return {"weight", "bias"}
    if _is(module, nn.Bilinear):
        bound = 1 / math.sqrt(module.weight.size(1))
        for p in own.values():
            run.uniform(p, bound)
        return {"weight", "bias"}
    if _is(module, nn.Embedding) or _is(module, nn.EmbeddingBag):
        if "weight" in own:
            run.fill(own["weight"], Normal(0.0, 1.0))
            if module.padding_idx is not None:
                zero_row(own["weight"], module.padding_idx)
        return {"weight"}
    if _is(module, _NormBase):
        if module.track_running_stats:
            module.running_mean.zero_()
            module.running_var.fill_(1)
            module.num_batches_tracked.zero_()
        return _ones_zeros(own)
    if _is(module, nn.LayerNorm) or _is(module, nn.GroupNorm) or _is(module, nn.RMSNorm):
        return _ones_zeros(own)
    if _is(module, RNNBase) or _is(module, RNNCellBase):
        bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
        for p in own.values():
            run.uniform(p, bound)
        return set(own)
    return None


def _ones_zeros(own):
    if "weight" in own:
        own["weight"].detach().fill_(1)
    if "bias" in own:
        own["bias"].detach().zero_()
    return {"weight", "bias"}


def _parent_rule(run, module):
    """Layers whose own init overrides their children's; True if one applied."""
    if _is(module, nn.MultiheadAttention, "_reset_parameters"):
        if module._qkv_same_embed_dim:
            run.xavier(module.in_proj_weight, "uniform")
        else:
            for p in (module.q_proj_weight, module.k_proj_weight, module.v_proj_weight):
                run.xavier(p, "uniform")
        if module.in_proj_bias is not None:
            module.in_proj_bias.detach().zero_()
            module.out_proj.bias.detach().zero_()
        for p in (module.bias_k, module.bias_v):
            if p is not None:
                run.xavier(p, "normal")
        return True
    if _is(module, nn.Transformer, "_reset_parameters"):
        for p in module.parameters():
            if p.dim() > 1:
                run.xavier(p, "uniform")
        return True
    return False


def _reset_method(module):
    """A module's own re-initialisation: reset_parameters, or the private one of
    MultiheadAttention/Transformer subclasses that override it."""
    reset = getattr(module, "reset_parameters", None)
    if reset is None and isinstance(module, (nn.MultiheadAttention, nn.Transformer)):
        reset = getattr(module, "_reset_parameters", None)
    return reset if callable(reset) else None


def _post_order(module, prefix, seen):
    for name, child in module.named_children():
        if id(child) not in seen:
            seen.add(id(child))
            yield from _post_order(child, f"{prefix}.{name}" if prefix else name, seen)
    yield prefix, module


def _check(module, seed, prefix):
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module (got {type(module).__name__})")
    if seed is not None:
        seed = _args.uint64(seed, "seed")
    _args.text(prefix, "prefix")
    for name, p in module.named_parameters(prefix=prefix):
        if isinstance(p, nn.parameter.UninitializedParameter):
            raise ValueError(
                f"parameter {name!r} is an uninitialised lazy parameter; "
                "run a forward pass to materialise it first"
            )
        if p.is_meta:
            raise ValueError(
                f"parameter {name!r} is on the meta device; materialise the module "
                "with module.to_empty(device='cpu') first"
            )
        if not p.is_floating_point():
            raise TypeError(f"parameter {name!r} must have a floating dtype (got {p.dtype})")
        check_placement(p, name)
    return seed


def _progress_bar(module, enabled):
    """A tqdm bar over the parameters' elements, or None."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError("init_module_(progress=True) needs tqdm: pip install weightinit[progress]") from None
    total = sum(p.numel() for p in module.parameters())
    return tqdm(total=total, unit="el", unit_scale=True, desc="init_module_")


def init_module(module, seed=0, *, prefix="", progress=False):
    seed = _check(module, seed, prefix)  # everything checked before anything is written
    bar = _progress_bar(module, progress)
    run = _Run(module, module_seed(seed), prefix)
    untouched = []
    try:
        with torch.no_grad():
            for _, m in _post_order(module, prefix, set()):
                own = {
                    n: p for n, p in m._parameters.items() if p is not None and run.owners[id(p)][:2] == (id(m), n)
                }  # a tied parameter is initialised once, by its first owner
                handled = _own_rule(run, m, own)
                if _parent_rule(run, m):
                    handled = set(own)
                elif handled is None and _reset_method(m) is not None:
                    _reset_method(m)()
                    handled = set(own)
                untouched += [run.names[id(p)] for n, p in own.items() if n not in (handled or ())]
                if bar is not None:
                    bar.update(sum(p.numel() for p in own.values()))
    finally:
        if bar is not None:
            bar.close()
    if untouched:
        warnings.warn(
            "init_module_ left these parameters unchanged (no known default "
            f"initialisation and no reset_parameters()): {', '.join(untouched)}",
            stacklevel=3,
        )
    return module
