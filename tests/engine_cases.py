"""Fills and chunkings shared by the engine adapter tests (tests/test_engine_*.py).

Every adapter must give, for any cut of the array into blocks, the bytes of one
plain fill of the whole array: ``whole`` is that reference.
"""
import ml_dtypes
import numpy as np

import wi

SEED, STREAM, OFFSET = 20240917, 5, 3

# (fill, dtype, the fill's own arguments): raw words, each distribution, a shape-aware
# initialiser (its fans must come from the global shape) and the half formats.
FILLS = [
    (wi.fill_normal, np.float32, {"mean": 0.5, "std": 2.0}),
    (wi.fill_uniform, np.float64, {"low": -1.0, "high": 3.0}),
    (wi.fill_raw, np.uint32, {}),
    (wi.kaiming_normal_, np.float32, {"nonlinearity": "relu"}),
    (wi.variance_scaling_, ml_dtypes.bfloat16, {"scale": 2.0, "layout": "keras"}),
    (wi.fill_truncated_normal, np.float16, {"mean": 0.0, "std": 1.0, "low": -1.5, "high": 2.0}),
]


def fill_id(case):
    return f"{case[0].__name__}-{np.dtype(case[1]).name}"


def whole(fill, shape, dtype, kwargs, seed=SEED, stream=STREAM, offset=OFFSET):
    """One plain fill of the whole array: what every cut must reproduce."""
    return fill(np.empty(shape, dtype), seed=seed, stream=stream, offset=offset, **kwargs)


def same_bytes(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
