"""wi.torch.reproducible on DTensor parameters: each rank fills its own shard, no communication.

World sizes 1 and 2 on gloo in fresh processes (file:// rendezvous in tmp_path, a deadline):
the model's own init code runs on an FSDP2 model (fully_shard, meta device, to_empty) and a
tensor-parallel one (ColwiseParallel / RowwiseParallel); every full_tensor() digest must equal
the same code's run on the unsharded model here. A Partial placement is refused before
anything is written. (Many ranks, 2-D meshes and real libraries: tests/test_reproducible_*.)
"""
import hashlib
import json
import math
import os
import subprocess
import sys
import time

import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():
    pytest.skip("torch.distributed is not available", allow_module_level=True)

import wi  # noqa: E402
import wi.torch as wt  # noqa: E402

nn = torch.nn
HERE = os.path.dirname(os.path.abspath(__file__))
DEADLINE_S = 240
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


def _worker(rank, world, rendezvous, out_path):
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor import DTensor, Partial
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

    torch.set_num_threads(1)
    wi.set_num_threads(1)
    torch.distributed.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=rank, world_size=world)
    try:
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
        report["placements"] = {n: [str(x) for x in p.placements] for n, p in [*fsdp.named_parameters(prefix="fsdp"),
                                                                          *tp.named_parameters(prefix="tp")]
                                if hasattr(p, "placements")}

        partial = Net()
        partial.fc.weight = nn.Parameter(DTensor.from_local(torch.ones(30, 12), mesh, [Partial()]))
        try:
            wt.reproducible(partial, seed=7)
            report["partial"] = "no error"
        except ValueError as e:
            report["partial"] = str(e)
        report["partial_untouched"] = bool(torch.all(partial.fc.weight.to_local() == 1))
        if rank == 0:
            with open(out_path, "w") as f:
                json.dump(report, f)
        torch.distributed.barrier()
    finally:
        torch.distributed.destroy_process_group()


def run_world(world, tmp_path):
    out_path = tmp_path / f"report{world}.json"
    src = os.path.dirname(os.path.dirname(wi.__file__))
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([src, HERE]))
    code = ("import os, sys, test_torch_reproducible_dtensor as t; "
            "t._worker(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]); "
            "sys.stdout.flush(); os._exit(0)")  # gloo's threads can abort a normal shutdown
    args = [str(world), str(tmp_path / f"rendezvous{world}"), str(out_path)]
    logs = [open(tmp_path / f"rank{rank}-of-{world}.log", "w+") for rank in range(world)]
    procs = [subprocess.Popen([sys.executable, "-c", code, str(rank), *args], env=env, cwd=HERE,
                              stdout=log, stderr=subprocess.STDOUT) for rank, log in enumerate(logs)]
    deadline = time.monotonic() + DEADLINE_S
    try:
        for proc in procs:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        pytest.fail(f"world size {world}: the processes did not finish within {DEADLINE_S} s")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
    for rank, (proc, log) in enumerate(zip(procs, logs)):
        if proc.returncode:
            log.seek(0)
            pytest.fail(f"world size {world}, rank {rank} failed:\n{log.read()[-4000:]}")
    for log in logs:
        log.close()
    return json.loads(out_path.read_text())


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reproducible_dtensor")
    return {world: run_world(world, tmp) for world in WORLD_SIZES}


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
