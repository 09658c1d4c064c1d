"""`python -m wi experiment`: rerun the classic initialisation experiments with wi's fills.

    python -m wi experiment [activations|gradients|training|all] [--quick] [--plot DIR]
                            [--depth N]... [--iterations N] [--seed N] [--ensemble K]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from . import activation_stats, gradient_stats, inits, report, training
from ._optional import MissingDependency, optional, require

ACTIVATIONS = ("sigmoid", "tanh", "relu")
QUICK_SAMPLES, QUICK_ITERATIONS = 200, 300


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="python -m wi experiment",
        description="Rerun the classic initialisation experiments with wi's fills: activation and gradient "
                    "statistics per layer (Saito 6.2, Glorot & Bengio 2010, He et al. 2015) and training "
                    "curves for std=0.01, Xavier and He.")
    p.add_argument("which", nargs="?", default="all", choices=("activations", "gradients", "training", "all"),
                   help="which experiment to run (default: all)")
    p.add_argument("--quick", action="store_true",
                   help=f"small run that finishes in seconds ({QUICK_SAMPLES} inputs, "
                        f"{QUICK_ITERATIONS} training iterations)")
    p.add_argument("--plot", metavar="DIR", help="write PNG figures to DIR (needs matplotlib)")
    p.add_argument("--depth", type=int, action="append", metavar="N",
                   help="hidden layers of the statistics nets (repeatable; default 5 and 30)")
    p.add_argument("--width", type=int, default=100, metavar="N", help="units per hidden layer (default 100)")
    p.add_argument("--samples", type=int, metavar="N", help="N(0,1) inputs for the statistics (default 1000)")
    p.add_argument("--ensemble", type=int, default=1, metavar="K",
                   help="average the per-layer statistics over K independently initialised nets (default 1)")
    p.add_argument("--iterations", type=int, metavar="N", help="training iterations (default 2000)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed for every fill and minibatch (default 0)")
    args = p.parse_args(argv)
    for name in ("width", "samples", "ensemble", "iterations"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name} must be at least 1 (got {value})")
    if args.depth and min(args.depth) < 1:
        p.error(f"--depth must be at least 1 (got {min(args.depth)})")
    args.depths = args.depth or [5, 30]
    args.samples = args.samples or (QUICK_SAMPLES if args.quick else 1000)
    args.iterations = args.iterations or (QUICK_ITERATIONS if args.quick else 2000)
    return args


def _slug(scheme: str) -> str:
    return scheme.replace("=", "")


def run_activations(args) -> None:
    runs = activation_stats.run_grid(args.depths, ACTIVATIONS, inits.ACTIVATION_SCHEMES, width=args.width,
                                     samples=args.samples, seed=args.seed, ensemble=args.ensemble,
                                     keep=bool(args.plot))
    print(report.activation_tables(runs, width=args.width, samples=args.samples, ensemble=args.ensemble))
    if args.plot:
        from . import plots

        for r in runs:
            plots.activation_histograms(
                r, os.path.join(args.plot, f"activations_d{r.depth}_{r.activation}_{_slug(r.scheme)}.png"))
        for d in args.depths:
            plots.activation_std_by_layer([r for r in runs if r.depth == d],
                                          os.path.join(args.plot, f"activation_std_d{d}.png"))


def run_gradients(args) -> None:
    runs = gradient_stats.run_grid(args.depths, ACTIVATIONS, inits.GRADIENT_SCHEMES, width=args.width,
                                   samples=args.samples, seed=args.seed, ensemble=args.ensemble,
                                   keep=bool(args.plot))
    print(report.gradient_tables(runs, width=args.width, samples=args.samples, ensemble=args.ensemble))
    if args.plot:
        from . import plots

        for r in runs:
            if r.activation != "tanh":  # Glorot & Bengio's histograms are for tanh; std plots cover all
                continue
            plots.gradient_histograms(
                r, os.path.join(args.plot, f"gradients_d{r.depth}_{r.activation}_{_slug(r.scheme)}.png"))
        for d in args.depths:
            plots.gradient_std_by_layer([r for r in runs if r.depth == d],
                                        os.path.join(args.plot, f"gradient_std_d{d}.png"))


def run_training(args, data) -> None:
    from .digits import DESCRIPTION

    schemes = inits.TRAINING_SCHEMES
    print(f"Data: {DESCRIPTION}; {len(data.y_train)} train / {len(data.y_test)} test images.")
    print("Note: Saito's figure uses MNIST (28x28, 60000 images); these are 8x8 digits.")
    tqdm = optional("tqdm")  # progress bar only if installed, and only after a second (delay)
    bar = tqdm.tqdm(total=args.iterations * len(schemes), desc="training", unit="it", delay=1.0, disable=None,
                    leave=False) if tqdm else None
    try:
        runs = training.compare(data, schemes, iterations=args.iterations, seed=args.seed,
                                on_step=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    print(report.training_table(runs))
    if args.plot:
        from . import plots

        plots.training_curves(runs, os.path.join(args.plot, "training_loss.png"))


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    selected = ("activations", "gradients", "training") if args.which == "all" else (args.which,)
    try:  # check the optional dependencies before spending time on the experiments
        if args.plot:
            require("matplotlib.figure", needed_for="--plot", package="matplotlib", extra="plot")
        data = None
        if "training" in selected:
            from . import digits

            data = digits.load(seed=args.seed)
    except MissingDependency as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import wi

    print(f"weightinit experiments: seed {args.seed}, fills from wi {getattr(wi, '__version__', '?')}"
          + (" (quick run)" if args.quick else ""))
    start = time.perf_counter()
    for name in selected:
        print(f"\n== {name} ==\n")
        if name == "activations":
            run_activations(args)
        elif name == "gradients":
            run_gradients(args)
        else:
            run_training(args, data)
    if args.plot:
        print(f"\nFigures written to {args.plot}")
    print(f"\nDone in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
