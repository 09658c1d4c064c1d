"""Initialise FSDP2-sharded transformers models with their own init code, on wi streams.

Run on a CPU machine (gloo), with any number of processes; the digests printed are the same
whatever the number:

    torchrun --nproc-per-node 1 examples/reproducible_hf.py
    torchrun --nproc-per-node 2 examples/reproducible_hf.py

Each model (GPT-2 and Llama from small local configurations, nothing downloaded) is built on
the meta device (no memory, no init), sharded with ``fully_shard`` per block and on the root,
materialised with ``to_empty`` and initialised by transformers' own ``init_weights()`` inside
``wi.torch.reproducible``: every random call it makes is filled from the stream of (seed,
parameter name), each rank filling only its own shards, with no communication. Rank 0 prints
each parameter's digest, gathered with ``full_tensor()``, then the table of what was filled.
"""
import hashlib
import os

import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

import wi.torch

SEED = 0
MODELS = {
    "gpt2": lambda: GPT2LMHeadModel(GPT2Config(n_layer=2, n_embd=64, n_head=4, vocab_size=1003, n_positions=64,
                                               bos_token_id=0, eos_token_id=0)),
    "llama": lambda: LlamaForCausalLM(LlamaConfig(hidden_size=64, intermediate_size=172, num_hidden_layers=2,
                                                  num_attention_heads=4, num_key_value_heads=2, vocab_size=1003,
                                                  max_position_embeddings=64, bos_token_id=1, eos_token_id=2)),
}


def digest(t):
    return hashlib.sha256(t.detach().contiguous().flatten().view(torch.uint8).numpy().tobytes()).hexdigest()[:16]


def blocks(model):
    return model.transformer.h if hasattr(model, "transformer") else model.model.layers


def sharded_init(make, mesh):
    with torch.device("meta"):
        model = make()  # transformers skips its init on the meta device
    for block in blocks(model):
        fully_shard(block, mesh=mesh)
    fully_shard(model, mesh=mesh)
    model.to_empty(device="cpu")  # FSDP2 keeps GPT-2's lm_head tied to wte (a plain to_empty would not)
    # fully_shard gave the root a class defined in torch, which transformers takes for custom code:
    # its init would then skip modules without parameters of their own (GPT-2's scaled c_proj init)
    model.is_custom_code = lambda: False
    with wi.torch.reproducible(model, seed=SEED) as ctx:
        model.init_weights()  # the model's own _init_weights, unchanged
    return model, ctx


def main():
    torch.set_num_threads(1)
    dist.init_process_group("gloo")  # torchrun sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
    rank, world = dist.get_rank(), dist.get_world_size()
    mesh = init_device_mesh("cpu", (world,))
    if rank == 0:
        print(f"world size {world}; model, parameter, global shape, digest of full_tensor()")
    for label, make in MODELS.items():
        model, ctx = sharded_init(make, mesh)
        full = {name: digest(p.full_tensor()) for name, p in model.named_parameters()}  # gathers
        if rank == 0:
            for name, p in model.named_parameters():
                print(f"{label} {name} {tuple(p.shape)} {full[name]}".replace(", ", ","))
            if label == "gpt2":
                print(ctx)
    dist.barrier()  # no rank tears gloo down while rank 0 still works
    dist.destroy_process_group()


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
