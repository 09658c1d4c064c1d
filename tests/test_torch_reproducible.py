"""wi.torch.reproducible on plain CPU models: every route, views, the call rule, the record, bad input.

References are not ours: call k on a parameter must equal wi's plain fill at (seed,
stream_id(name), element k * 2**48) of the whole parameter (the stream contract), and the
distributions are checked against scipy with torch's own fan and gain functions.
"""
import functools
import math
import sys
import types
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
scipy_stats = pytest.importorskip("scipy.stats")

import wi  # noqa: E402
import wi.torch as wt  # noqa: E402
from torch.nn.init import trunc_normal_  # noqa: E402  (a name imported before the block: patched)
from wi.torch import _reproducible  # noqa: E402

nn = torch.nn
SEED = 11
SPAN = 1 << 48


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(40, 16, padding_idx=0)
        self.fc = nn.Linear(16, 24)
        self.norm = nn.LayerNorm(24)
        self.out = nn.Linear(24, 8, bias=False)


def expected(name, shape, call, fill, dtype=torch.float32):
    """The values call `call` on parameter `name` must have: wi.torch's own fill from a
    wi.Generator placed at (SEED, stream_id(name)), block call * 2**48 / elements-per-block."""
    per_block = 2 if dtype == torch.float64 else 4
    g = wi.Generator(SEED, wt.stream_id(name))
    g.set_state({"seed": SEED, "stream": wt.stream_id(name), "counter": call * SPAN // per_block})
    return fill(torch.empty(shape, dtype=dtype), g)


def same(a, b):
    return torch.equal(a.detach().contiguous().view(torch.uint8), b.detach().contiguous().view(torch.uint8))


def model():
    torch.manual_seed(0)
    return Net()


def rec(ctx):
    return {r.name: r for r in ctx.records}


# ---- the rule: call k draws from element k * 2**48 of the parameter's stream ----

def test_call_zero_is_the_plain_fill_and_call_k_starts_at_k_times_2_48():
    m = model()
    with wt.reproducible(m, seed=SEED):
        nn.init.normal_(m.fc.weight, std=0.02)
        m.fc.weight.data.normal_(1.0, 3.0)
        nn.init.uniform_(m.fc.bias, -0.5, 0.5)
    want = expected("fc.weight", (24, 16), 1, lambda t, g: wt.normal_(t, 1.0, 3.0, generator=g))
    assert same(m.fc.weight, want)
    want = expected("fc.bias", (24,), 0, lambda t, g: wt.uniform_(t, -0.5, 0.5, generator=g))
    assert same(m.fc.bias, want)
    plain = np.empty((24,), np.float32)
    wi.fill_uniform(plain, -0.5, 0.5, seed=SEED, stream=wt.stream_id("fc.bias"))
    assert np.array_equal(plain, m.fc.bias.detach().numpy())


def test_call_zero_matches_init_module_positions():
    # init_module_ fills Embedding weights N(0, 1) from (seed, stream_id(name)) at offset 0
    a, b = model(), model()
    wt.init_module_(a, seed=SEED)
    with wt.reproducible(b, seed=SEED):
        nn.init.normal_(b.embed.weight)
        b.embed.weight.data[0].zero_()
    assert same(a.embed.weight, b.embed.weight)


def test_order_across_parameters_does_not_matter():
    def init(m, order):
        params = dict(m.named_parameters())
        for name in order:
            nn.init.trunc_normal_(params[name], std=0.02)
            params[name].data.uniform_(-1, 1) if params[name].dim() == 1 else None
    a, b = model(), model()
    names = [n for n, _ in a.named_parameters()]
    with wt.reproducible(a, seed=SEED):
        init(a, names)
    with wt.reproducible(b, seed=SEED):
        init(b, names[::-1])
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        assert same(p, q), n


def test_the_same_model_built_two_ways_gets_the_same_values():
    class Tower(nn.Module):  # the same names, modules created in another order
        def __init__(self):
            super().__init__()
            self.out = nn.Linear(24, 8, bias=False)
            self.norm = nn.LayerNorm(24)
            self.fc = nn.Linear(16, 24)
            self.embed = nn.Embedding(40, 16, padding_idx=0)

    def own_init(m):
        for name, p in m.named_parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
            else:
                p.data.normal_(0, 0.1)
    a, b = Net(), Tower()
    with wt.reproducible(a, seed=SEED):
        own_init(a)
    with wt.reproducible(b, seed=SEED):
        own_init(b)
    got = dict(b.named_parameters())
    for name, p in a.named_parameters():
        assert same(p, got[name]), name


def test_canonical_names_drop_wrapper_levels_and_tied_parameters_once():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(10, 4)
            self.head = nn.Linear(4, 10, bias=False)
            self.head.weight = self.embed.weight

    plain, wrapped = Tied(), nn.Module()
    wrapped._orig_mod = Tied()  # torch.compile's level
    for m, target in ((plain, plain), (wrapped, wrapped._orig_mod)):
        with wt.reproducible(m, seed=SEED) as ctx:
            nn.init.normal_(target.embed.weight)
            nn.init.normal_(target.head.weight)  # the same parameter: its call 1
        assert [r.name for r in ctx.records] == ["embed.weight"]
        assert [c.index for c in ctx.records[0].calls] == [0, 1]
    assert same(plain.embed.weight, wrapped._orig_mod.embed.weight)


# ---- routes ----

def _fans(shape):
    return nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))  # torch's own rule


