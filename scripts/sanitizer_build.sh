# Sourced by scripts/sanitize.sh and scripts/tsan.sh from the repo root: sets PYTHON and CC
# (overridable), WORK (a scratch directory removed on exit) and defines build_sanitized.
PYTHON=${PYTHON:-python}
CC=${CC:-gcc}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

#
# build_sanitized JOB LIB [VAR=value ...]: copies the sources to $WORK/tree, builds wi._core
# there in place with the given environment (e.g. WI_SANITIZE=thread), and checks the module
# links lib$LIB. Sets TREE (the copy) and RUNTIME (the path of lib$LIB.so, for LD_PRELOAD).
# The normal in-place build and any installed wi are left alone.
build_sanitized() {
    local job=$1 lib=$2 so
    shift 2
    "$PYTHON" -c "import Cython, setuptools" 2>/dev/null || {
        echo "$job: needs Cython and setuptools in this environment: pip install 'Cython>=3.0,<4' 'setuptools>=77'" >&2
        exit 2
    }
    TREE="$WORK/tree"
    mkdir -p "$TREE"
    cp -r setup.py pyproject.toml README.md src "$TREE"/
    find "$TREE/src" \( -name '*.so' -o -name '*.pyd' -o -name '__pycache__' \) -prune -exec rm -rf {} +
    (cd "$TREE" && env "$@" "$PYTHON" setup.py -q build_ext --inplace >"$WORK/build.log" 2>&1) \
        || { cat "$WORK/build.log"; exit 1; }
    so=$(ls "$TREE"/src/wi/_core*.so)
    RUNTIME=$("$CC" -print-file-name="lib$lib.so")
    [ -f "$RUNTIME" ] || { echo "$job: lib$lib not found ($RUNTIME)" >&2; exit 1; }
    ldd "$so" | grep "lib$lib" >/dev/null || { echo "$job: $so is not linked with lib$lib" >&2; exit 1; }
}
