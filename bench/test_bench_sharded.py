"""Sharded init_module_ of a GPT-2-XL-size model (FSDP2, CPU, gloo) on world sizes 1 and 2.

Each rank builds the model on the meta device, shards it with ``fully_shard`` per block and
on the root, materialises it (``to_empty``) and faults its pages in once; then, per rank:

- ``wi init_module_``: ``wi.torch.init_module_`` on the sharded model (region fills);
- ``no regions``: the same init_module_ with every local shard taken as a whole tensor of its
  own (same distributions, same elements, same memory; plain fills, no geometry): the region
  path should cost no more;
- ``plain fill``: ``wi.fill_uniform`` of each local shard as a plain array (uniform is the
  cheapest distribution: a lower bound);
- ``memset``: ``fill(1.0)`` of each local shard (the memory-bandwidth ceiling);
- ``torch init``: torch's own init of the same sharded model (every module's
  ``reset_parameters`` on the DTensors).

The 2 cores are split between the ranks (``cores // world`` threads each). Run (not a test:
it asserts nothing about time):

    PYTHONPATH=src python -m pytest bench/test_bench_sharded.py -s

``WI_BENCH_SHARDED=tiny`` runs the same on a tiny model (smoke run). The machine may be shared:
read the numbers as ratios within a run.
"""
import json
import os
import time

import pytest

torch = pytest.importorskip("torch")

from bench.test_bench_init_module import GPT2, GPT2_XL, TINY  # noqa: E402

WORLD_SIZES = (1, 2)
ROUNDS = 2


def _best(fn):
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _rank(rank, world, cfg, rendezvous, out_path, threads):
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    import wi
    import wi.torch as wt
    from wi.torch import _local_fill
    from wi.torch._dtensor import Layout, Region

    torch.set_num_threads(threads)
    wi.set_num_threads(threads)
    dist.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=rank, world_size=world)
    try:
        mesh = init_device_mesh("cpu", (world,))
        with torch.device("meta"):
            model = GPT2(**cfg)
        for block in model.h:
            fully_shard(block, mesh=mesh)
        fully_shard(model, mesh=mesh)
        model.to_empty(device="cpu")
        with torch.no_grad():
            local = [p.to_local().detach() for p in model.parameters()]
        arrays = [t.numpy() for t in local]  # the same memory, seen as plain arrays
        for a in arrays:
            a.fill(0.0)  # fault the pages in once: every timing below rewrites mapped memory

        def plain_fill():
            for a in arrays:
                wi.fill_uniform(a, -0.1, 0.1, seed=0)

        def same_fills_without_regions():
            # init_module_ with each local shard taken as a whole tensor of its own: the same
            # distributions (fans from the global shape) into the same memory, no geometry
            def whole(t):
                shape = tuple(t.to_local().shape)
                return Layout(shape, (Region((0,) * len(shape), (0,) * len(shape), shape),))

            _local_fill.dtensor_layout, real = whole, _local_fill.dtensor_layout
            try:
                wt.init_module_(model, seed=0)
            finally:
                _local_fill.dtensor_layout = real

        def memset():
            for a in arrays:
                a.fill(1.0)

        result = {
            "rank": rank,
            "local_elements": sum(a.size for a in arrays),
            "wi init_module_": _best(lambda: wt.init_module_(model, seed=0)),
            "no regions": _best(same_fills_without_regions),
            "plain fill": _best(plain_fill),
            "memset": _best(memset),
        }

        def torch_init():
            with torch.no_grad():
                for m in model.modules():
                    if hasattr(m, "reset_parameters"):
                        m.reset_parameters()

        import warnings

        with warnings.catch_warnings():  # DTensor random ops on a CPU mesh warn
            warnings.simplefilter("ignore")
            result["torch init"] = _best(torch_init)
        gathered = [None] * world
        dist.all_gather_object(gathered, result)
        if rank == 0:
            with open(out_path, "w") as f:
                json.dump(gathered, f)
    finally:
        dist.destroy_process_group()
    # gloo's threads can abort the interpreter's normal shutdown after the work is done
    # ("terminate called without an active exception"): end a successful rank here.
    os._exit(0)


def test_sharded_init_module_per_rank_time(tmp_path):
    import torch.multiprocessing as mp

    cfg = TINY if os.environ.get("WI_BENCH_SHARDED") == "tiny" else GPT2_XL
    cores = os.cpu_count() or 1
    rows = []
    for world in WORLD_SIZES:
        out = tmp_path / f"world{world}.json"
        mp.start_processes(_rank, args=(world, cfg, str(tmp_path / f"rdv{world}"), str(out),
                                        max(1, cores // world)),
                           nprocs=world, start_method="spawn")
        rows += [(world, r) for r in json.loads(out.read_text())]
    keys = ("wi init_module_", "no regions", "plain fill", "memset", "torch init")
    n_params = sum(p.numel() for p in GPT2(**TINY).parameters()) if cfg is TINY else None
    print(f"\nsharded init of GPT-2 {'tiny' if cfg is TINY else 'XL'} ({n_params or '~1.56e9'} parameters), "
          f"{cores} cores split between the ranks; best of {ROUNDS}, seconds per rank")
    print(f"{'world':>5} {'rank':>4} {'elements':>13} " + " ".join(f"{k:>16}" for k in keys)
          + f" {'wi/no-reg':>9} {'torch/wi':>9}")
    for world, r in rows:
        print(f"{world:>5} {r['rank']:>4} {r['local_elements']:>13,} " + " ".join(f"{r[k]:>16.3f}" for k in keys)
              + f" {r['wi init_module_'] / r['no regions']:>9.2f} {r['torch init'] / r['wi init_module_']:>9.1f}")