ROUTES = {
    # name: (call inside the block, wi.torch fill giving the same values from a generator)
    "normal_": (lambda p: nn.init.normal_(p, 0.5, 0.25), lambda t, g: wt.normal_(t, 0.5, 0.25, generator=g)),
    "uniform_": (lambda p: nn.init.uniform_(p, -2, 3), lambda t, g: wt.uniform_(t, -2, 3, generator=g)),
    "trunc_normal_": (lambda p: trunc_normal_(p, std=0.5, a=-1, b=1),
                      lambda t, g: wt.trunc_normal_(t, std=0.5, a=-1, b=1, generator=g)),
    "xavier_uniform_": (lambda p: nn.init.xavier_uniform_(p, gain=2.0),
                        lambda t, g: wt.xavier_uniform_(t, gain=2.0, generator=g)),
    "xavier_normal_": (lambda p: nn.init.xavier_normal_(p), lambda t, g: wt.xavier_normal_(t, generator=g)),
    "kaiming_uniform_": (lambda p: nn.init.kaiming_uniform_(p, a=math.sqrt(5)),
                         lambda t, g: wt.kaiming_uniform_(t, a=math.sqrt(5), generator=g)),
    "kaiming_normal_": (lambda p: nn.init.kaiming_normal_(p, mode="fan_out", nonlinearity="relu"),
                        lambda t, g: wt.kaiming_normal_(t, mode="fan_out", nonlinearity="relu", generator=g)),
    "orthogonal_": (lambda p: nn.init.orthogonal_(p, gain=1.5), lambda t, g: wt.orthogonal_(t, gain=1.5, generator=g)),
    "sparse_": (lambda p: nn.init.sparse_(p, 0.25, std=0.1), lambda t, g: wt.sparse_(t, 0.25, std=0.1, generator=g)),
}


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_random_nn_init_function_by_module_attribute(name):
    call, fill = ROUTES[name]
    m = model()
    with wt.reproducible(m, seed=SEED) as ctx:
        call(m.fc.weight)
    assert same(m.fc.weight, expected("fc.weight", (24, 16), 0, fill))
    assert rec(ctx)["fc.weight"].calls[0].function == f"torch.nn.init.{name}"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_random_nn_init_function_imported_by_name(name):
    call, fill = ROUTES[name]
    user = types.ModuleType("user_init_code")  # code that did `from torch.nn.init import <name>`
    setattr(user, name, getattr(nn.init, name))
    sys.modules[user.__name__] = user
    try:
        m = model()
        with wt.reproducible(m, seed=SEED):
            getattr(user, name)(m.fc.weight, *_args_of(name))
        ref = model()
        with wt.reproducible(ref, seed=SEED):
            getattr(nn.init, name)(ref.fc.weight, *_args_of(name))
        assert same(m.fc.weight, ref.fc.weight)
        assert getattr(user, name) is getattr(nn.init, name)  # restored
    finally:
        del sys.modules[user.__name__]


