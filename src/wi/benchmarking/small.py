"""Small calls (issue 9): per-call cost where the call, not the generator, is the work.

Initialising a model calls an initialiser once per parameter, and most parameters are small
(biases, norms, small layers). Two tables, in median microseconds per call:

- a 256-element float32 `fill_he_normal` through the module function (global generator), an
  explicit `seed=, stream=` call and a `wi.Generator` method, beside torch's `kaiming_normal_`;
- every wi.torch initialiser on a 16x16 float32 tensor, with `generator=wi.Generator(...)` and
  with `generator=None`, beside torch.nn.init's own function with the same arguments.

Each timing loops over enough calls to last `min_time` (timeit-style), repeats round-robin, and
the median is reported (timing.median_times).
"""
import numpy as np

from .timing import median_times

FAN_IN = 16
# wi.torch function -> the arguments both it and torch.nn.init's namesake get (defaults otherwise).
TORCH_FUNCTIONS = {
    "uniform_": {},
    "normal_": {},
    "trunc_normal_": {"std": 0.02},
    "xavier_uniform_": {},
    "xavier_normal_": {},
    "kaiming_uniform_": {"nonlinearity": "relu"},
    "kaiming_normal_": {"nonlinearity": "relu"},
}
# issue 9's targets, microseconds per call
FILL_TARGET_US = 1.0
TORCH_TARGET_US = 2.0


def fill_calls(with_torch=True):
    """{label: no-argument callable}: the 256-element He-normal fill, three ways, and torch's."""
    import wi

    buf = np.zeros((16, FAN_IN), np.float32)
    g = wi.Generator(0, stream=1)
    calls = {
        f"wi.fill_he_normal(buf, {FAN_IN})": lambda: wi.fill_he_normal(buf, FAN_IN),
        f"wi.fill_he_normal(buf, {FAN_IN}, seed=0, stream=1)": lambda: wi.fill_he_normal(buf, FAN_IN, seed=0, stream=1),
        f"wi.Generator(0, stream=1).fill_he_normal(buf, {FAN_IN})": lambda: g.fill_he_normal(buf, FAN_IN),
    }
    if with_torch:
        import torch

        t = torch.zeros(16, FAN_IN)
        calls['torch.nn.init.kaiming_normal_(t, nonlinearity="relu")'] = (
            lambda: torch.nn.init.kaiming_normal_(t, nonlinearity="relu"))
    return calls


def torch_calls(name):
    """{'generator', 'none', 'torch'}: callables for one initialiser on a 16x16 float32 tensor each."""
    import torch

    import wi
    import wi.torch as wt

    kwargs = TORCH_FUNCTIONS[name]
    t = torch.zeros(16, 16)
    wi_fn, torch_fn = getattr(wt, name), getattr(torch.nn.init, name)
    g = wi.Generator(0, stream=2)
    return {
        "generator": lambda: wi_fn(t, generator=g, **kwargs),
        "none": lambda: wi_fn(t, **kwargs),
        "torch": lambda: torch_fn(t, **kwargs),
    }


def measure_fills(repeat, min_time, with_torch=True):
    """{label: median seconds per call} for fill_calls()."""
    return median_times(fill_calls(with_torch), repeat, min_time)


def measure_torch_functions(repeat, min_time):
    """{name: {'generator', 'none', 'torch': median seconds per call}} for every wi.torch function."""
    return {name: median_times(torch_calls(name), repeat, min_time) for name in TORCH_FUNCTIONS}


def _us(seconds):
    return f"{seconds * 1e6:.2f}"


def lines(fills, functions):
    """The two Markdown tables (the second only if torch was measured)."""
    out = [
        "",
        "small calls: one 16x16 float32 layer (256 elements), He normal; median us per call",
        "",
        "| call | us per call | target (issue 9) |",
        "|---|---:|---:|",
    ]
    for label, t in fills.items():
        target = f"<= {FILL_TARGET_US:.1f}" if label.startswith("wi.") else ""
        out.append(f"| {label} | {_us(t)} | {target} |")
    if functions:
        out += [
            "",
            f"wi.torch on a 16x16 float32 tensor against torch.nn.init; median us per call "
            f"(target: <= {TORCH_TARGET_US:.1f} us and faster than torch)",
            "",
            "| function | wi.torch, generator=wi.Generator | wi.torch, generator=None | torch.nn.init "
            "| torch / wi (Generator) | torch / wi (None) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, t in functions.items():
            out.append(f"| {name} | {_us(t['generator'])} | {_us(t['none'])} | {_us(t['torch'])} "
                       f"| {t['torch'] / t['generator']:.2f} | {t['torch'] / t['none']:.2f} |")
    return out
