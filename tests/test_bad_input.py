"""Bad input: the right exception, a message naming the argument, and untouched bytes."""
import array
import math

import numpy as np
import pytest

import wi


def f32(n=16):
    return np.arange(n, dtype=np.float32)


def read_only():
    a = f32()
    a.flags.writeable = False
    return a


CASES = [
    # (description, buffer factory, call, exception, message fragment)
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
    ("gain zero", f32, lambda b: wi.fill_he_normal(b, 3, gain=0.0, seed=1), ValueError, "gain must be > 0"),
    ("gain inf", f32, lambda b: wi.fill_xavier_normal(b, 3, 4, gain=math.inf, seed=1), ValueError,
     "gain must be finite"),
    ("gain string", f32, lambda b: wi.fill_xavier_uniform(b, 3, 4, gain="1", seed=1), TypeError,
     "gain must be a real number"),
    ("std negative", f32, lambda b: wi.fill_normal(b, 0.0, -1.0, seed=1), ValueError, "std must be > 0"),
    ("std zero", f32, lambda b: wi.fill_normal(b, 0.0, 0.0, seed=1), ValueError, "std must be > 0"),
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
    ("generator std", f32, lambda b: wi.Generator(5).fill_normal(b, 0.0, -2.0), ValueError, "std must be > 0"),
]


def snapshot(buf):
    if isinstance(buf, np.ndarray):
        return buf.tobytes()
    if isinstance(buf, list):
        return repr(buf)
    return bytes(memoryview(buf).cast("B"))


@pytest.mark.parametrize("desc,make,call,exc,msg", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_and_leaves_the_buffer_alone(desc, make, call, exc, msg, restore_global_state):
    buf = make()
    before = snapshot(buf)
    state = wi.get_state()
    with pytest.raises(exc) as info:
        call(buf)
    assert msg in str(info.value)
    assert snapshot(buf) == before
    assert wi.get_state() == state  # a failed call reserves nothing


def test_offset_exactly_at_the_end_is_allowed():
    b = wi.fill_normal(np.zeros(16, np.float32), seed=1, offset=4 * 2**64 - 16)
    assert np.isfinite(b).all() and (b != 0).all()


def test_philox4x32_argument_checks():
    with pytest.raises(ValueError, match="counter must have 4 words"):
        wi.philox4x32((0, 0, 0), (0, 0))
    with pytest.raises(ValueError, match=r"key\[1\] must be in \[0, 2\*\*32\)"):
        wi.philox4x32((0, 0, 0, 0), (0, 2**32))
    with pytest.raises(TypeError, match="counter must be a sequence of 4 ints"):
        wi.philox4x32(5, (0, 0))
    with pytest.raises(ValueError, match="rounds must be between 1 and 16"):
        wi.philox4x32((0, 0, 0, 0), (0, 0), rounds=0)


def test_set_num_threads_checks():
    with pytest.raises(ValueError, match="n must be between 1 and 4096"):
        wi.set_num_threads(0)
    with pytest.raises(TypeError, match="n must be a positive int or None"):
        wi.set_num_threads(2.0)


def test_set_state_checks(restore_global_state):
    with pytest.raises(ValueError, match="state is missing counter"):
        wi.set_state({"seed": 1, "stream": 0})
    with pytest.raises(ValueError, match=r"state\['counter'\] must be in \[0, 2\*\*64\)"):
        wi.set_state({"seed": 1, "stream": 0, "counter": -1})
    with pytest.raises(TypeError, match="state must be a dict"):
        wi.set_state([1, 2, 3])
