"""Parameter owners and canonical names: the name a parameter has in the bare model.

init_module_ derives each parameter's stream from its name, so a wrapper that inserts a
module level (torch.compile's ``_orig_mod``, DDP's and DataParallel's ``module``, activation
checkpointing's ``_checkpoint_wrapped_module``, FSDP1's ``_fsdp_wrapped_module``) would
otherwise change every value. A level is dropped only where a wrapper put it: a user's own
submodule called ``module`` keeps its name. FSDP2's ``fully_shard`` and tensor parallelism
keep names. A parameter shared by several modules (tied weights) belongs to the first one
in ``named_modules`` order, as ``named_parameters`` reports it, and is initialised once.
"""

# Attribute names only wrappers use: dropped wherever they appear.
_WRAPPER_ONLY = frozenset({"_orig_mod", "_checkpoint_wrapped_module", "_fsdp_wrapped_module"})
# Attribute names a model may use too: dropped only when the parent is one of these wrappers.
_WRAPPER_ATTR = {"module": frozenset({"DistributedDataParallel", "DataParallel"})}


def _is_wrapper_level(parent, attr):
    if attr in _WRAPPER_ONLY:
        return True
    owners = _WRAPPER_ATTR.get(attr)
    return owners is not None and any(
        c.__name__ in owners and c.__module__.startswith("torch.nn.parallel") for c in type(parent).__mro__
    )


def canonical_modules(root, prefix=""):
    """{module: its canonical qualified name} for every module under root (first path in
    named_modules order wins)."""
    canonical = {root: prefix}
    for _, module in root.named_modules():
        base = canonical[module]
        for attr, child in module._modules.items():
            if child is not None and child not in canonical:
                keep = not _is_wrapper_level(module, attr)
                canonical[child] = ".".join(filter(None, [base, attr if keep else ""]))
    return canonical


def _owned(root, prefix, slot, canonical):
    owners = {}
    canonical = canonical or canonical_modules(root, prefix)
    for _, module in root.named_modules():  # the first owner in named_modules order keeps it
        base = canonical[module]
        for attr, t in getattr(module, slot).items():
            if t is not None and id(t) not in owners:
                owners[id(t)] = (id(module), attr, f"{base}.{attr}" if base else attr)
    return owners


def owned_parameters(root, prefix="", canonical=None):
    """{id(parameter): (id(owner module), attribute, canonical qualified name)}; ``canonical``:
    canonical_modules(root, prefix), if already computed."""
    return _owned(root, prefix, "_parameters", canonical)


def owned_buffers(root, prefix="", canonical=None):
    """{id(buffer): (id(owner module), attribute, canonical qualified name)}, as for parameters."""
    return _owned(root, prefix, "_buffers", canonical)
