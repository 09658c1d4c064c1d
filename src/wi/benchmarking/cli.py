"""`python -m wi bench`: options, then run the sweep (or --kernel, or --small) and print the report."""
import argparse
import re
import sys

from . import cases

DEFAULT_SIZES = "256,4Ki,64Ki,1Mi,16Mi,64Mi"
QUICK_SIZES = "256,4Ki,64Ki"
UNITS = {"": 1, "k": 1000, "ki": 1 << 10, "m": 10**6, "mi": 1 << 20, "g": 10**9, "gi": 1 << 30}


def parse_size(text):
    """'4096', '4Ki', '1Mi', '2M' -> int number of elements."""
    m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]i?)?\s*", text)
    if not m or int(m.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (expected e.g. 256, 4Ki, 16Mi)")
    return int(m.group(1)) * UNITS[(m.group(2) or "").lower()]


def comma_list(item, choices=None):
    """An argparse type for 'a,b,c' whose items pass item() and, if given, lie in choices."""
    def parse(text):
        out = [item(part) for part in text.split(",") if part.strip()]
        bad = [x for x in out if choices is not None and x not in choices]
        if bad or not out:
            raise argparse.ArgumentTypeError(f"expected a comma list from {', '.join(choices)} (got {text!r})")
        return out
    return parse


def positive_int(text):
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer (got {text})")
    return n


def add_arguments(parser):
    """The bench sub-command's options (the parser is built in wi/__main__.py)."""
    parser.add_argument("--sizes", type=comma_list(parse_size),
                        help=f"buffer sizes in elements (default {DEFAULT_SIZES}; --quick: {QUICK_SIZES})")
    parser.add_argument("--dtype", type=comma_list(str.strip, ("float32", "float64")),
                        default=["float32", "float64"], help="float32, float64 or both (default both)")
    parser.add_argument("--init", type=comma_list(str.strip, cases.INITS), default=["he_uniform", "he_normal"],
                        help=f"from {', '.join(cases.INITS)} (default he_uniform,he_normal)")
    parser.add_argument("--threads", type=comma_list(positive_int),
                        help="thread counts for wi and torch (default 1 and wi's default, e.g. 1,2)")
    parser.add_argument("--contenders", type=comma_list(str.strip, ("numpy", "torch")), default=["numpy", "torch"],
                        help="what wi is compared with besides memset (default numpy,torch)")
    parser.add_argument("--repeat", type=positive_int, help="timings per case; the median is reported (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: sizes {QUICK_SIZES}, one repeat, short timings")
    parser.add_argument("--plot", metavar="FILE.png", help="also draw throughput against size (needs matplotlib)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--kernel", action="store_true",
                      help="the kernel microbenchmark instead: ns and cycles per word/sample, one thread, "
                           "in cache (16Ki) and out of it (64Mi; or --sizes), per SIMD path")
    mode.add_argument("--small", action="store_true",
                      help="the small-call benchmark instead: median us per call of 256-element fills "
                           "and of every wi.torch function on a 16x16 tensor, beside torch")
    parser.add_argument("--simd", type=comma_list(str.strip),
                        help="with --kernel: the SIMD paths to measure (default every one `python -m wi info` "
                             "lists as simd_supported)")


def _defaults(args):
    """Fill in what depends on --quick and on this machine."""
    import wi

    if args.sizes is None:
        args.sizes = [parse_size(s) for s in (QUICK_SIZES if args.quick else DEFAULT_SIZES).split(",")]
    if args.repeat is None:
        args.repeat = 1 if args.quick else 5
    if args.threads is None:
        args.threads = sorted({1, wi.get_num_threads()})
    return 0.001 if args.quick else 0.01  # seconds each timing must last at least


def check(args, error):
    """Reject option combinations that mean nothing, with error(message) (argparse's: exits 2)."""
    if args.simd is not None and not args.kernel:
        error("--simd applies to --kernel only")
    if args.plot and (args.kernel or args.small):
        error("--plot applies to the fill sweep, not to --kernel or --small")
    if args.kernel:
        from .machine import simd_paths

        supported = simd_paths()
        if not supported:
            error("--kernel needs wi's compiled core (`python -m wi info` lists no simd_supported paths)")
        bad = [p for p in args.simd or () if p not in supported]
        if bad:
            error(f"--simd: {', '.join(bad)} not supported here (simd_supported: {', '.join(supported)})")
        args.simd = args.simd or supported


def run(args, write=print):
    """Run the benchmark the parsed options describe; returns the exit status."""
    from . import machine

    for line in machine.describe():
        write(line)
    if args.kernel:
        return _run_kernel(args, write)
    with_torch, note = cases.torch_available()
    if args.small:
        return _run_small(args, write, with_torch, note)
    return _run_fills(args, write, with_torch, note)


def _run_kernel(args, write):
    from . import kernel

    sizes = args.sizes or ([kernel.IN_CACHE, kernel.OUT_OF_CACHE] if not args.quick else list(kernel.QUICK_SIZES))
    repeat = args.repeat or (1 if args.quick else 5)
    write(f"repeat: {repeat} (median reported), SIMD paths: {', '.join(args.simd)}")
    kernel.run(args.simd, sizes, repeat, 0.002 if args.quick else 0.02, write=write)
    return 0


def _run_small(args, write, with_torch, note):
    from . import small

    repeat = max(args.repeat or (1 if args.quick else 5), 3)
    write(f"repeat: {repeat} (median reported)")
    if note:
        write(f"wi.torch table skipped: {note}")
    min_time = 0.002 if args.quick else 0.02
    fills = small.measure_fills(repeat, min_time, with_torch)
    functions = small.measure_torch_functions(repeat, min_time) if with_torch else {}
    for line in small.lines(fills, functions):
        write(line)
    return 0


def _run_fills(args, write, with_torch, note):
    from . import ceilings, runner, small
    from .table import Table, legend

    if args.plot:
        from .plot import require_matplotlib

        require_matplotlib()
    min_time = _defaults(args)
    contenders = ["memset", "memset_n", "wi", *cases.FRESH] + list(args.contenders)
    if "torch" in contenders and not with_torch:
        contenders.remove("torch")
        write(f"torch column skipped: {note}")
    write(f"repeat: {args.repeat} (median reported), threads: {','.join(map(str, args.threads))}")
    write("")
    table = Table(show_numpy="numpy" in contenders, show_torch="torch" in contenders, write=write)
    table.header()
    rows = runner.run(args.init, args.dtype, args.sizes, args.threads, contenders, args.repeat,
                      min_time=min_time, on_row=table.row)
    write("")
    for line in legend(ceilings.n_thread_method()):
        write(line)
    for line in small.lines(small.measure_fills(max(args.repeat, 3), 5 * min_time, "torch" in contenders), {}):
        write(line)
    if args.plot:
        from .plot import plot

        plot(rows, args.plot)
        write(f"\nplot written to {args.plot}")
    return 0


def main(argv=None):
    """Stand-alone entry (`python -m wi.benchmarking.cli`); `python -m wi bench` is the usual way in."""
    parser = argparse.ArgumentParser(prog="python -m wi bench", description="time wi against NumPy, torch and memset")
    add_arguments(parser)
    args = parser.parse_args(argv)
    check(args, parser.error)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
