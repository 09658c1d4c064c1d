"""wi.torch.reproducible on init code written in the styles of torchtitan, timm and nanoGPT.

The models are restated from those libraries' sources in tests/reproducible_models.py (timm and
torchtitan cannot be imported beside this CPU torch). Each runs its own init, unchanged, inside
the block with ``strict=True`` (so no random call escaped to torch):

- every parameter has the distribution the code asks for (KS against scipy with the code's
  constants, and against torch's run of the same code); timm's ``trunc_normal_`` goes through
  ``uniform_`` on the parameter, then ``erfinv_``, ``mul_``, ``add_``, ``clamp_``;
- the values do not depend on the thread count or on the order in which the code visits the
  parameters; a second call on one parameter (nanoGPT's tied lm_head/wte, its c_proj loop)
  draws from another part of the parameter's stream than the first;
- sharded layouts give the same bytes: tests/test_reproducible_distributed.py runs these models
  under FSDP2 and tensor parallelism at world sizes 1-4.
"""
import math

import pytest

torch = pytest.importorskip("torch")
stats = pytest.importorskip("scipy.stats")

import reproducible_models as rm  # noqa: E402
import wi  # noqa: E402
import wi.torch as wt  # noqa: E402
from init_stats import assert_drawn_from  # noqa: E402

nn = torch.nn
SEED = 99
STYLES = ("titan_llama", "timm_vit", "nanogpt")


def in_block(name, init=None, seed=SEED):
    model = rm.build_laid_out(name, "plain")
    with wt.reproducible(model, seed=seed, strict=True):
        (init or rm.SPECS[name].init)(model)
    return model


def by_torch(name):
    model = rm.build_laid_out(name, "plain")
    torch.manual_seed(0)
    rm.SPECS[name].init(model)
    return model


def trunc(std, a=-2.0, b=2.0):
    return stats.truncnorm(a / std, b / std, scale=std)


def titan_rule(model, name):
    """torchtitan llama3's tables (reproducible_models restates them)."""
    if name.endswith("norm.weight"):
        return 1.0
    if name == "tok_embeddings.weight":
        return stats.norm(0.0, 1.0)
    if name == "output.weight":
        s = model.dim ** -0.5
        return trunc(s, -3 * s, 3 * s)
    layer = int(name.split(".")[1])
    if name.endswith(("wo.weight", "w2.weight", "w3.weight")):
        return trunc(0.02 / math.sqrt(2 * (layer + 1)))
    return trunc(0.02)


def vit_rule(model, name):
    """timm's VisionTransformer.init_weights('') with fix_init."""
    if name == "cls_token":
        return stats.norm(0.0, 1e-6)
    if name.startswith("patch_embed"):  # Conv2d.reset_parameters: bound 1/sqrt(fan_in) for weight and bias
        bound = 1 / math.sqrt(model.patch_embed.weight[0].numel())
        return stats.uniform(-bound, 2 * bound)
    if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
        return 1.0
    if name.endswith("bias"):
        return 0.0
    if name.endswith(("attn.proj.weight", "mlp.fc2.weight")):  # fix_init_weight: div_ by sqrt(2 (layer + 1))
        scale = math.sqrt(2.0 * (int(name.split(".")[1]) + 1))
        return stats.truncnorm(-2 / 0.02, 2 / 0.02, scale=0.02 / scale)
    return trunc(0.02)


def nano_rule(model, name):
    if ".ln_" in name or name.startswith("transformer.ln_f"):
        return 1.0 if name.endswith("weight") else 0.0
    if name.endswith("bias"):
        return 0.0
    if name.endswith("c_proj.weight"):
        return stats.norm(0.0, 0.02 / math.sqrt(2 * model.n_layer))
    return stats.norm(0.0, 0.02)


RULES = {"titan_llama": titan_rule, "timm_vit": vit_rule, "nanogpt": nano_rule}


@pytest.mark.parametrize("name", STYLES)
def test_every_parameter_has_the_distribution_the_code_asks_for(name):
    model, reference = in_block(name), by_torch(name)
    for pname, p in model.named_parameters():
        assert_drawn_from(pname, p, reference.get_parameter(pname), RULES[name](model, pname))
    if name == "nanogpt":
        assert model.lm_head.weight is model.transformer.wte.weight


@pytest.mark.parametrize("name", STYLES)
def test_values_do_not_depend_on_the_thread_count(name):
    try:
        wi.set_num_threads(1)
        one = rm.digests(in_block(name))
        wi.set_num_threads(2)
        two = rm.digests(in_block(name))
    finally:
        wi.set_num_threads(None)
    assert one == two
    assert rm.digests(in_block(name, seed=SEED + 1)) != one


def nano_init_reversed(model):
    """nanoGPT's own init functions, visiting the modules and parameters in the reverse order."""
    for module in reversed(list(model.modules())):
        model._init_weights(module)
    for pn, p in reversed(list(model.named_parameters())):
        if pn.endswith("c_proj.weight"):
            nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * model.n_layer))


def titan_init_reversed(model):
    """torchtitan's tables, applied to the parameters last to first (children-first order reversed)."""
    owners = [(m, n, p) for m in model.modules() for n, p in m.named_parameters(recurse=False)]
    for module, pname, p in reversed(owners):
        table = getattr(module, "param_init", None)
        if table is not None:
            table[pname](p)
        else:
            module.reset_parameters()


@pytest.mark.parametrize("name, reordered", [("nanogpt", nano_init_reversed), ("titan_llama", titan_init_reversed)])
def test_values_do_not_depend_on_the_order_of_calls_across_parameters(name, reordered):
    assert rm.digests(in_block(name, init=reordered)) == rm.digests(in_block(name))


def nano_first_pass(model):
    """nanoGPT's init without its c_proj loop."""
    model.apply(model._init_weights)


def nano_embedding_only(model):
    """nanoGPT's init of the tied wte/lm_head through the Embedding alone (one call)."""
    model._init_weights(model.transformer.wte)


def test_a_second_call_on_a_parameter_draws_other_values_than_the_first():
    full, first_pass = in_block("nanogpt"), in_block("nanogpt", init=nano_first_pass)
    # c_proj.weight: N(0, 0.02) from apply(), then N(0, 0.02 / sqrt(2 n_layer)) from the loop; a
    # second call reading the first call's part of the stream would give the first values scaled
    c_proj = "transformer.h.0.attn.c_proj.weight"
    scaled = full.get_parameter(c_proj) * math.sqrt(2 * full.n_layer)
    assert not torch.allclose(scaled, first_pass.get_parameter(c_proj))
    # the tied wte/lm_head: Embedding's normal_ then Linear's normal_, both N(0, 0.02)
    first = in_block("nanogpt", init=nano_embedding_only).transformer.wte.weight
    assert torch.equal(first_pass.transformer.wte.weight, full.transformer.wte.weight)
    assert not torch.equal(full.transformer.wte.weight, first)
    assert torch.equal(first.detach(), in_block("nanogpt", init=nano_embedding_only).transformer.wte.weight.detach())
