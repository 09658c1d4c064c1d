"""Bad input, one table: every public function, every argument.

Each case asserts the exception type (TypeError for a wrong type or dtype, ValueError for a bad
value or layout), that the message names the argument, that the buffer's bytes are unchanged,
and that no generator state moved (a failed call reserves nothing).

The table is generated: BUFFER_CASES x every fill function (module and Generator method),
ARGUMENT_CASES for every numeric argument of every function, then the cases that belong to
one function (philox4x32, seed, set_state, set_num_threads, Generator). The hand-written
cases of the original module are kept in LEGACY_CASES.
"""
import array
import decimal
import math

import numpy as np
import pytest

import wi
from wi import _target
from wi.torch._errors import TypeAndAttributeError, TypeAndNotImplementedError, ValueAndRuntimeError

SQRT2 = math.sqrt(2.0)
STREAM_END = {np.float32: 4 * 2**64, np.float64: 2 * 2**64, np.uint32: 4 * 2**64}
SHARED_GEN = wi.Generator(5, stream=3)  # every Generator case uses this one; its state must not move


# ---------------------------------------------------------------- the functions

class Fill:
    """A fill function: how to call it, its valid arguments, and which dtypes it takes."""

    def __init__(self, name, call, args, raw=False, module=True):
        self.name, self.call, self.args, self.raw, self.module = name, call, args, raw, module

    def __call__(self, buf, **override):
        kw = dict(self.args)
        kw.update(override)
        if self.module and "seed" not in kw:
            kw["seed"] = 1
        return self.call(buf, **kw)

    def good_buffer(self, n=16):
        return np.arange(n, dtype=np.uint32 if self.raw else np.float32)


MODULE_FILLS = [
    Fill("fill_uniform", wi.fill_uniform, dict(low=-1.0, high=1.0)),
    Fill("fill_normal", wi.fill_normal, dict(mean=0.0, std=1.0)),
    Fill("fill_xavier_uniform", wi.fill_xavier_uniform, dict(fan_in=3, fan_out=4, gain=1.0)),
    Fill("fill_xavier_normal", wi.fill_xavier_normal, dict(fan_in=3, fan_out=4, gain=1.0)),
    Fill("fill_he_uniform", wi.fill_he_uniform, dict(fan_in=3, gain=SQRT2)),
    Fill("fill_he_normal", wi.fill_he_normal, dict(fan_in=3, gain=SQRT2)),
    Fill("fill_truncated_normal", wi.fill_truncated_normal, dict(mean=0.0, std=1.0, low=-2.0, high=2.0)),
    Fill("fill_raw", wi.fill_raw, {}, raw=True),
]
GEN_FILLS = [
    Fill("Generator." + f.name, (lambda name: lambda buf, **kw: getattr(SHARED_GEN, name)(buf, **kw))(f.name),
         f.args, raw=f.raw, module=False)
    for f in MODULE_FILLS
]
ALL_FILLS = MODULE_FILLS + GEN_FILLS
FLOAT_FILLS = [f for f in ALL_FILLS if not f.raw]


# ---------------------------------------------------------------- buffers

def f32(n=16):
    return np.arange(n, dtype=np.float32)


def read_only(dtype=np.float32):
    a = np.arange(16, dtype=dtype)
    a.flags.writeable = False
    return a


def torch_case(make):
    def factory():
        torch = pytest.importorskip("torch")
        return make(torch)

    return factory


def neg_view(torch):
    return torch._neg_view(torch.zeros(16))


def inference_tensor(torch):
    with torch.inference_mode():
        return torch.zeros(16)


# wrong dtypes: whatever the package does not accept (float16/bfloat16 drop out of this list
# by themselves once they are supported)
SUPPORTED = set(_target.NUMPY_DTYPES)
CANDIDATE_DTYPES = ["int8", "int32", "int64", "uint8", "uint64", "bool", "float16", "complex64", "complex128",
                    "longdouble", "object", ">f4", ">f8", ">u4", "V4", [("a", "<f4")], "datetime64[s]"]


def wrong_dtypes(raw):
    out = []
    for d in CANDIDATE_DTYPES + ["float32", "float64", "uint32"]:
        dt = np.dtype(d)
        ok = dt == np.dtype(np.uint32) if raw else (dt in SUPPORTED and dt != np.dtype(np.uint32))
        if not ok:
            out.append(dt)
    return out


def buffer_cases(fill):
    """(id, factory, exception, argument, message fragment) for the buf argument of one fill."""
    good = np.uint32 if fill.raw else np.float32
    cases = [
        ("list", lambda: [0.0] * 16, TypeError, "buf",
         "buf must be a NumPy array, a writable buffer or a torch CPU tensor (got list)"),
        ("None", lambda: None, TypeError, "buf", "buf must be a NumPy array"),
        ("str", lambda: "abcd" * 4, TypeError, "buf", "buf must be a NumPy array"),
        ("int", lambda: 16, TypeError, "buf", "buf must be a NumPy array"),
        ("read-only array", lambda: read_only(good), ValueError, "buf", "buf must be writable"),
        ("read-only bytes", lambda: bytes(64), ValueError, "buf", "buf must be writable"),
        ("read-only memoryview", lambda: memoryview(bytes(64)).cast("I" if fill.raw else "f"), ValueError, "buf",
         "buf must be writable"),
        ("read-only zero-size", lambda: np.frombuffer(b"", good), ValueError, "buf", "buf must be writable"),
        ("broadcast view", lambda: np.broadcast_to(np.zeros(1, good), (16,)), ValueError, "buf",
         "buf must be writable"),
        ("non-contiguous", lambda: np.zeros((8, 8), good)[:, ::2], ValueError, "buf", "buf must be C-contiguous"),
        ("negative stride", lambda: np.arange(16, dtype=good)[::-1], ValueError, "buf", "buf must be C-contiguous"),
        ("negative stride 2-D", lambda: np.zeros((4, 4), good)[::-1], ValueError, "buf", "buf must be C-contiguous"),
        ("Fortran order", lambda: np.asfortranarray(np.zeros((4, 4), good)), ValueError, "buf",
         "buf must be C-contiguous"),
        ("non-contiguous memoryview", lambda: memoryview(np.zeros(32, good))[::2], ValueError, "buf",
         "buf must be C-contiguous"),
        ("array.array of ints", lambda: array.array("i", [0] * 16), TypeError, "buf", "buf must hold"),
        ("array.array of doubles" if fill.raw else "array.array of uint64",
         lambda: array.array("d" if fill.raw else "Q", [0] * 16), TypeError, "buf", "buf must hold"),
        ("bytearray", lambda: bytearray(64), TypeError, "buf", "buf must hold"),
        ("torch on meta", torch_case(lambda t: t.empty(16, device="meta", dtype=t.uint32 if fill.raw else t.float32)),
         ValueError, "buf", "buf must be a CPU tensor"),
        ("torch requires grad", torch_case(lambda t: t.zeros(16, requires_grad=not fill.raw,
                                                           dtype=t.uint32 if fill.raw else t.float32)
                                           if not fill.raw else t.zeros(16, dtype=t.int32)),
         ValueError if not fill.raw else TypeError, "buf", "requires grad" if not fill.raw else "buf must have dtype"),
        ("torch parameter", torch_case(lambda t: t.nn.Parameter(t.zeros(4, 4, dtype=t.float64))), 
         ValueError if not fill.raw else TypeError, "buf", "requires grad" if not fill.raw else "buf must have dtype"),
        ("torch non-contiguous", torch_case(lambda t: t.zeros(4, 4).t()), ValueError if not fill.raw else TypeError,
         "buf", "buf must be C-contiguous" if not fill.raw else "buf must have dtype"),
        ("torch expanded", torch_case(lambda t: t.zeros(1, 4).expand(4, 4)), ValueError if not fill.raw else TypeError,
         "buf", "buf must be C-contiguous" if not fill.raw else "buf must have dtype"),
        ("torch sparse", torch_case(lambda t: t.zeros(4, 4).to_sparse()), ValueError, "buf",
         "buf must be a dense (strided) tensor"),
        ("torch int32", torch_case(lambda t: t.zeros(16, dtype=t.int32)), TypeError, "buf", "buf must have dtype"),
        ("torch complex64", torch_case(lambda t: t.zeros(16, dtype=t.complex64)), TypeError, "buf",
         "buf must have dtype"),
        ("torch bool", torch_case(lambda t: t.zeros(16, dtype=t.bool)), TypeError, "buf", "buf must have dtype"),
    ]
    if not fill.raw:
        cases += [
            ("torch negated view", torch_case(neg_view), ValueError, "buf", "buf must not be a lazily negated"),
            ("torch inference tensor", torch_case(inference_tensor), ValueError, "buf", "inference tensor"),
        ]
    for dt in wrong_dtypes(fill.raw):
        cases.append((f"dtype {dt}", (lambda dt: lambda: np.zeros(16, dt))(dt), TypeError, "buf",
                      "buf must have dtype"))
    return cases


