"""The polynomial coefficients are the series they claim to be (the header is checked in test_generated.py)."""
import wi._poly as poly



def test_coefficients_are_the_taylor_series():
    import math

    assert poly.sin_coeffs("f64")[0] == 2 * math.pi
    assert poly.cos_coeffs("f64")[1] == -((2 * math.pi) ** 2) / 2
    assert poly.log_coeffs("f32") == [2.0, 2 / 3, 2 / 5, 2 / 7, 2 / 9]
    assert abs(poly.LN2_HI["f64"] + poly.LN2_LO["f64"] - math.log(2)) < 1e-17
    assert abs(poly.LN2_HI["f32"] + poly.LN2_LO["f32"] - math.log(2)) < 1e-11