def _args_of(name):
    return (0.25,) if name == "sparse_" else ()


def _kwargs_of(name):
    return {"sparsity": 0.25} if name == "sparse_" else {}


def test_the_name_imported_at_the_top_of_this_module_reaches_wi_and_is_restored():
    original, code = trunc_normal_, trunc_normal_.__code__
    m = model()
    with wt.reproducible(m, seed=SEED):
        trunc_normal_(m.fc.weight, std=0.5, a=-1, b=1)
    assert trunc_normal_ is original and trunc_normal_.__code__ is code
    assert same(m.fc.weight, expected("fc.weight", (24, 16), 0, ROUTES["trunc_normal_"][1]))


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_references_taken_before_the_block_give_the_same_values(name):
    held = {"f": getattr(nn.init, name),  # a table like transformers' TORCH_INIT_FUNCTIONS
            "partial": functools.partial(getattr(nn.init, name), **_kwargs_of(name))}  # torchtitan's
    m, ref = model(), model()
    with wt.reproducible(m, seed=SEED, strict=True) as ctx:
        held["f"](m.fc.weight, *_args_of(name))
        held["partial"](m.out.weight)
    with wt.reproducible(ref, seed=SEED):
        getattr(nn.init, name)(ref.fc.weight, *_args_of(name))
        getattr(nn.init, name)(ref.out.weight, *_args_of(name))
    assert same(m.fc.weight, ref.fc.weight) and same(m.out.weight, ref.out.weight)
    assert rec(ctx)["fc.weight"].calls[0].function == f"torch.nn.init.{name}"
    assert rec(ctx)["out.weight"].calls[0].function == f"torch.nn.init.{name}"


def test_records_show_a_distribution_the_same_whatever_the_route():
    m = model()
    with wt.reproducible(m, seed=SEED) as ctx:
        nn.init.uniform_(m.fc.weight, -0.5, 0.5)
        m.out.weight.data.uniform_(-0.5, 0.5)
    assert rec(ctx)["fc.weight"].calls[0].distribution == rec(ctx)["out.weight"].calls[0].distribution \
        == "Uniform(low=-0.5, high=0.5)"


def test_transformers_table_of_references_is_patched_and_restored():
    initialization = pytest.importorskip("transformers.initialization")
    before = dict(initialization.TORCH_INIT_FUNCTIONS)
    m, ref = model(), model()
    with wt.reproducible(m, seed=SEED):
        initialization.normal_(m.fc.weight, std=0.02)  # transformers' guarded wrapper
        initialization.trunc_normal_(m.out.weight, std=0.02)
    with wt.reproducible(ref, seed=SEED):
        nn.init.normal_(ref.fc.weight, std=0.02)
        nn.init.trunc_normal_(ref.out.weight, std=0.02)
    assert same(m.fc.weight, ref.fc.weight) and same(m.out.weight, ref.out.weight)
    assert initialization.TORCH_INIT_FUNCTIONS == before


def test_tensor_methods_on_the_parameter_and_its_views():
    m = model()
    w = m.embed.weight  # 40 x 16
    with wt.reproducible(m, seed=SEED):
        with torch.no_grad():
            w.normal_()                      # call 0: the parameter itself
        w.data.uniform_(-1, 1)               # call 1: .data
        w.detach().normal_(2, 1)             # call 2: .detach()
        w.data[5:9].normal_(7, 1)            # call 3: a box of rows
        w.data[:, 3:6].uniform_(10, 11)      # call 4: a box of columns
        w.data[1:40:3, ::5].normal_(-5, 1)   # call 5: not a box (gathered)
        w.data.T[2:4].normal_(20, 1)         # call 6: a box through a transposed view
        w.data[0].zero_()                    # deterministic: runs as it is
    full = {k: expected("embed.weight", (40, 16), k, f) for k, f in {
        2: lambda t, g: wt.normal_(t, 2, 1, generator=g),
        3: lambda t, g: wt.normal_(t, 7, 1, generator=g),
        4: lambda t, g: wt.uniform_(t, 10, 11, generator=g),
        5: lambda t, g: wt.normal_(t, -5, 1, generator=g),
        6: lambda t, g: wt.normal_(t, 20, 1, generator=g)}.items()}
    want = full[2].clone()
    want[5:9] = full[3][5:9]
    want[:, 3:6] = full[4][:, 3:6]
    want[1:40:3, ::5] = full[5][1:40:3, ::5]
    want.T[2:4] = full[6].T[2:4]
    want[0] = 0
    assert same(w, want)


