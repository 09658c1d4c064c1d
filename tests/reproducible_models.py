"""The models wi.torch.reproducible is proven on, each with its own init code and its layouts.

Three real transformers models from small local configurations (never downloaded), and three
restatements of libraries that cannot be imported here (timm needs a torchvision that does not
load beside this CPU torch; torchtitan needs triton), written from their sources:

- ``TitanLlama``: torchtitan's llama3 (``torchtitan/models/llama3/__init__.py`` and
  ``models/common/param_init.py``, read at commit b5bcd76): per-parameter init tables of
  ``functools.partial(nn.init.trunc_normal_, ...)`` captured when the model is built (so they
  hold references to torch's functions taken before the block opens), applied children first;
  q/k/v and w1 std 0.02, wo/w2/w3 std ``0.02 / sqrt(2 (layer_id + 1))`` (depth init), the output
  std ``dim ** -0.5`` cut at 3 std, token embeddings N(0, 1), RMSNorm ones.
- ``TimmViT``: timm's VisionTransformer init (``timm/models/vision_transformer.py``:
  ``init_weights``, ``init_weights_vit_timm``, ``fix_init_weight``) with timm's own
  ``trunc_normal_`` (``timm/layers/weight_init.py``): ``uniform_``, ``erfinv_``, ``mul_``,
  ``add_``, ``clamp_`` on the tensor itself.
- ``NanoGPT``: Karpathy's nanoGPT ``model.py``: ``self.apply(self._init_weights)`` (Linear and
  Embedding N(0, 0.02), biases zero), then the loop over ``named_parameters()`` giving every
  ``c_proj.weight`` std ``0.02 / sqrt(2 n_layer)``; lm_head tied to wte (two calls on one tensor).

Every model is built on the meta device, laid out (FSDP2, tensor parallelism, both), given
memory with ``to_empty`` and initialised by its own code: ``SPECS[name]`` says how.
"""
import functools
import hashlib
import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

# --- digests ---------------------------------------------------------------------------------


def digest(t):
    """sha256 of a tensor's bytes (a DTensor is gathered with full_tensor() first)."""
    if hasattr(t, "full_tensor"):
        t = t.full_tensor()
    return hashlib.sha256(t.detach().contiguous().flatten().view(torch.uint8).numpy().tobytes()).hexdigest()


def digests(model):
    """{parameter name: digest} for every parameter (tied ones once, as named_parameters gives them)."""
    return {name: digest(p) for name, p in model.named_parameters()}


# --- transformers, small local configurations ------------------------------------------------

VOCAB = 4099  # prime: uneven shards on 2, 3 and 4 ranks; x 64 > 64 Ki elements, so its fills run on several threads


def hf_config(kind, padding=True):
    """A small configuration of a real transformers model (built locally, nothing downloaded).

    padding: Llama's and Bert's token embeddings get a padding row, which their _init_weights
    zeroes through ``weight[padding_idx]``. On a DTensor sharded along the rows that index
    gathers a copy, so the zeroing never reaches the shards (with or without wi): the sharded
    proofs use padding=False."""
    import transformers as tf

    if kind == "gpt2":
        return tf.GPT2Config(n_layer=2, n_embd=64, n_head=4, vocab_size=VOCAB, n_positions=64,
                             bos_token_id=0, eos_token_id=0)
    if kind == "llama":
        return tf.LlamaConfig(hidden_size=64, intermediate_size=172, num_hidden_layers=2,
                              num_attention_heads=4, num_key_value_heads=2, vocab_size=VOCAB,
                              max_position_embeddings=64, pad_token_id=5 if padding else None, bos_token_id=1,
                              eos_token_id=2)
    if kind == "bert":
        return tf.BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=150,
                             vocab_size=VOCAB, max_position_embeddings=64, type_vocab_size=2,
                             pad_token_id=0 if padding else None)
    raise ValueError(kind)


def hf_model(kind, config=None):
    """GPT2LMHeadModel, LlamaForCausalLM or BertModel from a config, on the current default device."""
    import transformers as tf

    cls = {"gpt2": tf.GPT2LMHeadModel, "llama": tf.LlamaForCausalLM, "bert": tf.BertModel}[kind]
    return cls(config or hf_config(kind))


