"""Builds the one extension, wi._core: Cython glue plus the plain C core in src/wi/csrc.

OpenMP is probed first (as scikit-learn does): with it the core runs on threads; without
it the build warns and produces a serial core that passes the same tests. SIMD kernels are
compiled for their ISA by pragmas inside their own files, never with -march=native, and
nothing is built with -ffast-math: the values must be identical on every machine.
"""
import os
import tempfile
import textwrap
import warnings

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CSRC = os.path.join("src", "wi", "csrc")
C_SOURCES = ["cpu.c", "fork.c", "parallel.c", "fill.c", "region.c", "pages.c", "kernel_portable.c", "kernel_avx2.c", "kernel_avx512.c"]
BASE_FLAGS = ["-O3", "-std=c11", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wno-psabi"]

OPENMP_PROBE = textwrap.dedent(
    """
    #include <omp.h>
    int main(void) {
        int n = 0;
        #pragma omp parallel reduction(+:n)
        n += 1;
        return n > 0 ? 0 : 1;
    }
    """
)


def openmp_flags(compiler):
    """Return the OpenMP compile/link flag if a test program builds with it, else None."""
    if os.environ.get("WI_DISABLE_OPENMP"):
        return None
    flag = "/openmp" if compiler.compiler_type == "msvc" else "-fopenmp"
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(OPENMP_PROBE)
        try:
            objs = compiler.compile([src], output_dir=tmp, extra_postargs=[flag])
            compiler.link_executable(objs, "probe", output_dir=tmp, extra_postargs=[flag])
        except Exception:  # any compiler or linker failure means "no OpenMP"
            return None
    return flag


class BuildExt(build_ext):
    def build_extensions(self):
        flag = openmp_flags(self.compiler)
        for ext in self.extensions:
            if flag:
                ext.extra_compile_args.append(flag)
                ext.extra_link_args.append(flag)
            else:
                warnings.warn(
                    "OpenMP not found: building weightinit's core without threads "
                    "(fills run on the calling thread; values are unchanged)."
                )
        super().build_extensions()


extra = list(BASE_FLAGS)
if os.environ.get("WI_PORTABLE_W"):  # test builds: the portable kernel with AVX-512's 16-lane layout
    extra.append(f"-DWI_PORTABLE_W={int(os.environ['WI_PORTABLE_W'])}")
if os.environ.get("WI_SANITIZE"):
    extra += ["-O1", "-g", "-fno-omit-frame-pointer", f"-fsanitize={os.environ['WI_SANITIZE']}"]

ext = Extension(
    "wi._core",
    sources=[os.path.join("src", "wi", "_core.pyx")] + [os.path.join(CSRC, s) for s in C_SOURCES],
    include_dirs=[CSRC, numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    extra_compile_args=extra,
    extra_link_args=[f"-fsanitize={os.environ['WI_SANITIZE']}"] if os.environ.get("WI_SANITIZE") else [],
)

setup(
    ext_modules=cythonize([ext], language_level=3, include_path=[CSRC], compiler_directives={"boundscheck": False, "wraparound": False}),
    cmdclass={"build_ext": BuildExt},
)
