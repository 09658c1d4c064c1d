"""wi.torch on DTensors in real distributed runs: the same bytes whatever the world size or layout.

For each world size (1, 2, 3, 4) the test starts that many CPU processes once (gloo, file://
rendezvous in tmp_path, one thread each, a deadline) and each run checks everything inside:

- geometry: ``_dtensor.local_indices``/``dtensor_layout`` against ``distribute_tensor`` of an
  arange (Shard on every dimension with uneven and empty shards, Replicate, _StridedShard, a
  (2, 2) mesh; Partial raises);
- every wi.torch fill on DTensors of several placements, chained off one wi.Generator;
- FSDP2's meta-device flow on a small transformer (Embedding with a vocabulary of 37 and a
  padding row, LayerNorm, MultiheadAttention, Linear), tensor parallelism (ColwiseParallel /
  RowwiseParallel) and, with 4 processes, FSDP and TP together on a (2, 2) mesh;
- a negative control: torch.nn.init on the same DTensors.

Rank 0 writes the full_tensor() digests; the test compares them with the unsharded fills,
computed here in the test process.
"""
import hashlib
import math

import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():
    pytest.skip("torch.distributed is not available", allow_module_level=True)

import wi  # noqa: E402
import wi.torch as wt  # noqa: E402
from wi.torch import _dtensor  # noqa: E402
from spawn_ranks import run_ranks  # noqa: E402

nn = torch.nn
WORLD_SIZES = (1, 2, 3, 4)
DEADLINE_S = 240  # per world size; a healthy run takes seconds (mostly importing torch)
VOCAB, DIM, HEADS, FF = 37, 12, 2, 30  # 37 and 30 split unevenly over 3 or 4 ranks


# --- models: the same builders for the sharded runs and the unsharded reference --------

class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Linear(DIM, FF)
        self.down = nn.Linear(FF, DIM)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(DIM)
        self.attn = nn.MultiheadAttention(DIM, HEADS, batch_first=True)
        self.norm2 = nn.LayerNorm(DIM)
        self.mlp = Mlp()


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM, padding_idx=3)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.norm = nn.LayerNorm(DIM)
        self.head = nn.Linear(DIM, VOCAB)


def digest(t):
    return hashlib.sha256(t.detach().contiguous().flatten().view(torch.uint8).numpy().tobytes()).hexdigest()


# (function, args, global shape, dtype): every random wi.torch function, fans from the global shape
FILLS = [
    ("uniform_", (-0.3, 0.7), (7, 5), torch.float32),
    ("normal_", (0.5, 2.0), (7, 5), torch.float64),
    ("trunc_normal_", (0.0, 1.0, -1.5, 2.5), (7, 5), torch.float32),
    ("xavier_uniform_", (1.5,), (5, 7, 3), torch.float32),
    ("xavier_normal_", (), (7, 5), torch.bfloat16),
    ("kaiming_uniform_", (math.sqrt(5),), (5, 7, 3), torch.float64),
    ("kaiming_normal_", (0.0, "fan_out", "relu"), (7, 5), torch.float32),
    ("orthogonal_", (1.5,), (7, 5), torch.float32),  # computed whole on every rank
    ("sparse_", (0.3, 0.5), (5, 7), torch.float64),
]


def placements_for(world):
    """(mesh shape, placements) cases this world size can run."""
    from torch.distributed.tensor import Replicate, Shard
    from torch.distributed.tensor.placement_types import _StridedShard

    cases = [((world,), (Shard(0),)), ((world,), (Shard(1),)), ((world,), (Replicate(),)),
             ((world,), (_StridedShard(0, split_factor=2),))]
    if world == 4:
        cases += [((2, 2), (Shard(0), Shard(1))), ((2, 2), (Shard(0), Shard(0))),
                  ((2, 2), (_StridedShard(0, split_factor=2), Shard(0))), ((2, 2), (Replicate(), Shard(1)))]
    return cases


