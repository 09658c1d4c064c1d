"""examples/fsdp2_init.py runs under torchrun (2 CPU processes) and reports every parameter matching."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parent.parent


def test_fsdp2_example_runs_under_torchrun():
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    # --standalone picks a free port: other runs on the machine may hold torchrun's default
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           str(ROOT / "examples" / "fsdp2_init.py")]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("world size 2")
    params = [line for line in lines[1:-1]]
    assert len(params) == 1 + 2 * 12 + 3  # every parameter of TinyLM: embed, 2 blocks, norm, head
    assert all(line.rstrip().endswith("match") and "MISMATCH" not in line for line in params)
    assert lines[-1] == "all parameters match the unsharded init"
