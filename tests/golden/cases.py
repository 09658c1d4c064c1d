"""The golden cases: fills whose bytes are pinned by tests/data/golden_digests.json.

Every public fill and initialiser, every output dtype, several seeds, streams past 2**32,
offsets near 2**32, lengths 1 to 2**20, truncated normals in the centre and far in both
tails, the global generator after wi.seed, wi.Generator, wi.torch and init_module_. Only
the public API is used, so the cases survive any restructuring; a digest that changes is a
value that changed, which the stream contract forbids.

    python tests/golden/cases.py --record   # once, on the main that defines the values
    python tests/golden/cases.py            # prints {case: sha256} as JSON (the tests use this)
"""
import hashlib
import json
import math
import pathlib
import sys

import ml_dtypes
import numpy as np

import wi

DIGESTS = pathlib.Path(__file__).resolve().parent.parent / "data" / "golden_digests.json"

DTYPES = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "bf16": ml_dtypes.bfloat16}
LENGTHS = (1, 7, 1000, 65549, 2**20)
# (seed, stream, offset): small, past 2**32, near 2**32 and at the ends of the 64-bit ranges.
POSITIONS = (
    (0, 0, 0),
    (42, 7, 3),
    (2**64 - 1, 2**32 + 5, 2**32 - 1),
    (123456789, 2**63 + 11, 2**32 + 1),
    (7, 2**64 - 1, 5),
)

FILLS = {
    "uniform": lambda b, **k: wi.fill_uniform(b, -0.75, 1.25, **k),
    "normal": lambda b, **k: wi.fill_normal(b, 0.5, 2.0, **k),
    "trunc_centre": lambda b, **k: wi.fill_truncated_normal(b, 0.0, 1.0, -2.0, 2.0, **k),
    "trunc_upper_tail": lambda b, **k: wi.fill_truncated_normal(b, 1.0, 0.5, 5.0, 7.0, **k),
    "trunc_lower_tail": lambda b, **k: wi.fill_truncated_normal(b, 0.0, 1.0, -12.0, -9.0, **k),
    "trunc_one_side": lambda b, **k: wi.fill_truncated_normal(b, 0.0, 0.02, -0.04, 1e4, **k),
    "xavier_uniform": lambda b, **k: wi.fill_xavier_uniform(b, 300, 200, gain=1.5, **k),
    "xavier_normal": lambda b, **k: wi.fill_xavier_normal(b, 300, 200, **k),
    "he_uniform": lambda b, **k: wi.fill_he_uniform(b, 300, **k),
    "he_normal": lambda b, **k: wi.fill_he_normal(b, 300, gain=1.0, **k),
}


def digest(arr):
    return hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()


def _layouts():
    """(length, position) pairs: every length at its own position, every position at 1000."""
    pairs = list(zip(LENGTHS, POSITIONS))
    pairs += [(1000, p) for p in POSITIONS if (1000, p) not in pairs]
    return pairs


def fill_cases():
    for n, (seed, stream, offset) in _layouts():
        kw = dict(seed=seed, stream=stream, offset=offset)
        tag = f"n{n}_s{seed}_t{stream}_o{offset}"
        yield f"raw_u32_{tag}", lambda kw=kw, n=n: wi.fill_raw(np.empty(n, np.uint32), **kw)
        for name, fill in FILLS.items():
            for dname, dtype in DTYPES.items():
                yield f"{name}_{dname}_{tag}", lambda fill=fill, dtype=dtype, kw=kw, n=n: fill(np.empty(n, dtype), **kw)


def initialiser_cases():
    shapes = {"torch2d": ((64, 48), "torch"), "torch4d": ((16, 8, 3, 3), "torch"), "keras4d": ((3, 3, 8, 16), "keras")}
    inits = {
        "xavier_uniform_": lambda b, **k: wi.xavier_uniform_(b, 1.3, **k),
        "xavier_normal_": lambda b, **k: wi.xavier_normal_(b, **k),
        "kaiming_uniform_": lambda b, **k: wi.kaiming_uniform_(b, 0.1, "fan_out", **k),
        "kaiming_normal_": lambda b, **k: wi.kaiming_normal_(b, 0, "fan_in", "relu", **k),
        "lecun_uniform_": lambda b, **k: wi.lecun_uniform_(b, **k),
        "lecun_normal_": lambda b, **k: wi.lecun_normal_(b, **k),
        "glorot_uniform_": lambda b, **k: wi.glorot_uniform_(b, **k),
        "glorot_normal_": lambda b, **k: wi.glorot_normal_(b, **k),
        "he_uniform_": lambda b, **k: wi.he_uniform_(b, **k),
        "he_normal_": lambda b, **k: wi.he_normal_(b, **k),
        "vs_trunc_fan_avg": lambda b, **k: wi.variance_scaling_(b, 2.0, "fan_avg", "truncated_normal", **k),
        "vs_normal_fan_out": lambda b, **k: wi.variance_scaling_(b, 0.5, "fan_out", "untruncated_normal", **k),
        "vs_uniform_fan_in": lambda b, **k: wi.variance_scaling_(b, 1.0, "fan_in", "uniform", **k),
    }
    for (sname, (shape, layout)) in shapes.items():
        for iname, init in inits.items():
            for dname in ("f32", "f64", "bf16"):
                kw = dict(layout=layout, seed=99, stream=2**40 + 1, offset=2**32 - 3)
                yield (f"{iname}_{sname}_{dname}",
                       lambda init=init, shape=shape, d=DTYPES[dname], kw=kw: init(np.empty(shape, d), **kw))
    yield "jax_axes_kaiming_normal_", lambda: wi.kaiming_normal_(
        np.empty((5, 7, 11), np.float32), in_axis=(0, 1), out_axis=-1, seed=1)
    for dname, dtype in DTYPES.items():
        yield f"trunc_normal__{dname}", lambda dtype=dtype: wi.trunc_normal_(
            np.empty((300, 7), dtype), 0.1, 0.5, -0.3, 0.9, seed=5, stream=2**33, offset=11)