def reference_fills():
    """The unsharded digests of FILLS, chained off one generator, and its final state; then
    one call under torch's seeding."""
    gen, out = wi.Generator(11), []
    for name, args, shape, dtype in FILLS:
        t = torch.full(shape, math.nan, dtype=dtype)
        getattr(wt, name)(t, *args, generator=gen)
        out.append(digest(t))
    torch.manual_seed(123)
    out.append(digest(wt.kaiming_uniform_(torch.empty(7, 5))))
    return out, list(gen.get_state())


def reference_model_digests(model):
    wt.init_module_(model, seed=3)
    return {n: digest(p) for n, p in model.named_parameters()}


# --- what each process runs ------------------------------------------------------------

def _check_geometry(world):
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import DTensor, Partial, Shard, distribute_tensor

    many_runs = 0
    for mesh_shape, placements in placements_for(world) + [((world,), (Shard(2),))]:
        mesh = init_device_mesh("cpu", mesh_shape)
        for shape in [(7, 5, 2), (3, 4, 1), (2, 9, 5), (1, 1, 3)]:  # uneven, empty shards
            full = torch.arange(math.prod(shape)).reshape(shape)
            # torch scatters from rank 0, except for uneven _StridedShard, which it only splits
            # locally (its scatter needs even shards); full_tensor() in the fill checks below
            # then assembles strided shards through torch's own redistribution.
            dt = distribute_tensor(full, mesh, placements, src_data_rank=None if strided(placements) else 0)
            local = dt.to_local()
            indices = _dtensor.local_indices(shape, tuple(mesh.shape), placements, mesh.get_coordinate())
            assert torch.equal(full[torch.meshgrid(*indices, indexing="ij")], local), \
                (mesh_shape, placements, shape)
            layout = _dtensor.dtensor_layout(dt)
            assert layout.global_shape == shape
            assert torch.equal(_dtensor.local_part(dt, full), local), (mesh_shape, placements, shape)
            assert sum(math.prod(r.shape) for r in layout.regions) == local.numel()
            many_runs += len(layout.regions) > 1
    mesh = init_device_mesh("cpu", (world,))
    partial = DTensor.from_local(torch.ones(3, 2), mesh, (Partial(),))
    with pytest.raises(ValueError, match="Partial"):
        wt.normal_(partial, generator=wi.Generator(0))
    assert torch.equal(partial.to_local(), torch.ones(3, 2))  # untouched
    layer = nn.Linear(2, 3)  # init_module_ checks every parameter before it writes one
    layer.bias = nn.Parameter(DTensor.from_local(torch.ones(3), mesh, (Partial(),)))
    before = layer.weight.detach().clone()
    with pytest.raises(ValueError, match="parameter 'bias': tensor is a DTensor with a Partial"):
        wt.init_module_(layer, seed=0)
    assert torch.equal(layer.weight, before)
    return many_runs


def strided(placements):
    return any(type(p).__name__ == "_StridedShard" for p in placements)


def _sharded_fills(world):
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import distribute_tensor

    results = []
    for mesh_shape, placements in placements_for(world):
        mesh = init_device_mesh("cpu", mesh_shape)
        gen, digests = wi.Generator(11), []
        for name, args, shape, dtype in FILLS:
            dt = distribute_tensor(torch.full(shape, math.nan, dtype=dtype), mesh, placements,
                                   src_data_rank=None)  # every rank holds the same NaNs
            getattr(wt, name)(dt, *args, generator=gen)
            full = dt.full_tensor()
            if all(p.is_replicate() for p in placements):  # every replica wrote the same values
                assert torch.equal(dt.to_local().view(torch.uint8), full.view(torch.uint8))
            digests.append(digest(full))
        torch.manual_seed(123)  # generator=None: a key from torch's generator, seeded alike on every rank
        dt = distribute_tensor(torch.empty(7, 5), mesh, placements, src_data_rank=None)
        digests.append(digest(wt.kaiming_uniform_(dt).full_tensor()))
        results.append({"case": repr((mesh_shape, placements)), "digests": digests,
                        "state": list(gen.get_state())})
    return results


