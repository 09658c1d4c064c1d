"""Lazy imports of the optional dependencies, with an install hint instead of a bare ImportError."""
from __future__ import annotations

import contextlib
import importlib


class MissingDependency(ImportError):
    """An optional package needed by the requested experiment or option is not installed."""


def require(module: str, *, needed_for: str, package: str, extra: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(
            f"{needed_for} needs {package}: pip install weightinit[{extra}] (or pip install {package})"
        ) from exc


def optional(module: str):
    """The module, or None when it is not installed (for nice-to-haves such as progress bars)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def single_blas_thread():
    """Context limiting BLAS to one thread, when threadpoolctl is installed (it comes with scikit-learn).

    The experiments multiply small matrices (at most 1000 x 100 by 100 x 100): a second BLAS thread
    gains nothing there, and on a busy machine spinning BLAS threads made them ~10x slower.
    """
    threadpoolctl = optional("threadpoolctl")
    if threadpoolctl is None:
        return contextlib.nullcontext()
    return threadpoolctl.threadpool_limits(limits=1, user_api="blas")