def test_fans_come_from_the_parameter_for_data_and_from_the_view_for_a_part():
    m = model()
    with wt.reproducible(m, seed=SEED) as ctx:
        nn.init.kaiming_uniform_(m.fc.weight.data)       # fans of (24, 16)
        nn.init.kaiming_uniform_(m.fc.weight.data[:, :6])  # torch: fans of the (24, 6) slice
    gain = nn.init.calculate_gain("leaky_relu", 0)
    bounds = [gain * math.sqrt(3.0 / _fans(shape)[0]) for shape in ((24, 16), (24, 6))]
    args = [c.distribution for c in rec(ctx)["fc.weight"].calls]
    for arg, bound in zip(args, bounds):
        assert f"{-bound!r}" in arg and f"{bound!r}" in arg, (arg, bound)


def test_deterministic_operations_run_as_they_are():
    m = model()
    with wt.reproducible(m, seed=SEED) as ctx:
        nn.init.ones_(m.norm.weight)
        nn.init.zeros_(m.norm.bias)
        nn.init.constant_(m.fc.bias, 0.5)
        m.fc.weight.data.fill_(2.0).mul_(3.0).clamp_(max=5.0)
    assert torch.all(m.norm.weight == 1) and torch.all(m.norm.bias == 0)
    assert torch.all(m.fc.bias == 0.5) and torch.all(m.fc.weight == 5.0)
    assert all(not r.calls for r in ctx.records)


def test_timm_style_trunc_normal_through_tensor_operations():
    def timm_trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):  # timm's algorithm, restated
        def norm_cdf(x):
            return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
        low, up = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
        with torch.no_grad():
            tensor.uniform_(2 * low - 1, 2 * up - 1)
            tensor.erfinv_()
            tensor.mul_(std * math.sqrt(2.0))
            tensor.add_(mean)
            tensor.clamp_(min=a, max=b)
        return tensor

    a, b = model(), model()
    with wt.reproducible(a, seed=SEED):
        timm_trunc_normal_(a.fc.weight, std=0.02, a=-0.04, b=0.04)
    with wt.reproducible(b, seed=SEED):
        timm_trunc_normal_(b.out.weight, std=0.02)  # another parameter first
        timm_trunc_normal_(b.fc.weight, std=0.02, a=-0.04, b=0.04)
    assert same(a.fc.weight, b.fc.weight)
    assert float(a.fc.weight.detach().abs().max()) <= 0.04


# ---- distributions against scipy (torch's parameters; fans and gains from torch) ----

def _ks(values, dist):
    return scipy_stats.kstest(values.detach().double().flatten().numpy(), dist.cdf).pvalue


class Big(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.empty(400, 300))


@pytest.mark.parametrize("name", ["normal_", "uniform_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
                                  "kaiming_uniform_", "kaiming_normal_"])
def test_nn_init_distributions_against_scipy(name):
    m = Big()
    with wt.reproducible(m, seed=3):
        ROUTES[name][0](m.w)
    fan_in, fan_out = _fans((400, 300))
    gain = nn.init.calculate_gain
    ref = {
        "normal_": scipy_stats.norm(0.5, 0.25),
        "uniform_": scipy_stats.uniform(-2, 5),
        "trunc_normal_": scipy_stats.truncnorm(-2, 2, scale=0.5),
        "xavier_uniform_": scipy_stats.uniform(-2 * math.sqrt(6 / (fan_in + fan_out)),
                                               4 * math.sqrt(6 / (fan_in + fan_out))),
        "xavier_normal_": scipy_stats.norm(0, math.sqrt(2 / (fan_in + fan_out))),
        "kaiming_uniform_": scipy_stats.uniform(-gain("leaky_relu", math.sqrt(5)) * math.sqrt(3 / fan_in),
                                                2 * gain("leaky_relu", math.sqrt(5)) * math.sqrt(3 / fan_in)),
        "kaiming_normal_": scipy_stats.norm(0, gain("relu") / math.sqrt(fan_out)),
    }[name]
    assert _ks(m.w, ref) > 1e-3