# ---------------------------------------------------------------- numeric arguments

class Weird:
    """An object that is not a number at all."""


def real_cases(arg):
    """Bad values of a real-number argument (low, high, mean, std, gain)."""
    return [
        (f"{arg} nan", math.nan, ValueError, f"{arg} must be finite"),
        (f"{arg} numpy nan", np.float32("nan"), ValueError, f"{arg} must be finite"),
        (f"{arg} inf", math.inf, ValueError, f"{arg} must be finite"),
        (f"{arg} -inf", -math.inf, ValueError, f"{arg} must be finite"),
        (f"{arg} str", "1.0", TypeError, f"{arg} must be a real number"),
        (f"{arg} None", None, TypeError, f"{arg} must be a real number"),
        (f"{arg} bool", True, TypeError, f"{arg} must be a real number"),
        (f"{arg} numpy bool", np.bool_(True), TypeError, f"{arg} must be a real number"),
        (f"{arg} complex", 1 + 0j, TypeError, f"{arg} must be a real number"),
        (f"{arg} Decimal", decimal.Decimal("0.5"), TypeError, f"{arg} must be a real number"),
        (f"{arg} list", [1.0], TypeError, f"{arg} must be a real number"),
        (f"{arg} array", np.array([1.0]), TypeError, f"{arg} must be a real number"),
        (f"{arg} object", Weird(), TypeError, f"{arg} must be a real number"),
    ]


def fan_cases(arg):
    return [
        (f"{arg} zero", 0, ValueError, f"{arg} must be a positive integer"),
        (f"{arg} negative", -3, ValueError, f"{arg} must be a positive integer"),
        (f"{arg} numpy zero", np.int64(0), ValueError, f"{arg} must be a positive integer"),
        (f"{arg} nan", math.nan, TypeError, f"{arg} must be a positive integer"),
        (f"{arg} inf", math.inf, TypeError, f"{arg} must be a positive integer"),
        (f"{arg} float", 3.0, TypeError, f"{arg} must be a positive integer"),
        (f"{arg} numpy float", np.float64(3), TypeError, f"{arg} must be a positive integer"),
        (f"{arg} bool", True, TypeError, f"{arg} must be a positive integer"),
        (f"{arg} numpy bool", np.bool_(True), TypeError, f"{arg} must be a positive integer"),
        (f"{arg} str", "3", TypeError, f"{arg} must be a positive integer"),
        (f"{arg} None", None, TypeError, f"{arg} must be a positive integer"),
    ]


def uint64_cases(arg):
    """Bad values of seed / stream (an int in [0, 2**64))."""
    return [
        (f"{arg} negative", -1, ValueError, f"{arg} must be in [0, 2**64)"),
        (f"{arg} numpy negative", np.int64(-1), ValueError, f"{arg} must be in [0, 2**64)"),
        (f"{arg} 2**64", 2**64, ValueError, f"{arg} must be in [0, 2**64)"),
        (f"{arg} huge", 2**200, ValueError, f"{arg} must be in [0, 2**64)"),
        (f"{arg} float", 1.0, TypeError, f"{arg} must be an int"),
        (f"{arg} fractional", 1.5, TypeError, f"{arg} must be an int"),
        (f"{arg} numpy float", np.float64(1), TypeError, f"{arg} must be an int"),
        (f"{arg} nan", math.nan, TypeError, f"{arg} must be an int"),
        (f"{arg} str", "1", TypeError, f"{arg} must be an int"),
        (f"{arg} bool", True, TypeError, f"{arg} must be an int"),
        (f"{arg} complex", 1j, TypeError, f"{arg} must be an int"),
    ]


def offset_cases(n, dtype):
    end = STREAM_END[dtype]
    return [
        ("offset negative", -1, ValueError, "offset must be >= 0"),
        ("offset numpy negative", np.int64(-8), ValueError, "offset must be >= 0"),
        ("offset past the end", end - n + 1, ValueError, "offset + len(buf) must be <="),
        ("offset at the end", end, ValueError, "offset + len(buf) must be <="),
        ("offset far past the end", 2**200, ValueError, "offset + len(buf) must be <="),
        ("offset float", 1.0, TypeError, "offset must be an int"),
        ("offset fractional", 1.5, TypeError, "offset must be an int"),
        ("offset str", "4", TypeError, "offset must be an int"),
        ("offset None", None, TypeError, "offset must be an int"),
        ("offset bool", True, TypeError, "offset must be an int"),
    ]


