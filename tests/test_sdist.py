"""The sdist carries every source needed to build and test (CI also installs it)."""
import pathlib
import subprocess
import sys
import tarfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout to list tracked files")
def test_sdist_contains_every_tracked_source(tmp_path):
    pytest.importorskip("build")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    (sdist,) = tmp_path.glob("weightinit-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    needed = [f for f in tracked if f.startswith(("src/", "tests/", "examples/")) or f in ("setup.py", "pyproject.toml", "README.md")]
    missing = [f for f in needed if f not in names]
    assert not missing, f"sdist lacks {missing}"
