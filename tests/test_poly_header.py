"""csrc/wi_poly.h is generated from wi/_poly.py; the two must agree."""
import importlib.util
import pathlib

import pytest

import wi._poly as poly

ROOT = pathlib.Path(__file__).resolve().parents[1]
HEADER = ROOT / "src" / "wi" / "csrc" / "wi_poly.h"


@pytest.mark.skipif(not HEADER.exists(), reason="needs the source tree")
def test_header_matches_the_python_coefficients():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "gen_poly_header.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert HEADER.read_text() == gen.render(), "run scripts/gen_poly_header.py"


def test_coefficients_are_the_taylor_series():
    import math

    assert poly.sin_coeffs("f64")[0] == 2 * math.pi
    assert poly.cos_coeffs("f64")[1] == -((2 * math.pi) ** 2) / 2
    assert poly.log_coeffs("f32") == [2.0, 2 / 3, 2 / 5, 2 / 7, 2 / 9]
    assert abs(poly.LN2_HI["f64"] + poly.LN2_LO["f64"] - math.log(2)) < 1e-17
    assert abs(poly.LN2_HI["f32"] + poly.LN2_LO["f32"] - math.log(2)) < 1e-11
