"""When the benchmarks run, and what the quick mode (--benchmark-disable) leaves out.

Plain `pytest` (paths from testpaths) runs only tests/: the benchmarks are deselected, so the
README's test command stays fast. They run when asked for: `pytest --benchmark-only`,
`pytest bench`, or `pytest bench --benchmark-disable` (each function once, untimed: the CI
smoke run that keeps the suite from rotting).
"""
from pathlib import Path

import pytest

HERE = Path(__file__).parent
QUICK_MAX_SIZE = 1 << 24  # with --benchmark-disable the 64 Mi cases add time and prove nothing new
_deselected = []


def _is_bench(item):
    return HERE in Path(item.path).parents


def _asked_for(config):
    return config.args_source != pytest.Config.ArgsSource.TESTPATHS or config.getoption("benchmark_only", False)


def pytest_collection_modifyitems(config, items):
    if _asked_for(config):
        return
    _deselected[:] = [item for item in items if _is_bench(item)]
    if _deselected:
        config.hook.pytest_deselected(items=_deselected)
        items[:] = [item for item in items if not _is_bench(item)]


def pytest_terminal_summary(terminalreporter):
    if _deselected:
        terminalreporter.write_line(
            f"bench/: {len(_deselected)} benchmarks not run; run them with `pytest --benchmark-only` "
            "or `pytest bench --benchmark-only`"
        )


@pytest.fixture(autouse=True)
def quick_mode_skips_huge_sizes(request):
    """Skip cases above QUICK_MAX_SIZE elements when benchmarks are disabled (run once, untimed)."""
    callspec = getattr(request.node, "callspec", None)
    size = callspec.params.get("size", 0) if callspec else 0
    if request.config.getoption("benchmark_disable", False) and size > QUICK_MAX_SIZE:
        pytest.skip(f"{size} elements: skipped with --benchmark-disable (quick mode runs up to {QUICK_MAX_SIZE})")


@pytest.fixture(scope="session")
def torch_default_threads():
    try:
        import torch
    except ImportError:
        return None
    return torch.get_num_threads()


@pytest.fixture(autouse=True)
def restore_threads(torch_default_threads):
    """The contenders set wi's and torch's thread counts; put both back after each case."""
    yield
    import wi

    wi.set_num_threads(None)
    if torch_default_threads is not None:
        import torch

        torch.set_num_threads(torch_default_threads)
