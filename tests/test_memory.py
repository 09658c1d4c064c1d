"""No allocation proportional to the buffer: a 1 GiB fill must not raise the process's peak
RSS (or, on the Python side, tracemalloc's peak) by more than a few MiB.

Measured in a fresh subprocess, where the peak before the fill is the interpreter plus the
pre-faulted buffer; in the pytest process an earlier test's peak could hide the growth.
"""
import json
import os
import subprocess
import sys

import pytest

from wi import _backend

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads the peak RSS from /proc/self/status (Linux)")

MiB = 1 << 20
LIMIT_RSS = 8 * MiB
LIMIT_TRACED = 1 * MiB

PROBE = r"""
import json, sys, tracemalloc
import numpy as np
import wi

def peak():
    # VmHWM: this process image's peak RSS. (ru_maxrss would do, but Linux carries it over
    # from the parent across fork + exec, so a big pytest process would mask the growth.)
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")

n_bytes = int(sys.argv[1])
kind = sys.argv[2]
# warm every code path first (OpenMP team, thread stacks, lazy imports, the kernels)
for dt in (np.float32, np.float64):
    small = np.empty(1 << 20, dt)
    wi.fill_normal(small, seed=1); wi.fill_uniform(small, -1, 1, seed=1); wi.fill_he_normal(small, 9)
wi.fill_raw(np.empty(1 << 20, np.uint32), seed=1)
g = wi.Generator(3); g.fill_xavier_uniform(np.empty(1 << 20, np.float32), 3, 4)
del small

if kind == "torch":
    import torch
    buf = torch.zeros(n_bytes // 4)
elif kind == "memoryview":
    buf = memoryview(bytearray(n_bytes)).cast("f")
else:
    buf = np.zeros(n_bytes // np.dtype(kind).itemsize, kind)
    buf[:] = 1  # fault every page in: the buffer itself is in the baseline
before = peak()
tracemalloc.start()
if kind == "uint32":
    wi.fill_raw(buf, seed=2)
elif kind == "float64":
    wi.fill_normal(buf, 0.0, 0.02, seed=2); g.fill_he_uniform(buf, 7)
else:
    wi.fill_normal(buf, 0.0, 0.02, seed=2); wi.fill_xavier_uniform(buf, 5, 6)
_, traced = tracemalloc.get_traced_memory()
tracemalloc.stop()
after = peak()
print(json.dumps({"before": before, "after": after, "traced_peak": traced, "threads": wi.get_num_threads()}))
"""


def measure(kind, n_bytes):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-c", PROBE, str(n_bytes), kind], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(_backend.core is None, reason="the bound is for the compiled path")
@pytest.mark.parametrize("kind,size", [("float32", 1 << 30), ("float64", 256 << 20), ("uint32", 256 << 20)])
def test_a_1GiB_fill_allocates_no_buffer_sized_memory(kind, size):
    m = measure(kind, size)
    growth = m["after"] - m["before"]
    print(f"{kind}: peak RSS {m['before'] / MiB:.1f} -> {m['after'] / MiB:.1f} MiB "
          f"(+{growth / MiB:.2f} MiB), tracemalloc peak {m['traced_peak'] / 1024:.1f} KiB, threads {m['threads']}")
    assert m["before"] >= size  # the buffer really is in the baseline, so a copy would show
    assert growth < LIMIT_RSS, f"peak RSS grew by {growth / MiB:.1f} MiB during a 1 GiB fill"
    assert m["traced_peak"] < LIMIT_TRACED, f"Python-side allocations peaked at {m['traced_peak'] / MiB:.1f} MiB"


@pytest.mark.skipif(_backend.core is None, reason="the bound is for the compiled path")
@pytest.mark.parametrize("kind", ["memoryview", "torch"])
def test_buffer_protocol_and_torch_fills_do_not_copy(kind):
    if kind == "torch":
        pytest.importorskip("torch")
    m = measure(kind, 256 << 20)
    growth = m["after"] - m["before"]
    assert m["before"] >= 256 << 20
    assert growth < LIMIT_RSS, f"peak RSS grew by {growth / MiB:.1f} MiB during a 256 MiB fill"
    assert m["traced_peak"] < LIMIT_TRACED


def test_the_probe_sees_a_copy():
    # guards the method: a fill through a hidden copy must trip both limits
    fill = "wi.fill_normal(buf, 0.0, 0.02, seed=2); wi.fill_xavier"
    probe = PROBE.replace(fill, "buf[:] = buf.copy(); wi.fill_xavier")
    assert probe != PROBE
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-c", probe, str(64 << 20), "float32"], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    assert m["after"] - m["before"] >= LIMIT_RSS
    assert m["traced_peak"] >= LIMIT_TRACED
