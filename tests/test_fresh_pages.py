"""WI_FRESH_PAGES: how a large fill meets fresh pages; never what it writes.

Each mode runs in a child process (the variable is read once per process) that fills a
fresh anonymous 24 MiB mapping: the values must be the same in every mode, and on Linux
with THP in `madvise` mode the mapping is advised for huge pages exactly when asked
(smaps' THPeligible flag of the mapping; whether the kernel then finds huge pages is
its business).
"""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import wi

CHILD = r"""
import mmap, re, sys, hashlib
import numpy as np
import wi
m = mmap.mmap(-1, 24 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)  # fresh, page-aligned
a = np.frombuffer(m, dtype=np.float32)
wi.fill_normal(a, 0.0, 1.0, seed=3, stream=9)
addr = a.ctypes.data
eligible = None
with open("/proc/self/smaps") as f:
    text = f.read()
for block in re.split(r"\n(?=[0-9a-f]+-[0-9a-f]+ )", text):
    lo, hi = (int(x, 16) for x in block.split()[0].split("-"))
    if lo <= addr + (4 << 20) < hi:            # the mapping that holds the buffer's interior
        found = re.search(r"THPeligible:\s+(\d)", block)
        eligible = found.group(1) if found else None
print(hashlib.sha256(a.tobytes()).hexdigest(), eligible)
"""


def run(mode):
    env = dict(os.environ)
    env.pop("WI_FRESH_PAGES", None)
    if mode is not None:
        env["WI_FRESH_PAGES"] = mode
    src = str(Path(wi.__file__).resolve().parents[1])
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True, capture_output=True, text=True)
    digest, eligible = out.stdout.split()
    return digest, eligible


@pytest.mark.skipif(wi.backend != "native", reason="the page handling is in the C core")
def test_every_mode_writes_the_same_values():
    import numpy as np

    expected = np.empty(6 << 20, np.float32)  # 24 MiB of float32, filled in this process
    wi.fill_normal(expected, 0.0, 1.0, seed=3, stream=9)
    want = hashlib.sha256(expected.tobytes()).hexdigest()
    for mode in (None, "none", "thp", "populate", "bogus"):
        assert run(mode)[0] == want, mode


THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


@pytest.mark.skipif(wi.backend != "native", reason="the page handling is in the C core")
@pytest.mark.skipif(not THP.exists() or "[madvise]" not in THP.read_text(),
                    reason="needs Linux with transparent huge pages in madvise mode")
def test_thp_advises_only_when_asked():
    assert run("thp")[1] == "1"
    assert run("populate")[1] == "1"
    assert run(None)[1] == "0"
    assert run("none")[1] == "0"
