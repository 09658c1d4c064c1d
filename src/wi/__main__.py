"""`python -m wi info | bench | experiment`: the command-line entry points."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m wi", description="weightinit command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="print version, backend, SIMD path, OpenMP runtime and thread count")
    args, rest = parser.parse_known_args(argv)
    if args.command == "info":
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        from ._config import show_config

        show_config()
    return 0


if __name__ == "__main__":
    sys.exit(main())
