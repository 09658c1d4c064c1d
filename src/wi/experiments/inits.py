"""The initialisation schemes being compared, each a call to one of wi's fills.

All schemes draw normals from the same (seed, stream) pairs, so "std=1", "std=0.01", "xavier"
and "he" give the *same* random matrices at different scales: the experiments then differ only
in the scale, which is exactly what the papers vary.

Xavier and He use the normal variants (std sqrt(2/(fan_in+fan_out)) and sqrt(2/fan_in)), as in
Saito's book and He et al. 2015; Glorot & Bengio used the uniform form of the same variance.
"standard" is the heuristic Glorot & Bengio compare against: U[-1/sqrt(fan_in), 1/sqrt(fan_in)].
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

import wi

Fill = Callable[[np.ndarray, int, int, int, int], np.ndarray]  # (buf, fan_in, fan_out, seed, stream)


def _std_1(buf, fan_in, fan_out, seed, stream):
    return wi.fill_normal(buf, 0.0, 1.0, seed=seed, stream=stream)


def _std_001(buf, fan_in, fan_out, seed, stream):
    return wi.fill_normal(buf, 0.0, 0.01, seed=seed, stream=stream)


def _xavier(buf, fan_in, fan_out, seed, stream):
    return wi.fill_xavier_normal(buf, fan_in, fan_out, seed=seed, stream=stream)


def _he(buf, fan_in, fan_out, seed, stream):
    return wi.fill_he_normal(buf, fan_in, seed=seed, stream=stream)


def _standard(buf, fan_in, fan_out, seed, stream):
    bound = 1.0 / math.sqrt(fan_in)
    return wi.fill_uniform(buf, -bound, bound, seed=seed, stream=stream)


SCHEMES: dict[str, Fill] = {
    "std=1": _std_1,
    "std=0.01": _std_001,
    "xavier": _xavier,
    "he": _he,
    "standard": _standard,
}

# The four scales of the textbook / issue; "standard" is added for the gradient experiment.
ACTIVATION_SCHEMES = ("std=1", "std=0.01", "xavier", "he")
GRADIENT_SCHEMES = ("std=1", "std=0.01", "standard", "xavier", "he")
TRAINING_SCHEMES = ("std=0.01", "xavier", "he")


def get(name: str) -> Fill:
    try:
        return SCHEMES[name]
    except KeyError:
        raise ValueError(f"init scheme must be one of {sorted(SCHEMES)} (got {name!r})") from None
