"""Values never change: every case of tests/golden/cases.py against its recorded digest.

The digests were recorded once, before the redesign moved any code; refactors and speed-ups
must leave every one of them as it is. Checked in this process (the default kernel), in
fresh processes on every SIMD path the machine has, with one thread, and on the NumPy
fallback.
"""
import json
import os
import subprocess
import sys

import pytest

from golden import cases

RECORDED = json.loads(cases.DIGESTS.read_text())
CASES_SCRIPT = cases.__file__


def _mismatches(got):
    assert got.keys() == RECORDED.keys(), "the case list changed: new cases need their own recorded file"
    return sorted(name for name in RECORDED if got[name] != RECORDED[name])


def _run_in_subprocess(env_update):
    env = dict(os.environ, **env_update)
    proc = subprocess.run([sys.executable, CASES_SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_golden_digests_in_process():
    assert _mismatches(cases.compute()) == []


def _simd_paths():
    out = subprocess.run([sys.executable, "-m", "wi", "info"], capture_output=True, text=True, timeout=120).stdout
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "simd_supported" and "none" not in value:
            return [v.strip() for v in value.split(",")]
    return []


@pytest.mark.parametrize("simd", _simd_paths())
def test_golden_digests_on_every_simd_path(simd):
    assert _mismatches(_run_in_subprocess({"WI_SIMD": simd})) == []


def test_golden_digests_on_one_thread():
    assert _mismatches(_run_in_subprocess({"OMP_NUM_THREADS": "1"})) == []


def test_golden_digests_on_the_numpy_fallback():
    assert _mismatches(_run_in_subprocess({"WI_BACKEND": "numpy"})) == []