def region_cases(dtype=np.float32):
    """(id, buffer factory, keyword arguments, exception, argument, fragment) for global_shape and
    start: a 4x4 block (or the buffer given) of a larger array, described wrongly."""
    def block(shape=(4, 4)):
        return lambda: np.arange(math.prod(shape), dtype=dtype).reshape(shape)

    return [
        ("global_shape bool entry", block(), dict(global_shape=(4, True)), TypeError, "global_shape",
         "global_shape must be a sequence of ints (got (4, True))"),
        ("global_shape float entry", block(), dict(global_shape=(4.0, 4)), TypeError, "global_shape",
         "global_shape must be a sequence of ints (got (4.0, 4))"),
        ("global_shape an int", block(), dict(global_shape=16), TypeError, "global_shape",
         "global_shape must be a sequence of ints (got int)"),
        ("global_shape a str", block(), dict(global_shape="44"), TypeError, "global_shape",
         "global_shape must be a sequence of ints (got str)"),
        ("global_shape negative", block(), dict(global_shape=(4, -4)), ValueError, "global_shape",
         "global_shape must not have negative dimensions (got (4, -4))"),
        ("global_shape of another ndim", block(), dict(global_shape=(16,)), ValueError, "global_shape",
         "global_shape must have buf.ndim = 2 dimensions (got (16,) for a buf of shape (4, 4))"),
        ("global_shape smaller than the block", block(), dict(global_shape=(4, 3)), ValueError, "global_shape",
         "does not fit in global_shape=(4, 3): dimension 1 would end at 4 > 3"),
        ("global_shape past 2**64 elements", block(), dict(global_shape=(2**40, 2**40)), ValueError, "global_shape",
         "global_shape must have at most 2**64 elements"),
        ("start without global_shape", block(), dict(start=(0, 0)), ValueError, "start",
         "start needs global_shape"),
        ("start negative", block(), dict(global_shape=(8, 8), start=(-1, 0)), ValueError, "start",
         "start must not have negative indices (got (-1, 0))"),
        ("start too short", block(), dict(global_shape=(8, 8), start=(0,)), ValueError, "start",
         "start must have len(global_shape) = 2 entries (got (0,))"),
        ("start too long", block(), dict(global_shape=(8, 8), start=(0, 0, 0)), ValueError, "start",
         "start must have len(global_shape) = 2 entries"),
        ("start float entry", block(), dict(global_shape=(8, 8), start=(0, 1.0)), TypeError, "start",
         "start must be a sequence of ints (got (0, 1.0))"),
        ("start bool entry", block(), dict(global_shape=(8, 8), start=(True, 0)), TypeError, "start",
         "start must be a sequence of ints (got (True, 0))"),
        ("start an int", block(), dict(global_shape=(8, 8), start=3), TypeError, "start",
         "start must be a sequence of ints (got int)"),
        ("block outside the global shape", block(), dict(global_shape=(8, 8), start=(5, 0)), ValueError, "start",
         "start=(5, 0) with buf of shape (4, 4) does not fit in global_shape=(8, 8): dimension 0 would end at 9 > 8"),
        ("empty block outside the global shape", block((0, 4)), dict(global_shape=(8, 4), start=(9, 0)), ValueError,
         "start", "does not fit in global_shape=(8, 4)"),
        ("non-contiguous block", lambda: np.zeros((4, 8), dtype)[:, ::2], dict(global_shape=(4, 8)), ValueError,
         "buf", "buf must be C-contiguous"),
    ]


def region_offset_cases(dtype=np.float32):
    """The whole global array must lie inside the stream, wherever the block is."""
    end = STREAM_END[dtype]
    return [
        ("offset + prod(global_shape) past the end", dict(global_shape=(2**32, 2**32), start=(0, 0),
                                                          offset=end - 2**64 + 1),
         ValueError, "offset", "offset + prod(global_shape) must be <="),
        # the block itself would fit: the array it belongs to does not
        ("offset + prod(global_shape) past the end, block at the start", dict(global_shape=(8, 8), start=(0, 0),
                                                                              offset=end - 63),
         ValueError, "offset", f"got offset={end - 63} with prod(global_shape)=64"),
    ]



def non_negative_cases(arg):
    """std and gain: zero is a constant fill (as NumPy and torch), below zero an error."""
    return real_cases(arg) + [
        (f"{arg} negative", -1.0, ValueError, f"{arg} must be >= 0"),
        (f"{arg} tiny negative", -5e-324, ValueError, f"{arg} must be >= 0"),
    ]


def cutoff_cases(arg, infinity):
    """A truncation cut-off: finite or the infinity on its own side."""
    wrong = -infinity
    return [c for c in real_cases(arg) if not (type(c[1]) is float and c[1] == infinity)] + [
        (f"{arg} the other infinity", wrong, ValueError, f"{arg} must be finite or {'inf' if infinity > 0 else '-inf'}"),
    ]


REAL_ARGS = {"low": real_cases, "high": real_cases, "mean": real_cases, "std": non_negative_cases,
             "gain": non_negative_cases, "fan_in": fan_cases, "fan_out": fan_cases}
CUTOFF_ARGS = {"low": lambda arg: cutoff_cases(arg, -math.inf), "high": lambda arg: cutoff_cases(arg, math.inf)}


# ---------------------------------------------------------------- the table

