"""The handwritten-digits data for the training experiment.

Saito's comparison (section 6.2.4) trains on MNIST. To keep `python -m wi experiment` free of
downloads we use the 8x8 digits that scikit-learn ships inside its package
(sklearn.datasets.load_digits: 1797 images, 10 classes, UCI optical recognition data set).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._optional import require

DESCRIPTION = ("scikit-learn's bundled 8x8 handwritten digits (sklearn.datasets.load_digits, "
               "1797 images, 10 classes; shipped inside the scikit-learn package, no download)")


@dataclass
class Digits:
    x_train: np.ndarray  # (n, 64) float64 in [0, 1]
    y_train: np.ndarray  # (n,) int64
    x_test: np.ndarray
    y_test: np.ndarray


def load(*, test_fraction: float = 0.2, seed: int = 0) -> Digits:
    """Pixels scaled to [0, 1] (as Saito normalises MNIST), split by a seeded permutation."""
    datasets = require("sklearn.datasets", needed_for="the training experiment (digits data set)",
                       package="scikit-learn", extra="experiments")
    bunch = datasets.load_digits()
    x = bunch.data.astype(np.float64) / 16.0  # pixel values are 0..16
    y = bunch.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    return Digits(x[train], y[train], x[test], y[test])
