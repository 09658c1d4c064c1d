"""Polynomial coefficients shared by the C kernels and the NumPy fallback.

This module is the single source of truth: ``scripts/gen_poly_header.py`` writes
``csrc/wi_poly.h`` from it, and ``tests/test_poly_header.py`` checks the header is
current. Every coefficient is a truncated Taylor series, so its value is a fact
anyone can recompute; float32 kernels use the double value rounded to float32.

* ``ln(m) = 2*atanh(s) = 2*(s + s^3/3 + s^5/5 + ...)`` with ``s = (m-1)/(m+1)``,
  ``m`` in [sqrt(1/2), sqrt(2)), so ``|s| <= 0.1716``.
* ``sin(2*pi*f)`` and ``cos(2*pi*f)`` for ``|f| <= 1/8``: Taylor series in ``f``
  with the ``(2*pi)^n`` folded into the coefficients.
"""
import math

# Number of terms: chosen so the first omitted term is far below half an ulp.
_LOG_TERMS = {"f32": 5, "f64": 12}   # s, s^3, ..., s^(2n-1)
_SIN_TERMS = {"f32": 5, "f64": 9}    # f, f^3, ..., f^(2n-1)
_COS_TERMS = {"f32": 6, "f64": 10}   # 1, f^2, ..., f^(2n-2)

# Cody-Waite split of ln(2): the high part has few enough bits that e*LN2_HI is
# exact for every exponent e the kernels see.
LN2_HI = {"f32": 0.693359375, "f64": 6.93147180369123816490e-01}
LN2_LO = {"f32": -2.12194440e-04, "f64": 1.90821492927058770002e-10}


def log_coeffs(prec):
    """Coefficients c_k of ln(m) = s*(c_0 + c_1 s^2 + c_2 s^4 + ...)."""
    return [2.0 / (2 * k + 1) for k in range(_LOG_TERMS[prec])]


def sin_coeffs(prec):
    """sin(2*pi*f) = f*(c_0 + c_1 f^2 + ...), c_k = (-1)^k (2*pi)^(2k+1) / (2k+1)!."""
    tau = 2.0 * math.pi
    return [(-1) ** k * tau ** (2 * k + 1) / math.factorial(2 * k + 1) for k in range(_SIN_TERMS[prec])]


def cos_coeffs(prec):
    """cos(2*pi*f) = c_0 + c_1 f^2 + ..., c_k = (-1)^k (2*pi)^(2k) / (2k)!."""
    tau = 2.0 * math.pi
    return [(-1) ** k * tau ** (2 * k) / math.factorial(2 * k) for k in range(_COS_TERMS[prec])]
