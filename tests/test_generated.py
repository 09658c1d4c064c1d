"""Generated files are current: csrc/wi_poly.h from wi/_poly.py, csrc/wi_contract.h and
csrc/wi_contract.pxd from wi/_contract.py. A failure names the script to run."""
import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CSRC = ROOT / "src" / "wi" / "csrc"


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (CSRC.exists() and (ROOT / "scripts").exists()), reason="needs the source tree (the sdist test removes src/)")
@pytest.mark.parametrize("script, output, render", [
    ("gen_poly_header", "wi_poly.h", "render"),
    ("gen_contract", "wi_contract.h", "render_header"),
    ("gen_contract", "wi_contract.pxd", "render_pxd"),
])
def test_generated_file_is_current(script, output, render):
    assert (CSRC / output).read_text() == getattr(_script(script), render)(), f"run scripts/{script}.py"


def test_contract_tables_agree_with_numpy():
    import numpy as np

    from wi import _contract as K

    for name, (code, size, per_block) in K.DTYPE_TABLE.items():
        if name != "bfloat16":
            assert np.dtype(name).itemsize == size
        words = 2 if size == 8 else 1  # 64-bit outputs take two Philox words
        assert per_block * words == 4, name