def make_cases():
    cases = []  # (id, buffer factory, call(buf), exception, argument, fragment, extra-state-check)

    def add(cid, make, call, exc, arg, frag):
        cases.append(pytest.param(make, call, exc, arg, frag, id=cid))

    for fill in ALL_FILLS:
        for cid, make, exc, arg, frag in buffer_cases(fill):
            add(f"{fill.name}: buf {cid}", make, (lambda fill: lambda b: fill(b))(fill), exc, arg, frag)
            if fill.module and not fill.raw:  # seed=None: the global generator's compiled fast path
                add(f"{fill.name}: buf {cid} (global generator)", make,
                    (lambda fill: lambda b: fill(b, seed=None))(fill), exc, arg, frag)
        for arg, gen in REAL_ARGS.items():
            if arg not in fill.args:
                continue
            if fill.name.startswith("fill_truncated_normal") or "truncated" in fill.name:
                gen = CUTOFF_ARGS.get(arg, gen)
            for i, (cid, value, exc, frag) in enumerate(gen(arg)):
                for zero in (False, True)[: 1 + (i % 4 == 0)]:  # a zero-size buffer is still validated
                    add(f"{fill.name}: {cid}{' (zero-size buf)' if zero else ''}",
                        (lambda fill, zero: lambda: fill.good_buffer(0 if zero else 16))(fill, zero),
                        (lambda fill, arg, value: lambda b: fill(b, **{arg: value}))(fill, arg, value), exc, arg, frag)
        if not fill.module:
            continue
        for arg in ("seed", "stream"):
            for i, (cid, value, exc, frag) in enumerate(uint64_cases(arg)):
                for zero in (False, True)[: 1 + (i % 4 == 0)]:
                    add(f"{fill.name}: {cid}{' (zero-size buf)' if zero else ''}",
                        (lambda fill, zero: lambda: fill.good_buffer(0 if zero else 16))(fill, zero),
                        (lambda fill, arg, value: lambda b: fill(b, **{arg: value}))(fill, arg, value), exc, arg, frag)
        for dtype in ((np.uint32,) if fill.raw else (np.float32, np.float64)):
            for cid, value, exc, frag in offset_cases(16, dtype):
                add(f"{fill.name}: {cid} ({np.dtype(dtype).name})", (lambda dtype: lambda: np.zeros(16, dtype))(dtype),
                    (lambda fill, value: lambda b: fill(b, offset=value))(fill, value), exc, "offset", frag)
        for cid, make, kw, exc, arg, frag in region_cases(np.uint32 if fill.raw else np.float32):
            add(f"{fill.name}: {cid}", make, (lambda fill, kw: lambda b: fill(b, **kw))(fill, kw), exc, arg, frag)
            if not fill.raw:  # the global generator must not reserve anything either
                add(f"{fill.name}: {cid} (global generator)", make,
                    (lambda fill, kw: lambda b: fill(b, seed=None, **kw))(fill, kw), exc, arg, frag)
        for cid, kw, exc, arg, frag in region_offset_cases(np.uint32 if fill.raw else np.float32):
            add(f"{fill.name}: {cid}", (lambda raw: lambda: np.zeros((4, 4), np.uint32 if raw else np.float32))(
                fill.raw), (lambda fill, kw: lambda b: fill(b, **kw))(fill, kw), exc, arg, frag)
        if fill.raw:
            add("fill_raw: seed None", f32 if False else (lambda: np.zeros(16, np.uint32)),
                lambda b: wi.fill_raw(b, seed=None), TypeError, "seed", "seed must be an int for fill_raw")
        else:
            add(f"{fill.name}: offset with the global generator", f32,
                (lambda fill: lambda b: fill(b, seed=None, offset=4))(fill), ValueError, "offset",
                "offset needs an explicit seed")
            add(f"{fill.name}: stream with the global generator", f32,
                (lambda fill: lambda b: fill(b, seed=None, stream=4))(fill), ValueError, "stream",
                "stream needs an explicit seed")
            add(f"{fill.name}: bad stream with the global generator", f32,
                (lambda fill: lambda b: fill(b, seed=None, stream=-4))(fill), ValueError, "stream",
                "stream must be in [0, 2**64)")

    # relations between arguments, and overflow of the output dtype
    for fill in (MODULE_FILLS[0], GEN_FILLS[0]):  # fill_uniform
        name = fill.name
        add(f"{name}: low > high", f32, (lambda fill: lambda b: fill(b, low=1.0, high=-1.0))(fill), ValueError, "low",
            "low must be <= high")
        add(f"{name}: low > high by one ulp", f32,
            (lambda fill: lambda b: fill(b, low=1.0, high=float(np.nextafter(1.0, 0.0))))(fill), ValueError, "low",
            "low must be <= high")
        add(f"{name}: width overflows float32", f32, (lambda fill: lambda b: fill(b, low=-3e38, high=3e38))(fill),
            ValueError, "high - low", "low and high must be finite in float32, and so must high - low")
        add(f"{name}: width overflows float64", lambda: np.zeros(16),
            (lambda fill: lambda b: fill(b, low=-1e308, high=1e308))(fill), ValueError, "high - low",
            "and so must high - low")
        add(f"{name}: low beyond float32", f32, (lambda fill: lambda b: fill(b, low=-1e39, high=0.0))(fill),
            ValueError, "low", "low and high must be finite in float32")
        add(f"{name}: high beyond float32", f32, (lambda fill: lambda b: fill(b, low=0.0, high=1e39))(fill),
            ValueError, "high", "low and high must be finite in float32")
        add(f"{name}: high beyond float16", lambda: np.zeros(16, np.float16),
            (lambda fill: lambda b: fill(b, low=0.0, high=7e4))(fill), ValueError, "high",
            "low and high must be finite in float16")
    for fill in [f for f in ALL_FILLS if f.name.endswith("fill_truncated_normal")]:
        name = fill.name
        add(f"{name}: low == high", f32, (lambda fill: lambda b: fill(b, low=1.0, high=1.0))(fill), ValueError, "low",
            "low must be < high")
        add(f"{name}: low > high", f32, (lambda fill: lambda b: fill(b, low=1.0, high=-1.0))(fill), ValueError, "low",
            "low must be < high")
        add(f"{name}: interval far in the upper tail", f32,
            (lambda fill: lambda b: fill(b, low=40.0, high=41.0))(fill), ValueError, "low",
            "lies too far in the tail")
        add(f"{name}: interval far in the lower tail (float64)", lambda: np.zeros(16),
            (lambda fill: lambda b: fill(b, low=-60.0, high=-50.0))(fill), ValueError, "high",
            "lies too far in the tail")
        add(f"{name}: low beyond float16", lambda: np.zeros(16, np.float16),
            (lambda fill: lambda b: fill(b, low=-1e5, high=1.0))(fill), ValueError, "low",
            "low and high must be finite in float16")
    for fill in (MODULE_FILLS[1], GEN_FILLS[1]):  # fill_normal
        if fill.module:
            add(f"{fill.name}: std overflows float32 (global generator)", f32,
                (lambda fill: lambda b: fill(b, mean=0.0, std=1e38, seed=None))(fill), ValueError, "std",
                "mean and std overflow float32")
        add(f"{fill.name}: std overflows float32", f32, (lambda fill: lambda b: fill(b, mean=0.0, std=1e38))(fill),
            ValueError, "std", "mean and std overflow float32")
        add(f"{fill.name}: mean overflows float32", f32, (lambda fill: lambda b: fill(b, mean=3.4e38, std=1e37))(fill),
            ValueError, "mean", "mean and std overflow float32")
        add(f"{fill.name}: mean beyond float32", f32, (lambda fill: lambda b: fill(b, mean=1e39, std=1.0))(fill),
            ValueError, "mean", "mean and std overflow float32")
        add(f"{fill.name}: std overflows float64", lambda: np.zeros(16),
            (lambda fill: lambda b: fill(b, mean=0.0, std=1e308))(fill), ValueError, "std",
            "mean and std overflow float64")
        add(f"{fill.name}: std overflows float16", lambda: np.zeros(16, np.float16),
            (lambda fill: lambda b: fill(b, mean=0.0, std=2e4))(fill), ValueError, "std",
            "mean and std overflow float16")
        add(f"{fill.name}: mean overflows bfloat16 (torch)", torch_case(lambda t: t.zeros(16, dtype=t.bfloat16)),
            (lambda fill: lambda b: fill(b, mean=3.3e38, std=1e37))(fill), ValueError, "mean",
            "mean and std overflow bfloat16")
    for fill in FLOAT_FILLS:
        if "gain" in fill.args:
            add(f"{fill.name}: gain overflows float32", f32, (lambda fill: lambda b: fill(b, gain=1e39))(fill),
                ValueError, "gain", "gain is too large")
            add(f"{fill.name}: gain overflows float64", lambda: np.zeros(16),
                (lambda fill: lambda b: fill(b, gain=1.7e308))(fill), ValueError, "gain", "gain is too large")
            add(f"{fill.name}: gain overflows float16", lambda: np.zeros(16, np.float16),
                (lambda fill: lambda b: fill(b, gain=1e5))(fill), ValueError, "gain", "gain is too large")
            if fill.module:  # the global generator's compiled fast path must hand overflow back to the checks
                add(f"{fill.name}: gain overflows float32 (global generator)", f32,
                    (lambda fill: lambda b: fill(b, gain=1e39, seed=None))(fill), ValueError, "gain",
                    "gain is too large")

    # Generator: constructor, state
    for cid, value, exc, frag in uint64_cases("seed"):
        add(f"Generator(seed): {cid}", f32, (lambda v: lambda b: wi.Generator(v))(value), exc, "seed", frag)
    add("Generator(seed): None", f32, lambda b: wi.Generator(None), TypeError, "seed", "seed must be an int")
    for cid, value, exc, frag in uint64_cases("stream"):
        add(f"Generator(stream): {cid}", f32, (lambda v: lambda b: wi.Generator(1, stream=v))(value), exc, "stream",
            frag)
    for target, label in ((wi.set_state, "wi.set_state"), (lambda s: SHARED_GEN.set_state(s), "Generator.set_state")):
        for cid, state, exc, arg, frag in STATE_CASES:
            add(f"{label}: {cid}", f32, (lambda target, state: lambda b: target(state))(target, state), exc, arg, frag)

    # the global generator's seed
    for cid, value, exc, frag in uint64_cases("seed"):
        add(f"wi.seed: {cid}", f32, (lambda v: lambda b: wi.seed(v))(value), exc, "seed", frag)
    add("wi.seed: None", f32, lambda b: wi.seed(None), TypeError, "seed", "seed must be an int")

    # philox4x32(counter, key, rounds)
    P = wi.philox4x32
    for cid, call, exc, arg, frag in [
        ("counter of 3 words", lambda: P((0, 0, 0), (0, 0)), ValueError, "counter", "counter must have 4 words"),
        ("counter of 5 words", lambda: P((0,) * 5, (0, 0)), ValueError, "counter", "counter must have 4 words"),
        ("counter an int", lambda: P(5, (0, 0)), TypeError, "counter", "counter must be a sequence of 4 ints"),
        ("counter None", lambda: P(None, (0, 0)), TypeError, "counter", "counter must be a sequence of 4 ints"),
        ("counter word too large", lambda: P((0, 2**32, 0, 0), (0, 0)), ValueError, "counter[1]",
         "counter[1] must be in [0, 2**32)"),
        ("counter word negative", lambda: P((0, 0, -1, 0), (0, 0)), ValueError, "counter[2]",
         "counter[2] must be in [0, 2**64)"),
        ("counter word float", lambda: P((0, 0, 0, 1.0), (0, 0)), TypeError, "counter[3]", "counter[3] must be an int"),
        ("counter word bool", lambda: P((True, 0, 0, 0), (0, 0)), TypeError, "counter[0]", "counter[0] must be an int"),
        ("key of 1 word", lambda: P((0, 0, 0, 0), (0,)), ValueError, "key", "key must have 2 words"),
        ("key word too large", lambda: P((0, 0, 0, 0), (0, 2**32)), ValueError, "key[1]",
         "key[1] must be in [0, 2**32)"),
        ("key str", lambda: P((0, 0, 0, 0), "ab"), TypeError, "key[0]", "key[0] must be an int"),
        ("rounds zero", lambda: P((0, 0, 0, 0), (0, 0), rounds=0), ValueError, "rounds",
         "rounds must be between 1 and 16"),
        ("rounds 17", lambda: P((0, 0, 0, 0), (0, 0), rounds=17), ValueError, "rounds",
         "rounds must be between 1 and 16"),
        ("rounds negative", lambda: P((0, 0, 0, 0), (0, 0), rounds=-1), ValueError, "rounds",
         "rounds must be between 1 and 16"),
        ("rounds float", lambda: P((0, 0, 0, 0), (0, 0), rounds=10.0), TypeError, "rounds", "rounds must be an int"),
        ("rounds bool", lambda: P((0, 0, 0, 0), (0, 0), rounds=True), TypeError, "rounds", "rounds must be an int"),
        ("rounds None", lambda: P((0, 0, 0, 0), (0, 0), rounds=None), TypeError, "rounds", "rounds must be an int"),
    ]:
        add(f"philox4x32: {cid}", f32, (lambda call: lambda b: call())(call), exc, arg, frag)

    # the shape-aware initialisers (wi.xavier_uniform_, wi.kaiming_normal_, ...), calculate_gain, compute_fans
    for case in init_cases():
        if not hasattr(case, "marks"):
            add(*case)
        else:  # a pytest.param with marks (a known defect)
            cid, make, call, exc, arg, frag = case.values
            cases.append(pytest.param(make, call, exc, arg, frag, id=cid, marks=case.marks))

    # set_num_threads(n)
    for cid, value, exc, frag in [
        ("zero", 0, ValueError, "n must be between 1 and 4096"), ("negative", -2, ValueError, "n must be between"),
        ("too many", 4097, ValueError, "n must be between 1 and 4096"),
        ("float", 2.0, TypeError, "n must be a positive int or None"),
        ("bool", True, TypeError, "n must be a positive int or None"),
        ("str", "2", TypeError, "n must be a positive int or None"),
    ]:
        add(f"set_num_threads: {cid}", f32, (lambda v: lambda b: wi.set_num_threads(v))(value), exc, "n", frag)
    return cases


