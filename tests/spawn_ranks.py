"""Run a function as `world` ranks of a real gloo process group, each in a fresh process.

``run_ranks("module", "function", world, tmp_path)`` starts `world` plain subprocesses (not
multiprocessing's spawn, which copies this process's sys.path and working directory), each
importing wi from where this process did and `module` from tests/. Every rank calls
``module.function(rank, world)`` inside an initialised process group (file:// rendezvous in
tmp_path, one thread each); rank 0's return value comes back through a JSON file. A rank that
raises fails the test with its log; a run past the deadline is killed and fails; nothing is
left running. Each rank ends with a barrier before destroy_process_group (no rank tears gloo
down while rank 0 still works) and os._exit (gloo's threads can abort the normal interpreter
shutdown after every check has passed).
"""
import json
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def rank_main(module, function, rank, world, rendezvous, out_path):
    """The body of one rank (runs in the subprocess)."""
    import importlib

    import torch

    import wi

    torch.set_num_threads(1)
    wi.set_num_threads(1)
    torch.distributed.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=rank, world_size=world)
    try:
        result = getattr(importlib.import_module(module), function)(rank, world)
        if rank == 0:
            with open(out_path, "w") as f:
                json.dump(result, f)
        torch.distributed.barrier()
    finally:
        torch.distributed.destroy_process_group()


def run_ranks(module, function, world, tmp_path, deadline_s=300):
    """Rank 0's result of ``module.function(rank, world)`` run on `world` gloo ranks."""
    import wi

    tag = f"{function}-{world}"
    out_path = tmp_path / f"{tag}.json"
    src = os.path.dirname(os.path.dirname(wi.__file__))
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([src, HERE]))
    code = ("import os, sys, spawn_ranks; "
            "spawn_ranks.rank_main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]); "
            "sys.stdout.flush(); sys.stderr.flush(); os._exit(0)")
    args = [str(world), str(tmp_path / f"rendezvous-{tag}"), str(out_path)]
    logs = [open(tmp_path / f"{tag}-rank{rank}.log", "w+") for rank in range(world)]
    procs = [subprocess.Popen([sys.executable, "-c", code, module, function, str(rank), *args], env=env, cwd=HERE,
                              stdout=log, stderr=subprocess.STDOUT) for rank, log in enumerate(logs)]
    deadline = time.monotonic() + deadline_s
    try:
        for proc in procs:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        pytest.fail(f"{module}.{function}, world size {world}: the ranks did not finish within {deadline_s} s")
    finally:
        for proc in procs:  # nothing left running, whatever happened
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
    try:
        for rank, (proc, log) in enumerate(zip(procs, logs)):
            if proc.returncode:
                log.seek(0)
                pytest.fail(f"{module}.{function}, world size {world}, rank {rank} failed:\n{log.read()[-6000:]}")
    finally:
        for log in logs:
            log.close()
    return json.loads(out_path.read_text())