FAMILY = {
    "exponential_": (lambda t: t.exponential_(2.0), scipy_stats.expon(scale=0.5)),
    "cauchy_": (lambda t: t.cauchy_(1.0, 0.5), scipy_stats.cauchy(1.0, 0.5)),
    "log_normal_": (lambda t: t.log_normal_(0.5, 0.25), scipy_stats.lognorm(0.25, scale=math.exp(0.5))),
}


@pytest.mark.parametrize("name", sorted(FAMILY))
def test_the_rest_of_the_family_against_scipy(name):
    call, ref = FAMILY[name]
    a, b = Big(), Big()
    with wt.reproducible(a, seed=5) as ctx:
        call(a.w.data)
    with wt.reproducible(b, seed=5):
        b.w.data[:7].zero_()
        call(b.w.data[200:])  # a box, filled at its place
    assert _ks(a.w, ref) > 1e-3
    assert same(a.w[200:], b.w[200:])
    assert ctx.records[0].calls[0].function == f"Tensor.{name}"


def test_geometric_and_bernoulli_against_scipy():
    m = Big()
    with wt.reproducible(m, seed=5):
        m.w.data[:200].geometric_(0.3)
        m.w.data[200:].bernoulli_(0.25)
    geo = m.w.detach()[:200].flatten().double().numpy()
    counts = np.bincount(geo.astype(int), minlength=12)[1:12]
    probs = scipy_stats.geom(0.3).pmf(np.arange(1, 12))
    assert scipy_stats.chisquare(counts, probs / probs.sum() * counts.sum()).pvalue > 1e-3
    ber = m.w.detach()[200:].flatten().numpy()
    assert set(np.unique(ber)) <= {0.0, 1.0}
    assert scipy_stats.binomtest(int(ber.sum()), ber.size, 0.25).pvalue > 1e-3


def test_random_gives_uniform_integers_in_torchs_ranges():
    m = Big()
    with wt.reproducible(m, seed=5) as ctx:
        m.w.data[:100].random_(3, 9)
        m.w.data[100:200].random_(4)
        m.w.data[200:].random_()
    w = m.w.detach().double().numpy()
    for part, low, high in ((w[:100], 3, 9), (w[100:200], 0, 4)):
        assert np.all(part == np.floor(part)) and part.min() == low and part.max() == high - 1
        counts = np.bincount(part.astype(int).ravel() - low)
        assert scipy_stats.chisquare(counts).pvalue > 1e-3
    rest = w[200:]
    assert np.all(rest == np.floor(rest)) and 0 <= rest.min() and rest.max() <= 2**24
    assert scipy_stats.kstest(rest.ravel() / (2**24 + 1), "uniform").pvalue > 1e-3
    assert [c.arguments for c in ctx.records[0].calls] == [{"from": 3, "to": 9}, {"from": 0, "to": 4},
                                                          {"from": 0, "to": 2**24 + 1}]


# ---- seeds and generators ----

def test_seed_none_draws_one_key_from_torch_default_generator():
    def run():
        m = model()
        torch.manual_seed(123)
        with wt.reproducible(m, seed=None) as ctx:
            nn.init.normal_(m.fc.weight)
        return m, ctx
    (a, ca), (b, _) = run(), run()
    assert same(a.fc.weight, b.fc.weight)
    torch.manual_seed(123)
    key = wt._seeding.torch_key()
    assert ca.seed == key
    c = model()
    with wt.reproducible(c, seed=key):
        nn.init.normal_(c.fc.weight)
    assert same(a.fc.weight, c.fc.weight)


def test_generator_gives_the_key_and_the_stream_stays_the_parameters():
    m = model()
    g = torch.Generator().manual_seed(9)
    with wt.reproducible(m, seed=SEED):
        nn.init.normal_(m.fc.weight, generator=g)
        nn.init.uniform_(m.out.weight.data, generator=wi.Generator(77))
    key = wt._seeding.torch_key(torch.Generator().manual_seed(9))
    plain = np.empty((24, 16), np.float32)
    wi.fill_normal(plain, seed=key, stream=wt.stream_id("fc.weight"))
    assert np.array_equal(plain, m.fc.weight.detach().numpy())
    plain = np.empty((8, 24), np.float32)
    wi.fill_uniform(plain, 0.0, 1.0, seed=77, stream=wt.stream_id("out.weight"))
    assert np.array_equal(plain, m.out.weight.detach().numpy())