def hf_init(model):
    """transformers' own init_weights(), also when fully_shard has renamed the model's class.

    FSDP2 gives the root a class defined in torch (FSDPGPT2LMHeadModel), so transformers'
    is_custom_code() says True and initialize_weights then skips every module without
    parameters of its own: GPT-2's scaled c_proj init (in GPT2Attention/GPT2MLP) would silently
    not run, with or without wi. The instance attribute restores the answer for the real class."""
    if not type(model).__module__.startswith("transformers."):
        model.is_custom_code = lambda: False
    model.init_weights()


# --- torchtitan's llama3, restated -----------------------------------------------------------

_LINEAR_INIT = {"weight": functools.partial(nn.init.trunc_normal_, std=0.02)}
_EMBEDDING_INIT = {"weight": functools.partial(nn.init.normal_, std=1.0)}


def depth_scaled_std(base_std, layer_id):
    """torchtitan's depth init: base_std / sqrt(2 (layer_id + 1))."""
    return base_std / (2 * (layer_id + 1)) ** 0.5


def _depth_init(layer_id):
    return {"weight": functools.partial(nn.init.trunc_normal_, std=depth_scaled_std(0.02, layer_id))}


def _output_init(dim):
    s = dim ** -0.5
    return {"weight": functools.partial(nn.init.trunc_normal_, std=s, a=-3 * s, b=3 * s)}


def _with_init(module, table):
    module.param_init = table  # torchtitan's Module.Config.build sets _param_init likewise
    return module


class TitanAttention(nn.Module):
    def __init__(self, dim, n_heads, n_kv_heads, layer_id):
        super().__init__()
        hd = dim // n_heads
        self.wq = _with_init(nn.Linear(dim, n_heads * hd, bias=False), _LINEAR_INIT)
        self.wk = _with_init(nn.Linear(dim, n_kv_heads * hd, bias=False), _LINEAR_INIT)
        self.wv = _with_init(nn.Linear(dim, n_kv_heads * hd, bias=False), _LINEAR_INIT)
        self.wo = _with_init(nn.Linear(n_heads * hd, dim, bias=False), _depth_init(layer_id))


class TitanFeedForward(nn.Module):
    def __init__(self, dim, hidden, layer_id):
        super().__init__()
        self.w1 = _with_init(nn.Linear(dim, hidden, bias=False), _LINEAR_INIT)
        self.w2 = _with_init(nn.Linear(hidden, dim, bias=False), _depth_init(layer_id))
        self.w3 = _with_init(nn.Linear(dim, hidden, bias=False), _depth_init(layer_id))


class TitanBlock(nn.Module):
    def __init__(self, dim, n_heads, n_kv_heads, hidden, layer_id):
        super().__init__()
        self.attention_norm = nn.RMSNorm(dim)
        self.attention = TitanAttention(dim, n_heads, n_kv_heads, layer_id)
        self.ffn_norm = nn.RMSNorm(dim)
        self.feed_forward = TitanFeedForward(dim, hidden, layer_id)


class TitanLlama(nn.Module):
    """torchtitan's llama3 structure and init rules; ``init_weights()`` is its ``init_states``."""

    def __init__(self, dim=64, n_layers=3, n_heads=4, n_kv_heads=2, hidden=176, vocab=VOCAB, rope_theta=500000.0):
        super().__init__()
        self.dim, self.rope_theta = dim, rope_theta
        self.tok_embeddings = _with_init(nn.Embedding(vocab, dim), _EMBEDDING_INIT)
        self.layers = nn.ModuleDict({str(i): TitanBlock(dim, n_heads, n_kv_heads, hidden, i) for i in range(n_layers)})
        self.norm = nn.RMSNorm(dim)
        self.output = _with_init(nn.Linear(dim, vocab, bias=False), _output_init(dim))
        self.register_buffer("inv_freq", torch.empty(dim // n_heads // 2), persistent=False)

    def init_weights(self):
        """torchtitan's Module.init_states: children first, then the module's own parameters
        through its table (or reset_parameters), then buffers."""

        def init_states(module):
            for child in module.children():
                init_states(child)
            table = getattr(module, "param_init", None)
            if table is not None:
                for name, param in module.named_parameters(recurse=False):
                    table[name](param)
            elif any(True for _ in module.parameters(recurse=False)):
                module.reset_parameters()

        init_states(self)
        hd = self.inv_freq.numel() * 2
        with torch.no_grad():
            self.inv_freq.copy_(1.0 / self.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))


# --- timm's VisionTransformer, restated ------------------------------------------------------


def timm_trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):
    """timm.layers.weight_init.trunc_normal_: inverse-CDF sampling on the tensor itself."""

    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    with torch.no_grad():
        lo, hi = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
        tensor.uniform_(2 * lo - 1, 2 * hi - 1)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
        return tensor


