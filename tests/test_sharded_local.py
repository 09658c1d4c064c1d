"""The single-process parts of sharded initialisation: wrapper-independent names, tied
parameters, and the staging path for tensors wi cannot write directly."""
import hashlib
import math

import pytest

torch = pytest.importorskip("torch")

import wi  # noqa: E402
import wi.torch as wt  # noqa: E402
from wi.torch import _local_fill  # noqa: E402
from wi.torch._names import owned_parameters  # noqa: E402

nn = torch.nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(6)
        self.fc = nn.Linear(6, 5)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(11, 6)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.head = nn.Linear(5, 3)


def digests(model):
    return {name: hashlib.sha256(p.detach().numpy().tobytes()).hexdigest()
            for name, p in owned_names(model).items()}


def owned_names(model):
    params = {id(p): p for p in model.parameters()}
    return {name: params[key] for key, (_, _, name) in owned_parameters(model).items()}


def bare():
    torch.manual_seed(0)
    return Net()


def checkpointed(model):
    from torch.distributed.algorithms._checkpoint.checkpoint_wrapper import checkpoint_wrapper

    for i, block in enumerate(model.blocks):
        model.blocks[i] = checkpoint_wrapper(block)
    return model


class FsdpLike(nn.Module):  # FSDP1's level, without a process group
    def __init__(self, inner):
        super().__init__()
        self._fsdp_wrapped_module = inner


WRAPS = {
    "torch.compile": lambda m: torch.compile(m),
    "checkpoint_wrapper": checkpointed,
    "fsdp1 level": FsdpLike,
    "compile of checkpointed": lambda m: torch.compile(checkpointed(m)),
}


@pytest.mark.parametrize("wrap", WRAPS, ids=list(WRAPS))
def test_wrappers_do_not_change_values(wrap):
    want = digests(wt.init_module_(bare(), seed=5))
    wrapped = WRAPS[wrap](bare())
    assert set(digests(wrapped)) == set(want)  # the canonical names are the bare model's
    wt.init_module_(wrapped, seed=5)
    assert digests(wrapped) == want


def test_ddp_does_not_change_values(tmp_path):
    dist = torch.distributed
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'rdv'}", rank=0, world_size=1)
    try:
        wrapped = nn.parallel.DistributedDataParallel(torch.compile(bare()))
        wt.init_module_(wrapped, seed=5)
        assert digests(wrapped) == digests(wt.init_module_(bare(), seed=5))
    finally:
        dist.destroy_process_group()


def test_a_users_own_submodule_called_module_keeps_its_name():
    outer = nn.Module()
    outer.module = nn.Linear(3, 2)
    assert sorted(owned_names(outer)) == ["module.bias", "module.weight"]
    wt.init_module_(outer, seed=1)
    alone = nn.Linear(3, 2)
    wt.init_module_(alone, seed=1, prefix="module")
    assert torch.equal(alone.weight, outer.module.weight)


def test_tied_parameters_are_initialised_once_by_their_first_owner():
    tied = Net()
    tied.head = nn.Linear(6, 11)
    tied.head.weight = tied.embed.weight  # as GPT-2 ties its output layer
    untied = Net()
    untied.head = nn.Linear(6, 11)
    wt.init_module_(untied, seed=2)
    wt.init_module_(tied, seed=2)
    assert tied.head.weight is tied.embed.weight
    # the Embedding rule on the embedding's stream; a second fill by the Linear rule would differ
    assert torch.equal(tied.embed.weight, untied.embed.weight)
    assert not torch.equal(tied.head.weight, untied.head.weight)
    assert torch.equal(tied.head.bias, untied.head.bias)
    assert "head.weight" not in owned_names(tied)


# --- staging: the logic on CPU tensors (the device check injected), CUDA where it exists ---

FUNCTIONS = [("normal_", (0.0, 0.02)), ("kaiming_uniform_", (math.sqrt(5),)), ("trunc_normal_", ())]


@pytest.fixture
def as_if_on_a_device(monkeypatch):
    """CPU tensors treated as a CUDA tensor is: no fast path (it takes CPU tensors only),
    filled through staging. Yields the (shape, pin_memory) of each staging buffer."""
    from wi.torch import _tensors

    staged = []
    real_empty = torch.empty

    def spy_empty(*shape, **kw):
        out = real_empty(*shape, **kw)
        staged.append((tuple(out.shape), kw.get("pin_memory")))
        return out

    monkeypatch.setattr(_tensors, "fill_fast", lambda *args: False)
    monkeypatch.setattr(_local_fill, "needs_staging", lambda t: True)
    monkeypatch.setattr(torch, "empty", spy_empty)
    return staged


@pytest.mark.parametrize("name, args", FUNCTIONS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_staged_fill_equals_the_direct_fill(request, name, args, dtype):
    direct = getattr(wt, name)(torch.empty(30, 7, dtype=dtype), *args, generator=wi.Generator(4))
    staged = request.getfixturevalue("as_if_on_a_device")
    target = torch.full((30, 7), math.nan, dtype=dtype)
    getattr(wt, name)(target, *args, generator=wi.Generator(4))
    assert staged == [((30, 7), torch.cuda.is_available())]  # pinned only with CUDA
    assert torch.equal(target.view(torch.uint8), direct.view(torch.uint8))


def test_staged_init_module_equals_the_direct_one(request):
    want = digests(wt.init_module_(bare(), seed=9))
    model = bare()
    staged = request.getfixturevalue("as_if_on_a_device")
    assert digests(wt.init_module_(model, seed=9)) == want
    # one staging buffer per random fill: embed.weight, the fc and head weights and biases
    # (the LayerNorms' ones and zeros are torch's own fill_, which works on any device)
    assert sorted(shape for shape, _ in staged) == [(3,), (3, 5), (5,), (5,), (5, 6), (5, 6), (11, 6)]
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_parameters_are_filled_through_pinned_staging():
    want = digests(wt.init_module_(bare(), seed=9))
    model = wt.init_module_(bare().cuda(), seed=9)
    assert digests(model.cpu()) == want
    t = torch.empty(1000, device="cuda")
    wt.normal_(t, generator=wi.Generator(1))
    assert torch.equal(t.cpu(), wt.normal_(torch.empty(1000), generator=wi.Generator(1)))
