#!/usr/bin/env bash
# Build wi._core with AddressSanitizer + UndefinedBehaviorSanitizer in a scratch copy of
# the sources and run the core tests against it. Any sanitizer report fails the run
# (-fno-sanitize-recover=all, halt_on_error=1, and a final grep of the log).
#
#   scripts/sanitize.sh [extra pytest args]       (from the repo root, the venv active)
#
# The normal in-place build and any installed wi are left alone: the sanitized copy lives
# in a temporary directory and is put first on PYTHONPATH.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/sanitizer_build.sh
source scripts/sanitizer_build.sh  # PYTHON, CC, WORK, build_sanitized

echo "== sanitize: building wi._core with -fsanitize=address,undefined =="
build_sanitized sanitize asan WI_SANITIZE=address,undefined CFLAGS="${CFLAGS:-} -fno-sanitize-recover=all"
LIBASAN=$RUNTIME

# Core tests: everything that drives the compiled fill path. Not the statistics (slow),
# the 1 GiB RSS test (ASan's shadow memory makes RSS meaningless) or the sdist build.
TESTS=(test_philox.py test_invariance.py test_api.py test_bad_input.py test_boundaries.py
       test_extremes.py test_concurrency.py test_fork.py test_properties.py)
ARGS=()
for t in "${TESTS[@]}"; do [ -f "tests/$t" ] && ARGS+=("$ROOT/tests/$t"); done

echo "== sanitize: running ${#ARGS[@]} test modules under ASan/UBSan =="
LOG="$WORK/pytest.log"
REPORTS="$WORK/reports"
mkdir -p "$REPORTS"
set +e
(
    cd "$TREE"  # rootdir with the project's pytest config; tests import wi from the copy
    export PYTHONPATH="$TREE/src${PYTHONPATH:+:$PYTHONPATH}"
    export LD_PRELOAD="$LIBASAN"
    # reports also go to files, so one from a subprocess or forked child is caught even if
    # its exit status is swallowed
    export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_odr_violation=0:allocator_may_return_null=1:log_path=$REPORTS/asan"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$REPORTS/ubsan"
    export PYTHONMALLOC=malloc  # every Python object its own heap block, so ASan sees overflows
    export WI_SANITIZED=1
    "$PYTHON" -c "import wi, sys; assert wi.__file__.startswith('$TREE'), wi.__file__; print('testing', wi._backend.core.__file__, 'simd', wi._backend.simd_supported())"
    "$PYTHON" -m pytest -q -p no:cacheprovider --capture=sys --rootdir "$TREE" -c "$TREE/pyproject.toml" -m "not stats" "${ARGS[@]}" "$@"
) 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
if compgen -G "$REPORTS/*" >/dev/null; then
    cat "$REPORTS"/* >&2
    echo "sanitize: FAILED: a sanitizer wrote a report (above)" >&2
    exit 1
fi
if grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer' "$LOG"; then
    echo "sanitize: FAILED: a sanitizer reported an error (see above)" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "sanitize: FAILED: pytest exited with $status" >&2
    exit "$status"
fi
echo "sanitize: OK (no ASan/UBSan reports)"
