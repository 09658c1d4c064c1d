"""Activation functions and their derivatives, written in terms of the layer *output*.

Expressing the derivative through the output (a) rather than the pre-activation (z) lets the
backward pass reuse the stored activations, as in Glorot & Bengio's and Saito's code.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Nonlinearity:
    name: str
    forward: Callable[[np.ndarray], np.ndarray]  # z -> a
    derivative: Callable[[np.ndarray], np.ndarray]  # a -> da/dz


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 0.5 * (1 + tanh(z/2)) never overflows, unlike 1 / (1 + exp(-z)) for z << 0.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


NONLINEARITIES: dict[str, Nonlinearity] = {
    "sigmoid": Nonlinearity("sigmoid", _sigmoid, lambda a: a * (1.0 - a)),
    "tanh": Nonlinearity("tanh", np.tanh, lambda a: 1.0 - a * a),
    "relu": Nonlinearity("relu", lambda z: np.maximum(z, 0.0), lambda a: (a > 0.0).astype(a.dtype)),
}


def get(name: str) -> Nonlinearity:
    try:
        return NONLINEARITIES[name]
    except KeyError:
        raise ValueError(f"activation must be one of {sorted(NONLINEARITIES)} (got {name!r})") from None
