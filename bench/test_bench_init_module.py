"""Initialising a GPT-2-XL-sized model (~1.56 B float32 parameters, ~6.2 GB).

torch's default (construction-time) initialisation against ``wi.torch.init_module_`` on a
model built on the meta device and materialised with ``to_empty``, or built under
``wi.torch.no_init()``; and init_module_ against plain wi fills of the same parameters with
the same distributions (the element mix), into fresh and into touched memory: issue 13's
target is init_module_ at >= 80 % of the plain fills' throughput. Run:

    PYTHONPATH=src python -m pytest bench/test_bench_init_module.py --benchmark-only

Only one model is alive at a time (each needs ~6.2 GB) and freeing one is never timed.
``WI_BENCH_ROUNDS`` sets the rounds (default 3). With ``--benchmark-disable`` (the CI smoke
run) every case runs once on a tiny model of the same structure.
"""

import gc
import os

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
wt = pytest.importorskip("wi.torch")

GPT2_XL = dict(vocab=50257, n_ctx=1024, n_embd=1600, n_head=25, n_layer=48)
TINY = dict(vocab=512, n_ctx=64, n_embd=64, n_head=4, n_layer=2)
ROUNDS = int(os.environ.get("WI_BENCH_ROUNDS", "3"))


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn_qkv = nn.Linear(n_embd, 3 * n_embd)
        self.attn_proj = nn.Linear(n_embd, n_embd)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp_fc = nn.Linear(n_embd, 4 * n_embd)
        self.mlp_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.attn_qkv(self.ln_1(x)).view(b, t, 3, self.n_head, c // self.n_head).unbind(2)
        y = nn.functional.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True
        )
        x = x + self.attn_proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp_proj(nn.functional.gelu(self.mlp_fc(self.ln_2(x))))


