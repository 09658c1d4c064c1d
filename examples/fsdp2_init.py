"""Initialise an FSDP2-sharded model with wi and check it equals the unsharded initialisation.

Run on a CPU machine (gloo), with any number of processes:

    torchrun --nproc-per-node 2 examples/fsdp2_init.py

The model is built on the meta device (no memory, no init), sharded with ``fully_shard`` per
block and on the root, materialised with ``to_empty``, and initialised by
``wi.torch.init_module_``: each rank fills only its own shards, with no communication. Rank 0
then prints each parameter's digest, gathered with ``full_tensor()``, beside the digest of
the same model initialised unsharded in one process, and exits with status 1 on a mismatch.
"""
import hashlib
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard

import wi.torch

SEED = 0


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.up = nn.Linear(dim, hidden)
        self.down = nn.Linear(hidden, dim)


class TinyLM(nn.Module):
    def __init__(self, vocab=1003, dim=64, heads=4, hidden=250, layers=2):  # 1003 rows: uneven shards
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(Block(dim, heads, hidden) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)


def digest(t):
    return hashlib.sha256(t.detach().contiguous().view(torch.uint8).numpy().tobytes()).hexdigest()[:16]


def main():
    torch.set_num_threads(1)
    dist.init_process_group("gloo")  # torchrun sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
    rank, world = dist.get_rank(), dist.get_world_size()
    mesh = init_device_mesh("cpu", (world,))

    with torch.device("meta"):
        model = TinyLM()
    for block in model.blocks:
        fully_shard(block, mesh=mesh)
    fully_shard(model, mesh=mesh)
    model.to_empty(device="cpu")
    wi.torch.init_module_(model, seed=SEED)  # each rank fills its own shards

    sharded = {name: digest(p.full_tensor()) for name, p in model.named_parameters()}  # gathers
    ok = True
    if rank == 0:
        reference = TinyLM()
        wi.torch.init_module_(reference, seed=SEED)
        print(f"world size {world}; parameter, global shape, local shape on rank 0, digest, matches unsharded")
        for name, p in model.named_parameters():
            want = digest(reference.get_parameter(name))
            ok &= sharded[name] == want
            print(f"  {name:28} {str(tuple(p.shape)):12} {str(tuple(p.to_local().shape)):12} "
                  f"{sharded[name]}  {'match' if sharded[name] == want else 'MISMATCH ' + want}")
        print("all parameters match the unsharded init" if ok else "MISMATCH")
    dist.barrier()  # no rank tears gloo down while rank 0 still works (that aborted rank 1 at exit)
    dist.destroy_process_group()
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    raise SystemExit(main())
