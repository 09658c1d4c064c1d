"""Constants of the stream contract shared by the Python layer (docs/stream.md).

The integer codes match the C enums in csrc/wi_core.h.
"""
import numpy as np

# wi_dist
RAW, UNIFORM, NORMAL, TRUNCNORM = 0, 1, 2, 3
# wi_dtype
U32, F32, F64, F16, BF16 = 0, 1, 2, 3, 4

DTYPE_NAMES = {U32: "uint32", F32: "float32", F64: "float64", F16: "float16", BF16: "bfloat16"}
ITEMSIZE = {U32: 4, F32: 4, F64: 8, F16: 2, BF16: 2}
# Elements per Philox block: float64 uses two words per element, the others one.
PER_BLOCK = {U32: 4, F32: 4, F64: 2, F16: 4, BF16: 4}
FLOATS = (F32, F64, F16, BF16)
HALVES = (F16, BF16)

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