def _fsdp_model(mesh, tp_mesh=None):
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

    with torch.device("meta"):
        model = Model()
    for block in model.blocks:
        if tp_mesh is not None:
            parallelize_module(block.mlp, tp_mesh, {"up": ColwiseParallel(), "down": RowwiseParallel()})
        fully_shard(block, mesh=mesh)
    fully_shard(model, mesh=mesh)
    for p in model.parameters():  # on the meta device a fill is a no-op, as torch.nn.init's
        assert wt.normal_(p, generator=wi.Generator(0)) is p and p.is_meta
    return model.to_empty(device="cpu")


def _full_digests(model):
    return {n: digest(p.full_tensor()) for n, p in model.named_parameters()}


def _torch_init_digests(model):
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            nn.init.normal_(p)
    return _full_digests(model)


def _model_runs(world):
    import warnings

    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

    mesh = init_device_mesh("cpu", (world,))
    out = {}
    model = _fsdp_model(mesh)
    wt.init_module_(model, seed=3)
    out["fsdp"] = _full_digests(model)
    with warnings.catch_warnings():  # torch warns that DTensor random ops on CPU are incomplete
        warnings.simplefilter("ignore")
        out["control"] = _torch_init_digests(model)
    with torch.device("meta"):
        mlp = Mlp()
    parallelize_module(mlp, mesh, {"up": ColwiseParallel(), "down": RowwiseParallel()})
    out["tp"] = _full_digests(wt.init_module_(mlp.to_empty(device="cpu"), seed=3))
    if world == 4:
        mesh2 = init_device_mesh("cpu", (2, 2), mesh_dim_names=("dp", "tp"))
        model = _fsdp_model(mesh2["dp"], tp_mesh=mesh2["tp"])
        out["fsdp_tp"] = _full_digests(wt.init_module_(model, seed=3))
    return out


def rank_report(rank, world):
    """Everything one rank checks (run by spawn_ranks inside the gloo group)."""
    return {"many_runs": _check_geometry(world), "fills": _sharded_fills(world), **_model_runs(world)}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sharded")
    return {world: run_ranks("test_sharded_torch", "rank_report", world, tmp, DEADLINE_S)
            for world in WORLD_SIZES}


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_geometry_matches_distribute_tensor(reports, world):
    # the checks ran in every process; a strided shard must have produced several regions
    assert reports[world]["many_runs"] > (0 if world > 1 else -1)


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_every_fill_on_a_dtensor_is_the_unsharded_fill(reports, world):
    digests, state = reference_fills()
    for case in reports[world]["fills"]:
        assert case["digests"] == digests, case["case"]
        assert case["state"] == state, case["case"]  # the generator advanced as for one fill


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_fsdp2_meta_flow_is_the_unsharded_init_module(reports, world):
    assert reports[world]["fsdp"] == reference_model_digests(Model())


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_tensor_parallel_is_the_unsharded_init_module(reports, world):
    assert reports[world]["tp"] == reference_model_digests(Mlp())


def test_fsdp_and_tp_on_a_2d_mesh(reports):
    assert reports[4]["fsdp_tp"] == reference_model_digests(Model())


def test_negative_control_torch_init_depends_on_the_world_size(reports):
    # torch.nn.init on the same DTensors: the sharded parameters come out different for
    # different world sizes, so the digest comparisons above can tell a wrong fill
    control = {world: reports[world]["control"] for world in WORLD_SIZES}
    for world in WORLD_SIZES[1:]:
        assert control[world]["head.weight"] != control[1]["head.weight"], world
        assert control[world]["embed.weight"] != control[1]["embed.weight"], world
