"""Threads: many Python threads on the global generator and shared Generators, the GIL
released during a fill, and fills from inside other thread pools (Python's, torch's OpenMP).

Overlap is checked by values: every fill's output is located in one long reference fill of
the same (seed, stream), and the block ranges found must tile [0, total) exactly.
"""
import math
import random
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import wi
from wi import _backend

N_THREADS = 16
CALLS = 30
PM = _backend.core.parallel_min() if _backend.core is not None else 1 << 16
# (kind, dtype, elements per block)
KINDS = [("uniform", np.float32, 4), ("normal", np.float64, 2), ("raw", np.uint32, 4)]


def run_threads(target, n, timeout=120):
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as exc:  # reported below, so a crash in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


def fill_from(gen, kind, n, via_memoryview=False):
    """One fill from a generator: wi (the module, the global generator) or a wi.Generator.
    A plain ndarray takes the compiled fast path; a memoryview of it the checked path."""
    dtype = dict((k, d) for k, d, _ in KINDS)[kind]
    buf = np.empty(n, dtype)
    target = memoryview(buf) if via_memoryview else buf
    if kind == "uniform":
        gen.fill_uniform(target, 0.0, 1.0)
    elif kind == "normal":
        gen.fill_normal(target, 0.0, 1.0)
    else:
        gen.fill_raw(target)
    return buf


def reference(kind, seed, stream, nblocks):
    dtype, k = {kd: (d, kk) for kd, d, kk in KINDS}[kind]
    buf = np.empty(nblocks * k, dtype)
    if kind == "uniform":
        return wi.fill_uniform(buf, 0.0, 1.0, seed=seed, stream=stream)
    if kind == "normal":
        return wi.fill_normal(buf, 0.0, 1.0, seed=seed, stream=stream)
    return wi.fill_raw(buf, seed=seed, stream=stream)


