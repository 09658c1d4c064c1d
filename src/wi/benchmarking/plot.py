"""Throughput against size, one line per contender and thread count, one panel per (init, dtype)."""
from .cases import SINGLE_THREADED

COLORS = {"wi": "C0", "numpy": "C2", "torch": "C3", "memset": "0.4", "memset_n": "0.4"}
LINES = ("-", "--", "-.")
MISSING = "--plot needs matplotlib: pip install matplotlib (or pip install 'weightinit[plot]')"


def require_matplotlib():
    """Raise SystemExit with an install hint unless matplotlib imports (checked before a long run)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SystemExit(MISSING) from None


def _series(rows):
    """{(init, dtype): {(contender, threads or None): [(size, samples/s)]}}.

    Single-threaded contenders (numpy, memset) appear once, from the first thread count.
    """
    panels = {}
    for r in rows:
        panel = panels.setdefault((r.init, r.dtype), {})
        for contender in r.times:
            if contender not in COLORS:  # the fresh-memory timings are in the table only
                continue
            single = contender in SINGLE_THREADED
            if single and r.threads != rows[0].threads:
                continue
            key = (contender, None if single else r.threads)
            panel.setdefault(key, []).append((r.size, r.samples_per_s(contender)))
    return panels


def plot(rows, path):
    """Write a PNG of G samples/s against buffer size (both log scale) to path."""
    # Figure without pyplot: no GUI backend, no global state, works on a headless machine.
    from matplotlib.figure import Figure

    panels = _series(rows)
    inits = sorted({i for i, _ in panels}, key=[r.init for r in rows].index)
    dtypes = sorted({d for _, d in panels})
    fig = Figure(figsize=(5.5 * len(dtypes), 4 * len(inits)), layout="constrained")
    axes = fig.subplots(len(inits), len(dtypes), squeeze=False, sharex=True)
    for (init, dtype), series in panels.items():
        ax = axes[inits.index(init)][dtypes.index(dtype)]
        threads = sorted({n for _, n in series if n is not None})
        for (contender, n), points in series.items():
            points.sort()
            label = contender if n is None else f"{contender}, {n} thr"
            # colour names the library, the line style its thread count; the ceilings (memset) dotted
            style = ":" if contender.startswith("memset") else LINES[threads.index(n) % len(LINES)] if n else "-"
            ax.plot([s for s, _ in points], [v / 1e9 for _, v in points], style, marker="o",
                    color=COLORS[contender], label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{init}, {dtype}")
        ax.set_xlabel("elements")
        ax.set_ylabel("G samples/s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.savefig(path, dpi=100)
