"""Thread count and the configuration report (`python -m wi info`, wi.show_config())."""
import os
import platform

from . import _args
from . import _backend
from . import _threads

_threads.install()


def set_num_threads(n):
    """Use n threads for large fills; None returns to the default.

    The default is what an OpenMP runtime would use: the limit set by
    threadpoolctl.threadpool_limits (user_api "openmp" or all), else OMP_NUM_THREADS,
    else the CPUs this process may run on. Fills shorter than 128 Ki elements always run
    on the calling thread; longer ones on it and wi's pool threads.
    """
    if n is None:
        _backend.set_num_threads(0)
        return
    _backend.set_num_threads(_args.in_range(n, "n", 1, 4096, "a positive int or None"))


def get_num_threads():
    """The number of threads a large fill would use now."""
    return _backend.get_num_threads()


def _threading_description():
    if _backend.core is None:
        return "none (NumPy fallback)"
    return f"wi pool (pthreads, {_backend.core.pool_threads()} helper threads running)"


def config():
    """The facts `python -m wi info` prints, as a dict."""
    from . import __version__

    return {
        "version": __version__,
        "backend": _backend.name,
        "simd": _backend.simd_active(),
        "simd_supported": ", ".join(_backend.simd_supported()) or "none",
        "threading": _threading_description(),
        "threads": get_num_threads(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "(unset)"),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def show_config():
    """Print the version, backend, SIMD path, thread pool and thread count."""
    for key, value in config().items():
        print(f"{key:>16}: {value}")
