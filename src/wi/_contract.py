"""The stream contract's constants: the single source for Python, C and Cython.

``scripts/gen_contract.py`` writes ``csrc/wi_contract.h`` (C enums and tables) and
``csrc/wi_contract.pxd`` (their Cython declarations) from this module, and
``tests/test_generated.py`` checks both are current. docs/stream.md explains the rules.
"""
import numpy as np

# Distributions the kernels compute (wi_dist): name -> code.
DISTS = {"raw": 0, "uniform": 1, "normal": 2, "truncnorm": 3}
RAW, UNIFORM, NORMAL, TRUNCNORM = (DISTS[k] for k in ("raw", "uniform", "normal", "truncnorm"))

# Output element types (wi_dtype): name -> (code, bytes per element, elements per Philox block).
# float64 takes two Philox words per element, the others one; float16 and bfloat16 hold the
# float32 value rounded to nearest-even.
DTYPE_TABLE = {
    "uint32": (0, 4, 4),
    "float32": (1, 4, 4),
    "float64": (2, 8, 2),
    "float16": (3, 2, 4),
    "bfloat16": (4, 2, 4),
}
U32, F32, F64, F16, BF16 = (DTYPE_TABLE[k][0] for k in ("uint32", "float32", "float64", "float16", "bfloat16"))
DTYPE_NAMES = {code: name for name, (code, _, _) in DTYPE_TABLE.items()}
ITEMSIZE = {code: size for code, size, _ in DTYPE_TABLE.values()}
PER_BLOCK = {code: per for code, _, per in DTYPE_TABLE.values()}
FLOATS = (F32, F64, F16, BF16)
HALVES = (F16, BF16)

# Kernels (wi_simd), worst to best: the portable one (generic vectors, SSE2 on x86-64) runs
# everywhere; the others only where the CPU and OS support them.
SIMD_PATHS = ("portable", "avx2", "avx512")

# Values are computed in float64 for float64 output and in float32 otherwise (half
# formats hold the float32 value rounded to nearest-even).
COMPUTE = {F32: np.float32, F64: np.float64, F16: np.float32, BF16: np.float32}
# Largest finite value of each output format.
MAX = {F32: float(np.finfo(np.float32).max), F64: float(np.finfo(np.float64).max), F16: 65504.0,
       BF16: 3.3895313892515355e38}
# Smallest normal of the computing precision (the truncated normal's tail limit).
TINY = {F32: 2.0**-126, F64: 2.0**-1022, F16: 2.0**-126, BF16: 2.0**-126}

STREAM_BLOCKS = 2**64  # blocks per (seed, stream)

# Largest |z| a normal fill can produce, rounded up: sqrt(-2 ln 2^-24) = 5.77 for
# float32 and sqrt(-2 ln 2^-53) = 8.57 for float64 (the smallest uniform fed to log).
MAX_ABS_NORMAL = {F32: 6.0, F64: 9.0, F16: 6.0, BF16: 6.0}
# Largest |z| the truncated normal's quantile can produce, rounded up: Q(TINY), where the
# quantile's argument is floored (12.95 for float32, 37.52 for float64). A truncation with an
# infinite cut-off has no clamp on that side, so mean + std*z must stay finite.
MAX_ABS_QUANTILE = {F32: 13.0, F64: 38.0, F16: 13.0, BF16: 13.0}
# Uniform bits of each computing precision (u is a multiple of 2**-BITS in [0, 1)).
UNIFORM_BITS = {F32: 24, F64: 53, F16: 24, BF16: 24}
# Largest finite value of each computing precision (the uniform's width must fit in it).
COMPUTE_MAX = {code: float(np.finfo(COMPUTE[code]).max) for code in COMPUTE}