# ---- temporaries, strict, marked parameters, meta ----

def test_temporaries_run_on_torch_with_one_warning_per_call_site():
    m = model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with wt.reproducible(m, seed=SEED):
            for _ in range(3):
                torch.randn(4)                 # one site
                torch.empty(5).normal_()       # another
            nn.init.xavier_uniform_(torch.empty(3, 3))
    sites = [(w.filename, w.lineno) for w in caught if issubclass(w.category, wt.NotLayoutFreeWarning)]
    assert len(sites) == 3 and len(set(sites)) == 3
    assert all(f == __file__ for f, _ in sites)


def test_strict_refuses_a_temporary_before_writing():
    m = model()
    before = m.fc.weight.detach().clone()
    temp = torch.full((5,), 3.0)
    with pytest.raises(wt.NotReproducibleError, match=r"Tensor.normal_ on a tensor that is not"):
        with wt.reproducible(m, seed=SEED, strict=True):
            temp.normal_()
    assert torch.all(temp == 3.0) and same(m.fc.weight, before)
    with pytest.raises(wt.NotReproducibleError, match=r"torch.randn \(a new random tensor\)"):
        with wt.reproducible(model(), seed=SEED, strict=True):
            torch.randn(3)


def test_parameters_marked_initialised_stay_untouched():
    m = model()
    m.fc.weight._is_hf_initialized = True
    before = m.fc.weight.detach().clone()
    with wt.reproducible(m, seed=SEED) as ctx:
        nn.init.normal_(m.fc.weight)
        m.fc.weight.data.uniform_()
        nn.init.normal_(m.out.weight)
    assert same(m.fc.weight, before)
    assert [c.note for c in rec(ctx)["fc.weight"].calls] == ["skipped: _is_hf_initialized"] * 2


def test_meta_parameters_are_a_no_op_as_in_torch():
    with torch.device("meta"):
        m = Net()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with wt.reproducible(m, seed=SEED) as ctx:
            nn.init.normal_(m.fc.weight)
            m.fc.weight.data.uniform_()
            nn.init.orthogonal_(m.out.weight)
    assert m.fc.weight.is_meta and all(not r.calls for r in ctx.records)


# ---- leaving the block, nesting ----

_TORCH_CODE = {name: getattr(nn.init, name).__code__ for name in ROUTES}  # at import, before any block


def _torch_is_restored():
    assert torch._C._len_torch_function_stack() == 0
    assert _reproducible._active is None
    assert not any(k.startswith("__wi") for k in vars(nn.init))
    for name in ROUTES:
        assert getattr(nn.init, name).__module__ == "torch.nn.init"
        assert getattr(nn.init, name).__code__ is _TORCH_CODE[name]


