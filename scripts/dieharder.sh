#!/usr/bin/env bash
# Pipe wi's raw Philox4x32-10 stream into dieharder's full battery and summarise it.
# Not part of the test suite: the full battery (-a) reads hundreds of GB and takes hours.
#
#   scripts/dieharder.sh [SEED] [STREAM] [OUT]      (defaults: 0 0 dieharder-SEED-STREAM.txt)
#   DIEHARDER_ARGS="-d 0" scripts/dieharder.sh      (one test instead of -a)
#
# Needs Debian's dieharder (apt-get install dieharder) and wi importable by `python`
# (run from the repo root after an in-place build with PYTHONPATH=src, or with wi installed).
# The words are those of wi.fill_raw(seed=SEED, stream=STREAM) in order: block 0 words
# x0..x3, block 1, ... as little-endian uint32, read by dieharder's raw stdin generator (-g 200).
# Exits non-zero if any test FAILED. The results are recorded in docs/quality.md.
set -euo pipefail
SEED=${1:-0}
STREAM=${2:-0}
OUT=${3:-dieharder-$SEED-$STREAM.txt}
PYTHON=${PYTHON:-python}
command -v dieharder >/dev/null || { echo "dieharder not found: apt-get install -y dieharder" >&2; exit 2; }

writer() {
    "$PYTHON" -c '
import sys, numpy as np, wi
g = wi.Generator(int(sys.argv[1]), stream=int(sys.argv[2]))
buf = np.empty(1 << 20, np.uint32)
out = sys.stdout.buffer
try:
    while True:
        out.write(g.fill_raw(buf).data)
except (BrokenPipeError, ValueError):  # dieharder closed the pipe (or the stream ended)
    pass
' "$SEED" "$STREAM" 2>/dev/null
}

echo "# wi raw stream seed=$SEED stream=$STREAM (wi.fill_raw words in order), $(dieharder -h 2>/dev/null | grep -o "dieharder version [0-9.]*" | head -1)" >"$OUT"
echo "# started $(date -u +%FT%TZ): dieharder ${DIEHARDER_ARGS:--a} -g 200" >>"$OUT"
# shellcheck disable=SC2086
writer | dieharder ${DIEHARDER_ARGS:--a} -g 200 >>"$OUT" || true
echo "# finished $(date -u +%FT%TZ)" >>"$OUT"

passed=$(grep -c '|  PASSED' "$OUT" || true)
weak=$(grep -c '|   WEAK' "$OUT" || true)
failed=$(grep -c '|  FAILED' "$OUT" || true)
echo "dieharder seed=$SEED stream=$STREAM: PASSED=$passed WEAK=$weak FAILED=$failed (details in $OUT)"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
