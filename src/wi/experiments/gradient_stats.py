"""Experiment 2: per-layer gradient statistics at initialisation.

Reproduces the measurement of Glorot & Bengio 2010, section 4.2.2 (the normalised histograms of
back-propagated gradients dCost/dz and of weight gradients dCost/dW per layer, tanh, standard vs
normalised init) on the nets of experiment 1 topped by a linear 10-way softmax layer. The loss is
cross-entropy against random labels: only the relative size of the gradients across layers
matters here, not the task. `ensemble=K` averages the per-layer variances over K independent nets.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import nets, nonlinearities
from ._optional import single_blas_thread


@dataclass
class GradientRun:
    depth: int
    activation: str
    scheme: str
    backprop_stds: np.ndarray  # std of dL_n/dz_i per hidden layer i (per example)
    weight_grad_stds: np.ndarray  # std of the entries of d(mean loss)/dW_i per hidden layer i
    backprops: list[np.ndarray] | None  # per hidden layer of the first net, for histograms


def run(depth: int, activation: str, scheme: str, *, width: int = 100, samples: int = 1000,
        classes: int = 10, seed: int = 0, ensemble: int = 1, keep: bool = False) -> GradientRun:
    """Forward and backward passes; statistics of the hidden layers (the output layer is left out)."""
    f = nonlinearities.get(activation)
    x = nets.standard_normal_inputs(samples, width, seed)
    labels = nets.random_labels(samples, classes, seed)
    backprop_vars, weight_vars, kept = [], [], None
    with single_blas_thread():
        for k in range(ensemble):
            net = nets.build([width] * (depth + 1) + [classes], scheme, f, seed=seed,
                             linear_output=True, net_index=k)
            outs = nets.forward(net, x)
            _, grad_logits = nets.softmax_cross_entropy(outs[-1], labels)
            deltas, grad_w, _ = nets.backward(net, outs, grad_logits)
            backprop_vars.append([d.var() for d in deltas[:-1]])
            weight_vars.append([g.var() for g in grad_w[:-1]])
            if keep and k == 0:
                kept = deltas[:-1]
    return GradientRun(depth, activation, scheme,
                       backprop_stds=np.sqrt(np.mean(backprop_vars, axis=0)),
                       weight_grad_stds=np.sqrt(np.mean(weight_vars, axis=0)), backprops=kept)


def run_grid(depths, activations, schemes, **kwargs) -> list[GradientRun]:
    return [run(d, act, s, **kwargs) for d in depths for act in activations for s in schemes]
