"""The report `python -m wi bench` prints: a Markdown table, one row per case, printed as each
case finishes (so a long run shows progress).

Markdown so a run can be pasted straight into docs/benchmarks.md.
"""

COLUMNS = ("init", "dtype", "size", "threads", "wi time", "Gsamples/s", "GB/s", "x memset", "x memset-N",
           "memset N/1", "fresh time", "fresh x memset", "fresh x memset-N", "vs numpy", "vs torch")
WIDTHS = (14, 7, 6, 7, 9, 10, 6, 8, 10, 10, 10, 14, 16, 8, 8)


def legend(n_thread_method):
    """The lines explaining the columns; n_thread_method names what the N-thread ceiling ran on."""
    return [
        "wi time: median seconds per fill of a touched buffer; Gsamples/s and GB/s: wi's throughput "
        "(GB = 1e9 bytes written)",
        "x memset: wi's time / buf.fill(1.0)'s (one thread) on the same buffer in the same run",
        "x memset-N: wi's time / a constant fill of the same buffer on N threads (N = the threads column), "
        "same run; N-thread constant fill: " + n_thread_method,
        "memset N/1: the 1-thread constant fill's time / the N-thread one's (above 1: N threads write faster)",
        "fresh time: np.empty + wi's fill, timed together (first-touch page faults included); "
        "fresh x memset(-N): that time / np.empty + a 1-thread (N-thread) constant fill's",
        "vs numpy, vs torch: their time / wi's time (above 1: wi is faster); NumPy is single-threaded, "
        "torch runs on N threads",
    ]


def format_size(n):
    """256, 4Ki, 64Ki, 1Mi ...: exact binary multiples get a suffix, other sizes stay digits."""
    for suffix, unit in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if n >= unit and n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)


def format_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g}{unit}"
    return f"{seconds / 1e-9:.3g}ns"


def _ratio(x):
    """Two decimals; two significant digits below 0.1 (a stalled ceiling must not print 0.00)."""
    return f"{x:.2f}" if x >= 0.1 else f"{x:.2g}"


class Table:
    """Prints the header once, then one line per row; columns not run are left out."""

    def __init__(self, show_numpy=True, show_torch=True, write=print):
        keep = {"vs numpy": show_numpy, "vs torch": show_torch}
        self.columns = [(c, w) for c, w in zip(COLUMNS, WIDTHS) if keep.get(c, True)]
        self.write = write

    def _line(self, cells):
        return "| " + " | ".join(str(cell).rjust(w) for cell, (_, w) in zip(cells, self.columns)) + " |"

    def header(self):
        self.write(self._line([c for c, _ in self.columns]))
        self.write("|" + "|".join("-" * (w + 1) + ":" for _, w in self.columns) + "|")

    def row(self, r):
        cells = {
            "init": r.init,
            "dtype": r.dtype,
            "size": format_size(r.size),
            "threads": r.threads,
            "wi time": format_time(r.times["wi"]),
            "Gsamples/s": f"{r.samples_per_s() / 1e9:.3f}",
            "GB/s": f"{r.bytes_per_s() / 1e9:.2f}",
            "x memset": _ratio(r.ratio("wi", "memset")),
            "x memset-N": _ratio(r.ratio("wi", "memset_n")),
            "memset N/1": _ratio(r.ratio("memset", "memset_n")),
            "fresh time": format_time(r.times["fresh_wi"]),
            "fresh x memset": _ratio(r.ratio("fresh_wi", "fresh_memset")),
            "fresh x memset-N": _ratio(r.ratio("fresh_wi", "fresh_memset_n")),
            "vs numpy": _ratio(r.speedup_over("numpy")) if "numpy" in r.times else "-",
            "vs torch": _ratio(r.speedup_over("torch")) if "torch" in r.times else "-",
        }
        self.write(self._line([cells[c] for c, _ in self.columns]))
