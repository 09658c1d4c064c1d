"""Builds the one extension, wi._core: Cython glue plus the plain C core in src/wi/csrc.

The extension is optional: if it does not compile (no C compiler, one below the floor in
csrc/wi_compiler.h), the build warns and installs the pure-NumPy package, which gives the
same values more slowly (`python -m wi info` then says backend numpy).
WI_REQUIRE_EXTENSION=1 makes that an error (release builds).

OpenMP is probed first, as scikit-learn does: a test program must compile, link and run
with it. With it the core runs on threads; without it the build warns and produces a serial
core that passes the same tests. WI_REQUIRE_OPENMP=1 makes a missing OpenMP an error
(release builds); WI_DISABLE_OPENMP=1 builds without it on purpose (the TSan job).

SIMD kernels are compiled for their ISA by pragmas inside their own files, never with
-march=native, and nothing is built with -ffast-math: the values must be identical on every
machine.
"""
import os
import subprocess
import sysconfig
import tempfile
import textwrap
import warnings

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CSRC = os.path.join("src", "wi", "csrc")
C_SOURCES = ["cpu.c", "fork.c", "parallel.c", "fill.c", "region.c", "pages.c",
             "kernel_portable.c", "kernel_avx2.c", "kernel_avx512.c"]
BASE_FLAGS = ["-O3", "-std=c11", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wno-psabi"]
# The AVX2 and AVX-512 kernels are x86-64 code (empty files elsewhere): only an x86-64 target
# builds them; every other architecture gets the portable kernel alone (scripts/cross_check.sh).
X86_KERNELS = ["kernel_avx2.c", "kernel_avx512.c"]
OPENMP_FLAG = "-fopenmp"  # GCC and Clang (the only compilers the core builds with)

# Prints the team size: a run that prints nothing (or exits non-zero) means no usable OpenMP.
OPENMP_PROBE = textwrap.dedent(
    """
    #include <omp.h>
    #include <stdio.h>
    int main(void) {
        int n = 0;
        #pragma omp parallel num_threads(2) reduction(+:n)
        n += 1;
        printf("%d\\n", n);
        return n == 2 ? 0 : 1;
    }
    """
)


def core_sources(platform=sysconfig.get_platform()):
    """C_SOURCES for the target platform (e.g. linux-x86_64, linux-aarch64)."""
    x86_64 = platform.endswith(("x86_64", "amd64"))
    return [s for s in C_SOURCES if x86_64 or s not in X86_KERNELS]


def _flag(name):
    return os.environ.get(name, "").strip() not in ("", "0")


def openmp_flag(compiler):
    """The OpenMP flag if a test program compiles, links and runs with it, else None."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(OPENMP_PROBE)
        try:
            objs = compiler.compile([src], output_dir=tmp, extra_postargs=[OPENMP_FLAG])
            compiler.link_executable(objs, "probe", output_dir=tmp, extra_postargs=[OPENMP_FLAG])
            out = subprocess.run([os.path.join(tmp, "probe")], capture_output=True, text=True, timeout=60)
        except Exception:  # any compiler, linker or loader failure means "no OpenMP"
            return None
    return OPENMP_FLAG if out.returncode == 0 and out.stdout.strip() == "2" else None


class BuildExt(build_ext):
    """Adds OpenMP when it works; turns a failed compile into a warning (see the module doc)."""

    def build_extensions(self):
        flag = None if _flag("WI_DISABLE_OPENMP") else openmp_flag(self.compiler)
        if flag is None and _flag("WI_REQUIRE_OPENMP") and not _flag("WI_DISABLE_OPENMP"):
            raise RuntimeError("WI_REQUIRE_OPENMP=1 but no working OpenMP was found (the probe program "
                               "did not compile, link and run with -fopenmp)")
        for ext in self.extensions:
            if flag:
                ext.extra_compile_args.append(flag)
                ext.extra_link_args.append(flag)
            elif not _flag("WI_DISABLE_OPENMP"):
                warnings.warn("OpenMP not found: building weightinit's core without threads "
                              "(fills run on the calling thread; values are unchanged).")
        super().build_extensions()

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
    extra_compile_args=extra,
    extra_link_args=[f"-fsanitize={os.environ['WI_SANITIZE']}"] if os.environ.get("WI_SANITIZE") else [],
)

setup(
    ext_modules=cythonize([ext], language_level=3, include_path=[CSRC], compiler_directives={"boundscheck": False, "wraparound": False}),
    cmdclass={"build_ext": BuildExt},
)
