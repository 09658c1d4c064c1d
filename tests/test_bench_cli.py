"""`python -m wi bench`: the table's shape, the notes when torch or matplotlib is missing, the plot.

These check the report, never the times in it (timings here are noise).
"""
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import wi
from wi.__main__ import main
from wi.bench.cli import parse_size

SRC = str(Path(wi.__file__).resolve().parent.parent)  # the wi these tests import, for the child too
COLUMNS = ["init", "dtype", "size", "threads", "wi time", "Gsamples/s", "GB/s", "x memset", "vs numpy", "vs torch"]
RATIOS = ["x memset", "vs numpy", "vs torch"]
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


def table(stdout):
    """The first Markdown table in the output as (header, rows), each a list of cell strings."""
    lines = [line for line in stdout.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    header, rule = cells[0], cells[1]
    assert all(set(c) <= set("-:") for c in rule)
    rows = []
    for row in cells[2:]:
        if row[0] == "call":  # the hot-path table starts here
            break
        rows.append(row)
    return header, rows


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


def test_quick_reports_machine_legend_and_hot_path(quick):
    assert "cpu:" in quick and "numpy" in quick and "repeat: 1" in quick
    assert "x memset: wi's time / buf.fill(1.0)'s time" in quick
    assert "| wi.fill_he_normal(buf, 16) |" in quick


def test_without_torch_the_column_is_skipped_with_a_note(tmp_path):
    result = run_bench(*TINY, hide=["torch"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    header, rows = table(result.stdout)
    assert "vs torch" not in header and "vs numpy" in header
    assert "torch column skipped: torch not installed" in result.stdout
    assert "kaiming_normal_" not in result.stdout


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
