"""wi.torch.reproducible on real transformers models: GPT2LMHeadModel, LlamaForCausalLM, BertModel.

Small configurations built locally (tests/reproducible_models.py; nothing is downloaded), in the
flow that does not pay for an init first: built on the meta device, ``to_empty``, then the
model's own ``init_weights()`` (transformers' ``_init_weights`` through its table of torch
functions captured at import) inside the block. Proven here:

- the same digests in two fresh processes (1 and 2 threads, different hash seeds) and here;
- every parameter has the distribution transformers' code asks for: the constants are read from
  the config as ``_init_weights`` reads them (GPT-2: ``initializer_range``, ``c_proj``
  ``initializer_range / sqrt(2 n_layer)``; Llama and Bert: ``initializer_range``, the padding
  row zero), checked by Kolmogorov-Smirnov against scipy and against the same code run by
  torch; norms ones and zeros; GPT-2's lm_head tied to wte;
- a parameter marked ``_is_hf_initialized`` (as loading marks it) is left untouched, and the
  others get the values they get without it.
"""
import json
import math
import os
import re
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
stats = pytest.importorskip("scipy.stats")

import reproducible_models as rm  # noqa: E402
import wi.torch as wt  # noqa: E402
from init_stats import assert_drawn_from  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 2024


def built(kind):
    """The model with the padding rows of its configuration, on meta, to_empty, re-tied."""
    return rm.build_laid_out(kind, "plain", build=lambda: rm.hf_model(kind))


def init_in_block(kind, seed=SEED, before_init=None):
    model = built(kind)
    if before_init:
        before_init(model)
    with wt.reproducible(model, seed=seed):
        model.init_weights()
    return model


def init_by_torch(kind):
    model = built(kind)
    torch.manual_seed(0)
    model.init_weights()
    return model


# --- the same bytes in fresh processes ---------------------------------------------------------

FRESH = """
import json, sys
import torch, wi, wi.torch as wt, reproducible_models as rm
n = int(sys.argv[1]); torch.set_num_threads(n); wi.set_num_threads(n)
out = {}
for kind in rm.HF_MODELS:
    model = rm.build_laid_out(kind, "plain", build=lambda: rm.hf_model(kind))
    with wt.reproducible(model, seed=int(sys.argv[2])):
        model.init_weights()
    out[kind] = rm.digests(model)
print(json.dumps(out))
"""


def fresh_process_digests(threads, hash_seed):
    import wi

    src = os.path.dirname(os.path.dirname(wi.__file__))
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), PYTHONHASHSEED=str(hash_seed),
               PYTHONPATH=os.pathsep.join([src, HERE]))
    out = subprocess.run([sys.executable, "-c", FRESH, str(threads), str(SEED)], capture_output=True, text=True,
                         timeout=300, env=env, cwd=HERE)
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout.splitlines()[-1])


def test_same_digests_in_two_fresh_processes_and_here():
    first, second = fresh_process_digests(1, 1), fresh_process_digests(2, 2)
    assert first == second
    here = {kind: rm.digests(init_in_block(kind)) for kind in rm.HF_MODELS}
    assert here == first
    other_seed = rm.digests(init_in_block("gpt2", seed=SEED + 1))
    assert other_seed["transformer.wte.weight"] != here["gpt2"]["transformer.wte.weight"]


# --- what transformers' code asks for, from its config ----------------------------------------


def scheme(kind, config):
    """[(parameter-name pattern, rule)] as each model's _init_weights applies them.

    rule: ("normal", std) or ("const", value). Constants come from the config exactly as
    PreTrainedModel._init_weights and GPT2PreTrainedModel._init_weights read them."""
    std = config.initializer_range
    norms = [(r"(ln_\d|ln_f|LayerNorm|norm)\.weight$", ("const", 1.0)), (r"(ln_\d|ln_f|LayerNorm)\.bias$", ("const", 0.0))]
    if kind == "gpt2":  # residual projections: initializer_range / sqrt(2 n_layer) (the GPT-2 paper's scheme)
        return norms + [(r"c_proj\.weight$", ("normal", std / math.sqrt(2 * config.n_layer))),
                        (r"(wte|wpe|c_attn|c_fc)\.weight$", ("normal", std)), (r"\.bias$", ("const", 0.0))]
    return norms + [(r"\.weight$", ("normal", std)), (r"\.bias$", ("const", 0.0))]


def rule_for(kind, config, name):
    return next(rule for pattern, rule in scheme(kind, config) if re.search(pattern, name))


def padding_row(kind, config, name):
    """The embedding row _init_weights zeroes (nn.Embedding's padding_idx from pad_token_id)."""
    if name.endswith("embed_tokens.weight") or name.endswith("word_embeddings.weight"):
        return config.pad_token_id
    return None


@pytest.mark.parametrize("kind", rm.HF_MODELS)
def test_every_parameter_has_the_distribution_the_code_asks_for(kind):
    model, by_torch = init_in_block(kind), init_by_torch(kind)
    config = model.config
    checked = 0
    for name, p in model.named_parameters():
        values, reference = p.detach(), by_torch.get_parameter(name).detach()
        pad = padding_row(kind, config, name)
        if pad is not None:
            assert torch.all(values[pad] == 0), name
            keep = torch.arange(values.shape[0]) != pad
            values, reference = values[keep], reference[keep]
        rule = rule_for(kind, config, name)
        assert_drawn_from(name, values, reference, rule[1] if rule[0] == "const" else stats.norm(0.0, rule[1]))
        checked += rule[0] == "normal"
    assert checked >= 6
    if kind == "gpt2":
        assert model.lm_head.weight is model.transformer.wte.weight  # tied, filled once
        assert math.isclose(rule_for(kind, config, "transformer.h.0.mlp.c_proj.weight")[1], 0.02 / math.sqrt(2 * 2))


def test_the_scheme_is_the_one_in_transformers_source():
    # the constants above, against the lines of transformers' own _init_weights they restate
    import inspect

    from transformers.modeling_utils import PreTrainedModel
    from transformers.models.gpt2.modeling_gpt2 import GPT2PreTrainedModel

    gpt2 = inspect.getsource(GPT2PreTrainedModel._init_weights)
    assert "self.config.initializer_range / math.sqrt(2 * self.config.n_layer)" in gpt2
    assert "init.normal_(module.c_proj.weight, mean=0.0, std=std)" in gpt2
    base = inspect.getsource(PreTrainedModel._init_weights)
    assert "init.zeros_(module.weight[module.padding_idx])" in base
    assert "init.ones_(module.weight)" in base


# --- parameters the library marked as initialised -----------------------------------------------


@pytest.mark.parametrize("kind", rm.HF_MODELS)
def test_marked_parameters_are_untouched_and_the_rest_unchanged(kind):
    plain = rm.digests(init_in_block(kind))
    marked = {}

    def mark(model):
        for i, (name, p) in enumerate(model.named_parameters()):
            if i % 3 == 1 and name in plain:  # as from_pretrained marks what it loaded (lm_head: tied later)
                with torch.no_grad():
                    p.copy_(torch.arange(p.numel(), dtype=p.dtype).reshape(p.shape))
                p._is_hf_initialized = True
                marked[name] = rm.digest(p)

    model = init_in_block(kind, before_init=mark)
    got = rm.digests(model)
    assert len(marked) >= 5
    assert {n: got[n] for n in marked} == marked  # untouched
    assert {n: d for n, d in got.items() if n not in marked} == {n: d for n, d in plain.items() if n not in marked}