def m2():
    return np.arange(16, dtype=np.float32).reshape(4, 4)


SHAPE_INITS = {
    "xavier_uniform_": (wi.xavier_uniform_, {}), "xavier_normal_": (wi.xavier_normal_, {}),
    "kaiming_uniform_": (wi.kaiming_uniform_, {}), "kaiming_normal_": (wi.kaiming_normal_, {}),
    "variance_scaling_": (wi.variance_scaling_, {}), "lecun_uniform_": (wi.lecun_uniform_, {}),
    "lecun_normal_": (wi.lecun_normal_, {}), "glorot_uniform_": (wi.glorot_uniform_, {}),
    "glorot_normal_": (wi.glorot_normal_, {}), "he_uniform_": (wi.he_uniform_, {}), "he_normal_": (wi.he_normal_, {}),
    "trunc_normal_": (wi.trunc_normal_, {}),
}


def init_cases():
    """(id, buffer factory, call, exception, argument, fragment) for the initialiser family."""
    out = []
    for name, (fn, kw) in SHAPE_INITS.items():
        def call(fn=fn, kw=kw, **extra):
            return lambda b: fn(b, **{"seed": 1, **kw, **extra})

        shaped = name != "trunc_normal_"
        out += [
            (f"wi.{name}: buf list", lambda: [[0.0] * 4] * 4, call(), TypeError, "buf", "buf must be"),
            (f"wi.{name}: buf read-only", lambda: read_only().reshape(4, 4), call(), ValueError, "buf",
             "buf must be writable"),
            (f"wi.{name}: buf non-contiguous", lambda: np.zeros((4, 8), np.float32)[:, ::2], call(), ValueError,
             "buf", "buf must be C-contiguous"),
            (f"wi.{name}: buf int dtype", lambda: np.zeros((4, 4), np.int32), call(), TypeError, "buf",
             "buf must have dtype"),
            (f"wi.{name}: buf torch meta", torch_case(lambda t: t.empty(4, 4, device="meta")), call(), ValueError,
             "buf", "buf must be a CPU tensor"),
            (f"wi.{name}: seed negative", m2, call(seed=-1), ValueError, "seed", "seed must be in [0, 2**64)"),
            (f"wi.{name}: seed negative (zero-size buf)", lambda: np.zeros((0, 4), np.float32), call(seed=-1),
             ValueError, "seed", "seed must be in [0, 2**64)"),
            (f"wi.{name}: stream float", m2, call(stream=1.5), TypeError, "stream", "stream must be an int"),
            (f"wi.{name}: offset past the end", m2, call(offset=4 * 2**64 - 15), ValueError, "offset",
             "offset + len(buf)"),
            (f"wi.{name}: offset with the global generator", m2, call(seed=None, offset=4), ValueError, "offset",
             "offset needs an explicit seed"),
        ]
        for cid, make, kw, exc, arg, frag in region_cases():
            out.append((f"wi.{name}: {cid}", make, call(**kw), exc, arg, frag))
            out.append((f"wi.{name}: {cid} (global generator)", make, call(seed=None, **kw), exc, arg, frag))
        for cid, kw, exc, arg, frag in region_offset_cases():
            out.append((f"wi.{name}: {cid}", m2, call(**kw), exc, arg, frag))
        if shaped:
            out += [
                (f"wi.{name}: buf 1-D", lambda: np.zeros(4, np.float32), call(), ValueError, "shape",
                 "shape must have at least 2 dimensions"),
                (f"wi.{name}: buf 0-D", lambda: np.zeros((), np.float32), call(), ValueError, "shape",
                 "shape must have at least 2 dimensions"),
                (f"wi.{name}: layout unknown", m2, call(layout="tf"), ValueError, "layout", "layout must be one of"),
                (f"wi.{name}: layout not a str", m2, call(layout=3), TypeError, "layout", "layout must be a str"),
                (f"wi.{name}: in_axis out of range", m2, call(in_axis=5), ValueError, "in_axis", "in_axis 5 is out of"),
                (f"wi.{name}: in_axis float", m2, call(in_axis=1.0), TypeError, "in_axis", "in_axis must be an int"),
                (f"wi.{name}: in_axis == out_axis", m2, call(in_axis=0, out_axis=0), ValueError, "in_axis",
                 "must be disjoint"),
                (f"wi.{name}: batch_axis out of range", m2, call(batch_axis=7), ValueError, "batch_axis",
                 "batch_axis 7 is out of"),
            ]
    g = dict(seed=1)
    out += [
        ("wi.xavier_uniform_: gain nan", m2, lambda b: wi.xavier_uniform_(b, gain=math.nan, **g), ValueError, "gain",
         "gain must be finite"),
        ("wi.xavier_normal_: gain str", m2, lambda b: wi.xavier_normal_(b, gain="1", **g), TypeError, "gain",
         "gain must be a real number"),
        ("wi.xavier_normal_: gain negative", m2, lambda b: wi.xavier_normal_(b, gain=-1.0, **g), ValueError, "gain",
         "gain must be >= 0"),
        ("wi.xavier_uniform_: gain overflows float32", m2, lambda b: wi.xavier_uniform_(b, gain=1e39, **g),
         ValueError, "gain", "gain is too large"),
        ("wi.kaiming_normal_: mode unknown", m2, lambda b: wi.kaiming_normal_(b, mode="fan_avg", **g), ValueError,
         "mode", "mode must be one of 'fan_in', 'fan_out'"),
        ("wi.kaiming_normal_: mode None", m2, lambda b: wi.kaiming_normal_(b, mode=None, **g), TypeError, "mode",
         "mode must be a str"),
        ("wi.kaiming_uniform_: nonlinearity unknown", m2, lambda b: wi.kaiming_uniform_(b, nonlinearity="swish", **g),
         ValueError, "nonlinearity", "nonlinearity must be one of"),
        ("wi.kaiming_uniform_: nonlinearity int", m2, lambda b: wi.kaiming_uniform_(b, nonlinearity=3, **g),
         TypeError, "nonlinearity", "nonlinearity must be a str"),
        # the negative slope `a` is reported as calculate_gain's `param`, with what it is
        ("wi.kaiming_uniform_: a nan", m2, lambda b: wi.kaiming_uniform_(b, a=math.nan, **g), ValueError,
         "negative slope", "must be finite"),
        ("wi.kaiming_uniform_: a str", m2, lambda b: wi.kaiming_uniform_(b, a="0.1", **g), TypeError,
         "negative slope", "must be a real number"),
        ("wi.kaiming_uniform_: a bool", m2, lambda b: wi.kaiming_uniform_(b, a=True, **g), TypeError,
         "negative slope", "must be a real number"),
        pytest.param("wi.kaiming_uniform_: a huge", m2, lambda b: wi.kaiming_uniform_(b, a=1e200, **g), ValueError,
                     "negative slope", ""),
        ("wi.variance_scaling_: scale zero", m2, lambda b: wi.variance_scaling_(b, 0.0, **g), ValueError, "scale",
         "scale must be a positive finite number"),
        ("wi.variance_scaling_: scale nan", m2, lambda b: wi.variance_scaling_(b, math.nan, **g), ValueError, "scale",
         "scale must be a positive finite number"),
        ("wi.variance_scaling_: scale bool", m2, lambda b: wi.variance_scaling_(b, True, **g), TypeError, "scale",
         "scale must be a real number"),
        pytest.param("wi.variance_scaling_: scale overflows float32", m2,
                     lambda b: wi.variance_scaling_(b, 1e300, distribution="normal", **g), ValueError, "scale", ""),
        ("wi.variance_scaling_: mode unknown", m2, lambda b: wi.variance_scaling_(b, 1.0, mode="fan", **g),
         ValueError, "mode", "mode must be one of 'fan_in', 'fan_out', 'fan_avg'"),
        ("wi.variance_scaling_: distribution unknown", m2,
         lambda b: wi.variance_scaling_(b, 1.0, distribution="cauchy", **g), ValueError, "distribution",
         "distribution must be one of"),
        ("wi.variance_scaling_: distribution None", m2,
         lambda b: wi.variance_scaling_(b, 1.0, distribution=None, **g), TypeError, "distribution",
         "distribution must be a str"),
        ("wi.trunc_normal_: std negative", m2, lambda b: wi.trunc_normal_(b, std=-1.0, **g), ValueError, "std",
         "std must be >= 0"),
        ("wi.trunc_normal_: mean inf", m2, lambda b: wi.trunc_normal_(b, mean=math.inf, **g), ValueError, "mean",
         "mean must be finite"),
        pytest.param("wi.trunc_normal_: a > b", m2, lambda b: wi.trunc_normal_(b, a=2.0, b=-2.0, **g), ValueError,
                     "a", "a must be < b"),
        pytest.param("wi.trunc_normal_: a nan", m2, lambda b: wi.trunc_normal_(b, a=math.nan, **g), ValueError,
                     "a", "a must be finite"),
        ("wi.calculate_gain: unknown", f32, lambda b: wi.calculate_gain("swish"), ValueError, "nonlinearity",
         "nonlinearity must be one of"),
        ("wi.calculate_gain: not a str", f32, lambda b: wi.calculate_gain(3), TypeError, "nonlinearity",
         "nonlinearity must be a str"),
        ("wi.calculate_gain: param str", f32, lambda b: wi.calculate_gain("leaky_relu", "0.1"), TypeError, "param",
         "param (the negative slope of leaky_relu) must be a real number or None"),
        ("wi.calculate_gain: param nan", f32, lambda b: wi.calculate_gain("leaky_relu", math.nan), ValueError,
         "param", "must be finite"),
        ("wi.calculate_gain: param bool", f32, lambda b: wi.calculate_gain("leaky_relu", True), TypeError, "param",
         "must be a real number or None"),
        ("wi.compute_fans: 1-D", f32, lambda b: wi.compute_fans((4,)), ValueError, "shape",
         "shape must have at least 2 dimensions"),
        ("wi.compute_fans: negative dimension", f32, lambda b: wi.compute_fans((4, -1)), ValueError, "shape",
         "shape must not have negative dimensions"),
        ("wi.compute_fans: float dimension", f32, lambda b: wi.compute_fans((4, 2.0)), TypeError, "shape",
         "shape must be a sequence of ints"),
        ("wi.compute_fans: str shape", f32, lambda b: wi.compute_fans("44"), TypeError, "shape",
         "shape must be a sequence of ints"),
        ("wi.compute_fans: unknown layout", f32, lambda b: wi.compute_fans((4, 4), "tf"), ValueError, "layout",
         "layout must be one of"),
    ]
    # wi.torch, the torch.nn.init drop-in (its own argument names: tensor, a, b, generator)
    out += [
        (f"wi.torch.{name}: {cid}", make, (lambda name, kw: lambda b: getattr(wi_torch(), name)(b, **kw))(name, kw),
         exc, arg, frag)
        for name, cid, make, kw, exc, arg, frag in [
            # torch raises AttributeError, RuntimeError, RuntimeError here: wi.torch's errors derive from both
            ("normal_", "tensor an ndarray", f32, {}, TypeAndAttributeError, "tensor", "tensor must be a torch.Tensor"),
            ("normal_", "int tensor", torch_case(lambda t: t.zeros(4, dtype=t.int32)), {}, TypeAndNotImplementedError,
             "tensor", "tensor must have a floating dtype"),
            ("normal_", "std negative", torch_case(lambda t: t.zeros(4)), {"std": -1.0}, ValueAndRuntimeError, "std",
             "std must be >= 0"),
            ("xavier_uniform_", "1-D tensor", torch_case(lambda t: t.zeros(4)), {}, ValueError, "shape",
             "shape must have at least 2 dimensions"),
            ("xavier_uniform_", "generator an int", torch_case(lambda t: t.zeros(4, 4)), {"generator": 5}, TypeError,
             "generator", "generator must be a torch.Generator, a wi.Generator or None"),
            ("kaiming_uniform_", "mode unknown", torch_case(lambda t: t.zeros(4, 4)), {"mode": "x"}, ValueError,
             "mode", "mode must be one of"),
            ("kaiming_normal_", "nonlinearity unknown", torch_case(lambda t: t.zeros(4, 4)), {"nonlinearity": "x"},
             ValueError, "nonlinearity", "nonlinearity must be one of"),
            ("stream_id", "name an int", f32, None, TypeError, "name", "name must be a str"),
            ("init_module_", "module an int", f32, None, TypeError, "module", "module must be a torch.nn.Module"),
        ]
        if kw is not None
    ]
    out += [
        ("wi.torch.stream_id: name an int", f32, lambda b: wi_torch().stream_id(3), TypeError, "name",
         "name must be a str"),
        ("wi.torch.init_module_: module an int", f32, lambda b: wi_torch().init_module_(3), TypeError, "module",
         "module must be a torch.nn.Module"),
        ("wi.torch.init_module_: seed negative", f32,
         lambda b: wi_torch().init_module_(__import__("torch").nn.Linear(2, 2), seed=-1), ValueError, "seed",
         "seed must be in [0, 2**64)"),
        pytest.param("wi.torch.uniform_: a > b", torch_case(lambda t: t.zeros(4)),
                     lambda b: wi_torch().uniform_(b, 2.0, 1.0), ValueAndRuntimeError, "a", "a must be <= b"),
        pytest.param("wi.torch.trunc_normal_: a > b", torch_case(lambda t: t.zeros(4)),
                     lambda b: wi_torch().trunc_normal_(b, a=2.0, b=1.0), ValueAndRuntimeError, "a", "a must be < b"),
    ]
    return out


