"""The sweep: every (init, dtype, size, threads) case, all contenders on one buffer per case."""
from dataclasses import dataclass, field

import numpy as np

from . import cases
from .timing import median_times


@dataclass
class Row:
    """One case's median seconds per fill, by contender.

    Always there: wi, memset (1 thread), memset_n (the row's thread count), and the fresh-memory
    trio fresh_wi, fresh_memset, fresh_memset_n; numpy and torch if they were run.
    """

    init: str
    dtype: str
    size: int
    threads: int
    times: dict = field(default_factory=dict)

    @property
    def nbytes(self):
        return self.size * np.dtype(self.dtype).itemsize

    def samples_per_s(self, contender="wi"):
        return self.size / self.times[contender]

    def bytes_per_s(self, contender="wi"):
        return self.nbytes / self.times[contender]

    def ratio(self, contender, ceiling):
        """contender's time over a ceiling's, both measured in this row (1.0 = the ceiling)."""
        return self.times[contender] / self.times[ceiling]

    def memset_ratio(self):
        """wi's time over the single-thread memset's on the same buffer."""
        return self.ratio("wi", "memset")

    def speedup_over(self, contender):
        """How many times faster wi is than contender (None if contender was not run)."""
        t = self.times.get(contender)
        return None if t is None else t / self.times["wi"]


def run(inits, dtypes, sizes, threads, contenders, repeat, min_time=0.01, on_row=None):
    """Time every case; returns the rows and calls on_row(row) as each one finishes.

    NumPy (single-threaded, slow at large sizes) is timed once per buffer and its time reused for
    the other thread counts; the ceilings are re-timed beside every row, round-robin with wi,
    since they are the references the ratios are taken against.
    """
    rows = []
    for init in inits:
        for dtype in dtypes:
            for size in sizes:
                buf = cases.make_buffer(size, dtype)
                numpy_time = None
                for n in threads:
                    wanted = [c for c in contenders if not (c == "numpy" and numpy_time is not None)]
                    fns = {c: cases.build(c, init, buf, n) for c in wanted}
                    row = Row(init, np.dtype(dtype).name, size, n, median_times(fns, repeat, min_time))
                    if "numpy" in contenders:
                        numpy_time = row.times.setdefault("numpy", numpy_time)
                    rows.append(row)
                    if on_row is not None:
                        on_row(row)
                    fns = None
                buf = None  # let the big buffer go before the next one is allocated
    return rows
