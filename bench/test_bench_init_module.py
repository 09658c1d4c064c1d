"""Initialising a GPT-2-XL-sized model (~1.56 B float32 parameters, ~6.2 GB).

torch's default (construction-time) initialisation against
``wi.torch.init_module_`` on a model built on the meta device and
materialised with ``to_empty``. Run:

    PYTHONPATH=src python -m pytest bench/test_bench_init_module.py --benchmark-only

Only one model is alive at a time (each needs ~6.2 GB). ``WI_BENCH_GPT2_LAYERS``
shrinks the model for a smoke run (default 48, the real GPT-2-XL); ``WI_BENCH_ROUNDS``
sets the rounds (default 3).
"""

import gc
import os

import pytest
import torch
from torch import nn

import wi.torch as wt

N_LAYER = int(os.environ.get("WI_BENCH_GPT2_LAYERS", "48"))
VOCAB, N_CTX, N_EMBD, N_HEAD = 50257, 1024, 1600, 25  # GPT-2-XL
ROUNDS = int(os.environ.get("WI_BENCH_ROUNDS", "3"))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(N_EMBD)
        self.attn_qkv = nn.Linear(N_EMBD, 3 * N_EMBD)
        self.attn_proj = nn.Linear(N_EMBD, N_EMBD)
        self.ln_2 = nn.LayerNorm(N_EMBD)
        self.mlp_fc = nn.Linear(N_EMBD, 4 * N_EMBD)
        self.mlp_proj = nn.Linear(4 * N_EMBD, N_EMBD)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.attn_qkv(self.ln_1(x)).view(b, t, 3, N_HEAD, c // N_HEAD).unbind(2)
        y = nn.functional.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True
        )
        x = x + self.attn_proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp_proj(nn.functional.gelu(self.mlp_fc(self.ln_2(x))))


class GPT2(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, N_EMBD)
        self.wpe = nn.Embedding(N_CTX, N_EMBD)
        self.h = nn.ModuleList(Block() for _ in range(N_LAYER))
        self.ln_f = nn.LayerNorm(N_EMBD)
        self.lm_head = nn.Linear(N_EMBD, VOCAB, bias=False)
        self.lm_head.weight = self.wte.weight  # tied, as in GPT-2

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def on_meta():
    with torch.device("meta"):
        return GPT2()


# The one model alive: emptied (outside the timing) before the next is allocated, so
# freeing 6 GB is never timed and two models never coexist.
_SLOT = []


def emptied():
    _SLOT.clear()
    gc.collect()
    return (_SLOT,), {}


def materialised():
    emptied()
    _SLOT.append(on_meta().to_empty(device="cpu"))
    return (_SLOT,), {}


def report(benchmark, model_params):
    benchmark.extra_info["parameters"] = model_params
    benchmark.extra_info["gb"] = round(model_params * 4 / 1e9, 2)
    benchmark.extra_info["torch_threads"] = torch.get_num_threads()


def test_torch_default_construction(benchmark):
    """torch: allocate and initialise at construction (each layer's reset_parameters)."""
    report(benchmark, n_params(on_meta()))

    def build(slot):
        slot.append(GPT2())

    benchmark.pedantic(build, setup=emptied, rounds=ROUNDS, iterations=1)
    emptied()


def test_wi_meta_to_empty_init_module(benchmark):
    """wi: build on meta, allocate with to_empty, init_module_ (end to end)."""
    report(benchmark, n_params(on_meta()))

    def build(slot):
        slot.append(wt.init_module_(on_meta().to_empty(device="cpu"), seed=0))

    benchmark.pedantic(build, setup=emptied, rounds=ROUNDS, iterations=1)
    emptied()


def test_wi_init_module_fresh_pages(benchmark):
    """init_module_ alone on a just-materialised model (includes first-touch page faults)."""
    report(benchmark, n_params(on_meta()))

    def init(slot):
        wt.init_module_(slot[0], seed=0)  # returns nothing: pytest-benchmark keeps results

    benchmark.pedantic(init, setup=materialised, rounds=ROUNDS, iterations=1)
    emptied()


@pytest.fixture(scope="module")
def touched():
    gc.collect()
    model = on_meta().to_empty(device="cpu")
    for p in model.parameters():
        p.detach().zero_()  # fault every page in once
    yield model
    del model
    gc.collect()


def test_wi_init_module_reinit(benchmark, touched):
    """init_module_ on a model whose memory is already mapped (re-initialisation)."""
    report(benchmark, n_params(touched))
    benchmark.pedantic(lambda: wt.init_module_(touched, seed=1), rounds=ROUNDS, iterations=1)


def test_torch_reset_parameters_reinit(benchmark, touched):
    """torch's default init alone: every layer's reset_parameters on mapped memory."""
    report(benchmark, n_params(touched))

    def reset():
        with torch.no_grad():
            for m in touched.modules():
                if hasattr(m, "reset_parameters"):
                    m.reset_parameters()

    benchmark.pedantic(reset, rounds=ROUNDS, iterations=1)


def test_memset_ceiling(benchmark, touched):
    """The yardstick of docs/benchmarks.md: NumPy's buf.fill(1.0) of every parameter."""
    report(benchmark, n_params(touched))
    arrays = [p.detach().numpy() for p in touched.parameters()]

    def memset():
        for a in arrays:
            a.fill(1.0)

    benchmark.pedantic(memset, rounds=ROUNDS, iterations=1)
