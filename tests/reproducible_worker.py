"""What each rank runs for tests/test_reproducible_distributed.py (through spawn_ranks).

One call per world size does every check: each model of reproducible_models.SPECS built on
meta, laid out (FSDP2 per block and on the root; its tensor-parallel plan; with 4 ranks both on a
(2, 2) mesh), materialised with to_empty and initialised by its own code under
wi.torch.reproducible; then the same code without the block (the negative control). Rank 0
returns the full_tensor() digests of every parameter.
"""
import warnings

import torch

import reproducible_models as rm
import wi.torch as wt

SEED = 1234
TORCH_SEED = 7  # seed=None: the key comes from torch's generator, seeded alike on every rank


def layouts(world):
    return ("fsdp", "tp", "fsdp_tp") if world == 4 else ("fsdp", "tp")


def init_under_block(name, model, seed=SEED):
    with wt.reproducible(model, seed=seed):
        rm.SPECS[name].init(model)
    return rm.digests(model)


def init_under_torch(name, model):
    torch.manual_seed(0)
    with warnings.catch_warnings():  # torch warns that DTensor random ops on CPU are incomplete
        warnings.simplefilter("ignore")
        rm.SPECS[name].init(model)
    return rm.digests(model)


def partial_is_refused(mesh):
    """A Partial DTensor parameter: a clear ValueError when the block opens, nothing written."""
    from torch.distributed.tensor import DTensor, Partial

    layer = torch.nn.Linear(2, 3)
    layer.bias = torch.nn.Parameter(DTensor.from_local(torch.ones(3), mesh, (Partial(),)))
    before = layer.weight.detach().clone()
    try:
        with wt.reproducible(layer, seed=SEED):
            torch.nn.init.normal_(layer.weight)
    except ValueError as e:
        return "Partial" in str(e) and "bias" in str(e) and torch.equal(layer.weight, before)
    return False


def run(rank, world):
    from torch.distributed.device_mesh import init_device_mesh

    meshes = {"fsdp": init_device_mesh("cpu", (world,)), "tp": init_device_mesh("cpu", (world,))}
    if world == 4:
        meshes["fsdp_tp"] = init_device_mesh("cpu", (2, 2), mesh_dim_names=("dp", "tp"))
    out = {}
    for name in rm.SPECS:
        out[name] = {layout: init_under_block(name, rm.build_laid_out(name, layout, meshes[layout]))
                     for layout in layouts(world)}
        out[name]["control"] = init_under_torch(name, rm.build_laid_out(name, "fsdp", meshes["fsdp"]))
    torch.manual_seed(TORCH_SEED)
    out["seed_none"] = init_under_block("titan_llama", rm.build_laid_out("titan_llama", "fsdp", meshes["fsdp"]),
                                        seed=None)
    out["partial_refused"] = partial_is_refused(meshes["fsdp"])
    return out
