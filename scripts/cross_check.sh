#!/usr/bin/env bash
# The same bytes on every build: the C digest driver (tests/c/golden_digests.c) over the core,
# built natively with each x86-64 compiler and run on every SIMD path this CPU has, then
# cross-compiled for aarch64 and run under qemu-user, must print exactly the digests that
# tests/c/golden_specs.py expects: the recorded golden digests (tests/data/golden_digests.json)
# of every core fill among the golden cases, the NumPy fallback's digests of fills across the
# 2^32 block carry and at the end of a stream, and region fills reassembled block by block.
# Every build uses setup.py's flags and file list for its target, plus -Wall -Wextra -Werror.
#
#   scripts/cross_check.sh          (from the repo root, with numpy and ml_dtypes importable)
#
# Needs gcc; clang is used too when present (CROSS_CCS overrides the list); aarch64 needs
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CSRC=src/wi/csrc
mapfile -t FLAGS < <("$PYTHON" scripts/c_sources.py --flags)
FLAGS+=(-Wextra -Werror -pthread)
DRIVER=(tests/c/golden_digests.c tests/c/sha256.c)
failures=0

echo "== cross_check: the cases and their expected digests (on the NumPy fallback) =="
PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" tests/c/golden_specs.py "$WORK/cases" "$WORK/expected"

# build NAME CC MACHINE: the driver and the core's files for MACHINE, warnings as errors
build() {
    local name=$1 cc=$2 machine=$3 core
    mapfile -t core < <("$PYTHON" scripts/c_sources.py --machine "$machine")
    "$cc" "${FLAGS[@]}" -I"$CSRC" "${DRIVER[@]}" "${core[@]/#/$CSRC/}" -o "$WORK/$name" -lm
    echo "built $name with $("$cc" --version | head -n 1)"
}

# check LABEL COMMAND...: the command's digests must equal the expected ones, line for line
check() {
    local label=$1
    shift
    if "$@" <"$WORK/cases" >"$WORK/out" && diff -q "$WORK/expected" "$WORK/out" >/dev/null; then
        echo "  $label: $(wc -l <"$WORK/out") digests match"
    else
        echo "  $label: FAILED" >&2
        diff "$WORK/expected" "$WORK/out" | head -n 20 >&2 || true
        failures=$((failures + 1))
    fi
}

CROSS_CCS=${CROSS_CCS:-gcc $(command -v clang >/dev/null && echo clang)}
for cc in $CROSS_CCS; do
    echo "== cross_check: x86-64, $cc =="
    build "driver_$cc" "$cc" x86_64
    "$WORK/driver_$cc" --selftest
    for simd in $("$WORK/driver_$cc" --list); do
        for threads in 1 2; do
            check "$cc $simd, $threads thread(s)" "$WORK/driver_$cc" --simd "$simd" --threads "$threads"
        done
    done
done

echo "== cross_check: aarch64 (aarch64-linux-gnu-gcc, run under qemu-aarch64) =="
build driver_aarch64 aarch64-linux-gnu-gcc aarch64
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu  # the cross toolchain's loader and libc
readelf -h "$WORK/driver_aarch64" | grep -q 'Machine: *AArch64' || { echo "driver_aarch64 is not an aarch64 binary" >&2; exit 1; }
qemu-aarch64 "$WORK/driver_aarch64" --selftest
for threads in 1 3; do
    check "aarch64 $(qemu-aarch64 "$WORK/driver_aarch64" --list | paste -sd,), $threads thread(s)" \
        qemu-aarch64 "$WORK/driver_aarch64" --threads "$threads"
done

if [ "$failures" -ne 0 ]; then
    echo "cross_check: FAILED ($failures runs differ from the expected digests)" >&2
    exit 1
fi
echo "cross_check: OK (every build, path and thread count gives the expected bytes)"