def sequence_cases():
    """Consecutive calls on the global generator and on a wi.Generator: each call's bytes."""
    def global_sequence():
        wi.seed(2**33 + 17)
        out = [
            wi.fill_normal(np.empty(1000, np.float32), 0.0, 1.0),
            wi.fill_uniform(np.empty(7, np.float64), -1.0, 1.0),
            wi.fill_he_normal(np.empty(65549, np.float32), 256),
            wi.fill_truncated_normal(np.empty(1000, np.float16), 0.0, 1.0, -2.0, 2.0),
            wi.fill_xavier_uniform(np.empty(33, ml_dtypes.bfloat16), 10, 20),
            wi.fill_he_uniform(np.empty(5, np.float64), 3),
            wi.fill_xavier_normal(np.empty(1, np.float32), 1, 1),
            wi.kaiming_uniform_(np.empty((17, 9), np.float32)),
            wi.xavier_normal_(np.empty((2**10, 2**10), np.float32)),
        ]
        return out, wi.get_state()

    def generator_sequence():
        g = wi.Generator(2**40 + 3, stream=2**33)
        out = [
            g.fill_raw(np.empty(9, np.uint32)),
            g.fill_uniform(np.empty(1000, np.float32), 0.0, 1.0),
            g.fill_normal(np.empty(7, np.float64), 1.0, 3.0),
            g.fill_truncated_normal(np.empty(65549, np.float32), 0.0, 1.0, 3.0, 6.0),
            g.fill_xavier_uniform(np.empty(100, np.float16), 10, 20),
            g.fill_xavier_normal(np.empty(100, ml_dtypes.bfloat16), 10, 20, gain=2.0),
            g.fill_he_uniform(np.empty(2**20, np.float32), 64),
            g.fill_he_normal(np.empty(1, np.float64), 64),
        ]
        return out, g.get_state()

    for name, run in (("global", global_sequence), ("generator", generator_sequence)):
        def case(run=run):
            arrays, state = run()
            return [digest(a) for a in arrays] + [json.dumps(state, sort_keys=True)]
        yield f"sequence_{name}", case


def torch_cases():
    import torch
    import wi.torch as wt

    tdtypes = {"f32": torch.float32, "f64": torch.float64, "f16": torch.float16, "bf16": torch.bfloat16}
    funcs = {
        "uniform_": lambda t, g: wt.uniform_(t, -0.2, 0.3, generator=g),
        "normal_": lambda t, g: wt.normal_(t, 0.1, 0.7, generator=g),
        "trunc_normal_": lambda t, g: wt.trunc_normal_(t, 0.0, 0.02, -0.04, 0.04, generator=g),
        "xavier_uniform_": lambda t, g: wt.xavier_uniform_(t, 1.2, generator=g),
        "xavier_normal_": lambda t, g: wt.xavier_normal_(t, generator=g),
        "kaiming_uniform_": lambda t, g: wt.kaiming_uniform_(t, math.sqrt(5), generator=g),
        "kaiming_normal_": lambda t, g: wt.kaiming_normal_(t, 0, "fan_out", "relu", generator=g),
    }
    for fname, f in funcs.items():
        for dname, tdtype in tdtypes.items():
            for shape in ((32, 16), (8, 4, 3, 3)):
                def case(f=f, tdtype=tdtype, shape=shape):
                    t = torch.empty(shape, dtype=tdtype)
                    f(t, wi.Generator(11, stream=2**35 + 3))
                    return digest(t.view(torch.uint8).numpy())
                yield f"torch_{fname}_{dname}_{'x'.join(map(str, shape))}", case

    def module_case():
        from torch import nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.linear = nn.Linear(16, 32)
                self.norm = nn.LayerNorm(32)
                self.conv = nn.Conv2d(3, 8, 3)
                self.embed = nn.Embedding(50, 16)
                self.attn = nn.MultiheadAttention(16, 4)
                self.lstm = nn.LSTM(16, 24, num_layers=2)
                self.encoder = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32)

        torch.manual_seed(0)
        model = wt.init_module_(Model(), seed=3)
        return {k: digest(v.detach().contiguous().view(torch.uint8).numpy() if v.dtype != torch.bool
                          else v.numpy()) for k, v in model.state_dict().items()}

    yield "torch_init_module_", module_case


def all_cases(with_torch=True):
    yield from fill_cases()
    yield from initialiser_cases()
    yield from sequence_cases()
    if with_torch:
        yield from torch_cases()


def compute(with_torch=True):
    out = {}
    for name, make in all_cases(with_torch):
        value = make()
        out[name] = value if isinstance(value, (list, dict)) else digest(value)
    return out


if __name__ == "__main__":
    result = compute(with_torch="--no-torch" not in sys.argv)
    if "--record" in sys.argv:
        DIGESTS.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(result)} cases in {DIGESTS}", file=sys.stderr)
    else:
        json.dump(result, sys.stdout)
