"""Property tests (hypothesis): any split of a fill into chunks, at any offset, on any
stream, with any thread count and SIMD path, equals the one-shot fill byte for byte."""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import wi  # noqa: E402
from wi import _backend  # noqa: E402

from conftest import simd_paths  # noqa: E402

PM = _backend.core.parallel_min() if _backend.core is not None else 1 << 16
try:
    from ml_dtypes import bfloat16
except ImportError:  # pragma: no cover - ml_dtypes is a test dependency
    bfloat16 = None

DTYPE = {"raw": np.uint32, "uniform32": np.float32, "normal32": np.float32, "uniform64": np.float64,
         "normal64": np.float64, "truncnorm32": np.float32, "truncnorm64": np.float64, "normal16": np.float16,
         "uniform16": np.float16}
if bfloat16 is not None:
    DTYPE.update({"normalbf16": bfloat16, "truncnormbf16": bfloat16})
KINDS = list(DTYPE)
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def fill(buf, kind, seed, stream, offset):
    if kind == "raw":
        return wi.fill_raw(buf, seed=seed, stream=stream, offset=offset)
    if kind.startswith("uniform"):
        return wi.fill_uniform(buf, -0.75, 1.25, seed=seed, stream=stream, offset=offset)
    if kind.startswith("truncnorm"):
        return wi.fill_truncated_normal(buf, 0.1, 0.02, 0.09, 0.2, seed=seed, stream=stream, offset=offset)
    return wi.fill_normal(buf, 0.1, 0.02, seed=seed, stream=stream, offset=offset)


lengths = st.one_of(st.integers(0, 3000), st.integers(2 * PM - 3, 2 * PM + 9000))
offsets = st.one_of(st.integers(0, 64), st.integers(0, 2**40), st.integers(2**63 - 5, 2**64 + 7))
u64 = st.one_of(st.integers(0, 8), st.integers(0, 2**64 - 1), st.just(2**64 - 1))


@SETTINGS
@given(kind=st.sampled_from(KINDS), n=lengths, offset=offsets, seed=u64, stream=u64,
       cuts=st.lists(st.floats(0, 1), max_size=6), threads=st.integers(1, 4),
       path=st.sampled_from(list(simd_paths()) or [None]), data=st.data())
def test_chunked_fills_equal_the_one_shot_fill(kind, n, offset, seed, stream, cuts, threads, path, data,
                                               restore_threads, restore_simd):
    dtype = DTYPE[kind]
    offset %= (2 if dtype == np.float64 else 4) * 2**64 - n + 1  # keep offset + n inside the stream
    wi.set_num_threads(1)
    if _backend.core is not None:
        _backend.core.simd_select("portable")
    whole = fill(np.empty(n, dtype), kind, seed, stream, offset)
    # the same elements in chunks, with another thread count and SIMD path, in a shuffled order
    wi.set_num_threads(threads)
    if path is not None:
        _backend.core.simd_select(path)
    points = sorted({0, n, *(int(c * n) for c in cuts)})
    pieces = list(zip(points, points[1:]))
    order = data.draw(st.permutations(pieces))
    out = np.full(n, 0xFF, dtype) if dtype == np.uint32 else np.full(n, np.nan, dtype)
    for a, b in order:
        fill(out[a:b], kind, seed, stream, offset + a)
    assert out.tobytes() == whole.tobytes()


@SETTINGS
@given(sizes=st.lists(st.integers(0, 200), min_size=1, max_size=12), seed=u64, stream=u64,
       kind=st.sampled_from(["uniform32", "normal64", "raw", "truncnorm32", "normal16"]))
def test_generator_calls_take_consecutive_whole_blocks(sizes, seed, stream, kind):
    dtype = DTYPE[kind]
    k = 2 if dtype == np.float64 else 4
    g = wi.Generator(seed, stream)
    block = 0
    for n in sizes:
        buf = np.empty(n, dtype)
        if kind == "raw":
            got = g.fill_raw(buf)
        elif kind == "uniform32":
            got = g.fill_uniform(buf, -0.75, 1.25)
        elif kind == "truncnorm32":
            got = g.fill_truncated_normal(buf, 0.1, 0.02, 0.09, 0.2)
        else:
            got = g.fill_normal(buf, 0.1, 0.02)
        assert got.tobytes() == fill(np.empty(n, dtype), kind, seed, stream, block * k).tobytes()
        block += -(-n // k)
        assert g.get_state()["counter"] == block


@SETTINGS
@given(n=st.integers(1, 500), low=st.floats(-1e30, 1e30), width=st.floats(0, 1e30), seed=u64,
       dtype=st.sampled_from([np.float32, np.float64]))
def test_uniform_values_stay_inside_their_bounds(n, low, width, seed, dtype):
    high = low + width
    x = wi.fill_uniform(np.empty(n, dtype), low, high, seed=seed)
    assert np.isfinite(x).all()
    assert x.min() >= dtype(low) and x.max() <= dtype(high)


@SETTINGS
@given(n=st.integers(1, 300), mean=st.floats(-1e3, 1e3), std=st.floats(1e-6, 1e3), a=st.floats(-12, 12),
       span=st.floats(1e-3, 40), seed=u64, dtype=st.sampled_from([np.float32, np.float64]))
def test_truncated_normal_values_stay_inside_their_bounds(n, mean, std, a, span, seed, dtype):
    low, high = mean + a * std, mean + (a + span) * std
    if not low < high:
        return
    try:
        x = wi.fill_truncated_normal(np.empty(n, dtype), mean, std, low, high, seed=seed)
    except ValueError as exc:  # only an interval too deep in a tail may be refused
        assert "too far in the tail" in str(exc)
        return
    assert np.isfinite(x).all()
    assert x.min() >= dtype(low) and x.max() <= dtype(high)
