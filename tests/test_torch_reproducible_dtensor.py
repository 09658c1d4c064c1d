"""wi.torch.reproducible on DTensor parameters: each rank fills its own shard, no communication.

World sizes 1 and 2 on gloo in fresh processes (tests/spawn_ranks.py):
the model's own init code runs on an FSDP2 model (fully_shard, meta device, to_empty) and a
tensor-parallel one (ColwiseParallel / RowwiseParallel); every full_tensor() digest must equal
the same code's run on the unsharded model here. A Partial placement is refused before
anything is written. (Many ranks, 2-D meshes and real libraries: tests/test_reproducible_*.)
"""
import hashlib
import math

import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():
    pytest.skip("torch.distributed is not available", allow_module_level=True)

import wi.torch as wt  # noqa: E402
from spawn_ranks import run_ranks  # noqa: E402

nn = torch.nn
WORLD_SIZES = (1, 2)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(37, 12)
        self.fc = nn.Linear(12, 30)
        self.norm = nn.LayerNorm(30)
        self.out = nn.Linear(30, 12)


def local(p):
    """The tensor the rank holds: a DTensor's to_local(), a plain tensor itself."""
    return p.to_local() if hasattr(p, "to_local") else p


def own_init(m):
    """A model's own init code: functions, methods on .data and on the local shard, two calls
    on one parameter, a function that needs the whole tensor."""
    nn.init.normal_(m.embed.weight, std=0.02)
    with torch.no_grad():
        local(m.embed.weight).add_(1.0)  # deterministic, elementwise
    nn.init.kaiming_uniform_(m.fc.weight, a=math.sqrt(5))  # fans from the global shape
    m.fc.bias.data.uniform_(-0.1, 0.1)
    nn.init.xavier_normal_(m.out.weight)
    nn.init.trunc_normal_(m.out.weight, std=0.02, a=-0.03, b=0.03)  # call 1 on out.weight
    with torch.no_grad():
        local(m.out.bias).normal_(0.0, 0.5)  # the local shard: values at their global place
    nn.init.ones_(m.norm.weight)
    nn.init.zeros_(m.norm.bias)
    nn.init.orthogonal_(m.fc.weight)  # call 1 on fc.weight: computed whole, the local part kept


def digest(t):
    return hashlib.sha256(t.detach().contiguous().numpy().tobytes()).hexdigest()


def digests(m):
    return {n: digest(p.full_tensor() if hasattr(p, "full_tensor") else p) for n, p in m.named_parameters()}


def _worker(rank, world):
    """One rank (inside an initialised gloo group, tests/spawn_ranks.py); rank 0's report returns."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor import DTensor, Partial
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

    mesh = init_device_mesh("cpu", (world,))
    report = {}
    with torch.device("meta"):
        fsdp = Net()
    fully_shard(fsdp, mesh=mesh)
    fsdp.to_empty(device="cpu")
    with wt.reproducible(fsdp, seed=7) as ctx:
        own_init(fsdp)
    report["fsdp"] = digests(fsdp)
    report["fsdp_calls"] = {r.name: len(r.calls) for r in ctx.records}

    tp = parallelize_module(Net(), mesh, {"fc": ColwiseParallel(), "out": RowwiseParallel()})
    with wt.reproducible(tp, seed=7):
        own_init(tp)
    report["tp"] = digests(tp)
    named = [*fsdp.named_parameters(prefix="fsdp"), *tp.named_parameters(prefix="tp")]
    report["placements"] = {n: [str(x) for x in p.placements] for n, p in named if hasattr(p, "placements")}

    partial = Net()
    partial.fc.weight = nn.Parameter(DTensor.from_local(torch.ones(30, 12), mesh, [Partial()]))
    try:
        wt.reproducible(partial, seed=7)
        report["partial"] = "no error"
    except ValueError as e:
        report["partial"] = str(e)
    report["partial_untouched"] = bool(torch.all(partial.fc.weight.to_local() == 1))
    return report


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reproducible_dtensor")
    return {world: run_ranks("test_torch_reproducible_dtensor", "_worker", world, tmp) for world in WORLD_SIZES}


@pytest.fixture(scope="module")
def unsharded():
    m = Net()
    with wt.reproducible(m, seed=7):
        own_init(m)
    return digests(m)


@pytest.mark.parametrize("world", WORLD_SIZES)
@pytest.mark.parametrize("kind", ["fsdp", "tp"])
def test_sharded_own_init_is_the_unsharded_one(reports, unsharded, world, kind):
    assert reports[world][kind] == unsharded


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_the_parameters_really_are_sharded(reports, world):
    placements = reports[world]["placements"]
    assert placements["fsdp.fc.weight"] == ["S(0)"]
    assert placements["tp.fc.weight"] == ["S(0)"] and placements["tp.out.weight"] == ["S(1)"]


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_calls_are_counted_per_parameter(reports, world):
    calls = reports[world]["fsdp_calls"]
    assert calls["fc.weight"] == 2 and calls["out.weight"] == 2 and calls["norm.weight"] == 0


@pytest.mark.parametrize("world", WORLD_SIZES)
def test_partial_is_refused_before_anything_is_written(reports, world):
    assert "parameter 'fc.weight'" in reports[world]["partial"] and "Partial" in reports[world]["partial"]
    assert reports[world]["partial_untouched"]
