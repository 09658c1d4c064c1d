"""Per-call cost of small fills (issue 9): where the call, not the generator, is the work.

A 256-element float32 He-normal fill through the module function (global generator), an explicit
`seed=, stream=` call and a `wi.Generator` method, beside torch's `kaiming_normal_`; and every
wi.torch initialiser on a 16x16 float32 tensor (with a wi.Generator and with generator=None)
beside torch.nn.init's own. pytest-benchmark runs many calls per round here on its own.
"""
import pytest

from wi.benchmarking import small

FILL_LABELS = list(small.fill_calls(with_torch=False)) + ["torch"]


@pytest.mark.parametrize("which", range(len(FILL_LABELS)), ids=["module", "seed_stream", "generator", "torch"])
def test_fill_he_normal_256(benchmark, which):
    with_torch = FILL_LABELS[which] == "torch"
    if with_torch:
        pytest.importorskip("torch", reason="torch not installed: pip install 'weightinit[bench]'")
    calls = list(small.fill_calls(with_torch).values())
    benchmark.group = "small call: 256 float32 He normal"
    benchmark(calls[which])


@pytest.mark.parametrize("how", ["generator", "none", "torch"])
@pytest.mark.parametrize("name", list(small.TORCH_FUNCTIONS))
def test_wi_torch_16x16(benchmark, name, how):
    pytest.importorskip("torch", reason="torch not installed: pip install 'weightinit[bench]'")
    benchmark.group = f"small call: {name} 16x16 float32"
    benchmark(small.torch_calls(name)[how])