class VitAttention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)


class VitMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)


class VitBlock(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = VitAttention(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = VitMlp(dim, hidden)


class TimmViT(nn.Module):
    """timm's VisionTransformer layout with its default ('') init and fix_init."""

    def __init__(self, img=32, patch=8, dim=64, depth=3, hidden=150, num_classes=37):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, (img // patch) ** 2 + 1, dim))
        self.blocks = nn.ModuleList(VitBlock(dim, hidden) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def init_weights(self):
        """timm's VisionTransformer.init_weights(mode='') with fix_init=True."""
        timm_trunc_normal_(self.pos_embed, std=0.02)
        nn.init.normal_(self.cls_token, std=1e-6)
        for module in self.modules():  # named_apply(init_weights_vit_timm): every module
            if isinstance(module, nn.Linear):
                timm_trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, (nn.Conv2d, nn.LayerNorm)):
                module.reset_parameters()
        with torch.no_grad():  # fix_init_weight
            for layer_id, layer in enumerate(self.blocks):
                scale = math.sqrt(2.0 * (layer_id + 1))
                layer.attn.proj.weight.div_(scale)
                layer.mlp.fc2.weight.div_(scale)


# --- nanoGPT, restated -----------------------------------------------------------------------


class NanoAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)


class NanoMlp(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.c_proj = nn.Linear(4 * n_embd, n_embd)


class NanoBlock(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = NanoAttention(n_embd)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = NanoMlp(n_embd)


class NanoGPT(nn.Module):
    """nanoGPT's GPT; its init moved from __init__ into init_weights() for the meta flow."""

    def __init__(self, n_layer=3, n_embd=64, vocab=VOCAB, block_size=64):
        super().__init__()
        self.n_layer = n_layer
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, n_embd), wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList(NanoBlock(n_embd) for _ in range(n_layer)), ln_f=nn.LayerNorm(n_embd)))
        self.lm_head = nn.Linear(n_embd, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def init_weights(self):
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * self.n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
        elif isinstance(module, nn.LayerNorm):  # nanoGPT builds ones/zeros eagerly; on meta they must be set here
            torch.nn.init.ones_(module.weight)
            torch.nn.init.zeros_(module.bias)


# --- how each model is built, laid out and initialised ---------------------------------------


@dataclass(frozen=True)
class Spec:
    build: Callable[[], nn.Module]  # on the current default device
    init: Callable[[nn.Module], None]  # the model's own init code, unchanged
    blocks: Callable[[nn.Module], list]  # what fully_shard wraps one by one (then the root)
    tp_plan: Callable[[nn.Module], dict]  # {submodule path: ParallelStyle or "conv1d_col"/"conv1d_row"}
    tie: Callable[[nn.Module], None] = lambda model: None  # to_empty unties shared parameters (not FSDP2's)


def _per_block(n_blocks, prefix, colwise, rowwise):
    """{path: ColwiseParallel() or RowwiseParallel()} for the projections of every block."""
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel

    plan = {}
    for i in range(n_blocks):
        plan.update({prefix.format(i) + path: ColwiseParallel() for path in colwise})
        plan.update({prefix.format(i) + path: RowwiseParallel() for path in rowwise})
    return plan


def _embedding_and_output(embedding, output):
    """torchtitan's plan for the ends: the embedding row-wise (replicated input), the output column-wise."""
    from torch.distributed.tensor import Replicate
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel

    return {embedding: RowwiseParallel(input_layouts=Replicate()), output: ColwiseParallel()}


def _titan_plan(model):
    return {**_embedding_and_output("tok_embeddings", "output"),
            **_per_block(len(model.layers), "layers.{}.", ("attention.wq", "attention.wk", "attention.wv",
                                                           "feed_forward.w1", "feed_forward.w3"),
                         ("attention.wo", "feed_forward.w2"))}


def _llama_plan(model):
    return {**_embedding_and_output("model.embed_tokens", "lm_head"),
            **_per_block(len(model.model.layers), "model.layers.{}.", ("self_attn.q_proj", "self_attn.k_proj",
                                                                       "self_attn.v_proj", "mlp.gate_proj", "mlp.up_proj"),
                         ("self_attn.o_proj", "mlp.down_proj"))}


def _bert_plan(model):
    return _per_block(len(model.encoder.layer), "encoder.layer.{}.",
                      ("attention.self.query", "attention.self.key", "attention.self.value", "intermediate.dense"),
                      ("attention.output.dense", "output.dense"))


def _gpt2_plan(model):
    # transformers' Conv1D keeps its weight as (in, out): column-wise is Shard(1), row-wise Shard(0)
    plan = {}
    for i in range(len(model.transformer.h)):
        p = f"transformer.h.{i}."
        plan.update({p + "attn.c_attn": "conv1d_col", p + "mlp.c_fc": "conv1d_col",
                     p + "attn.c_proj": "conv1d_row", p + "mlp.c_proj": "conv1d_row"})
    return plan


def _vit_plan(model):
    return _per_block(len(model.blocks), "blocks.{}.", ("attn.qkv", "mlp.fc1"), ("attn.proj", "mlp.fc2"))


def _nano_plan(model):
    return _per_block(len(model.transformer.h), "transformer.h.{}.", ("attn.c_attn", "mlp.c_fc"),
                      ("attn.c_proj", "mlp.c_proj"))


def _nano_tie(model):
    model.transformer.wte.weight = model.lm_head.weight


SPECS = {
    "gpt2": Spec(lambda: hf_model("gpt2"), hf_init, lambda m: list(m.transformer.h), _gpt2_plan,
                 lambda m: m.tie_weights()),
    "llama": Spec(lambda: hf_model("llama", hf_config("llama", padding=False)), hf_init,
                  lambda m: list(m.model.layers), _llama_plan),
    "bert": Spec(lambda: hf_model("bert", hf_config("bert", padding=False)), hf_init,
                 lambda m: list(m.encoder.layer), _bert_plan),
    "titan_llama": Spec(TitanLlama, lambda m: m.init_weights(), lambda m: list(m.layers.values()), _titan_plan),
    "timm_vit": Spec(TimmViT, lambda m: m.init_weights(), lambda m: list(m.blocks), _vit_plan),
    "nanogpt": Spec(NanoGPT, lambda m: m.init_weights(), lambda m: list(m.transformer.h), _nano_plan, _nano_tie),
}
HF_MODELS = ("gpt2", "llama", "bert")


def _conv1d_shard(module, mesh, weight_dim, bias_placement):
    from torch.distributed.tensor import distribute_tensor

    for name, placement in (("weight", weight_dim), ("bias", bias_placement)):
        param = getattr(module, name)
        module.register_parameter(name, nn.Parameter(distribute_tensor(param.data, mesh, [placement])))


def apply_tp(model, plan, mesh):
    """parallelize_module for the ParallelStyles; transformers' Conv1D sharded by hand (torch's
    styles accept only nn.Linear and nn.Embedding)."""
    from torch.distributed.tensor import Replicate, Shard
    from torch.distributed.tensor.parallel import parallelize_module

    styles = {k: v for k, v in plan.items() if not isinstance(v, str)}
    if styles:
        parallelize_module(model, mesh, styles)
    for path, how in plan.items():
        if how == "conv1d_col":
            _conv1d_shard(model.get_submodule(path), mesh, Shard(1), Shard(0))
        elif how == "conv1d_row":
            _conv1d_shard(model.get_submodule(path), mesh, Shard(0), Replicate())
    return model


def build_laid_out(name, layout, mesh=None, build=None):
    """Build model `name` (or `build()`) on meta, lay it out, give it CPU memory and tie its shared
    parameters again (values: garbage until init).

    layout: "plain" (no mesh), "fsdp" (fully_shard per block and on the root), "tp" (the model's
    tensor-parallel plan), "fsdp_tp" (mesh with dims "dp", "tp": the plan on tp, FSDP on dp)."""
    from torch.distributed.fsdp import fully_shard

    spec = SPECS[name]
    with torch.device("meta"):
        model = (build or spec.build)()
    if layout in ("tp", "fsdp_tp"):
        apply_tp(model, spec.tp_plan(model), mesh["tp"] if layout == "fsdp_tp" else mesh)
    if layout in ("fsdp", "fsdp_tp"):
        dp = mesh["dp"] if layout == "fsdp_tp" else mesh
        for block in spec.blocks(model):
            fully_shard(block, mesh=dp)
        fully_shard(model, mesh=dp)
    model = model.to_empty(device="cpu")
    spec.tie(model)  # as a meta-device user must: to_empty gives each module its own tensor
    return model
