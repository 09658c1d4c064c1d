"""Per-call overhead: one 16x16 float32 layer (256 elements), He normal, wi against torch.

Initialising a model calls the initialiser once per layer; for small layers the call, not
the generator, is the cost. pytest-benchmark runs many calls per round here on its own.
"""
import pytest

from wi.bench import cases


@pytest.mark.parametrize("contender", ["wi", "torch"])
def test_hot_path_256(benchmark, contender):
    fills = cases.hot_path_fills()
    if contender not in fills:
        pytest.skip("torch not installed: pip install 'weightinit[bench]'")
    benchmark.group = "hot path: 256 float32 He normal"
    benchmark(fills[contender])
