"""Off-by-one writes: every length 0..130 at offsets 0..7, on every SIMD path, into a
buffer with poisoned guard bytes on both sides. The guards must survive and the written
elements must equal the same elements of one long reference fill.

Run under ASan/UBSan by scripts/sanitize.sh, where a stray read or write also aborts.
"""
import numpy as np
import pytest

import wi
from wi import _backend

from conftest import simd_paths

SEED, STREAM = 0x0123456789ABCDEF, 5
GUARD = 64  # elements of poison on each side (256 or 512 bytes: more than any vector store)
POISON = 0xA5


try:
    from ml_dtypes import bfloat16
except ImportError:  # pragma: no cover - ml_dtypes is a test dependency
    bfloat16 = None


def fill(buf, kind, offset):
    if kind == "raw":
        return wi.fill_raw(buf, seed=SEED, stream=STREAM, offset=offset)
    if kind == "uniform":
        return wi.fill_uniform(buf, -2.0, 3.0, seed=SEED, stream=STREAM, offset=offset)
    if kind == "truncnorm":
        return wi.fill_truncated_normal(buf, 0.5, 1.5, -1.0, 2.5, seed=SEED, stream=STREAM, offset=offset)
    return wi.fill_normal(buf, 0.5, 1.5, seed=SEED, stream=STREAM, offset=offset)


KINDS = [(np.uint32, "raw"), (np.float32, "uniform"), (np.float32, "normal"), (np.float64, "uniform"),
         (np.float64, "normal"), (np.float32, "truncnorm"), (np.float64, "truncnorm"), (np.float16, "normal"),
         (np.float16, "truncnorm")] + ([(bfloat16, "uniform")] if bfloat16 is not None else [])
IDS = [f"{np.dtype(d).name}-{k}" for d, k in KINDS]


def guarded(n, dtype, align):
    """A poisoned backing array and a view of n elements starting `align` elements past the guard."""
    base = np.empty(GUARD + align + n + GUARD, dtype)
    base.view(np.uint8)[:] = POISON
    return base, base[GUARD + align : GUARD + align + n]


def check_guards(base, n, align, ctx):
    b = base.view(np.uint8)
    size = base.itemsize
    head, tail = b[: (GUARD + align) * size], b[(GUARD + align + n) * size :]
    bad = np.flatnonzero(head != POISON)
    assert not bad.size, f"write before the buffer: {ctx}, last bad byte {bad[-1] - head.size}"
    assert (tail == POISON).all(), f"write after the buffer: {ctx}, first bad byte +{np.flatnonzero(tail != POISON)[0]}"


@pytest.mark.parametrize("dtype,kind", KINDS, ids=IDS)
def test_every_length_and_offset_writes_exactly_its_elements(dtype, kind, restore_simd):
    ref = fill(np.empty(7 + 130 + 1, dtype), kind, 0)
    for path in simd_paths() or ("fallback",):
        if _backend.core is not None:
            _backend.core.simd_select(path)
        for offset in range(8):
            for n in range(131):
                align = (n + 3 * offset) % 8  # vary the start's alignment too
                base, view = guarded(n, dtype, align)
                assert fill(view, kind, offset) is view
                ctx = f"{path} n={n} offset={offset} align={align}"
                check_guards(base, n, align, ctx)
                if n:
                    assert view.tobytes() == ref[offset : offset + n].tobytes(), ctx


@pytest.mark.skipif(_backend.core is None, reason="threaded path needs the compiled core")
@pytest.mark.parametrize("dtype,kind", KINDS, ids=IDS)
def test_thread_split_points_write_exactly_their_elements(dtype, kind, restore_simd, restore_threads):
    pm = _backend.core.parallel_min()
    sizes = [2 * pm - 1, 2 * pm, 2 * pm + 1, 3 * pm + 4095, 3 * pm + 4097]
    ref = fill(np.empty(max(sizes) + 7, dtype), kind, 0)
    for path in simd_paths():
        _backend.core.simd_select(path)
        for threads in (2, 3):
            wi.set_num_threads(threads)
            for n in sizes:
                for offset in (0, 3):
                    align = offset + 1
                    base, view = guarded(n, dtype, align)
                    fill(view, kind, offset)
                    ctx = f"{path} threads={threads} n={n} offset={offset}"
                    check_guards(base, n, align, ctx)
                    assert view.tobytes() == ref[offset : offset + n].tobytes(), ctx


def test_last_elements_of_the_stream_are_written_exactly(restore_simd):
    # the final block of a stream (block 2^64 - 1): the counter must not wrap into a write past the end
    for path in simd_paths() or ("fallback",):
        if _backend.core is not None:
            _backend.core.simd_select(path)
        for dtype, kind in KINDS:
            k = 2 if np.dtype(dtype) == np.float64 else 4
            end = k * 2**64
            ref = fill(np.empty(70, dtype), kind, end - 70)
            for n in range(0, 70, 3):
                base, view = guarded(n, dtype, 1)
                fill(view, kind, end - n)
                check_guards(base, n, 1, f"{path} {kind} n={n} at the stream's end")
                assert view.tobytes() == ref[70 - n :].tobytes()


@pytest.mark.parametrize("dtype,kind", KINDS, ids=IDS)
def test_exact_size_allocations(dtype, kind, restore_simd):
    # each buffer is its own allocation of exactly n elements (and, for the bytearray, exactly
    # its bytes), so under AddressSanitizer (scripts/sanitize.sh) a write or read one byte
    # past the end is a heap-buffer-overflow report, not just a changed guard byte
    ref = fill(np.empty(7 + 130 + 1, dtype), kind, 0)
    code = {"float32": "f", "float64": "d", "uint32": "I"}.get(np.dtype(dtype).name)  # memoryview cannot cast to "e"
    for path in simd_paths() or ("fallback",):
        if _backend.core is not None:
            _backend.core.simd_select(path)
        for offset in range(8):
            for n in range(131):
                a = fill(np.empty(n, dtype), kind, offset)
                assert a.tobytes() == ref[offset : offset + n].tobytes(), (path, n, offset)
                if code and n % 5 == offset % 5:  # a sample of buffer-protocol objects too
                    mv = memoryview(bytearray(n * np.dtype(dtype).itemsize)).cast(code)
                    fill(mv, kind, offset)
                    assert mv.tobytes() == ref[offset : offset + n].tobytes(), (path, n, offset)
