"""Fills on a quiet and on a busy machine, one thread against the default (issue 18).

    PYTHONPATH=src python bench/busy_machine.py [--sizes 64Ki,256Ki,1Mi,4Mi,16Mi,64Mi]
        [--seconds 2] [--loads quiet,busy] [--per-core 2] [--compare OTHER/src [--label NAME]]

For each load (quiet: nothing started; busy: ``--per-core`` spinning shells per core, started
and stopped here) and each size, times ``wi.fill_he_normal`` on a touched float32 buffer with
one thread and with wi's default thread count, in alternating blocks of back-to-back fills
(src/wi/benchmarking/busy.py says why blocks). Every build is measured in a fresh interpreter:
this tree's ``src`` and, with ``--compare``, another ``src`` directory (e.g. a build of main),
alternating under the same load, so the A/B of old and new is one run. Prints a Markdown
table: medians, 90th percentiles, and default / one-thread (the goal: at most 1.5 busy, about
0.5 quiet from 1 Mi up on 2 cores). Also prints the load average before each load, since the
"quiet" rows are only as quiet as the machine.
"""
import argparse
import contextlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
sys.path.insert(0, SRC)

from wi.benchmarking import busy  # noqa: E402


def parse_size(text):
    text = text.strip()
    for suffix, shift in (("Ki", 10), ("Mi", 20)):
        if text.endswith(suffix):
            return int(text[: -len(suffix)]) << shift
    return int(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="64Ki,256Ki,1Mi,4Mi,16Mi,64Mi")
    ap.add_argument("--seconds", type=float, default=2.0, help="per size and thread count, per build")
    ap.add_argument("--loads", default="quiet,busy")
    ap.add_argument("--per-core", type=int, default=2, help="busy processes per core")
    ap.add_argument("--compare", help="another src/ directory to time in the same run (A/B)")
    ap.add_argument("--label", default="other", help="the --compare build's name in the table")
    args = ap.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    builds = {"this": SRC}
    if args.compare:
        builds[args.label] = os.path.abspath(args.compare)
    loads = [x.strip() for x in args.loads.split(",")]
    results = {}
    for load in loads:
        print(f"{load}: load average before {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs", file=sys.stderr, flush=True)
        results[load] = {label: [] for label in builds}
        ctx = busy.busy_load(args.per_core) if load == "busy" else contextlib.nullcontext()
        with ctx:
            for size in sizes:  # builds alternate size by size: drift hits both alike
                for label, src in builds.items():
                    results[load][label] += busy.measure_in_child(src, [size], (1, 0), args.seconds)
    print(busy.table(results, loads))


if __name__ == "__main__":
    main()
