"""Constants of the stream contract shared by the Python layer (docs/stream.md).

The integer codes match the C enums in csrc/wi_core.h.
"""
import numpy as np

# wi_dist
RAW, UNIFORM, NORMAL = 0, 1, 2
# wi_dtype
U32, F32, F64 = 0, 1, 2

DTYPE_NAMES = {U32: "uint32", F32: "float32", F64: "float64"}
NUMPY_DTYPES = {U32: np.dtype(np.uint32), F32: np.dtype(np.float32), F64: np.dtype(np.float64)}
ITEMSIZE = {U32: 4, F32: 4, F64: 8}
# Elements per Philox block: 32-bit outputs use one word each, float64 two.
PER_BLOCK = {U32: 4, F32: 4, F64: 2}
FLOATS = (F32, F64)

STREAM_BLOCKS = 2**64  # blocks per (seed, stream)

# Largest |z| a normal fill can produce, rounded up: sqrt(-2 ln 2^-24) = 5.77 for
# float32 and sqrt(-2 ln 2^-53) = 8.57 for float64 (the smallest uniform fed to log).
MAX_ABS_NORMAL = {F32: 6.0, F64: 9.0}
