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

# Wichura's AS241 (PPND16), "The Percentage Points of the Normal Distribution",
# Applied Statistics 37(3), 1988: the normal quantile to about 1e-16, as three rational
# functions. Coefficients in ascending powers; the truncated normal uses them in both
# precisions (float32 evaluates them in float32).
AS241_SPLIT1, AS241_SPLIT2, AS241_CONST1, AS241_CONST2 = 0.425, 5.0, 0.180625, 1.6
AS241 = {
    "a": [3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
          4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3],
    "b": [1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
          2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3],
    "c": [1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
          1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4],
    "d": [1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
          1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9],
    "e": [6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
          2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7],
    "f": [1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
          7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15],
}

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
