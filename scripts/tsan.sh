#!/usr/bin/env bash
# ThreadSanitizer job: the C core built with -fsanitize=thread, exercised by
#   1. tests/c/fill_threads.c: several pthreads calling the C fill API at once (plain and
#      region fills, every kernel, racing to the first CPU detection, while another thread
#      changes the thread setting), built without OpenMP, then with OpenMP;
#   2. tests/test_concurrency.py and tests/test_fork.py against a TSan build of wi._core.
# Any TSan report fails the run (halt_on_error, exitcode, and a grep of every log).
#
# libgomp is not built with TSan: the synchronisation inside an OpenMP parallel region is
# invisible to it, so a team of threads yields false reports on our (correctly ordered)
# data. We suppress nothing. Instead the OpenMP-built harness runs with one OpenMP thread
# per fill (the serial path of the OpenMP build, no libgomp team), and the Python build is
# made without OpenMP (WI_DISABLE_OPENMP=1), its fills running on the calling threads. The
# one suppression (scripts/tsan.supp) is in glibc's dynamic loader, not in our code.
# What TSan checks is therefore everything but the inside of a libgomp team: detection,
# fork handling, settings, the driver and the kernels under concurrent callers.
#
#   scripts/tsan.sh [extra pytest args]       (from the repo root, the venv active)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/sanitizer_build.sh
source scripts/sanitizer_build.sh  # PYTHON, CC, WORK, build_sanitized
CSRC=src/wi/csrc
# the core's C files, as setup.py lists them (one list: a new file cannot be missed here)
mapfile -t CORE < <("$PYTHON" scripts/c_sources.py)
REPORTS="$WORK/reports"
mkdir -p "$REPORTS"
# scripts/tsan.supp: system-library frames only (the dynamic loader), each explained there
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:log_path=$REPORTS/tsan:suppressions=$ROOT/scripts/tsan.supp"

reported() {  # a TSan report in a log file or the reports directory
    compgen -G "$REPORTS/*" >/dev/null || grep -qE 'WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer' "$@"
}
fail() {
    cat "$REPORTS"/* >&2 2>/dev/null || true
    echo "tsan: FAILED: $*" >&2
    exit 1
}

echo "== tsan: C harness, several pthreads filling at once =="
for variant in serial openmp; do
    flags=() omp_threads=2
    if [ "$variant" = openmp ]; then flags=(-fopenmp) omp_threads=1; fi
    "$CC" -O1 -g -std=c11 -ffp-contract=off -fno-omit-frame-pointer -fsanitize=thread "${flags[@]}" \
        -I"$CSRC" tests/c/fill_threads.c "${CORE[@]/#/$CSRC/}" -o "$WORK/fill_threads_$variant" -lpthread -lm
    set +e
    "$WORK/fill_threads_$variant" 4 "$omp_threads" >"$WORK/harness_$variant.log" 2>&1
    status=$?
    set -e
    cat "$WORK/harness_$variant.log"
    reported "$WORK/harness_$variant.log" && fail "a report from the $variant harness"
    [ "$status" -eq 0 ] || fail "the $variant harness exited with $status"
done

echo "== tsan: building wi._core with -fsanitize=thread (no OpenMP: libgomp is not instrumented) =="
build_sanitized tsan tsan WI_SANITIZE=thread WI_DISABLE_OPENMP=1
LIBTSAN=$RUNTIME

echo "== tsan: concurrency and fork tests against the TSan build =="
set +e
(
    cd "$TREE"
    export PYTHONPATH="$TREE/src${PYTHONPATH:+:$PYTHONPATH}"
    export LD_PRELOAD="$LIBTSAN"
    "$PYTHON" -c "import wi; assert wi.__file__.startswith('$TREE'), wi.__file__; print('testing', wi._backend.core.__file__)"
    "$PYTHON" -m pytest -q -p no:cacheprovider --rootdir "$TREE" -c "$TREE/pyproject.toml" -m "not stats" \
        "$ROOT/tests/test_concurrency.py" "$ROOT/tests/test_fork.py" "$@"
) >"$WORK/pytest.log" 2>&1
status=$?
set -e
cat "$WORK/pytest.log"
reported "$WORK/pytest.log" && fail "a report from the Python tests"
[ "$status" -eq 0 ] || fail "pytest exited with $status"
echo "tsan: OK (no ThreadSanitizer reports)"
