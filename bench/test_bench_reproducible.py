"""The model's own init code on wi streams: transformers GPT-2-large and Llama-1B sized (issue 16).

Each model is built on the meta device and given memory with ``to_empty`` outside the timing
(fresh pages, as in the flow, or pages written once before, to see the fills alone); then one of
three is timed:

- torch: the model's own ``init_weights()`` (transformers' ``_init_weights``) as it runs today;
- wi: the same call inside ``wi.torch.reproducible(model, seed=0)``;
- plain: the same calls (recorded from the code on the meta model) as plain ``wi.fill_normal`` /
  ``ndarray.fill`` on the parameters' NumPy views (the element mix): the ceiling for the block.

Issue 16's goal: the block at >= 5x torch's run and >= 80 % of the plain fills' throughput.
Then the per-call cost of the interception on small parameters (500 ``Linear(16, 16)`` weights):
``nn.init.normal_`` and ``p.data.normal_`` inside the block against the same calls under torch
and plain ``wi.torch.normal_``, and opening and closing the block alone. Run:

    PYTHONPATH=src python -m pytest bench/test_bench_reproducible.py --benchmark-only \\
        --benchmark-columns=min,median,max,rounds

``WI_BENCH_ROUNDS`` sets the rounds of the model cases (default 3). Only one model is alive at a
time (Llama-1B needs ~5 GB). With ``--benchmark-disable`` (CI's smoke run) every case runs once
on tiny configurations of the same structure.
"""
import gc
import os

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
wt = pytest.importorskip("wi.torch")
import wi  # noqa: E402

nn = torch.nn
ROUNDS = int(os.environ.get("WI_BENCH_ROUNDS", "3"))
SMALL_LAYERS = 500

# GPT-2 large (774 M parameters) and Llama 3.2 1B's shape (1.24 G, embeddings tied)
FULL = {
    "gpt2-large": ("GPT2LMHeadModel", dict(n_layer=36, n_embd=1280, n_head=20, vocab_size=50257, n_positions=1024)),
    "llama-1b": ("LlamaForCausalLM", dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                                          num_attention_heads=32, num_key_value_heads=8, vocab_size=128256,
                                          tie_word_embeddings=True)),
}
TINY = {
    "gpt2-large": ("GPT2LMHeadModel", dict(n_layer=2, n_embd=64, n_head=4, vocab_size=1000, n_positions=64)),
    "llama-1b": ("LlamaForCausalLM", dict(hidden_size=64, intermediate_size=256, num_hidden_layers=2,
                                          num_attention_heads=4, num_key_value_heads=2, vocab_size=1000,
                                          tie_word_embeddings=True)),
}


@pytest.fixture(scope="module")
def configs(request):
    return TINY if request.config.getoption("benchmark_disable", False) else FULL


def make_config(cls_name, kwargs):
    config_cls = {"GPT2LMHeadModel": transformers.GPT2Config, "LlamaForCausalLM": transformers.LlamaConfig}[cls_name]
    return config_cls(bos_token_id=0, eos_token_id=0, **kwargs)


def on_meta(spec):
    cls_name, kwargs = spec
    with torch.device("meta"):
        return getattr(transformers, cls_name)(make_config(cls_name, kwargs))


# The one model alive, emptied (outside the timing) before the next is allocated.
_SLOT = []


def emptied():
    _SLOT.clear()
    gc.collect()


def fresh(spec, memory, calls=None):
    """pytest-benchmark setup: the previous model freed, a new one on meta, to_empty: its pages
    fresh (memory="fresh", the flow's first touch inside the timing) or already written once
    (memory="touched": what the fills themselves cost)."""

    def setup():
        emptied()
        _SLOT.append(on_meta(spec).to_empty(device="cpu"))
        if memory == "touched":
            for p in _SLOT[0].parameters():
                p.detach().zero_()
        return ((_SLOT[0], plain_fills(_SLOT[0], calls)) if calls is not None else (_SLOT[0],)), {}

    return setup


def code_calls(spec):
    """[(parameter name, function, args, kwargs)]: the calls transformers' init makes, recorded on
    the meta model through its table of torch functions (no memory, no values, no wi)."""
    model = on_meta(spec)
    names = {id(p): n for n, p in model.named_parameters()}
    table = transformers.initialization.TORCH_INIT_FUNCTIONS
    saved, calls = dict(table), []

    def recorder(function):
        def record(tensor, *args, **kwargs):
            if id(tensor) in names:  # a padding row's slice is not a parameter: negligible, left out
                calls.append((names[id(tensor)], function, args, kwargs))
            return tensor

        return record

    table.update({function: recorder(function) for function in table})
    try:
        model.initialize_weights()
    finally:
        table.update(saved)
    return calls


