"""The report `python -m wi bench` prints: a Markdown table, one row per case, printed as
each case finishes (so a long run shows progress), then the hot-path comparison.

Markdown so a run can be pasted straight into docs/benchmarks.md.
"""

COLUMNS = ("init", "dtype", "size", "threads", "wi time", "Gsamples/s", "GB/s", "x memset", "vs numpy", "vs torch")
WIDTHS = (14, 7, 6, 7, 9, 10, 6, 8, 8, 8)
LEGEND = [
    "wi time: median seconds per fill; Gsamples/s and GB/s: wi's throughput (GB = 1e9 bytes written)",
    "x memset: wi's time / buf.fill(1.0)'s time on the same buffer in the same run (1.00 = memory speed)",
    "vs numpy, vs torch: their time / wi's time (above 1: wi is faster); NumPy is single-threaded",
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
    return f"{x:.2f}"


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
            "x memset": _ratio(r.memset_ratio()),
            "vs numpy": _ratio(r.speedup_over("numpy")) if "numpy" in r.times else "-",
            "vs torch": _ratio(r.speedup_over("torch")) if "torch" in r.times else "-",
        }
        self.write(self._line([cells[c] for c, _ in self.columns]))


def hot_path_lines(times):
    """The 256-element He-normal call, wi against torch, in microseconds per call."""
    lines = [
        "",
        "hot path: one 16x16 float32 layer (256 elements), He normal, median per call",
        "",
        "| call | per call |",
        "|---|---:|",
        f"| wi.fill_he_normal(buf, 16) | {times['wi'] * 1e6:.2f} us |",
    ]
    if "torch" in times:
        lines.append(f"| torch.nn.init.kaiming_normal_(16x16) | {times['torch'] * 1e6:.2f} us |")
        lines += ["", f"wi is {times['torch'] / times['wi']:.2f}x as fast as torch per call"]
    return lines