def locate_and_check(results, seed, stream, total_blocks):
    """Find each result's first block by its values; the ranges must tile [0, total_blocks)."""
    refs, index = {}, {}
    for kind, _, k in KINDS:
        refs[kind] = reference(kind, seed, stream, total_blocks)
        view = refs[kind].reshape(-1, k)
        index[kind] = {view[b].tobytes(): b for b in range(total_blocks)}
    ranges = []
    for kind, values in results:
        k = {kd: kk for kd, _, kk in KINDS}[kind]
        first = index[kind].get(values[:k].tobytes())
        assert first is not None, f"a {kind} fill's first block is not in the stream's first {total_blocks} blocks"
        np.testing.assert_array_equal(values, refs[kind][first * k : first * k + values.size])
        ranges.append((first, first + -(-values.size // k)))
    ranges.sort()
    assert ranges[0][0] == 0
    for (a, b), (c, d) in zip(ranges, ranges[1:]):
        assert b == c, f"block ranges [{a}, {b}) and [{c}, {d}) {'overlap' if c < b else 'leave a gap'}"
    assert ranges[-1][1] == total_blocks


def test_sixteen_threads_on_the_global_generator_and_shared_generators(restore_global_state):
    wi.seed(2024)
    shared = [wi.Generator(7, stream=1), wi.Generator(7, stream=2)]
    out = {"global": [], 0: [], 1: []}
    lock = threading.Lock()
    start = threading.Barrier(N_THREADS)

    def work(i):
        rng = random.Random(i)
        start.wait()
        for c in range(CALLS):
            kind = rng.choice(["uniform", "normal"] if c % 3 else ["uniform", "normal", "raw"])
            k = {kd: kk for kd, _, kk in KINDS}[kind]
            # mostly small fills, and a few large enough for the parallel path
            n = 2 * PM + rng.randrange(1, 999) if c == i % CALLS and i % 4 == 0 else rng.randrange(k, 60 * k)
            which = rng.choice(["global", 0, 1])
            if which == "global":
                if kind == "raw":  # fill_raw has no global form; take the same blocks as uniforms
                    kind = "uniform"
                vals = fill_from(wi, kind, n, via_memoryview=rng.random() < 0.5)
            else:
                vals = fill_from(shared[which], kind, n, via_memoryview=rng.random() < 0.3)
            with lock:
                out[which].append((kind, vals.copy()))

    run_threads(work, N_THREADS)
    assert sum(len(v) for v in out.values()) == N_THREADS * CALLS
    g = wi.get_state()
    locate_and_check(out["global"], 2024, 0, g["counter"])
    for j, gen in enumerate(shared):
        s = gen.get_state()
        locate_and_check(out[j], 7, j + 1, s["counter"])


def test_the_overlap_check_can_fail():
    # two fills that share a block must be reported (guards the checker above)
    a = wi.fill_uniform(np.empty(8, np.float32), 0.0, 1.0, seed=1)
    b = wi.fill_uniform(np.empty(8, np.float32), 0.0, 1.0, seed=1, offset=4)
    with pytest.raises(AssertionError, match="overlap"):
        locate_and_check([("uniform", a), ("uniform", b)], 1, 0, 3)


@pytest.fixture
def slow_single_thread_fill(restore_threads, restore_simd):
    """One thread, the portable kernel and a short switch interval: a long fill that another
    Python thread gets many chances to interrupt, if the fill lets it."""
    wi.set_num_threads(1)
    _backend.core.simd_select("portable")
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(old)


@pytest.mark.skipif(_backend.core is None, reason="the fallback holds the GIL in NumPy")
def test_the_gil_is_released_during_a_fill(slow_single_thread_fill):
    # A single-threaded portable fill writes its buffer front to back. If the main thread ever
    # sees the first element written while the last is still NaN, it ran Python code in the
    # middle of the C call, which it can only do if the fill released the GIL.
    for attempt in range(5):
        buf = np.full(1 << 23, np.nan)
        done = threading.Event()

        def work():
            wi.fill_normal(buf, seed=1)
            done.set()

        t = threading.Thread(target=work, daemon=True)
        t.start()
        seen_middle = False
        polls = 0
        while not done.is_set():
            polls += 1
            if not np.isnan(buf[0]) and np.isnan(buf[-1]):
                seen_middle = True
                break
        t.join(60)
        assert not t.is_alive()
        if seen_middle:
            break
    assert seen_middle, "the main thread never ran while a fill was in progress"
    assert np.isfinite(buf).all()


@pytest.mark.skipif(_backend.core is None, reason="needs the compiled core (its thread pool)")
def test_parallel_fills_from_many_threads_at_once_are_correct():
    # every thread posts its own job to the shared pool at the same time
    n = 3 * PM + 17
    ref = {s: wi.fill_normal(np.empty(n, np.float32), seed=s, stream=s) for s in range(8)}
    start = threading.Barrier(8)

    def work(i):
        start.wait()
        for _ in range(3):
            got = wi.fill_normal(np.empty(n, np.float32), seed=i, stream=i)
            np.testing.assert_array_equal(got, ref[i])

    run_threads(work, 8)


def test_fills_from_a_thread_pool_while_torch_runs_its_own_openmp_pool():
    torch = pytest.importorskip("torch")
    n = 2 * PM + 5
    ref = [wi.fill_he_normal(np.empty(n, np.float32), 128, seed=3, stream=s) for s in range(6)]
    stop = threading.Event()

    def torch_busy():
        a = torch.randn(256, 256)
        while not stop.is_set():
            a = torch.tanh(a @ a)  # torch's intra-op OpenMP threads

    busy = threading.Thread(target=torch_busy, daemon=True)
    busy.start()
    try:
        def task(s):
            t = torch.empty(n)
            wi.fill_he_normal(t, 128, seed=3, stream=s)  # a torch tensor, filled from a worker thread
            return s, t.numpy().copy()

        with ThreadPoolExecutor(max_workers=4) as pool:
            for s, got in pool.map(task, list(range(6)) * 2, timeout=120):
                np.testing.assert_array_equal(got, ref[s])
    finally:
        stop.set()
        busy.join(60)
    assert not busy.is_alive()


def test_fills_inside_threadpoolctl_limits_and_nested_pools(restore_threads):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    n = 3 * PM + 1
    ref = wi.fill_uniform(np.empty(n), -1.0, 1.0, seed=9)
    with threadpoolctl.threadpool_limits(limits=1):
        np.testing.assert_array_equal(wi.fill_uniform(np.empty(n), -1.0, 1.0, seed=9), ref)

        def inner(_):
            # a pool inside a pool, each fill free to pick its own thread count
            with ThreadPoolExecutor(max_workers=2) as pool2:
                return list(pool2.map(lambda _: wi.fill_uniform(np.empty(n), -1.0, 1.0, seed=9), range(2)))

        with ThreadPoolExecutor(max_workers=2) as pool:
            for outs in pool.map(inner, range(2), timeout=120):
                for got in outs:
                    np.testing.assert_array_equal(got, ref)


@pytest.mark.skipif(_backend.core is None, reason="the fallback holds the GIL in NumPy")
def test_a_buffer_cannot_be_resized_under_a_running_fill(slow_single_thread_fill):
    # The GIL is released during the fill, so another thread could try to reallocate the
    # buffer; the fill must hold it (a buffer export) so that this fails instead of the
    # fill writing into freed memory.
    import array

    for attempt in range(5):
        buf = array.array("d", [math.nan]) * (1 << 23)
        done = threading.Event()

        def work():
            wi.fill_normal(buf, seed=1)
            done.set()

        t = threading.Thread(target=work, daemon=True)
        t.start()
        outcome = None
        while not done.is_set():
            if not math.isnan(buf[0]) and math.isnan(buf[-1]):  # mid-fill
                try:
                    buf.append(0.0)
                    outcome = "resized"
                except BufferError:
                    outcome = "refused"
                break
        t.join(60)
        assert not t.is_alive()
        if outcome is not None:
            break
    assert outcome == "refused", f"a buffer was resized under a running fill ({outcome})"
    buf.append(0.0)  # after the fill the export is gone
    assert len(buf) == (1 << 23) + 1