def wi_torch():
    pytest.importorskip("torch")
    import wi.torch

    return wi.torch


STATE_CASES = [
    ("state a list", [1, 2, 3], TypeError, "state", "state must be a dict"),
    ("state None", None, TypeError, "state", "state must be a dict"),
    ("state missing counter", {"seed": 1, "stream": 0}, ValueError, "state", "state is missing counter"),
    ("state missing everything", {}, ValueError, "state", "state is missing counter, seed, stream"),
    ("state counter negative", {"seed": 1, "stream": 0, "counter": -1}, ValueError, "state['counter']",
     "state['counter'] must be in [0, 2**64)"),
    ("state counter past 2**64", {"seed": 1, "stream": 0, "counter": 2**64 + 1}, ValueError, "state['counter']",
     "state['counter'] must be in [0, 2**64)"),
    ("state seed float", {"seed": 1.0, "stream": 0, "counter": 0}, TypeError, "state['seed']",
     "state['seed'] must be an int"),
    ("state stream str", {"seed": 1, "stream": "0", "counter": 0}, TypeError, "state['stream']",
     "state['stream'] must be an int"),
    ("state seed bool", {"seed": True, "stream": 0, "counter": 0}, TypeError, "state['seed']",
     "state['seed'] must be an int"),
]


# The original module's hand-written cases, kept as they were.
LEGACY_CASES = [
    ("read-only array", read_only, lambda b: wi.fill_normal(b, seed=1), ValueError, "buf must be writable"),
    ("read-only bytes", lambda: bytes(64), lambda b: wi.fill_normal(b, seed=1), ValueError, "buf must be writable"),
    ("non-contiguous", lambda: np.zeros((8, 8), np.float32)[:, ::2], lambda b: wi.fill_normal(b, seed=1),
     ValueError, "buf must be C-contiguous"),
    ("negative stride", lambda: f32()[::-1], lambda b: wi.fill_uniform(b, 0, 1, seed=1), ValueError,
     "buf must be C-contiguous"),
    ("Fortran order", lambda: np.asfortranarray(np.zeros((4, 4), np.float32)), lambda b: wi.fill_normal(b, seed=1),
     ValueError, "buf must be C-contiguous"),
    ("int dtype", lambda: np.zeros(16, np.int32), lambda b: wi.fill_normal(b, seed=1), TypeError,
     "buf must have dtype float32 or float64"),
    ("longdouble dtype", lambda: np.zeros(16, np.longdouble), lambda b: wi.fill_normal(b, seed=1), TypeError,
     "buf must have dtype"),
    ("complex dtype", lambda: np.zeros(16, np.complex64), lambda b: wi.fill_normal(b, seed=1), TypeError,
     "buf must have dtype"),
    ("big-endian", lambda: np.zeros(16, ">f4"), lambda b: wi.fill_normal(b, seed=1), TypeError, "buf must have dtype"),
    ("float buffer for raw", f32, lambda b: wi.fill_raw(b, seed=1), TypeError, "buf must have dtype uint32"),
    ("array.array of ints", lambda: array.array("i", [0] * 16), lambda b: wi.fill_normal(b, seed=1), TypeError,
     "buf must hold float32 or float64"),
    ("not a buffer", lambda: [0.0] * 16, lambda b: wi.fill_normal(b, seed=1), TypeError,
     "buf must be a NumPy array, a writable buffer or a torch CPU tensor (got list)"),
    ("fan_in zero", f32, lambda b: wi.fill_he_normal(b, 0, seed=1), ValueError, "fan_in must be a positive integer"),
    ("fan_in negative", f32, lambda b: wi.fill_he_uniform(b, -3, seed=1), ValueError, "fan_in must be a positive"),
    ("fan_out float", f32, lambda b: wi.fill_xavier_normal(b, 3, 4.0, seed=1), TypeError, "fan_out must be a positive"),
    ("fan_in nan", f32, lambda b: wi.fill_xavier_uniform(b, math.nan, 4, seed=1), TypeError, "fan_in must be"),
    ("fan_in bool", f32, lambda b: wi.fill_he_normal(b, True, seed=1), TypeError, "fan_in must be a positive integer"),
    ("gain negative", f32, lambda b: wi.fill_he_normal(b, 3, gain=-1.0, seed=1), ValueError, "gain must be >= 0"),
    ("gain inf", f32, lambda b: wi.fill_xavier_normal(b, 3, 4, gain=math.inf, seed=1), ValueError,
     "gain must be finite"),
    ("gain string", f32, lambda b: wi.fill_xavier_uniform(b, 3, 4, gain="1", seed=1), TypeError,
     "gain must be a real number"),
    ("std negative", f32, lambda b: wi.fill_normal(b, 0.0, -1.0, seed=1), ValueError, "std must be >= 0"),
    ("std nan", f32, lambda b: wi.fill_normal(b, 0.0, math.nan, seed=1), ValueError, "std must be finite"),
    ("mean inf", f32, lambda b: wi.fill_normal(b, math.inf, 1.0, seed=1), ValueError, "mean must be finite"),
    ("std overflows float32", f32, lambda b: wi.fill_normal(b, 0.0, 1e38, seed=1), ValueError,
     "mean and std overflow float32"),
    ("low > high", f32, lambda b: wi.fill_uniform(b, 1.0, -1.0, seed=1), ValueError, "low must be <= high"),
    ("high nan", f32, lambda b: wi.fill_uniform(b, 0.0, math.nan, seed=1), ValueError, "high must be finite"),
    ("width overflows float32", f32, lambda b: wi.fill_uniform(b, -3e38, 3e38, seed=1), ValueError,
     "and so must high - low"),
    ("seed negative", f32, lambda b: wi.fill_normal(b, seed=-1), ValueError, "seed must be in [0, 2**64)"),
    ("seed too large", f32, lambda b: wi.fill_normal(b, seed=2**64), ValueError, "seed must be in [0, 2**64)"),
    ("seed float", f32, lambda b: wi.fill_normal(b, seed=1.0), TypeError, "seed must be an int"),
    ("seed bool", f32, lambda b: wi.fill_normal(b, seed=True), TypeError, "seed must be an int"),
    ("stream too large", f32, lambda b: wi.fill_normal(b, seed=1, stream=2**64), ValueError,
     "stream must be in [0, 2**64)"),
    ("stream string", f32, lambda b: wi.fill_normal(b, seed=1, stream="0"), TypeError, "stream must be an int"),
    ("offset negative", f32, lambda b: wi.fill_normal(b, seed=1, offset=-1), ValueError, "offset must be >= 0"),
    ("offset float", f32, lambda b: wi.fill_normal(b, seed=1, offset=1.5), TypeError, "offset must be an int"),
    ("offset past the end", f32, lambda b: wi.fill_normal(b, seed=1, offset=4 * 2**64 - 15), ValueError,
     "offset + len(buf) must be <= 73786976294838206464"),
    ("float64 offset past the end", lambda: np.zeros(16), lambda b: wi.fill_uniform(b, 0, 1, seed=1,
     offset=2 * 2**64 - 8), ValueError, "offset + len(buf) must be <="),
    ("offset with global generator", f32, lambda b: wi.fill_normal(b, offset=4), ValueError,
     "offset needs an explicit seed"),
    ("stream with global generator", f32, lambda b: wi.fill_he_normal(b, 3, stream=4), ValueError,
     "stream needs an explicit seed"),
    ("raw without a seed", lambda: np.zeros(16, np.uint32), lambda b: wi.fill_raw(b, seed=None), TypeError,
     "seed must be an int for fill_raw"),
    ("generator seed", f32, lambda b: wi.Generator(-5).fill_normal(b), ValueError, "seed must be in [0, 2**64)"),
    ("generator std", f32, lambda b: wi.Generator(5).fill_normal(b, 0.0, -2.0), ValueError, "std must be >= 0"),
]