PLAIN = {  # torch.nn.init function -> the plain wi call (or NumPy fill) on the parameter's array
    "normal_": lambda a, mean=0.0, std=1.0: wi.fill_normal(a, mean, std),
    "uniform_": lambda a, a_=0.0, b=1.0: wi.fill_uniform(a, a_, b),
    "zeros_": lambda a: a.fill(0.0),
    "ones_": lambda a: a.fill(1.0),
    "constant_": lambda a, val: a.fill(val),
}


def plain_fills(model, calls):
    """The same calls as plain wi fills on NumPy views of the materialised model's parameters
    (tied tensors and GPT-2's c_proj weights filled twice, as the code fills them)."""
    out = []
    for name, function, args, kwargs in calls:
        kwargs = {("a_" if k == "a" else k): v for k, v in kwargs.items() if k != "generator"}
        out.append((PLAIN[function], (model.get_parameter(name).detach().numpy(), *args), kwargs))
    return out


def report(benchmark, spec):
    model = on_meta(spec)
    benchmark.extra_info["parameters"] = sum(p.numel() for p in model.parameters())
    benchmark.extra_info["torch_threads"] = torch.get_num_threads()
    benchmark.extra_info["wi_threads"] = wi.get_num_threads()


MEMORY = ("fresh", "touched")


def in_the_block(model):
    with wt.reproducible(model, seed=0):
        model.init_weights()


def replay(model, fills):
    for fill, args, kwargs in fills:
        fill(*args, **kwargs)


CONTENDERS = {
    "torch": lambda model: model.init_weights(),  # transformers' code drawing from torch's generator
    "block": in_the_block,  # the same call inside wi.torch.reproducible
    "plain": replay,  # the ceiling: the code's calls as plain wi fills
}


@pytest.mark.parametrize("contender", list(CONTENDERS))
@pytest.mark.parametrize("memory", MEMORY)
@pytest.mark.parametrize("kind", list(FULL))
def test_own_init(benchmark, configs, kind, memory, contender):
    """The model's own init_weights() under torch, in the block, or its calls as plain wi fills."""
    report(benchmark, configs[kind])
    benchmark.group = f"own init: {kind}, {memory} memory"
    calls = code_calls(configs[kind]) if contender == "plain" else None
    if calls is not None:
        benchmark.extra_info["calls"] = len(calls)
    benchmark.pedantic(CONTENDERS[contender], setup=fresh(configs[kind], memory, calls), rounds=ROUNDS,
                       iterations=1)
    emptied()


# --- the interception's cost per call, on small parameters -------------------------------------


@pytest.fixture(scope="module")
def small_model():
    return nn.Sequential(*(nn.Linear(16, 16, bias=False) for _ in range(SMALL_LAYERS)))


def per_call(benchmark, fn, calls):
    benchmark.group = f"per call: {SMALL_LAYERS} Linear(16, 16) weights"
    benchmark.extra_info["calls"] = calls
    benchmark(fn)
    if benchmark.stats is not None:  # None under --benchmark-disable
        benchmark.extra_info["us_per_call"] = benchmark.stats.stats.median / max(calls, 1) * 1e6


def test_per_call_torch_nn_init(benchmark, small_model):
    weights = list(small_model.parameters())
    per_call(benchmark, lambda: [nn.init.normal_(p, std=0.02) for p in weights], len(weights))


def test_per_call_plain_wi_torch(benchmark, small_model):
    weights, gen = list(small_model.parameters()), wi.Generator(0)
    per_call(benchmark, lambda: [wt.normal_(p, std=0.02, generator=gen) for p in weights], len(weights))


def test_per_call_block_alone(benchmark, small_model):
    def empty_block():
        with wt.reproducible(small_model, seed=0):
            pass

    per_call(benchmark, empty_block, 0)


def test_per_call_in_block_nn_init(benchmark, small_model):
    weights = list(small_model.parameters())

    def run():
        with wt.reproducible(small_model, seed=0):
            for p in weights:
                nn.init.normal_(p, std=0.02)

    per_call(benchmark, run, len(weights))


def test_per_call_in_block_tensor_method(benchmark, small_model):
    weights = list(small_model.parameters())

    def run():
        with wt.reproducible(small_model, seed=0):
            for p in weights:
                p.data.normal_(0.0, 0.02)

    per_call(benchmark, run, len(weights))
