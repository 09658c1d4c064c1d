"""`python -m wi info | bench | experiment`: the command-line entry points."""
import argparse
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["experiment"]:  # issue 6: its own options, parsed in wi.experiments.cli
        from .experiments.cli import main as experiment_main

        return experiment_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m wi", description="weightinit command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="print version, backend, SIMD path, thread pool and thread count")
    sub.add_parser("experiment", help="rerun the classic initialisation experiments (see: experiment --help)")
    from .benchmarking.cli import add_arguments as add_bench_arguments

    add_bench_arguments(sub.add_parser("bench", help="time wi against NumPy, torch and the memset ceilings (or --kernel, --small); print a table"))
    args, rest = parser.parse_known_args(argv)
    if args.command == "info":
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        from ._config import show_config

        show_config()
    elif args.command == "bench":
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        from .benchmarking.cli import check as check_bench_options, run as run_bench

        check_bench_options(args, parser.error)
        return run_bench(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
