"""Experiment 1: per-layer activation statistics of a deep net at initialisation.

Reproduces Saito, "Deep Learning from Scratch" section 6.2.2-6.2.3 (5 hidden layers of 100
units, 1000 standard-normal inputs, histograms per layer for std=1, std=0.01, Xavier, He with
sigmoid / tanh / ReLU) and the argument of He et al. 2015 section 2.2 behind their Fig. 3:
in a 30-layer ReLU net He's init preserves the activation variance, Xavier's halves it per layer.

One width-100 net is a single random draw: its variance wanders from layer to layer by a random
factor (Hanin & Rolnick 2018). The papers' statements are about the expectation over weights, so
`ensemble=K` averages the per-layer variance over K independently initialised nets.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import nets, nonlinearities
from ._optional import single_blas_thread


@dataclass
class ActivationRun:
    depth: int
    activation: str
    scheme: str
    means: np.ndarray  # per hidden layer, over units, samples (and nets)
    stds: np.ndarray  # sqrt of the per-layer variance (averaged over nets)
    activations: list[np.ndarray] | None  # per hidden layer of the first net, for histograms

    @property
    def variances(self) -> np.ndarray:
        return self.stds**2


def run(depth: int, activation: str, scheme: str, *, width: int = 100, samples: int = 1000,
        seed: int = 0, ensemble: int = 1, keep: bool = False) -> ActivationRun:
    """Feed N(0, 1) inputs through `depth` hidden layers of `width` units; summarise each layer."""
    f = nonlinearities.get(activation)
    x = nets.standard_normal_inputs(samples, width, seed)
    means, variances, kept = [], [], None
    with single_blas_thread():
        for k in range(ensemble):
            net = nets.build([width] * (depth + 1), scheme, f, seed=seed, linear_output=False, net_index=k)
            hidden = nets.forward(net, x)[1:]
            means.append([a.mean() for a in hidden])
            variances.append([a.var() for a in hidden])
            if keep and k == 0:
                kept = hidden
    return ActivationRun(depth, activation, scheme, means=np.mean(means, axis=0),
                         stds=np.sqrt(np.mean(variances, axis=0)), activations=kept)


def run_grid(depths, activations, schemes, **kwargs) -> list[ActivationRun]:
    return [run(d, act, s, **kwargs) for d in depths for act in activations for s in schemes]
