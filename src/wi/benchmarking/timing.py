"""Wall-clock timing: warm-up, calibration, then the median of interleaved repeats.

Timing several contenders round-robin (one timing of each per repeat) lets the drift of a
shared machine hit all of them alike, which keeps their ratios honest even when the
absolute times wander.
"""
import statistics
import time


def time_calls(fn, calls):
    """Seconds per call over `calls` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def calibrate(fn, min_time):
    """How many calls one timing needs to last at least min_time (as timeit.autorange does).

    Short fills take microseconds, where a single perf_counter pair is mostly noise.
    """
    calls = 1
    while True:
        per_call = time_calls(fn, calls)
        if per_call * calls >= min_time or calls >= 1 << 20:
            return calls
        calls = max(calls * 2, min(1 << 20, int(1.2 * min_time / max(per_call, 1e-9))))


def median_times(fns, repeat, min_time=0.01):
    """{name: median seconds per call} for a dict of no-argument callables.

    Each callable runs once untimed first (lazy imports, thread-pool start-up, caches).
    """
    for fn in fns.values():
        fn()
    calls = {name: calibrate(fn, min_time) for name, fn in fns.items()}
    samples = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            samples[name].append(time_calls(fn, calls[name]))
    return {name: statistics.median(s) for name, s in samples.items()}
