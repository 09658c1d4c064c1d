"""What a wi.torch.reproducible block did: per parameter, the random calls made on it."""
from __future__ import annotations

from typing import NamedTuple

from ._streams import stream_id


_PARAMETER_NAMES = {"Uniform": ("low", "high"), "Normal": ("mean", "std"),
                    "TruncatedNormal": ("mean", "std", "low", "high")}


_described = {}  # distribution -> its text (a model repeats a few distributions many times)


def describe(dist) -> str:
    """A wi distribution as the record shows it, the same whichever route built it."""
    try:
        return _described[dist]
    except KeyError:
        kind = type(dist).__name__
        names = _PARAMETER_NAMES.get(kind, dist.names)
        text = f"{kind}({', '.join(f'{n}={v!r}' for n, v in zip(names, dist.params))})"
        if len(_described) < 4096:
            _described[dist] = text
        return text


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

    __slots__ = ("name", "shape", "_stream", "calls")

    def __init__(self, name, shape):
        self.name, self.shape, self._stream, self.calls = name, shape, None, []

    @property
    def stream(self):
        """stream_id(name), computed on first use (a model has many parameters few calls touch)."""
        if self._stream is None:
            self._stream = stream_id(self.name)
        return self._stream

    def __repr__(self):
        return f"ParamRecord(name={self.name!r}, shape={self.shape}, calls={len(self.calls)})"


def table(records) -> str:
    """The records as a text table: one row per call (a parameter with none shows '-'; a call
    that drew nothing, skipped or a constant, has no index)."""
    head = ("parameter", "shape", "call", "function", "arguments", "distribution", "elements")
    rows = []
    for r in records:
        shape = "x".join(map(str, r.shape)) or "()"
        if not r.calls:
            rows.append((r.name, shape, "-", "-", "", "(no random call)", "0"))
        for c in r.calls:
            dist = c.distribution + (f"  [{c.note}]" if c.note else "")
            args = ", ".join(f"{k}={v!r}" for k, v in c.arguments.items())
            index = "-" if c.index is None else str(c.index)
            rows.append((r.name, shape, index, c.function, args, dist, str(c.elements)))
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths[:-1]) + "  {:>" + str(widths[-1]) + "}"
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*row) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
