"""Experiment 3: training curves for std=0.01, Xavier and He.

Reproduces Saito, "Deep Learning from Scratch" section 6.2.4 (MNIST, MLP with hidden layers
[100, 100, 100, 100], ReLU, softmax cross-entropy, SGD lr 0.01, batch 128, 2000 iterations):
std=0.01 does not learn at all, Xavier and He do, He fastest. Here on scikit-learn's digits
(see digits.py). All nets see the same minibatches.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import nets, nonlinearities
from ._optional import single_blas_thread
from .digits import Digits


@dataclass
class TrainingRun:
    scheme: str
    losses: np.ndarray  # minibatch loss at each iteration, before that iteration's update
    train_loss: float  # full training set, after training
    test_accuracy: float


def minibatches(n_train: int, batch: int, iterations: int, seed: int) -> np.ndarray:
    """(iterations, batch) indices, drawn once so that every init sees the same minibatches."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.choice(n_train, size=batch, replace=False) for _ in range(iterations)])


def train(data: Digits, scheme: str, batches: np.ndarray, *, hidden=(100, 100, 100, 100),
          lr: float = 0.01, seed: int = 0, on_step: Callable[[], None] | None = None) -> TrainingRun:
    """Plain SGD on softmax cross-entropy; weights from `scheme`, zero biases."""
    sizes = [data.x_train.shape[1], *hidden, 10]
    net = nets.build(sizes, scheme, nonlinearities.get("relu"), seed=seed, linear_output=True)
    losses = np.empty(len(batches))
    for it, idx in enumerate(batches):
        outs = nets.forward(net, data.x_train[idx])
        losses[it], grad_logits = nets.softmax_cross_entropy(outs[-1], data.y_train[idx])
        _, grad_w, grad_b = nets.backward(net, outs, grad_logits)
        for w, b, gw, gb in zip(net.weights, net.biases, grad_w, grad_b):
            w -= lr * gw
            b -= lr * gb
        if on_step is not None:
            on_step()
    train_loss, _ = nets.softmax_cross_entropy(nets.forward(net, data.x_train)[-1], data.y_train)
    predictions = nets.forward(net, data.x_test)[-1].argmax(axis=1)
    return TrainingRun(scheme, losses, train_loss, float((predictions == data.y_test).mean()))


def compare(data: Digits, schemes, *, iterations: int = 2000, batch: int = 128, lr: float = 0.01,
            seed: int = 0, on_step=None) -> list[TrainingRun]:
    batches = minibatches(len(data.y_train), batch, iterations, seed)
    with single_blas_thread():
        return [train(data, s, batches, lr=lr, seed=seed, on_step=on_step) for s in schemes]


def smooth(values: np.ndarray, window: int = 25) -> np.ndarray:
    """Trailing moving average (window shrinks at the start), for plotting noisy minibatch losses."""
    csum = np.cumsum(np.insert(np.asarray(values, dtype=np.float64), 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (csum[ends] - csum[starts]) / (ends - starts)
