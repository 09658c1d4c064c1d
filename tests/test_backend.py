"""Backend selection: the NumPy fallback, WI_BACKEND and WI_SIMD."""
import os
import subprocess
import sys

import numpy as np
import pytest

import wi

FILLS = (
    "import numpy as np, wi\n"
    "out = []\n"
    "for dt in (np.float32, np.float64):\n"
    "    out.append(wi.fill_normal(np.empty(1001, dt), 0.5, 2.0, seed=3, stream=4, offset=5).tobytes())\n"
    "    out.append(wi.fill_uniform(np.empty(1001, dt), -1, 1, seed=3, stream=4, offset=5).tobytes())\n"
    "out.append(wi.fill_raw(np.empty(1001, np.uint32), seed=3, stream=4, offset=5).tobytes())\n"
    "import hashlib; print(wi.backend, hashlib.sha256(b''.join(out)).hexdigest())\n"
)


def run(code, **env):
    full = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full)


def test_numpy_backend_gives_the_same_bytes_as_the_core():
    native = run(FILLS, WI_BACKEND="")
    numpy_ = run(FILLS, WI_BACKEND="numpy")
    assert numpy_.returncode == 0, numpy_.stderr
    assert numpy_.stdout.split()[0] == "numpy"
    if native.stdout.split()[0] == "native":
        assert native.stdout.split()[1] == numpy_.stdout.split()[1]


def test_missing_extension_falls_back_with_a_warning():
    code = (
        "import sys, warnings\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'wi._core': raise ImportError('blocked for the test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    import wi\n"
        "print(wi.backend, any('NumPy fallback' in str(x.message) for x in w))\n"
    )
    out = run(code, WI_BACKEND="")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["numpy", "True"]


def test_bad_wi_backend_is_an_import_error():
    out = run("import wi", WI_BACKEND="gpu")
    assert out.returncode != 0 and "WI_BACKEND must be 'native' or 'numpy'" in out.stderr


@pytest.mark.skipif(wi.backend != "native", reason="WI_SIMD selects kernels of the compiled core")
def test_wi_simd_forces_a_path_and_rejects_unknown_ones():
    out = run("import wi; print(wi._backend.simd_active())", WI_SIMD="portable")
    assert out.stdout.strip() == "portable"
    out = run("import wi", WI_SIMD="sse9")
    assert out.returncode != 0 and "SIMD path must be one of portable, avx2, avx512 (got 'sse9')" in out.stderr
    missing = [p for p in ("avx2", "avx512") if p not in wi._backend.simd_supported()]
    for path in missing:
        out = run("import wi", WI_SIMD=path)
        assert out.returncode != 0 and "is not supported by this CPU/OS" in out.stderr


@pytest.mark.skipif(wi.backend != "native", reason="compares the core's paths")
def test_forced_paths_agree_across_processes():
    digests = {run(FILLS, WI_SIMD=p).stdout for p in wi._backend.simd_supported()}
    assert len(digests) == 1


def test_fallback_fills_across_its_chunks_at_an_odd_offset():
    from wi import _contract as C
    from wi import _fallback

    n = 3 * (1 << 16) * 4 + 5
    out = np.empty(n, np.float32)
    _fallback.fill(out, C.F32, C.UNIFORM, 1, 2, 3, 1, (0.0, 1.0, 1.0, 0.0, 0.0, 0.0))
    ref = wi.fill_uniform(np.empty(n, np.float32), 0.0, 1.0, seed=1, stream=2, offset=13)
    np.testing.assert_array_equal(out, ref)
