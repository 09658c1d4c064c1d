#!/usr/bin/env bash
# Install a binary wheel (scripts/build_wheel.sh) into a fresh venv where no compiler is
# reachable and run the test suite against it, golden digests included, from a copy of the
# tests without src/ (so the installed package is what is imported).
#
#   scripts/test_wheel.sh WHEEL [pytest args]     (from a git checkout; default args: tests)
#
# CC, CXX and LDSHARED are /bin/false and pip may not build weightinit from source
# (--only-binary), so the wheel's own compiled core must be what runs: the script checks that
# wi is the installed copy, that its backend is native, and that its core's libraries all resolve.
# WI_CONSTRAINTS (a pip constraints file, e.g. .ci/constraints.txt) pins the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL=$(realpath "$1")
shift
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CC=/bin/false CXX=/bin/false LDSHARED=/bin/false  # any compile attempt fails

python3 -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
"$PY" -m pip install --quiet --upgrade pip
constraints=()
[ -n "${WI_CONSTRAINTS:-}" ] && constraints=(-c "$(realpath "$WI_CONSTRAINTS")")
"$PY" -m pip install --quiet --only-binary weightinit "${constraints[@]}" "$WHEEL[test]"

mkdir "$WORK/tree"  # the tests and what they read (docs, examples, pytest config): no src/, no setup.py
git ls-files -z tests docs examples pyproject.toml README.md | xargs -0 cp --parents -t "$WORK/tree"
cd "$WORK/tree"
"$PY" - <<'PYEOF'
import pathlib, subprocess, wi
from wi import _backend
core = pathlib.Path(_backend.core.__file__) if _backend.core else None
assert "site-packages" in wi.__file__, f"wi imported from {wi.__file__}, not the installed wheel"
assert wi.backend == "native", f"the wheel's compiled core did not load (backend {wi.backend})"
libs = subprocess.run(["ldd", str(core)], capture_output=True, text=True, check=True).stdout
assert "not found" not in libs, f"the wheel's core lacks a library:\n{libs}"
print("testing", wi.__file__, "core", core.name)
PYEOF
"$PY" -m wi info
"$PY" -m pytest -q -p no:cacheprovider "${@:-tests}"
