"""Input for the C digest driver (tests/c/golden_digests.c) and the digests it must print.

    python tests/c/golden_specs.py CASES EXPECTED      (from the repo root, PYTHONPATH=src)

Runs on the NumPy fallback (WI_BACKEND=numpy is set here), an implementation of the stream
contract independent of the C core, and writes:

- CASES: one line per fill, the core's arguments (wi_fill_spec's fields) exactly as wi passed
  them, recorded while the fill ran:
  * every core fill of tests/golden/cases.py (raw, uniform, normal, truncated normal in the
    centre and both tails, Xavier/He; float32, float64, float16, bfloat16; lengths 1, 7, 1000,
    65549 and 2^20; seeds and streams at the ends of their 64-bit ranges, odd first lanes);
  * fills whose block counter crosses 2^32 (the carry into counter word 1) and ends at
    2^64 - 1 (the last block of a stream), at odd lanes and odd lengths;
  * region fills: some of those arrays cut into odd blocks (rows, columns, 3-D boxes), each
    block filled on its own with wi_fill_region, reassembled by the driver.
- EXPECTED: "NAME SHA256" per line, in the same order: the recorded golden digest where the
  case is a golden one (checked here against the fallback's bytes first), the fallback's digest
  otherwise, and for a region case the digest of the whole array's plain fill.

A driver build passes when its output equals EXPECTED line for line (scripts/cross_check.sh).
"""
import hashlib
import json
import os
import pathlib
import sys

os.environ["WI_BACKEND"] = "numpy"  # before wi is imported: every fill goes through _backend.fill
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tests/, for golden.cases

import numpy as np  # noqa: E402

import wi  # noqa: E402
from wi import _backend  # noqa: E402
from wi import _contract as contract  # noqa: E402
from golden import cases  # noqa: E402

assert _backend.core is None, "golden_specs must run on the NumPy fallback"


def _record(make):
    """Runs one fill case; returns its bytes and the kernel arguments wi passed to the backend."""
    calls = []
    real_fill = _backend.fill

    def recording_fill(target, dist, seed, stream, block, lane, params, region=None):
        calls.append((target.dtype, dist, target.n, seed, stream, block, lane, tuple(params), region))
        return real_fill(target, dist, seed, stream, block, lane, params, region)

    _backend.fill = recording_fill
    try:
        out = make()
    finally:
        _backend.fill = real_fill
    assert len(calls) == 1 and calls[0][-1] is None, f"expected one plain fill, got {calls}"
    return np.ascontiguousarray(out).tobytes(), calls[0][:-1]


def _spec_line(name, call, region=None):
    dtype, dist, n, seed, stream, block, lane, params = call
    fields = [name, dist, dtype, n, seed, stream, block, lane] + [float(p).hex() for p in params]
    if region is not None:
        shape, cuts = region
        assert int(np.prod(shape)) == n, (name, shape, n)
        fields += [len(shape), *shape]
        for axis_cuts in cuts:
            fields += [len(axis_cuts), *axis_cuts]
    return " ".join(map(str, fields))


def golden_fills():
    """(name, call, digest) of every core fill among the golden cases, digests checked."""
    recorded = json.loads(cases.DIGESTS.read_text())
    for name, make in cases.fill_cases():
        data, call = _record(make)
        digest = hashlib.sha256(data).hexdigest()
        assert digest == recorded[name], f"{name}: the fallback no longer gives the recorded digest"
        yield name, call, digest


# Fills near the counter's edges: (dist name, dtype, n, first element as (block, lane)).
EDGE_FILLS = {
    "raw": lambda b, **k: wi.fill_raw(b, **k),
    "uniform": cases.FILLS["uniform"],
    "normal": cases.FILLS["normal"],
    "trunc_upper_tail": cases.FILLS["trunc_upper_tail"],
}
EDGE_POSITIONS = {  # block, lane of element 0, and a length that crosses the edge or ends at it
    "carry32": (2**32 - 3, 1, 4099),  # through block 2^32: counter word 0 wraps, word 1 becomes 1
    "carry32_long": (2**32 - 7, 1, 65549),  # long enough for several threads, which straddle the carry
    "end64": (2**64 - 1030, 1, None),  # to the last element of the stream's last block
}


def edge_fills():
    for pos_name, (block, lane, n) in EDGE_POSITIONS.items():
        for dist_name, fill in EDGE_FILLS.items():
            dtypes = (np.uint32,) if dist_name == "raw" else (np.float32, np.float64)
            for dtype in dtypes:
                per = contract.PER_BLOCK[contract.DTYPE_TABLE[np.dtype(dtype).name][0]]
                offset = block * per + lane
                length = n if n is not None else 2**64 * per - offset  # up to the stream's end
                name = f"edge_{pos_name}_{dist_name}_{np.dtype(dtype).name}_n{length}"
                data, call = _record(lambda fill=fill, dtype=dtype, length=length, offset=offset:
                                     fill(np.empty(length, dtype), seed=2**64 - 2, stream=2**32 - 1, offset=offset))
                yield name, call, hashlib.sha256(data).hexdigest()


# Region fills: (case, global shape, cuts per axis); the case's whole fill is the reference.
REGIONS = [
    ("raw_u32_n1000_s42_t7_o3", (8, 125), ((3,), (1, 64, 100))),
    ("normal_f32_n1000_s0_t0_o0", (10, 10, 10), ((3, 7), (5,), (1, 2, 9))),
    ("normal_f64_n1000_s18446744073709551615_t4294967301_o4294967295", (40, 25), ((1, 39), (3, 24))),
    ("trunc_lower_tail_f64_n65549_s123456789_t9223372036854775819_o4294967297", (11, 59, 101), ((5,), (1, 30), (50,))),
    ("uniform_bf16_n65549_s123456789_t9223372036854775819_o4294967297", (59, 1111), ((), (555, 556, 1110))),
    ("he_normal_f16_n1048576_s7_t18446744073709551615_o5", (1024, 1024), ((1, 513, 1000), (7, 512, 1023))),
    ("xavier_uniform_f32_n1048576_s7_t18446744073709551615_o5", (1024, 1024), ((), (333,))),
    ("edge_carry32_long_normal_float64_n65549", (101, 649), ((50,), (1, 325))),
    ("edge_carry32_long_trunc_upper_tail_float32_n65549", (11, 5959), ((1, 10), (2979,))),
]


def main(cases_path, expected_path):
    cases_out, expected_out, calls = [], [], {}
    for name, call, digest in list(golden_fills()) + list(edge_fills()):
        cases_out.append(_spec_line(name, call))
        expected_out.append(f"{name} {digest}")
        calls[name] = (call, digest)
    for name, shape, cuts in REGIONS:
        call, digest = calls[name]
        label = f"region_{name}_{'x'.join(map(str, shape))}"
        cases_out.append(_spec_line(label, call, (shape, cuts)))
        expected_out.append(f"{label} {digest}")
    pathlib.Path(cases_path).write_text("\n".join(cases_out) + "\n")
    pathlib.Path(expected_path).write_text("\n".join(expected_out) + "\n")
    print(f"golden_specs: {len(cases_out)} cases ({len(REGIONS)} region fills) in {cases_path}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python tests/c/golden_specs.py CASES EXPECTED")
    main(*sys.argv[1:])
