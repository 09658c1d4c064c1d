"""examples/reproducible_hf.py under torchrun prints the same digests on 1 and on 2 CPU processes."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
ROOT = Path(__file__).resolve().parent.parent
PARAMETER_LINE = re.compile(r"^(gpt2|llama) (\S+) \((\S*)\) ([0-9a-f]{16})$")


def run_example(nproc):
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    # torchrun from the venv's torch; --standalone: a free port on loopback (other runs may hold the default)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(nproc),
           str(ROOT / "examples" / "reproducible_hf.py")]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"world size {nproc};")
    found = [PARAMETER_LINE.match(line) for line in lines]
    return {(m[1], m[2]): (m[3], m[4]) for m in found if m}, out.stdout


def test_example_prints_equal_digests_for_world_sizes_1_and_2():
    one, text_one = run_example(1)
    two, _ = run_example(2)
    assert len([k for k in one if k[0] == "gpt2"]) == 28  # every GPT2LMHeadModel parameter (lm_head tied)
    assert len([k for k in one if k[0] == "llama"]) == 21
    assert one == two
    # rank 0's table of what GPT-2's own code asked for: the residual projections' second call,
    # std initializer_range / sqrt(2 n_layer) = 0.02 / 2, ran under FSDP2 too
    table = [line for line in text_one.splitlines() if line.startswith("transformer.h.0.attn.c_proj.weight")]
    assert len(table) == 2 and "std=0.01)" in table[1], table