def test_leaving_restores_everything_also_after_an_exception():
    originals = {name: getattr(nn.init, name) for name in ROUTES}
    m = model()
    with pytest.raises(KeyError):
        with wt.reproducible(m, seed=SEED):
            nn.init.normal_(m.fc.weight)
            raise KeyError("boom")
    _torch_is_restored()
    assert {name: getattr(nn.init, name) for name in ROUTES} == originals
    t = torch.empty(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.normal_()  # plain torch again: no warning, no interception


def test_blocks_do_not_nest():
    a, b = model(), model()
    with wt.reproducible(a, seed=SEED):
        with pytest.raises(RuntimeError, match="do not nest"):
            with wt.reproducible(b, seed=SEED):
                pass
        nn.init.normal_(a.fc.weight)  # the outer block still works
    _torch_is_restored()
    ctx = wt.reproducible(a)
    with ctx:
        pass
    with pytest.raises(RuntimeError, match="already used"):
        with ctx:
            pass
    _torch_is_restored()


# ---- the record ----

def test_the_record_table():
    m = model()
    with wt.reproducible(m, seed=SEED) as ctx:
        nn.init.kaiming_uniform_(m.fc.weight, a=math.sqrt(5))
        m.fc.bias.data.uniform_(-0.25, 0.25)
        m.embed.weight.data[2:4].normal_(0, 0.02)
    text = str(ctx)
    lines = text.splitlines()
    assert lines[0].split() == ["parameter", "shape", "call", "function", "arguments", "distribution", "elements"]
    row = next(line for line in lines if line.startswith("fc.weight"))
    assert "24x16" in row and "torch.nn.init.kaiming_uniform_" in row and row.endswith("384")
    assert f"a={math.sqrt(5)!r}, mode='fan_in', nonlinearity='leaky_relu'" in row
    bound = nn.init.calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3 / 16)  # torch's formula, fan_in 16
    assert f"Uniform(low={-bound!r}, high={bound!r})" in row
    assert any(line.startswith("embed.weight") and line.endswith("32") for line in lines)
    assert any(line.startswith("norm.weight") and "(no random call)" in line for line in lines)
    rec = {r.name: r for r in ctx.records}
    assert rec["fc.bias"].calls[0].arguments == {"from": -0.25, "to": 0.25}
    assert rec["fc.weight"].calls[0].arguments == {"a": math.sqrt(5), "mode": "fan_in", "nonlinearity": "leaky_relu"}
    assert rec["fc.weight"].shape == (24, 16) and rec["fc.weight"].stream == wt.stream_id("fc.weight")


# ---- bad input: clear errors, nothing written ----

def _bytes(m):
    return [p.detach().clone() for p in m.parameters()]


def _unchanged(m, before):
    return all(same(p, q) for p, q in zip(m.parameters(), before))


def test_bad_arguments_of_the_block():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        wt.reproducible(torch.empty(3))
    with pytest.raises(ValueError, match="model has no parameters"):
        wt.reproducible(nn.ReLU())
    with pytest.raises(TypeError, match="strict must be a bool"):
        wt.reproducible(model(), strict=1)
    with pytest.raises(ValueError, match="seed"):
        wt.reproducible(model(), seed=-1)
    _torch_is_restored()


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m.fc.weight.data.random_(5, 5), ValueError, r"'from' to be less than 'to'"),
    (lambda m: m.fc.weight.data.bernoulli_(torch.full((24, 16), 0.5)), NotImplementedError, r"bernoulli_"),
    (lambda m: m.fc.weight.data.exponential_(-1.0), ValueError, r"lambd must be > 0"),
    (lambda m: m.fc.weight.data.normal_(0, -1), ValueError, r"std"),
    (lambda m: nn.init.uniform_(m.fc.weight, 2, 1), ValueError, r"a"),
    (lambda m: nn.init.xavier_uniform_(m.fc.bias), ValueError, r"at least 2 dimensions"),
    (lambda m: nn.init.uniform_(m.fc.weight, generator=object()), TypeError, r"generator must be"),
    (lambda m: m.fc.weight.data.uniform_(generator=object()), TypeError, r"'generator' must be torch.Generator"),
])
def test_bad_calls_raise_before_writing(call, error, match):
    m = model()
    before = _bytes(m)
    with wt.reproducible(m, seed=SEED) as ctx:
        with pytest.raises(error, match=match):
            call(m)
    assert _unchanged(m, before)
    assert all(not r.calls for r in ctx.records)


def test_a_leaf_that_requires_grad_is_refused_as_torch_refuses_it():
    m = model()
    before = _bytes(m)
    with wt.reproducible(m, seed=SEED):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            m.fc.weight.normal_()
    assert _unchanged(m, before)


# ---- buffers, other devices ----

