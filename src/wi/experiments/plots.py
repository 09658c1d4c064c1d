"""PNG figures of the experiments (matplotlib, optional: pip install weightinit[plot]).

Figures are drawn on matplotlib.figure.Figure directly (no pyplot), so nothing depends on the
interactive backend or on global state. Modest dpi keeps each file small enough for the docs.
"""
from __future__ import annotations

import os

import numpy as np

from ._optional import require

DPI = 72
MAX_PANELS = 6  # layers shown per histogram figure: first, last and evenly spaced between


def _figure(width, height, *, layout="constrained"):
    mpl_figure = require("matplotlib.figure", needed_for="--plot", package="matplotlib", extra="plot")
    return mpl_figure.Figure(figsize=(width, height), dpi=DPI, layout=layout)


def _save(fig, path: str) -> str:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, dpi=DPI)
    return path


def shown_layers(depth: int) -> list[int]:
    return sorted(set(np.linspace(0, depth - 1, min(depth, MAX_PANELS)).round().astype(int).tolist()))


def _histograms(layers, value_range, title, path, *, drop_zeros=False):
    shown = shown_layers(len(layers))
    fig = _figure(2.1 * len(shown), 2.3, layout=None)  # fixed geometry: twice as fast as constrained
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.13, top=0.78, wspace=0.08)
    fig.suptitle(title, fontsize=10)
    axes = fig.subplots(1, len(shown), sharey=True, squeeze=False)[0]
    for ax, i in zip(axes, shown):
        values = layers[i].ravel()
        if drop_zeros:
            values = values[values != 0]
        outside = np.mean((values < value_range[0]) | (values > value_range[1])) if values.size else 0.0
        ax.hist(values, bins=30, range=value_range, color="C0")
        note = f"std {layers[i].std():.2g}" + (f"\n{outside:.0%} off-scale" if outside >= 0.01 else "")
        ax.set_title(f"layer {i + 1}", fontsize=9)
        ax.text(0.97, 0.95, note, transform=ax.transAxes, ha="right", va="top", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    return _save(fig, path)


def activation_histograms(run, path: str) -> str:
    """Per-layer histograms, one figure per init x activation (Saito section 6.2.2-6.2.3)."""
    layers = run.activations
    if run.activation == "sigmoid":
        value_range, drop = (0.0, 1.0), False
    elif run.activation == "tanh":
        value_range, drop = (-1.0, 1.0), False
    else:  # ReLU: about half the outputs are exactly 0; leave that spike out, scale by layer 1
        first = layers[0][layers[0] > 0]
        value_range, drop = (0.0, float(np.quantile(first, 0.999)) if first.size else 1.0), True
    zeros = " (zeros omitted)" if drop else ""
    title = f"activations, {run.activation}, {run.scheme}, {run.depth} layers{zeros}"
    return _histograms(layers, value_range, title, path, drop_zeros=drop)


def gradient_histograms(run, path: str) -> str:
    """Per-layer histograms of back-propagated gradients dL/dz (Glorot & Bengio 2010, section 4.2.2)."""
    layers = run.backprops
    shown = shown_layers(len(layers))
    bound = max(float(np.quantile(np.abs(layers[i]), 0.995)) for i in shown) or 1.0
    title = f"back-propagated gradients dL/dz, {run.activation}, {run.scheme}, {run.depth} layers"
    return _histograms(layers, (-bound, bound), title, path)


def _std_panels(runs, rows, path, title):
    """One panel per activation (columns) and statistic (rows): std against layer, log scale."""
    ticker = require("matplotlib.ticker", needed_for="--plot", package="matplotlib", extra="plot")
    activations = list(dict.fromkeys(r.activation for r in runs))
    fig = _figure(3.3 * len(activations), 2.6 * len(rows))
    fig.suptitle(title, fontsize=10)
    axes = fig.subplots(len(rows), len(activations), squeeze=False)
    for row, (attr, label) in enumerate(rows):
        for col, act in enumerate(activations):
            ax = axes[row][col]
            for r in runs:
                if r.activation == act:
                    values = getattr(r, attr)
                    ax.semilogy(np.arange(1, len(values) + 1), values, marker=".", label=r.scheme)
            ax.set_title(f"{act}: {label}", fontsize=9)
            ax.set_xlabel("layer", fontsize=8)
            ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
            ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    return _save(fig, path)


def activation_std_by_layer(runs, path: str) -> str:
    depth = runs[0].depth
    return _std_panels(runs, [("stds", "activation std")], path,
                       f"activation std per layer, {depth} hidden layers")


def gradient_std_by_layer(runs, path: str) -> str:
    depth = runs[0].depth
    return _std_panels(runs, [("backprop_stds", "std of dL/dz"), ("weight_grad_stds", "std of dL/dW")],
                       path, f"gradient std per layer, {depth} hidden layers (output at the right)")


def training_curves(runs, path: str, *, window: int = 25) -> str:
    """Smoothed minibatch loss per init (Saito section 6.2.4, on the digits data)."""
    from .training import smooth

    fig = _figure(5.0, 3.4)
    ax = fig.subplots()
    for r in runs:
        ax.plot(np.arange(len(r.losses)), smooth(r.losses, window), label=r.scheme)
    ax.axhline(np.log(10), color="gray", lw=0.8, ls=":", label="ln 10")
    ax.set_xlabel("iteration")
    ax.set_ylabel(f"loss (moving average of {window})")
    ax.set_ylim(0, 2.6)
    ax.set_title("MLP 64-100-100-100-100-10, ReLU, SGD lr 0.01, batch 128", fontsize=9)
    ax.legend(fontsize=8)
    return _save(fig, path)
