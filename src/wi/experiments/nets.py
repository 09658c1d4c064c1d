"""A fully connected net in NumPy: weight initialisation, forward and backward passes.

Layer i computes a_i = f(a_{i-1} @ W_i + b_i) with W_i of shape (fan_in, fan_out); the last
layer may be left linear (logits for a softmax). Everything is float64 so that collapsing
activations (1e-60 after 30 layers) stay representable instead of flushing to zero.

Reproducibility: every random draw comes from wi with a fixed seed and a stream that names
its role, so a run depends only on the seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import wi

from . import inits
from .nonlinearities import Nonlinearity

# Stream layout (one place): data draws, then one stream per weight layer.
INPUT_STREAM = 0
LABEL_STREAM = 1
FIRST_LAYER_STREAM = 16  # layer i (0-based) of net k uses FIRST_LAYER_STREAM + k * NET_STRIDE + i
NET_STRIDE = 1 << 16  # independent nets of one experiment (ensembles) never share a stream


@dataclass
class Net:
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    nonlinearity: Nonlinearity
    linear_output: bool  # last layer gives logits (no nonlinearity)

    @property
    def depth(self) -> int:
        return len(self.weights)


def build(sizes, scheme: str, nonlinearity: Nonlinearity, *, seed: int, linear_output: bool,
          net_index: int = 0) -> Net:
    """Weights for layer sizes [n_0, n_1, ..., n_L] drawn with `scheme`; zero biases (as in Saito).

    `net_index` selects an independent set of streams, for averaging over several nets.
    """
    if len(sizes) - 1 > NET_STRIDE:
        raise ValueError(f"at most {NET_STRIDE} layers (got {len(sizes) - 1})")
    fill = inits.get(scheme)
    first = FIRST_LAYER_STREAM + net_index * NET_STRIDE
    weights, biases = [], []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = np.empty((fan_in, fan_out), dtype=np.float64)
        fill(w, fan_in, fan_out, seed, first + i)
        weights.append(w)
        biases.append(np.zeros(fan_out, dtype=np.float64))
    return Net(weights, biases, nonlinearity, linear_output)


def forward(net: Net, x: np.ndarray) -> list[np.ndarray]:
    """Outputs of every layer, [x, a_1, ..., a_L]; kept for the backward pass and the statistics."""
    outs = [x]
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = outs[-1] @ w + b
        last = i == net.depth - 1
        outs.append(z if (last and net.linear_output) else net.nonlinearity.forward(z))
    return outs


def backward(net: Net, outs: list[np.ndarray], grad_out: np.ndarray) -> tuple[list, list, list]:
    """Back-propagate per-example gradients dL_n/d(output) through a forward pass's `outs`.

    Returns (deltas, weight_grads, bias_grads), each indexed by layer (0 = first layer):
    deltas[i] = dL_n/dz_i per example (Glorot & Bengio's "back-propagated gradients"),
    weight_grads[i] = d(mean_n L_n)/dW_i (what SGD uses), bias_grads likewise.
    """
    n = grad_out.shape[0]
    deltas = [None] * net.depth
    grad_w = [None] * net.depth
    grad_b = [None] * net.depth
    g = grad_out
    for i in reversed(range(net.depth)):
        last = i == net.depth - 1
        delta = g if (last and net.linear_output) else g * net.nonlinearity.derivative(outs[i + 1])
        deltas[i] = delta
        grad_w[i] = outs[i].T @ delta / n
        grad_b[i] = delta.mean(axis=0)
        g = delta @ net.weights[i].T
    return deltas, grad_w, grad_b


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and the per-example gradient dL_n/dlogits = softmax - onehot."""
    shifted = logits - logits.max(axis=1, keepdims=True)  # no overflow in exp
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(labels.shape[0])
    loss = float(-log_p[rows, labels].mean())
    grad = np.exp(log_p)
    grad[rows, labels] -= 1.0
    return loss, grad


def standard_normal_inputs(samples: int, width: int, seed: int) -> np.ndarray:
    """The experiments' input batch: i.i.d. N(0, 1), as in Saito's histogram experiment."""
    return wi.fill_normal(np.empty((samples, width), dtype=np.float64), seed=seed, stream=INPUT_STREAM)


def random_labels(samples: int, classes: int, seed: int) -> np.ndarray:
    """Uniform random class labels (the gradient experiment needs *a* loss, not a task)."""
    u = wi.fill_uniform(np.empty(samples, dtype=np.float64), 0.0, 1.0, seed=seed, stream=LABEL_STREAM)
    return np.minimum((u * classes).astype(np.int64), classes - 1)