def test_floating_buffers_are_the_models_too():
    class Noisy(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.register_buffer("noise", torch.empty(6, 5))
            self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    m = Noisy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not a temporary: no warning
        with wt.reproducible(m, seed=SEED) as ctx:
            m.noise.normal_(0, 2)
    want = expected("noise", (6, 5), 0, lambda t, g: wt.normal_(t, 0, 2, generator=g))
    assert same(m.noise, want)
    assert [r.name for r in ctx.records] == ["fc.weight", "fc.bias", "noise"]


def test_parameters_on_another_device_are_filled_through_staging(monkeypatch):
    """CPU parameters treated as a CUDA one is (no fast path, staged): the same bytes."""
    from wi.torch import _local_fill

    def own_init(m):
        nn.init.xavier_uniform_(m.fc.weight)
        m.fc.weight.data[3:9].normal_(0, 0.5)
        m.embed.weight.data[::2].uniform_(-1, 1)
        nn.init.orthogonal_(m.out.weight)

    direct = model()
    with wt.reproducible(direct, seed=SEED):
        own_init(direct)
    staged_shapes = []
    real_empty = torch.empty

    def spy_empty(*shape, **kw):
        out = real_empty(*shape, **kw)
        staged_shapes.append(tuple(out.shape))
        return out

    monkeypatch.setattr(_reproducible, "fill_fast", lambda *args: False)
    monkeypatch.setattr(_local_fill, "needs_staging", lambda t: True)
    monkeypatch.setattr(torch, "empty", spy_empty)
    staged = model()
    with wt.reproducible(staged, seed=SEED):
        own_init(staged)
    monkeypatch.undo()
    for p, q in zip(direct.parameters(), staged.parameters()):
        assert same(p, q)
    assert (24, 16) in staged_shapes and (6, 16) in staged_shapes  # a staging buffer per piece


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_parameters_equal_the_cpu_ones():
    def own_init(m):
        nn.init.kaiming_normal_(m.fc.weight)
        m.fc.bias.data.uniform_(-0.1, 0.1)
        m.embed.weight.data[2:7].normal_()

    cpu, gpu = model(), model().cuda()
    for m in (cpu, gpu):
        with wt.reproducible(m, seed=SEED):
            own_init(m)
    for p, q in zip(cpu.parameters(), gpu.parameters()):
        assert same(p, q.cpu())


def test_no_init_then_the_models_own_init_nanogpt_style():
    from reproducible_models import NanoGPT  # nanoGPT's own init, restated (shared with the proof tests)

    with wt.no_init():
        a = NanoGPT(n_layer=2, n_embd=16)
    with wt.reproducible(a, seed=SEED) as ctx:
        a.init_weights()
    b = NanoGPT(n_layer=2, n_embd=16)  # built with torch's own init first: the block overwrites it all the same
    with wt.reproducible(b, seed=SEED):
        b.init_weights()
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        assert same(p, q), n
    name = "transformer.h.0.mlp.c_proj.weight"
    proj = rec(ctx)[name].calls
    assert [c.index for c in proj] == [0, 1] and proj[1].arguments["std"] == 0.02 / math.sqrt(4)
    want = expected(name, (16, 64), 1, lambda t, g: wt.normal_(t, 0.0, 0.01, generator=g))
    assert same(a.transformer.h[0].mlp.c_proj.weight, want)


def test_calls_from_other_threads_are_torchs_own():
    import threading

    m = model()
    other = torch.empty(50)
    seen = []

    def work():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.manual_seed(3)
            nn.init.normal_(other)
            seen.extend(caught)

    with wt.reproducible(m, seed=SEED, strict=True):
        t = threading.Thread(target=work)
        t.start()
        t.join(60)
    torch.manual_seed(3)
    assert torch.equal(other, nn.init.normal_(torch.empty(50)))  # torch's values, no error, no warning
    assert not seen


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_views_that_are_not_boxes_get_their_elements_values(layout):
    class One(nn.Module):
        def __init__(self):
            super().__init__()
            base = torch.zeros(12, 10) if layout == "contiguous" else torch.zeros(10, 12).T
            self.w = nn.Parameter(base)  # (12, 10); "transposed" is not contiguous

    m = One()
    with wt.reproducible(m, seed=SEED):
        m.w.data.diagonal().normal_(3, 1)                # call 0
        m.w.data[1::4, ::3].uniform_(-1, 0)              # call 1
    full0 = expected("w", (12, 10), 0, lambda t, g: wt.normal_(t, 3, 1, generator=g))
    full1 = expected("w", (12, 10), 1, lambda t, g: wt.uniform_(t, -1, 0, generator=g))
    want = torch.zeros(12, 10)
    want.diagonal().copy_(full0.diagonal())
    want[1::4, ::3] = full1[1::4, ::3]
    assert same(m.w, want)
