"""Plain-text tables of the experiment results (what `python -m wi experiment` prints)."""
from __future__ import annotations

import math

import numpy as np


def fmt(v: float) -> str:
    """Fixed point where readable, scientific for the vanishing and exploding values."""
    if v == 0 or not math.isfinite(v):
        return f"{v:g}"
    return f"{v:.3f}" if 1e-2 <= abs(v) < 1e4 else f"{v:.2e}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _by(runs, depth, activation):
    return [r for r in runs if r.depth == depth and r.activation == activation]


def _groups(runs):
    seen = []
    for r in runs:
        if (r.depth, r.activation) not in seen:
            seen.append((r.depth, r.activation))
    return seen


def activation_tables(runs, *, width: int, samples: int, ensemble: int) -> str:
    out = []
    for depth, act in _groups(runs):
        group = _by(runs, depth, act)
        headers = ["layer"] + [f"{r.scheme} {stat}" for r in group for stat in ("mean", "std")]
        rows = [[str(i + 1)] + [fmt(v) for r in group for v in (r.means[i], r.stds[i])]
                for i in range(depth)]
        rows.append(["var L/1"] + [x for r in group for x in ("", fmt(r.variances[-1] / r.variances[0]))])
        avg = f", averaged over {ensemble} nets" if ensemble > 1 else ""
        out.append(f"Activations: {depth} hidden layers x {width} {act} units, {samples} N(0,1) inputs{avg}\n"
                   + table(headers, rows))
    return "\n\n".join(out)


def gradient_tables(runs, *, width: int, samples: int, ensemble: int) -> str:
    out = []
    for depth, act in _groups(runs):
        group = _by(runs, depth, act)
        headers = ["layer"] + [f"{r.scheme} {stat}" for r in group for stat in ("dL/dz", "dL/dW")]
        rows = [[str(i + 1)] + [fmt(v) for r in group for v in (r.backprop_stds[i], r.weight_grad_stds[i])]
                for i in range(depth)]
        avg = f", averaged over {ensemble} nets" if ensemble > 1 else ""
        out.append(f"Gradient std: {depth} hidden layers x {width} {act} units + softmax(10), "
                   f"{samples} N(0,1) inputs, random labels{avg}\n" + table(headers, rows))
    return "\n\n".join(out)


def training_table(runs, *, every: int = 100) -> str:
    n = len(runs[0].losses)
    marks = [0] + list(range(every, n + 1, every))
    if marks[-1] != n:
        marks.append(n)
    headers = ["iteration"] + [r.scheme for r in runs]
    rows = [[str(m)] + [fmt(r.losses[0] if m == 0 else float(np.mean(r.losses[max(0, m - every):m])))
                        for r in runs] for m in marks]
    rows.append(["train loss"] + [fmt(r.train_loss) for r in runs])
    rows.append(["test acc"] + [f"{r.test_accuracy:.3f}" for r in runs])
    return (f"Training loss (iteration 0: first minibatch; then mean over the last {every} minibatches)\n"
            + table(headers, rows))