class GPT2(nn.Module):
    def __init__(self, vocab, n_ctx, n_embd, n_head, n_layer):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(n_ctx, n_embd)
        self.h = nn.ModuleList(Block(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab, bias=False)
        self.tie()

    def tie(self):
        self.lm_head.weight = self.wte.weight  # as in GPT-2

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


@pytest.fixture(scope="module")
def cfg(request):
    return TINY if request.config.getoption("benchmark_disable", False) else GPT2_XL


def on_meta(cfg):
    with torch.device("meta"):
        return GPT2(**cfg)


def on_cpu_uninitialised(cfg):
    model = on_meta(cfg).to_empty(device="cpu")
    model.tie()  # to_empty gives every module its own tensors, untying shared ones
    return model


# The one model alive, emptied (outside the timing) before the next is allocated.
_SLOT = []


def emptied():
    _SLOT.clear()
    gc.collect()
    return (_SLOT,), {}


def fresh_model(make, with_fills=False):
    """A pedantic setup: the previous model freed, then make() in the slot (and its plain fills)."""

    def setup():
        emptied()
        _SLOT.append(make())
        return ((_SLOT, plain_fills(_SLOT[0])) if with_fills else (_SLOT,)), {}

    return setup


def report(benchmark, cfg):
    benchmark.extra_info["parameters"] = sum(p.numel() for p in on_meta(cfg).parameters())
    benchmark.extra_info["torch_threads"] = torch.get_num_threads()


def test_torch_default_construction(benchmark, cfg):
    """torch: allocate and initialise at construction (each layer's reset_parameters)."""
    report(benchmark, cfg)
    benchmark.pedantic(lambda slot: slot.append(GPT2(**cfg)), setup=emptied, rounds=ROUNDS, iterations=1)
    emptied()


def test_wi_meta_to_empty_init_module(benchmark, cfg):
    """wi: build on meta, allocate with to_empty, init_module_ (end to end)."""
    report(benchmark, cfg)

    def build(slot):
        slot.append(wt.init_module_(on_cpu_uninitialised(cfg), seed=0))

    benchmark.pedantic(build, setup=emptied, rounds=ROUNDS, iterations=1)
    emptied()


def test_wi_init_module_fresh_pages(benchmark, cfg):
    """init_module_ alone on a just-materialised model (includes first-touch page faults)."""
    report(benchmark, cfg)

    def init(slot):
        wt.init_module_(slot[0], seed=0)  # returns nothing: pytest-benchmark keeps results

    benchmark.pedantic(init, setup=fresh_model(lambda: on_cpu_uninitialised(cfg)), rounds=ROUNDS, iterations=1)
    emptied()


def built_without_init(cfg):
    with wt.no_init():
        model = GPT2(**cfg)  # allocated, never written: fresh pages
    return model


def plain_fills(model):
    """The fills init_module_ makes, as plain wi calls on each parameter's NumPy view: the
    same distributions, sizes and dtypes, none of init_module_'s per-parameter work."""
    import math

    import wi

    calls = []
    for m in model.modules():
        own = dict(m.named_parameters(recurse=False))
        if isinstance(m, nn.Embedding):
            calls.append((wi.fill_normal, own["weight"], (0.0, 1.0)))
        elif isinstance(m, nn.Linear):
            bound = 1 / math.sqrt(m.in_features)  # kaiming_uniform_(a=sqrt(5)) and the bias
            calls += [(wi.fill_uniform, p, (-bound, bound)) for p in own.values()]
        elif isinstance(m, nn.MultiheadAttention) and m.in_proj_weight is not None:
            bound = math.sqrt(6 / (m.embed_dim + 3 * m.embed_dim))  # xavier_uniform_, biases 0
            calls += [(wi.fill_uniform, own["in_proj_weight"], (-bound, bound)),
                      (lambda a, v: a.fill(v), own["in_proj_bias"], (0.0,))]
        elif isinstance(m, nn.LayerNorm):
            calls += [(lambda a, v: a.fill(v), own["weight"], (1.0,)), (lambda a, v: a.fill(v), own["bias"], (0.0,))]
    seen, out = set(), []
    for fill, p, args in calls:
        if id(p) not in seen:  # the tied lm_head/wte weight once, as init_module_ does
            seen.add(id(p))
            out.append((fill, p.detach().numpy(), args))
    return out


def test_wi_no_init_init_module(benchmark, cfg):
    """wi: build under no_init (allocation only), init_module_ (end to end, fresh pages)."""
    report(benchmark, cfg)
    benchmark.pedantic(lambda slot: slot.append(wt.init_module_(built_without_init(cfg), seed=0)),
                       setup=emptied, rounds=ROUNDS, iterations=1)
    emptied()


def test_wi_init_module_fresh_after_no_init(benchmark, cfg):
    """init_module_ alone on a model just built under no_init (first touch of every page)."""
    report(benchmark, cfg)

    benchmark.pedantic(lambda slot: wt.init_module_(slot[0], seed=0) and None,
                       setup=fresh_model(lambda: built_without_init(cfg)), rounds=ROUNDS, iterations=1)
    emptied()


def test_plain_fills_fresh(benchmark, cfg):
    """The ceiling for the previous case: plain wi fills of the same parameters, fresh pages."""
    report(benchmark, cfg)

    def run(slot, calls):
        for fill, a, args in calls:
            fill(a, *args)

    benchmark.pedantic(run, setup=fresh_model(lambda: built_without_init(cfg), with_fills=True), rounds=ROUNDS,
                       iterations=1)
    emptied()


@pytest.fixture(scope="module")
def touched(cfg):
    emptied()
    model = on_cpu_uninitialised(cfg)
    for p in model.parameters():
        p.detach().zero_()  # fault every page in once
    yield model
    del model
    gc.collect()


def test_wi_init_module_reinit(benchmark, cfg, touched):
    """init_module_ on a model whose memory is already mapped (re-initialisation)."""
    report(benchmark, cfg)
    benchmark.pedantic(lambda: wt.init_module_(touched, seed=1) and None, rounds=ROUNDS, iterations=1)


def test_plain_fills_reinit(benchmark, cfg, touched):
    """The ceiling for re-init: plain wi fills of the same parameters on mapped memory."""
    report(benchmark, cfg)
    calls = plain_fills(touched)

    def run():
        for fill, a, args in calls:
            fill(a, *args)

    benchmark.pedantic(run, rounds=ROUNDS, iterations=1)


def test_torch_reset_parameters_reinit(benchmark, cfg, touched):
    """torch's default init alone: every layer's reset_parameters on mapped memory."""
    report(benchmark, cfg)

    def reset():
        with torch.no_grad():
            for m in touched.modules():
                if hasattr(m, "reset_parameters"):
                    m.reset_parameters()

    benchmark.pedantic(reset, rounds=ROUNDS, iterations=1)


def test_memset_ceiling(benchmark, cfg, touched):
    """The yardstick of docs/benchmarks.md: NumPy's buf.fill(1.0) of every parameter."""
    report(benchmark, cfg)
    arrays = [p.detach().numpy() for p in touched.parameters()]

    def memset():
        for a in arrays:
            a.fill(1.0)

    benchmark.pedantic(memset, rounds=ROUNDS, iterations=1)