CASES = make_cases()


def snapshot(buf):
    if isinstance(buf, np.ndarray):
        return buf.tobytes()
    if isinstance(buf, (list, str, int, type(None))):
        return repr(buf)
    if type(buf).__module__.startswith("torch"):
        if buf.device.type != "cpu" or buf.layout != __import__("torch").strided:
            return repr((buf.shape, buf.dtype, buf.device, buf.layout))
        flat = buf.detach().resolve_neg().clone().contiguous().reshape(-1)
        return flat.view(__import__("torch").uint8).numpy().tobytes() if buf.numel() else b""
    return memoryview(buf).tobytes()


def states():
    return wi.get_state(), SHARED_GEN.get_state(), wi.get_num_threads()


@pytest.fixture
def unchanged(restore_global_state, restore_threads):
    """Checks that a failed call moved no generator and changed no thread setting."""
    before = states()
    yield
    assert states() == before, "a failed call changed a generator's state or the thread count"


@pytest.mark.parametrize("make,call,exc,arg,frag", CASES)
def test_bad_input_is_rejected_and_leaves_everything_alone(make, call, exc, arg, frag, unchanged):
    buf = make()
    before = snapshot(buf)
    with pytest.raises(exc) as info:
        call(buf)
    msg = str(info.value)
    assert isinstance(info.value, exc), f"{type(info.value).__name__}: {msg}"  # subclasses such as BufferDtypeError count
    assert arg in msg, f"the message does not name {arg!r}: {msg}"
    assert frag in msg, msg
    assert snapshot(buf) == before


