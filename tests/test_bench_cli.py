"""`python -m wi bench` (the fill sweep with its ceilings, --kernel, --small): the tables' shape,
the notes when torch or matplotlib is missing, the plot, and the errors for bad options.

These check the report, never the times in it (timings here are noise).
"""
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import wi
from wi.__main__ import main
from wi.benchmarking import ceilings
from wi.benchmarking.cli import parse_size
from wi.benchmarking.machine import simd_paths

SRC = str(Path(wi.__file__).resolve().parent.parent)  # the wi these tests import, for the child too
COLUMNS = ["init", "dtype", "size", "threads", "wi time", "Gsamples/s", "GB/s", "x memset", "x memset-N",
           "memset N/1", "fresh time", "fresh x memset", "fresh x memset-N", "vs numpy", "vs torch"]
RATIOS = ["x memset", "x memset-N", "memset N/1", "fresh x memset", "fresh x memset-N", "vs numpy", "vs torch"]
KERNEL_COLUMNS = ["simd", "case", "dtype", "size", "ns/sample", "cycles/sample", "words/sample", "cycles/word",
                  "Gsamples/s"]
TINY = ["--sizes", "256", "--dtype", "float32", "--init", "he_normal", "--threads", "1"]


def run_bench(*args, hide=(), tmp_path=None):
    """Run `python -m wi bench ARGS` in a child; modules in `hide` fail to import there."""
    path = [SRC]
    if hide:
        for name in hide:  # a package that raises ImportError shadows the real one
            (tmp_path / name).mkdir()
            (tmp_path / name / "__init__.py").write_text(f"raise ImportError('{name} hidden by the test')\n")
        path.insert(0, str(tmp_path))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    return subprocess.run([sys.executable, "-m", "wi", "bench", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def tables(stdout):
    """Every Markdown table in the output, in order, as (header, rows), each a list of cell strings."""
    found, block = [], []
    for line in stdout.splitlines() + [""]:
        if line.startswith("|"):
            block.append([c.strip() for c in line.strip("|").split("|")])
        elif block:
            header, rule, *rows = block
            assert all(set(c) <= set("-:") for c in rule)
            found.append((header, rows))
            block = []
    return found


def table(stdout):
    """The first Markdown table in the output."""
    return tables(stdout)[0]


@pytest.fixture(scope="module")
def quick():
    result = run_bench("--quick")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_quick_table_has_the_columns(quick):
    header, rows = table(quick)
    torch_installed = "torch not installed" not in quick and "torch column skipped" not in quick
    assert header == (COLUMNS if torch_installed else [c for c in COLUMNS if c != "vs torch"])
    # --quick: he_uniform and he_normal, both dtypes, sizes 256/4Ki/64Ki, threads 1 and wi's default
    assert len(rows) == 2 * 2 * 3 * len({1, wi.get_num_threads()})
    assert {r[0] for r in rows} == {"he_uniform", "he_normal"}
    assert {r[1] for r in rows} == {"float32", "float64"}
    assert {r[2] for r in rows} == {"256", "4Ki", "64Ki"}
    assert all(len(r) == len(header) for r in rows)


def test_quick_ratios_are_numbers(quick):
    header, rows = table(quick)
    for name in [c for c in RATIOS if c in header] + ["Gsamples/s", "GB/s"]:
        for row in rows:
            value = float(row[header.index(name)])
            assert math.isfinite(value) and value > 0, (name, row)


def test_quick_fresh_times_are_times(quick):
    header, rows = table(quick)
    for row in rows:
        fresh = row[header.index("fresh time")]
        assert fresh.endswith(("ns", "us", "ms", "s")) and float(fresh.rstrip("nums")) > 0, row


def test_quick_reports_machine_legend_and_small_calls(quick):
    assert "cpu:" in quick and "numpy" in quick and "repeat: 1" in quick
    assert "x memset: wi's time / buf.fill(1.0)'s (one thread)" in quick
    assert "x memset-N: wi's time / a constant fill of the same buffer on N threads" in quick
    assert "torch's Tensor.fill_(1.0)" in quick  # torch is installed for the tests
    header, rows = tables(quick)[1]
    assert header == ["call", "us per call", "target (issue 9)"]
    calls = [r[0] for r in rows]
    assert calls[:3] == ["wi.fill_he_normal(buf, 16)", "wi.fill_he_normal(buf, 16, seed=0, stream=1)",
                         "wi.Generator(0, stream=1).fill_he_normal(buf, 16)"]
    assert all(float(r[1]) > 0 for r in rows)


def test_without_torch_the_column_is_skipped_with_a_note(tmp_path):
    result = run_bench(*TINY, hide=["torch"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    header, rows = table(result.stdout)
    assert "vs torch" not in header and "vs numpy" in header
    assert "torch column skipped: torch not installed" in result.stdout
    assert "kaiming_normal_" not in result.stdout
    # the N-thread ceiling falls back to NumPy on a thread pool, and says so
    assert "pool of N threads (torch not installed)" in result.stdout


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "bench.png"
    # torch hidden: importing it is most of this test's time, and the plot does not need it
    result = run_bench(*TINY[:-2], "--threads", "1,2", "--quick", "--plot", str(out), hide=["torch"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plot written to {out}" in result.stdout


def test_plot_without_matplotlib_says_how_to_get_it(tmp_path):
    result = run_bench(*TINY, "--plot", str(tmp_path / "x.png"), hide=["matplotlib"], tmp_path=tmp_path)
    assert result.returncode != 0
    assert "--plot needs matplotlib: pip install matplotlib" in result.stderr
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("text, n", [("256", 256), ("4Ki", 4096), ("16Mi", 1 << 24), ("2k", 2000), ("1M", 10**6)])
def test_sizes_accept_binary_and_decimal_suffixes(text, n):
    assert parse_size(text) == n


@pytest.mark.parametrize("args", [["--sizes", "0"], ["--dtype", "float16"], ["--init", "lecun"],
                                  ["--threads", "0"], ["--bogus"]])
def test_bad_options_are_rejected(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["bench", *args])
    assert exc.value.code == 2 and "error" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--kernel", "--small"], "argument --small: not allowed with argument --kernel"),
    (["--simd", "avx2"], "--simd applies to --kernel only"),
    (["--kernel", "--simd", "avx9"], "--simd: avx9 not supported here (simd_supported: "),
    (["--small", "--plot", "x.png"], "--plot applies to the fill sweep"),
])
def test_bad_mode_options_say_what_is_wrong(args, message, capsys):
    if "--kernel" in args and "--small" not in args and not simd_paths():
        message = "--kernel needs wi's compiled core"
    with pytest.raises(SystemExit) as exc:
        main(["bench", *args])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_simd_paths_come_from_wi_info():
    paths = simd_paths()
    if wi.backend == "native":
        assert paths and set(paths) <= {"scalar", "portable", "avx2", "avx512"}
        assert ("scalar" in paths) or ("portable" in paths)  # the portable kernel runs everywhere
    else:
        assert paths == []


def test_kernel_reports_every_case_per_path_and_the_clock():
    if not simd_paths():
        pytest.skip("the NumPy fallback has no SIMD paths (no compiled core in this build)")
    result = run_bench("--kernel", "--sizes", "4Ki,8Ki", "--repeat", "1", "--quick")
    assert result.returncode == 0, result.stderr
    assert "clock: " in result.stdout and ("perf stat" in result.stdout or "/proc/cpuinfo" in result.stdout
                                           or "unknown" in result.stdout)
    header, rows = table(result.stdout)
    assert header == KERNEL_COLUMNS
    cases = {(r[1], r[2]) for r in rows}
    assert cases == {("raw", "uint32"), *((c, d) for c in ("uniform", "normal", "truncated_normal")
                                          for d in ("float32", "float64"))}
    assert {r[0] for r in rows} == set(simd_paths())
    assert {r[3] for r in rows} == {"4Ki", "8Ki"}
    assert len(rows) == len(simd_paths()) * 7 * 2
    for r in rows:
        cell = dict(zip(header, r))
        assert float(cell["ns/sample"]) > 0 and float(cell["Gsamples/s"]) > 0
        assert cell["words/sample"] == ("2" if cell["dtype"] == "float64" else "1")
        if cell["cycles/sample"] != "-":
            ratio = float(cell["cycles/sample"]) / float(cell["ns/sample"])  # the clock in GHz
            assert 0.1 < ratio < 10


def test_kernel_runs_only_the_paths_asked_for():
    paths = simd_paths()
    if not paths:
        pytest.skip("the NumPy fallback has no SIMD paths (no compiled core in this build)")
    result = run_bench("--kernel", "--simd", paths[0], "--sizes", "1Ki", "--quick")
    assert result.returncode == 0, result.stderr
    header, rows = table(result.stdout)
    assert {r[0] for r in rows} == {paths[0]} and len(rows) == 7


def test_small_reports_the_fills_and_every_wi_torch_function():
    pytest.importorskip("torch")
    result = run_bench("--small", "--quick")
    assert result.returncode == 0, result.stderr
    (fill_header, fill_rows), (torch_header, torch_rows) = tables(result.stdout)
    assert fill_header == ["call", "us per call", "target (issue 9)"]
    assert len(fill_rows) == 4 and fill_rows[3][0].startswith("torch.nn.init.kaiming_normal_")
    assert torch_header[0] == "function" and len(torch_header) == 6
    assert [r[0] for r in torch_rows] == ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_",
                                          "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]
    for row in fill_rows + torch_rows:
        assert all(float(x) > 0 for x in row[1:] if x and not x.startswith("<="))


def test_small_without_torch_reports_the_fills_and_a_note(tmp_path):
    result = run_bench("--small", "--quick", hide=["torch"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wi.torch table skipped: torch not installed" in result.stdout
    found = tables(result.stdout)
    assert len(found) == 1 and len(found[0][1]) == 3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_thread_pool_ceiling_writes_every_element(dtype, monkeypatch):
    monkeypatch.setattr(ceilings, "_torch", lambda: None)  # the path taken without torch
    buf = np.zeros(3 * ceilings.GRAIN + 5, dtype)
    ceilings.constant_fill(buf, 3)()
    assert (buf == 1.0).all()
    assert ceilings.n_thread_method().startswith("np.copyto")
