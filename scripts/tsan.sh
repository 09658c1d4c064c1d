#!/usr/bin/env bash
# ThreadSanitizer job: the C core built with -fsanitize=thread, exercised by
#   1. tests/c/fill_threads.c: several pthreads calling the C fill API at once (plain and
#      region fills, every kernel, racing to the first CPU detection, while another thread
#      changes the thread settings), each fill on its caller and wi's pool (csrc/pool.c), with
#      callers of different thread counts sharing the helpers; then the pool's shutdown;
#   2. tests/test_concurrency.py, tests/test_fork.py and tests/test_threads.py against a TSan
#      build of wi._core: Python threads filling at once on the pool, forks, exit.
# Any TSan report fails the run (halt_on_error, exitcode, and a grep of every log).
#
# The pool is our own C code on pthreads and C11 atomics, all of which TSan sees: it is
# checked like the rest of the core, with nothing of ours suppressed. (Under OpenMP it could
# not be: libgomp is not TSan-instrumented.) The one suppression (scripts/tsan.supp) is in
# glibc's dynamic loader. TSan cannot follow a child that starts threads after a
# multi-threaded fork (it says so and stops checking there; die_after_fork=0 lets the child
# run on), so the fork tests' children are checked for values and hangs, not races.
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
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:die_after_fork=0:log_path=$REPORTS/tsan:suppressions=$ROOT/scripts/tsan.supp"

reported() {  # a TSan report in a log file or the reports directory
    compgen -G "$REPORTS/*" >/dev/null || grep -qE 'WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer' "$@"
}
fail() {
    cat "$REPORTS"/* >&2 2>/dev/null || true
    echo "tsan: FAILED: $*" >&2
    exit 1
}

run_checked() {  # run_checked WHAT LOG CMD...: run CMD, show its log, fail on a report or an error
    local what=$1 log=$2 status
    shift 2
    set +e
    "$@" >"$log" 2>&1
    status=$?
    set -e
    cat "$log"
    reported "$log" && fail "a report from $what"
    [ "$status" -eq 0 ] || fail "$what exited with $status"
}

python_tests() (  # the Python thread tests against the TSan build in $TREE (a subshell: cd, env)
    cd "$TREE"
    export PYTHONPATH="$TREE/src${PYTHONPATH:+:$PYTHONPATH}"
    export LD_PRELOAD="$LIBTSAN"
    "$PYTHON" -c "import wi; assert wi.__file__.startswith('$TREE'), wi.__file__; print('testing', wi._backend.core.__file__)"
    "$PYTHON" -m pytest -q -p no:cacheprovider --rootdir "$TREE" -c "$TREE/pyproject.toml" -m "not stats" \
        "$ROOT/tests/test_concurrency.py" "$ROOT/tests/test_fork.py" "$ROOT/tests/test_threads.py" "$@"
)

echo "== tsan: C harness, several pthreads filling at once on the pool =="
"$CC" -O1 -g -std=c11 -ffp-contract=off -fno-omit-frame-pointer -fsanitize=thread -pthread \
    -I"$CSRC" tests/c/fill_threads.c "${CORE[@]/#/$CSRC/}" -o "$WORK/fill_threads" -lm
run_checked "the harness" "$WORK/harness.log" "$WORK/fill_threads" 4 3

echo "== tsan: building wi._core with -fsanitize=thread =="
build_sanitized tsan tsan WI_SANITIZE=thread
LIBTSAN=$RUNTIME

echo "== tsan: concurrency, fork and thread tests against the TSan build =="
run_checked "the Python tests" "$WORK/pytest.log" python_tests "$@"
echo "tsan: OK (no ThreadSanitizer reports)"