@pytest.mark.parametrize("desc,make,call,exc,msg", LEGACY_CASES, ids=[c[0] for c in LEGACY_CASES])
def test_bad_input_is_rejected_and_leaves_the_buffer_alone(desc, make, call, exc, msg, restore_global_state):
    buf = make()
    before = snapshot(buf)
    state = wi.get_state()
    with pytest.raises(exc) as info:
        call(buf)
    assert msg in str(info.value)
    assert snapshot(buf) == before
    assert wi.get_state() == state  # a failed call reserves nothing


def test_the_table_covers_every_public_function():
    covered = " ".join(p.id for p in CASES)
    public = [n for n in wi.__all__ if callable(getattr(wi, n))]
    not_validating = {"get_state", "get_num_threads", "show_config"}  # take no arguments
    for name in public:
        if name in not_validating:
            continue
        assert name in covered or f"wi.{name}" in covered, f"no bad-input case for wi.{name}"
    for method in ("fill_uniform", "fill_normal", "fill_xavier_uniform", "fill_xavier_normal", "fill_he_uniform",
                   "fill_he_normal", "fill_raw", "set_state"):
        assert f"Generator.{method}" in covered, method


@pytest.mark.parametrize("fill", ALL_FILLS, ids=[f.name for f in ALL_FILLS])
def test_zero_size_buffers_are_a_no_op(fill, restore_global_state):
    before = states()
    buf = fill.good_buffer(0)
    assert fill(buf) is buf
    assert states() == before
    if fill.module:
        # even at the very end of the stream
        end = STREAM_END[np.uint32 if fill.raw else np.float32]
        assert fill(buf, offset=end) is buf


def test_offset_exactly_at_the_end_is_allowed():
    b = wi.fill_normal(np.zeros(16, np.float32), seed=1, offset=4 * 2**64 - 16)
    assert np.isfinite(b).all() and (b != 0).all()
    b = wi.fill_raw(np.zeros(16, np.uint32), seed=1, offset=4 * 2**64 - 16)
    assert (b == wi.fill_raw(np.zeros(20, np.uint32), seed=1, offset=4 * 2**64 - 20)[4:]).all()


def test_accepted_edge_values():
    # the boundaries of every range are accepted: they must not appear in the table above
    buf = np.zeros(8, np.float32)
    wi.fill_normal(buf, seed=2**64 - 1, stream=2**64 - 1)
    wi.fill_normal(buf, seed=np.uint64(2**64 - 1), stream=np.int64(3), offset=np.uint32(5))
    wi.fill_uniform(buf, 1.0, 1.0, seed=0)  # low == high
    assert (buf == 1.0).all()
    wi.fill_uniform(buf, np.float32(-1), np.float64(1), seed=0)
    wi.fill_he_normal(buf, np.int64(3), gain=np.float32(2.0), seed=0)
    wi.fill_xavier_uniform(buf, 1, 2**70, seed=0)  # a huge fan just gives a tiny bound
    wi.fill_normal(buf, -3e38, 1e36, seed=0)  # |mean| + 6 std == 3.06e38 < float32 max
    assert np.isfinite(buf).all()
    wi.philox4x32((2**32 - 1,) * 4, (2**32 - 1,) * 2, rounds=np.int64(16))
    g = wi.Generator(np.uint64(3), stream=np.int32(4))
    assert g.seed == 3 and g.stream == 4
