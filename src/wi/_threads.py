"""wi's thread pool seen from Python: threadpoolctl's control of it, and interpreter exit.

The pool is the C core's own (csrc/pool.c), not an OpenMP runtime, so threadpoolctl would not
find it among the loaded libraries by itself. `WeightinitController` (a
`threadpoolctl.LibController`) is registered with `threadpoolctl.register` as soon as
threadpoolctl is imported: now if it already is, otherwise by a one-shot import hook, so
`import wi` never pays for importing threadpoolctl. Its user API is "openmp", the role the
pool took over: `threadpool_limits(1)` and `threadpool_limits(1, user_api="openmp")` both
limit wi, as they did when the core ran on OpenMP.

At interpreter exit the pool's threads are joined (atexit), so none outlives Python.

    >>> from threadpoolctl import threadpool_limits
    >>> with threadpool_limits(limits=1):
    ...     wi.get_num_threads()
    1
"""
import atexit
import importlib.abc
import importlib.util
import sys

from . import _backend

INTERNAL_API = "weightinit"


def _controller_class(threadpoolctl):
    """The LibController for wi._core (defined once threadpoolctl is imported)."""

    class WeightinitController(threadpoolctl.LibController):
        """wi's pool in threadpoolctl: the limit is wi_set_thread_limit (wi.set_num_threads,
        when set, still takes precedence, as it did over OpenMP's)."""

        user_api = "openmp"
        internal_api = INTERNAL_API
        filename_prefixes = ("_core.",)
        check_symbols = ("wi_get_thread_limit", "wi_set_thread_limit")

        def get_num_threads(self):
            return self.dynlib.wi_get_thread_limit()

        def set_num_threads(self, num_threads):
            self.dynlib.wi_set_thread_limit(int(num_threads))

        def get_version(self):
            from . import __version__

            return __version__

    return WeightinitController


def _register(threadpoolctl):
    if not any(getattr(c, "internal_api", None) == INTERNAL_API for c in threadpoolctl._ALL_CONTROLLERS):
        threadpoolctl.register(_controller_class(threadpoolctl))


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Finds threadpoolctl's spec like the rest of sys.meta_path, and registers wi's controller
    right after the module has run. Removes itself on first use."""

    def find_spec(self, name, path=None, target=None):
        if name != "threadpoolctl":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _RegisteringLoader(spec.loader)
        return spec


class _RegisteringLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _register(module)


def install():
    """Make threadpoolctl control the pool, and join the pool's threads at exit."""
    if _backend.core is None:
        return
    atexit.register(_backend.core.shutdown_pool)
    if "threadpoolctl" in sys.modules:
        _register(sys.modules["threadpoolctl"])
    else:
        sys.meta_path.insert(0, _RegisterOnImport())
