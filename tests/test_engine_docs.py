"""The engine adapters as a user meets them: docs/engines.md's examples run, engines load lazily."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "engines.md"
ENGINES = {"dask": "dask", "zarr": "zarr", "jax": "jax", "keras": "keras"}  # wi module: engine


def _examples():
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_one_example_per_engine():
    found = {engine for code in _examples() for engine in ENGINES if f"import wi.{engine}" in code
             or f"wi.{engine}." in code}
    assert found == set(ENGINES)


@pytest.mark.parametrize("code", _examples(), ids=lambda c: c.split("\n")[1][:40])
def test_docs_example_runs(code, tmp_path):
    env = dict(os.environ, KERAS_BACKEND="jax")
    if env.get("PYTHONPATH"):  # the example runs in tmp_path: keep a relative PYTHONPATH=src working
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in env["PYTHONPATH"].split(os.pathsep))
    env.pop("XLA_FLAGS", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-4000:]


def test_import_wi_imports_no_engine():
    code = ("import sys, wi, wi.torch; "
            "print(sorted(m for m in ('dask', 'zarr', 'jax', 'keras', 'tqdm', 'distributed') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("adapter, engine", [("dask", "dask"), ("zarr", "zarr"), ("jax", "jax"),
                                             ("jax.initializers", "jax"), ("keras", "keras")])
def test_missing_engine_names_the_extra(adapter, engine):
    # sys.modules[name] = None makes `import name` raise ImportError, as if it were not installed.
    code = (f"import sys; sys.modules[{engine!r}] = None\n"
            f"try:\n    import wi.{adapter}\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    extra = adapter.split(".")[0]
    assert f'pip install "weightinit[{extra}]"' in out.stdout, out.stdout + out.stderr
