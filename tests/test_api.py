"""The public API: buffer kinds, the global generator, Generator, threads, config."""
import array
import threading

import numpy as np
import pytest

import wi


def test_fills_return_the_same_object_and_write_every_element():
    for fn, args in [
        (wi.fill_uniform, (-1, 1)),
        (wi.fill_normal, ()),
        (wi.fill_xavier_uniform, (3, 4)),
        (wi.fill_xavier_normal, (3, 4)),
        (wi.fill_he_uniform, (3,)),
        (wi.fill_he_normal, (3,)),
    ]:
        for dtype in (np.float32, np.float64):
            buf = np.full((7, 9), np.nan, dtype)
            assert fn(buf, *args, seed=1) is buf
            assert np.isfinite(buf).all()


def test_shape_does_not_matter_only_memory_order():
    a = wi.fill_normal(np.empty((6, 5), np.float32), seed=3)
    b = wi.fill_normal(np.empty(30, np.float32), seed=3)
    np.testing.assert_array_equal(a.reshape(-1), b)


def test_buffer_protocol_objects_are_filled_in_place():
    ref = wi.fill_normal(np.empty(10, np.float32), seed=9)
    arr = array.array("f", [0.0] * 10)
    assert wi.fill_normal(arr, seed=9) is arr
    np.testing.assert_array_equal(np.frombuffer(arr, np.float32), ref)
    raw = bytearray(40)
    mv = memoryview(raw).cast("f")
    wi.fill_normal(mv, seed=9)
    np.testing.assert_array_equal(np.frombuffer(raw, np.float32), ref)
    words = array.array("I", [0] * 8)
    wi.fill_raw(words, seed=0)
    assert words[0] == 0x6627E8D5


def test_torch_tensors_are_filled_in_place():
    torch = pytest.importorskip("torch")
    t = torch.empty(5, 6)
    assert wi.fill_he_normal(t, 6, seed=4) is t
    ref = wi.fill_he_normal(np.empty(30, np.float32), 6, seed=4)
    np.testing.assert_array_equal(t.numpy().reshape(-1), ref)
    p = torch.nn.Parameter(torch.empty(4, 4, dtype=torch.float64))
    with pytest.raises(ValueError, match="requires grad"):
        wi.fill_normal(p, seed=1)
    with torch.no_grad():
        wi.fill_normal(p, seed=1)
    assert torch.isfinite(p).all()
    with pytest.raises(ValueError, match="buf must be a CPU tensor"):
        wi.fill_normal(torch.empty(4, device="meta"), seed=1)
    with pytest.raises(ValueError, match="buf must be C-contiguous"):
        wi.fill_normal(torch.empty(4, 4).t(), seed=1)


def test_importing_wi_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, wi, numpy as np; wi.fill_normal(np.empty(4)); print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_empty_buffers_are_a_no_op(restore_global_state):
    state = wi.get_state()
    assert wi.fill_normal(np.empty(0, np.float32)).size == 0
    assert wi.fill_raw(np.empty(0, np.uint32), seed=1, offset=4 * 2**64).size == 0
    assert wi.get_state() == state


def test_global_generator_seed_and_state(restore_global_state):
    wi.seed(123)
    a = wi.fill_normal(np.empty(10))
    b = wi.fill_normal(np.empty(10))
    assert not np.array_equal(a, b)
    wi.seed(123)
    np.testing.assert_array_equal(wi.fill_normal(np.empty(10)), a)
    state = wi.get_state()
    c = wi.fill_uniform(np.empty(7, np.float32), 0, 1)
    wi.set_state(state)
    np.testing.assert_array_equal(wi.fill_uniform(np.empty(7, np.float32), 0, 1), c)
    # each call starts on a fresh block: 10 float64 = 5 blocks, then 7 float32 = 2 blocks
    wi.seed(123)
    wi.fill_normal(np.empty(10))
    assert wi.get_state() == {"seed": 123, "stream": 0, "counter": 5}
    wi.fill_normal(np.empty(7, np.float32))
    assert wi.get_state()["counter"] == 7


def test_global_fills_equal_explicit_fills_at_the_reserved_blocks(restore_global_state):
    wi.seed(77)
    wi.fill_normal(np.empty(6, np.float32))  # blocks 0, 1
    got = wi.fill_normal(np.empty(9, np.float32))  # blocks 2, 3, 4
    np.testing.assert_array_equal(got, wi.fill_normal(np.empty(9, np.float32), seed=77, offset=8))


def test_generator_has_its_own_counter():
    g = wi.Generator(5, stream=2)
    a = g.fill_xavier_normal(np.empty(8, np.float32), 10, 20)
    b = g.fill_he_uniform(np.empty(8, np.float32), 10)
    np.testing.assert_array_equal(a, wi.fill_xavier_normal(np.empty(8, np.float32), 10, 20, seed=5, stream=2))
    np.testing.assert_array_equal(b, wi.fill_he_uniform(np.empty(8, np.float32), 10, seed=5, stream=2, offset=8))
    assert g.get_state() == {"seed": 5, "stream": 2, "counter": 4}
    assert g.seed == 5 and g.stream == 2
    w = g.fill_raw(np.empty(4, np.uint32))
    np.testing.assert_array_equal(w, wi.fill_raw(np.empty(4, np.uint32), seed=5, stream=2, offset=16))
    assert "seed=5" in repr(g)


def test_generator_stream_exhaustion_is_an_error():
    g = wi.Generator(1)
    g.set_state({"seed": 1, "stream": 0, "counter": 2**64 - 1})
    g.fill_normal(np.empty(4, np.float32))  # the very last block
    with pytest.raises(ValueError, match="stream is exhausted"):
        g.fill_normal(np.empty(4, np.float32))


def test_threads_share_a_generator_without_overlap():
    g = wi.Generator(11)
    results = []

    def work():
        for _ in range(50):
            results.append(g.fill_raw(np.empty(40, np.uint32)).copy())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = np.sort(np.concatenate(results))
    expected = np.sort(wi.fill_raw(np.empty(40 * 400, np.uint32), seed=11))
    np.testing.assert_array_equal(got, expected)


def test_num_threads_and_threadpoolctl(restore_threads):
    wi.set_num_threads(3)
    assert wi.get_num_threads() == (3 if wi.backend == "native" else 1)
    wi.set_num_threads(None)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if wi.backend != "native":
        pytest.skip("threadpoolctl limits the compiled core's pool; the fallback has one thread")
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert wi.get_num_threads() == 1
    assert wi.get_num_threads() >= 1


def test_show_config_reports_the_build(capsys):
    wi.show_config()
    out = capsys.readouterr().out
    for key in ("version", "backend", "simd", "threading", "threads"):
        assert key in out
    assert wi.__version__ in out


def test_cli_info_runs():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "wi", "info"], capture_output=True, text=True, check=True).stdout
    assert "backend" in out and "simd" in out
