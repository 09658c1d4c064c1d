"""What a wi.torch.reproducible block did: per parameter, the random calls made on it."""
from __future__ import annotations

from typing import NamedTuple


class CallRecord(NamedTuple):
    """One random call on a parameter: the k-th (``index``) draws from stream element
    ``index * 2**48`` on; ``elements`` is how many elements it wrote (0 if skipped)."""

    index: int
    function: str  # e.g. "torch.nn.init.normal_", "Tensor.uniform_"
    distribution: str
    arguments: dict
    elements: int
    note: str = ""  # e.g. "skipped: _is_hf_initialized"


class ParamRecord:
    """A parameter (or buffer) of the model: canonical name, global shape, stream, calls."""

    __slots__ = ("name", "shape", "stream", "calls")

    def __init__(self, name, shape, stream):
        self.name, self.shape, self.stream, self.calls = name, shape, stream, []

    def __repr__(self):
        return f"ParamRecord(name={self.name!r}, shape={self.shape}, calls={len(self.calls)})"


def table(records) -> str:
    """The records as a text table: one row per call (a parameter with none shows '-')."""
    head = ("parameter", "shape", "call", "function", "distribution", "elements")
    rows = []
    for r in records:
        shape = "x".join(map(str, r.shape)) or "()"
        if not r.calls:
            rows.append((r.name, shape, "-", "-", "(no random call)", "0"))
        for c in r.calls:
            dist = c.distribution + (f"  [{c.note}]" if c.note else "")
            rows.append((r.name, shape, str(c.index), c.function, dist, str(c.elements)))
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths[:-1]) + "  {:>" + str(widths[-1]) + "}"
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*row) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
