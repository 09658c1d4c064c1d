#!/usr/bin/env bash
# Build wi._core with Clang in a scratch copy of the sources
# and run the core tests against it: the Philox known answers, invariance across threads,
# chunks and SIMD paths, region fills, the transforms' edge words, buffer boundaries and the
# golden digests on every SIMD path this CPU has.
#
#   scripts/test_clang.sh [pytest args]       (from a git checkout, the venv active; needs
#                                              clang, Cython and setuptools)
# CLANG names the compiler (default clang). The normal build and any installed wi are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python}
CLANG=${CLANG:-clang}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== clang: building wi._core with $("$CLANG" --version | head -n 1) =="
mkdir "$WORK/tree"
git ls-files -z src setup.py pyproject.toml README.md tests | xargs -0 cp --parents -t "$WORK/tree"
(cd "$WORK/tree" && CC="$CLANG" WI_REQUIRE_EXTENSION=1 \
    "$PYTHON" setup.py -q build_ext --inplace >"$WORK/build.log" 2>&1) || { cat "$WORK/build.log"; exit 1; }
so=$(ls "$WORK"/tree/src/wi/_core*.so)
# proof of the compiler: clang's mark in the object's .comment
readelf -p .comment "$so" | grep -q 'clang version' || { echo "clang: $so was not compiled by clang" >&2; exit 1; }

cd "$WORK/tree"
export PYTHONPATH="$WORK/tree/src"
"$PYTHON" -m wi info | tee "$WORK/info.txt"
grep -qE '^ *backend: native' "$WORK/info.txt" || { echo "clang: the compiled core did not load" >&2; exit 1; }
"$PYTHON" -m pytest -q -p no:cacheprovider -m "not stats" tests/test_philox.py tests/test_invariance.py \
    tests/test_region_core.py tests/test_extremes.py tests/test_boundaries.py tests/test_golden.py "$@"
