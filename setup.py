"""Builds the one extension, wi._core: Cython glue plus the plain C core in src/wi/csrc.

The extension is optional: if it does not compile (no C compiler, one below the floor in
csrc/wi_compiler.h), the build warns and installs the pure-NumPy package, which gives the
same values more slowly (`python -m wi info` then says backend numpy).
WI_REQUIRE_EXTENSION=1 makes that an error (release builds).

Threads are the core's own pool on POSIX threads (csrc/pool.c), not OpenMP: an OpenMP
region ends at a barrier that waits for every team thread, which on a busy machine turns a
sub-millisecond fill into tens of milliseconds (issue 18, docs/architecture.md).

SIMD kernels are compiled for their ISA by pragmas inside their own files, never with
-march=native, and nothing is built with -ffast-math: the values must be identical on every
machine.
"""
import os
import sysconfig
import warnings

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CSRC = os.path.join("src", "wi", "csrc")
C_SOURCES = ["cpu.c", "fork.c", "pool.c", "parallel.c", "fill.c", "region.c", "pages.c",
             "kernel_portable.c", "kernel_avx2.c", "kernel_avx512.c"]
BASE_FLAGS = ["-O3", "-std=c11", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wno-psabi"]
THREAD_FLAG = "-pthread"
# The AVX2 and AVX-512 kernels are x86-64 code (empty files elsewhere): only an x86-64 target
# builds them; every other architecture gets the portable kernel alone (scripts/cross_check.sh).
X86_KERNELS = ["kernel_avx2.c", "kernel_avx512.c"]


def core_sources(platform=sysconfig.get_platform()):
    """C_SOURCES for the target platform (e.g. linux-x86_64, linux-aarch64)."""
    x86_64 = platform.endswith(("x86_64", "amd64"))
    return [s for s in C_SOURCES if x86_64 or s not in X86_KERNELS]


def _flag(name):
    return os.environ.get(name, "").strip() not in ("", "0")


class BuildExt(build_ext):
    """Turns a failed compile into a warning (see the module doc)."""

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:  # compiler missing or failing: the NumPy fallback remains
            if _flag("WI_REQUIRE_EXTENSION"):
                raise
            self.failed = getattr(self, "failed", []) + [ext.name]
            warnings.warn(f"building {ext.name} failed ({exc}); installing the pure-NumPy weightinit "
                          "(same values, much slower). Set WI_REQUIRE_EXTENSION=1 to make this an error.")

    def copy_extensions_to_source(self):  # --inplace: only what was built
        failed = getattr(self, "failed", [])
        self.extensions = [e for e in self.extensions if e.name not in failed]
        super().copy_extensions_to_source()

    def get_outputs(self):
        return [p for p in super().get_outputs() if os.path.exists(p)]


extra = list(BASE_FLAGS)
if os.environ.get("WI_PORTABLE_W"):  # test builds: the portable kernel with AVX-512's 16-lane layout
    extra.append(f"-DWI_PORTABLE_W={int(os.environ['WI_PORTABLE_W'])}")
if os.environ.get("WI_SANITIZE"):
    extra += ["-O1", "-g", "-fno-omit-frame-pointer", f"-fsanitize={os.environ['WI_SANITIZE']}"]

ext = Extension(
    "wi._core",
    sources=[os.path.join("src", "wi", "_core.pyx")] + [os.path.join(CSRC, s) for s in core_sources()],
    include_dirs=[CSRC, numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    extra_compile_args=extra + [THREAD_FLAG],
    extra_link_args=[THREAD_FLAG] + ([f"-fsanitize={os.environ['WI_SANITIZE']}"] if os.environ.get("WI_SANITIZE") else []),
)

setup(
    ext_modules=cythonize([ext], language_level=3, include_path=[CSRC], compiler_directives={"boundscheck": False, "wraparound": False}),
    cmdclass={"build_ext": BuildExt},
)
