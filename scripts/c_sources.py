"""Print the core's C files, one per line, as setup.py's C_SOURCES lists them (read without
running setup.py), so scripts that build the core by hand use the one list.

    python scripts/c_sources.py                   # for this machine (x86-64: every file)
    python scripts/c_sources.py --machine aarch64 # what setup.py builds for that target:
                                                  # X86_KERNELS only on x86_64
    python scripts/c_sources.py --flags           # setup.py's BASE_FLAGS, one per line
"""
import argparse
import ast
import pathlib
import platform

SETUP = pathlib.Path(__file__).resolve().parents[1] / "setup.py"


def setup_constants(*names):
    """The literal values assigned to names at setup.py's top level."""
    found = {}
    for node in ast.parse(SETUP.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) in names:
            found[node.targets[0].id] = ast.literal_eval(node.value)
    missing = set(names) - found.keys()
    if missing:
        raise SystemExit(f"{', '.join(sorted(missing))} not found in setup.py")
    return [found[n] for n in names]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default=platform.machine(), help="target architecture, uname -m style (default: this machine's)")
    parser.add_argument("--flags", action="store_true", help="print BASE_FLAGS instead")
    args = parser.parse_args()
    if args.flags:
        print("\n".join(*setup_constants("BASE_FLAGS")))
        return
    sources, x86_kernels = setup_constants("C_SOURCES", "X86_KERNELS")
    x86_64 = args.machine in ("x86_64", "amd64")
    print("\n".join(s for s in sources if x86_64 or s not in x86_kernels))


if __name__ == "__main__":
    main()
