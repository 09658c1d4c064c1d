"""The first model of a fresh process: build + initialise a GPT-2-small-shaped model.

    PYTHONPATH=src python bench/first_model.py [--runs 5] [--threads 2] [--flows torch,no_init,meta]

The flow big-model users run once per process (issue 13): torch's own construction with its
default init, against wi's flows, each timed in its own fresh process (imports excluded,
everything torch does the first time included):

- torch: ``build()``, each layer's reset_parameters at construction;
- wi no_init: ``with wi.torch.no_init(): build()``, then ``init_module_``;
- wi meta: build on the meta device, ``to_empty(device="cpu")``, ``init_module_``;
- plain: the no_init build, then plain wi fills of the same parameters with the same
  distributions (``plain_fills`` of bench/test_bench_init_module.py): init_module_'s ceiling.

The model: Embedding(50257, 768), 12 TransformerEncoderLayer(768, 12, 3072), a
Linear(768, 50257) head: 163 M float32 parameters. Prints medians (min-max) over the runs,
run round-robin, a Markdown table.
"""
import argparse
import os
import statistics
import subprocess
import sys

CHILD = r"""
import sys, time
import torch
from torch import nn
import wi, wi.torch as wt
flow, nthr = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(nthr); wi.set_num_threads(nthr)

def build():
    return nn.Sequential(nn.Embedding(50257, 768),
                         *(nn.TransformerEncoderLayer(768, 12, 3072, batch_first=True) for _ in range(12)),
                         nn.Linear(768, 50257))

t0 = time.perf_counter()
if flow == "torch":
    model = build(); t1 = time.perf_counter()
elif flow == "no_init":
    with wt.no_init():
        model = build()
    t1 = time.perf_counter(); wt.init_module_(model, seed=0)
elif flow == "plain":
    sys.path.insert(0, sys.argv[3])
    from test_bench_init_module import plain_fills
    with wt.no_init():
        model = build()
    t1 = time.perf_counter()
    for fill, a, args in plain_fills(model):
        fill(a, *args)
else:
    with torch.device("meta"):
        model = build()
    model = model.to_empty(device="cpu"); t1 = time.perf_counter(); wt.init_module_(model, seed=0)
t2 = time.perf_counter()
print(t2 - t0, t1 - t0, sum(p.numel() for p in model.parameters()))
"""
FLOWS = ("torch", "no_init", "meta", "plain")


def run(flow, nthr):
    env = dict(os.environ, OMP_NUM_THREADS=str(nthr))
    out = subprocess.run([sys.executable, "-c", CHILD, flow, str(nthr), os.path.dirname(os.path.abspath(__file__))], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--flows", default=",".join(FLOWS), help="a subset of " + ",".join(FLOWS))
    args = ap.parse_args()
    flows = [f for f in FLOWS if f in args.flows.split(",")]
    res = {f: [] for f in flows}
    for _ in range(args.runs):
        for f in flows:
            res[f].append(run(f, args.threads))
    med = lambda xs: statistics.median(xs)
    span = lambda xs: f"{med(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"
    torch_total = med([r[0] for r in res["torch"]]) if "torch" in res else float("nan")
    print(f"{next(iter(res.values()))[0][2] / 1e6:.1f} M parameters, {args.threads} threads, {args.runs} fresh processes "
          f"per flow; seconds: median (min-max)\n")
    print("| flow | total | build | init (init_module_ or the fills) | torch / flow |")
    print("|---|---:|---:|---:|---:|")
    names = {"torch": "torch construction (default init)", "no_init": "wi: no_init build + init_module_",
             "meta": "wi: meta + to_empty + init_module_",
             "plain": "wi: no_init build + plain fills (same mix)"}
    for f in flows:
        tot, bld = [r[0] for r in res[f]], [r[1] for r in res[f]]
        init = "-" if f == "torch" else span([a - b for a, b in zip(tot, bld)])
        print(f"| {names[f]} | {span(tot)} | {span(bld)} | {init} | {torch_total / med(tot):.2f} |")


if __name__ == "__main__":
    main()
