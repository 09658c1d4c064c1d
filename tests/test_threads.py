"""wi's thread pool (csrc/pool.c): who controls the thread count, that the pool really runs
fills on its helpers, that nothing of it outlives the interpreter, and that values never
depend on it (every SIMD path, plain and region fills, many callers at once).

Child interpreters run under a timeout, so a hang fails the test instead of stalling it.
"""
import os
import shutil
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import wi
from wi import _backend
from conftest import simd_paths

pytestmark = pytest.mark.skipif(_backend.core is None, reason="the pool is part of the compiled core")

PM = _backend.core.parallel_min() if _backend.core is not None else 1 << 16
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")  # the C sources (absent where the tests run against an installed wi)
WI_PARENT = os.path.dirname(os.path.dirname(wi.__file__))  # children import the wi this process runs
TIMEOUT = 120


def run_child(code, **env):
    """Run code in a fresh interpreter importing the wi this process imported; its stdout's lines."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "WI_SIMD")}
    full_env.update(env, PYTHONPATH=WI_PARENT)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full_env, capture_output=True,
                         text=True, timeout=TIMEOUT)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def pool_thread_names():
    """Names of this process's threads that are wi's helpers (Linux: /proc/self/task)."""
    names = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                names.append(f.read().strip())
        except OSError:  # the thread ended meanwhile
            pass
    return [n for n in names if n == "wi-pool"]


# ---- the thread count: OMP_NUM_THREADS, the CPUs, threadpoolctl, wi.set_num_threads ----

def test_default_is_the_cpus_this_process_may_use():
    got = run_child("import wi; print(wi.get_num_threads())")
    assert got == [str(len(os.sched_getaffinity(0)))]


@pytest.mark.parametrize("value,expected", [("3", 3), (" 5 ", 5), ("4,2", 4), ("0", None), ("two", None), ("", None)])
def test_omp_num_threads_sets_the_default(value, expected):
    got = run_child("import wi; print(wi.get_num_threads())", OMP_NUM_THREADS=value)
    # not a positive integer: ignored, as an OpenMP runtime would
    assert got == [str(expected or len(os.sched_getaffinity(0)))]


def test_a_fill_starts_the_helpers_its_thread_count_asks_for():
    code = """
        import numpy as np, wi
        from wi import _backend
        print(_backend.core.pool_threads())
        wi.fill_normal(np.empty(64 * _backend.core.parallel_min(), np.float32), seed=1)
        print(_backend.core.pool_threads())
        wi.fill_normal(np.empty(64 * _backend.core.parallel_min(), np.float32), seed=1)
        print(_backend.core.pool_threads())
    """
    assert run_child(code, OMP_NUM_THREADS="3") == ["0", "2", "2"]  # started once, then reused


def test_threadpoolctl_limits_the_pool_whichever_is_imported_first():
    code = """
        import numpy as np
        {first}
        from threadpoolctl import threadpool_info, threadpool_limits
        from wi import _backend
        ours = [i for i in threadpool_info() if i["internal_api"] == "weightinit"]
        print(len(ours), ours[0]["user_api"], ours[0]["num_threads"])
        with threadpool_limits(limits=1):
            print(wi.get_num_threads())
            wi.fill_normal(np.empty(64 * _backend.core.parallel_min(), np.float32), seed=1)
            print(_backend.core.pool_threads())  # one thread: no helper was started
        with threadpool_limits(limits=2, user_api="openmp"):
            print(wi.get_num_threads())
        print(wi.get_num_threads())
    """
    pytest.importorskip("threadpoolctl")
    for first in ("import wi; import threadpoolctl", "import threadpoolctl; import wi"):
        got = run_child(code.replace("{first}", first), OMP_NUM_THREADS="3")
        assert got == ["1", "openmp", "3", "1", "0", "2", "3"], first


def test_set_num_threads_overrides_a_threadpoolctl_limit(restore_threads):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    default = wi.get_num_threads()
    with threadpoolctl.threadpool_limits(limits=1):
        assert wi.get_num_threads() == 1
        wi.set_num_threads(3)
        assert wi.get_num_threads() == 3
        wi.set_num_threads(None)
        assert wi.get_num_threads() == 1
    assert wi.get_num_threads() == default


# ---- interpreter exit ----

def test_no_pool_thread_outlives_the_interpreter():
    # An atexit handler registered before wi is imported runs after wi's (they run last
    # first), so it sees what is left once wi has shut its pool down.
    code = """
        import atexit, os
        def left():
            names = []
            for tid in os.listdir("/proc/self/task"):
                with open(f"/proc/self/task/{tid}/comm") as f:
                    names.append(f.read().strip())
            print("at-exit", names.count("wi-pool"), _backend.core.pool_threads())
        atexit.register(left)
        import numpy as np, wi
        from wi import _backend
        wi.set_num_threads(3)
        wi.fill_normal(np.empty(8 * _backend.core.parallel_min(), np.float32), seed=1)
        print("running", _backend.core.pool_threads())
    """
    assert run_child(code) == ["running", "2", "at-exit", "0", "0"]


def test_exit_while_daemon_threads_are_filling_does_not_hang():
    code = """
        import threading, numpy as np, wi
        from wi import _backend
        wi.set_num_threads(3)
        started = threading.Barrier(5)
        def fill_forever(i):
            buf = np.empty(4 * _backend.core.parallel_min(), np.float32)
            started.wait()
            while True:
                wi.fill_normal(buf, seed=i)
        for i in range(4):
            threading.Thread(target=fill_forever, args=(i,), daemon=True).start()
        started.wait()
        print("exiting")
    """
    assert run_child(code) == ["exiting"]


# ---- values never depend on the pool ----

def test_every_simd_path_and_thread_count_gives_the_same_plain_and_region_fills(restore_threads, restore_simd):
    n = 3 * PM + 1234
    rows, cols = 3 * PM // 512, 1024
    ref_plain = ref_region = None
    for path in simd_paths():
        _backend.core.simd_select(path)
        for threads in (1, 2, 3, 7):
            wi.set_num_threads(threads)
            plain = wi.fill_normal(np.empty(n, np.float32), 0.0, 2.0, seed=4, stream=1, offset=3)
            whole = wi.fill_uniform(np.empty((rows, cols), np.float64), -1.0, 1.0, seed=4, stream=2)
            cut = np.empty((rows, cols - 1 - 300))
            wi.fill_uniform(cut, -1.0, 1.0, seed=4, stream=2, global_shape=(rows, cols), start=(0, 300))
            np.testing.assert_array_equal(cut, whole[:, 300:-1])
            if ref_plain is None:
                ref_plain, ref_region = plain, whole
            assert plain.tobytes() == ref_plain.tobytes(), (path, threads)
            assert whole.tobytes() == ref_region.tobytes(), (path, threads)


def test_region_fills_from_many_python_threads_share_the_pool(restore_threads):
    # Eight callers at once, each asking for 3 threads: they share the pool's helpers, and
    # each block equals its part of one fill.
    rows, cols = 64, 8 * PM // 64
    whole = wi.fill_normal(np.empty((rows, cols), np.float32), seed=12)
    wi.set_num_threads(3)
    errors = []
    start = threading.Barrier(8)

    def work(k):
        try:
            start.wait()
            for _ in range(3):
                block = np.empty((rows, cols // 8), np.float32)
                wi.fill_normal(block, seed=12, global_shape=(rows, cols), start=(0, k * cols // 8))
                np.testing.assert_array_equal(block, whole[:, k * cols // 8 : (k + 1) * cols // 8])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a caller hung"
    assert not errors, errors[0]
    assert _backend.core.pool_threads() == len(pool_thread_names()) >= 2


def test_zarr_pool_follows_the_thread_count(tmp_path):
    zarr = pytest.importorskip("zarr")
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import wi.zarr

    names = set()

    def recording_fill(buf, **kwargs):
        names.add(threading.current_thread().name)
        return wi.fill_normal(buf, **kwargs)

    z = zarr.create_array(str(tmp_path / "a.zarr"), shape=(64, 4096), chunks=(8, 4096), dtype="float32")
    with threadpoolctl.threadpool_limits(limits=1):
        wi.zarr.fill(z, recording_fill, seed=3)
    # the checking call at the origin runs on this thread; every unit on the one worker
    assert len(names - {threading.current_thread().name}) == 1
    np.testing.assert_array_equal(z[:], wi.fill_normal(np.empty((64, 4096), np.float32), seed=3))


# ---- the pool in C: nobody waits for a helper that is not working on the fill ----

def test_c_harness_a_fill_never_waits_for_helpers_held_elsewhere(tmp_path):
    # tests/c/fill_threads.c (also run under ThreadSanitizer by scripts/tsan.sh): concurrent
    # callers on the pool, then every helper held inside another caller's job while a fill
    # runs (a pool that waited for its helpers hangs there; the timeout fails it), then the
    # shutdown. Built here without sanitizers, with the compiler that builds the core.
    cc = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler to build the harness")
    csrc = os.path.join(SRC, "wi", "csrc")
    if not os.path.isdir(csrc):  # the sdist and wheel runs test an installed wi from a tree without src/
        pytest.skip("the C sources are not in this tree")
    sources = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "c_sources.py")], capture_output=True,
                             text=True, check=True).stdout.split()
    exe = str(tmp_path / "fill_threads")
    # not under a sanitizer preloaded for this process (scripts/tsan.sh): the harness built
    # here is uninstrumented, and TSan would see its memcpy but not its atomics
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "TSAN_OPTIONS", "ASAN_OPTIONS")}
    subprocess.run([cc, "-O1", "-std=c11", "-ffp-contract=off", "-pthread", f"-I{csrc}",
                    os.path.join(ROOT, "tests", "c", "fill_threads.c"), *(os.path.join(csrc, f) for f in sources),
                    "-o", exe, "-lm"], check=True, timeout=TIMEOUT, env=env)
    out = subprocess.run([exe, "4", "3"], capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "finished alone" in out.stdout and "all fills equal" in out.stdout
