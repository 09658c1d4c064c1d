"""wi.torch as a drop-in for torch.nn.init: every name, torch's seeding, torch's exception
types, orthogonal_/sparse_ on wi streams, the deprecated names and helpers, init_module_'s
seed=None and progress bar. Each checked against torch on the same inputs."""
import math
import threading
import warnings

import numpy as np
import pytest
from scipy import stats

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import wi  # noqa: E402
import wi.torch as wt  # noqa: E402

INF = math.inf


def _raised(call):
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the type is what is compared
        return exc
    return None


# (call on the module `init`): torch raises some exception; wi.torch's must be caught by torch's type
BAD_CALLS = [
    ("gain param bool", lambda init: init.calculate_gain("leaky_relu", True)),
    ("gain param str", lambda init: init.calculate_gain("leaky_relu", "0.1")),
    ("gain nonlinearity int", lambda init: init.calculate_gain(3)),
    ("gain unknown", lambda init: init.calculate_gain("swish")),
    ("kaiming a str", lambda init: init.kaiming_uniform_(torch.empty(3, 4), a="x")),
    ("kaiming mode int", lambda init: init.kaiming_normal_(torch.empty(3, 4), mode=3)),
    ("kaiming mode unknown", lambda init: init.kaiming_normal_(torch.empty(3, 4), mode="fan_avg")),
    ("kaiming nonlinearity None", lambda init: init.kaiming_normal_(torch.empty(3, 4), nonlinearity=None)),
    ("kaiming 1-D", lambda init: init.kaiming_uniform_(torch.empty(3))),
    ("xavier 1-D", lambda init: init.xavier_uniform_(torch.empty(3))),
    ("xavier gain negative", lambda init: init.xavier_uniform_(torch.empty(3, 4), gain=-1.0)),
    ("uniform a > b", lambda init: init.uniform_(torch.empty(3), 2.0, 1.0)),
    ("uniform a str", lambda init: init.uniform_(torch.empty(3), "x")),
    ("normal std negative", lambda init: init.normal_(torch.empty(3), 0.0, -1.0)),
    ("normal int tensor", lambda init: init.normal_(torch.zeros(3, dtype=torch.int64))),
    ("uniform int tensor", lambda init: init.uniform_(torch.zeros(3, dtype=torch.int32))),
    ("normal not a tensor", lambda init: init.normal_([1.0, 2.0])),
    ("xavier not a tensor", lambda init: init.xavier_uniform_(np.zeros((3, 3)))),
    ("trunc a > b", lambda init: init.trunc_normal_(torch.empty(3), a=2.0, b=1.0)),
    ("orthogonal 1-D", lambda init: init.orthogonal_(torch.empty(3))),
    ("sparse 3-D", lambda init: init.sparse_(torch.empty(3, 3, 3), 0.5)),
    ("sparse std negative", lambda init: init.sparse_(torch.empty(3, 3), 0.5, std=-1.0)),
    ("eye 3-D", lambda init: init.eye_(torch.empty(3, 3, 3))),
    ("dirac 2-D", lambda init: init.dirac_(torch.empty(3, 3))),
    ("dirac groups", lambda init: init.dirac_(torch.empty(3, 4, 3), groups=2)),
    ("fan 1-D", lambda init: init._calculate_fan_in_and_fan_out(torch.empty(3))),
    ("correct fan mode", lambda init: init._calculate_correct_fan(torch.empty(3, 3), "fan_avg")),
    ("generator int", lambda init: init.normal_(torch.empty(3), generator=5)),
]


@pytest.mark.parametrize("name,call", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_code_catching_torchs_exception_catches_ours(name, call):
    theirs = _raised(lambda: call(torch.nn.init))
    ours = _raised(lambda: call(wt))
    assert theirs is not None, "torch accepts this: not a test of errors"
    assert ours is not None, f"wi.torch accepts what torch refuses ({type(theirs).__name__}: {theirs})"
    assert isinstance(ours, type(theirs)), f"{type(ours).__mro__} does not derive from {type(theirs).__name__}"
    assert isinstance(ours, (TypeError, ValueError))  # and wi's own convention holds


def test_deprecated_names_warn_like_torchs():
    for old in ("uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
                "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"):
        args = {"constant": (0.5,), "sparse": (0.5,)}.get(old, ())
        shape = (4, 3, 3) if old == "dirac" else (4, 3)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            getattr(torch.nn.init, old)(torch.empty(shape), *args)
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            out = getattr(wt, old)(torch.empty(shape), *args)
        assert [(w.category, str(w.message)) for w in ours] == [(w.category, str(w.message)) for w in theirs]
        assert ours[0].filename == __file__  # stacklevel points at the caller
        assert isinstance(out, torch.Tensor)


@pytest.mark.parametrize("shape", [(5, 7), (16, 3, 3), (8, 4, 2, 2, 2), (0, 4)])
def test_fan_helpers_match_torch(shape):
    t = torch.empty(shape)
    assert wt._calculate_fan_in_and_fan_out(t) == torch.nn.init._calculate_fan_in_and_fan_out(t)
    for mode in ("fan_in", "FAN_OUT"):
        assert wt._calculate_correct_fan(t, mode) == torch.nn.init._calculate_correct_fan(t, mode)


def test_no_grad_helpers_and_deterministic_fills_match_torch():
    for name, args, shape in [("_no_grad_fill_", (0.25,), (3, 4)), ("_no_grad_zero_", (), (3, 4)),
                              ("constant_", (-1.5,), (2, 5)), ("ones_", (), (6,)), ("zeros_", (), (2, 2, 2)),
                              ("eye_", (), (3, 5)), ("eye_", (), (5, 3)), ("dirac_", (), (4, 3, 5)),
                              ("dirac_", (2,), (6, 4, 3, 3)), ("dirac_", (3,), (6, 2, 3, 3, 3))]:
        ours = getattr(wt, name)(nn.Parameter(torch.full(shape, math.nan)), *args)
        theirs = getattr(torch.nn.init, name)(nn.Parameter(torch.full(shape, math.nan)), *args)
        assert isinstance(ours, nn.Parameter) and ours.requires_grad
        assert torch.equal(ours, theirs), name
    g = wi.Generator(1)
    for name, args in [("_no_grad_uniform_", (-1.0, 1.0)), ("_no_grad_normal_", (0.0, 2.0)),
                       ("_no_grad_trunc_normal_", (0.0, 1.0, -2.0, 2.0))]:
        x = getattr(wt, name)(torch.empty(1000), *args, generator=g)
        assert x.std() > 0.3 and x.abs().max() <= max(abs(a) for a in args) * 4


def test_meta_tensors_are_a_no_op_for_the_structured_fills():
    for name, args in [("orthogonal_", ()), ("sparse_", (0.5,)), ("dirac_", ())]:
        t = torch.empty((4, 3, 3) if name == "dirac_" else (4, 3), device="meta")
        assert getattr(wt, name)(t, *args) is t


# ---- torch's seeding ----

FILLS = [("uniform_", ()), ("normal_", ()), ("trunc_normal_", ()), ("xavier_uniform_", ()), ("xavier_normal_", ()),
         ("kaiming_uniform_", ()), ("kaiming_normal_", ()), ("orthogonal_", ()), ("sparse_", (0.3,))]


@pytest.mark.parametrize("name,args", FILLS, ids=[f[0] for f in FILLS])
def test_manual_seed_makes_default_calls_reproducible(name, args, restore_global_state):
    fn = getattr(wt, name)
    torch.manual_seed(1234)
    a = fn(torch.empty(20, 30), *args)
    b = fn(torch.empty(20, 30), *args)
    wi.seed(5)  # wi's own global generator plays no part
    torch.manual_seed(1234)
    assert torch.equal(fn(torch.empty(20, 30), *args), a)
    assert torch.equal(fn(torch.empty(20, 30), *args), b)
    assert not torch.equal(a, b)
    torch.manual_seed(1235)
    assert not torch.equal(fn(torch.empty(20, 30), *args), a)


@pytest.mark.parametrize("name,args", FILLS, ids=[f[0] for f in FILLS])
def test_a_torch_generator_is_used_like_torchs_own(name, args):
    fn = getattr(wt, name)
    default_state = torch.get_rng_state()
    g = torch.Generator().manual_seed(7)
    a = fn(torch.empty(20, 30), *args, generator=g)
    b = fn(torch.empty(20, 30), *args, generator=g)
    assert not torch.equal(a, b)
    g.manual_seed(7)
    assert torch.equal(fn(torch.empty(20, 30), *args, generator=g), a)
    assert torch.equal(torch.get_rng_state(), default_state)  # only the given generator advanced
    torch.manual_seed(7)  # the default generator with the same seed is the same stream of keys
    assert torch.equal(fn(torch.empty(20, 30), *args), a)


def test_the_key_is_one_draw_of_torchs_generator_and_the_fill_its_stream_0():
    torch.manual_seed(99)
    out = wt.normal_(torch.empty(64), 0.5, 2.0)
    torch.manual_seed(99)
    key = int(torch.empty(1, dtype=torch.int64).random_())
    assert torch.equal(out, wi.fill_normal(torch.empty(64), 0.5, 2.0, seed=key, stream=0))


def test_wi_generator_keeps_its_own_stream_and_leaves_torch_alone():
    state = torch.get_rng_state()
    a = wt.orthogonal_(torch.empty(6, 9), generator=wi.Generator(3))
    b = wt.orthogonal_(torch.empty(6, 9), generator=wi.Generator(3))
    assert torch.equal(a, b) and torch.equal(torch.get_rng_state(), state)


def test_threads_draw_distinct_keys():
    torch.manual_seed(0)
    outs = []

    def work():
        for _ in range(200):
            outs.append(wt.uniform_(torch.empty(8)).clone())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({tuple(o.tolist()) for o in outs}) == len(outs) == 800


def test_first_call_inside_inference_mode_and_a_meta_default_device():
    import wi.torch._seeding as seeding

    vars(seeding._local).clear()
    with torch.inference_mode(), torch.device("meta"):
        torch.manual_seed(3)
        seeding.torch_key()
    torch.manual_seed(3)
    a = wt.normal_(torch.empty(10))
    torch.manual_seed(3)
    assert torch.equal(wt.normal_(torch.empty(10)), a)


def test_init_module_seed_none_follows_torch():
    model = nn.Sequential(nn.Linear(20, 30), nn.Conv1d(3, 4, 3))
    torch.manual_seed(11)
    wt.init_module_(model, seed=None)
    first = [p.clone() for p in model.parameters()]
    torch.manual_seed(11)
    wt.init_module_(model, seed=None)
    assert all(torch.equal(a, b) for a, b in zip(first, model.parameters()))
    torch.manual_seed(11)
    key = int(torch.empty(1, dtype=torch.int64).random_())
    wt.init_module_(model, seed=key)
    assert all(torch.equal(a, b) for a, b in zip(first, model.parameters()))


def test_init_module_progress_bar_counts_elements(capsys):
    model = nn.Sequential(nn.Linear(100, 50), nn.LayerNorm(50))
    ref = wt.init_module_(nn.Sequential(nn.Linear(100, 50), nn.LayerNorm(50)), seed=4)
    wt.init_module_(model, seed=4, progress=True)
    err = capsys.readouterr().err
    assert "init_module_" in err and "5.15k/5.15k" in err  # 100*50 + 50 + 50 + 50 elements
    assert all(torch.equal(a, b) for a, b in zip(ref.parameters(), model.parameters()))
    wt.init_module_(model, seed=4)
    assert capsys.readouterr().err == ""  # off by default


# ---- orthogonal_ and sparse_ ----

@pytest.mark.parametrize("shape", [(8, 8), (5, 12), (12, 5), (6, 3, 2, 2), (1, 7), (7, 1)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_orthogonal_is_orthogonal_like_torchs(shape, dtype):
    w = wt.orthogonal_(torch.empty(shape, dtype=dtype), gain=2.0, generator=wi.Generator(1))
    m = w.double().reshape(shape[0], -1)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    tol = 1e-2 if dtype is torch.bfloat16 else 1e-5
    assert torch.allclose(gram, 4.0 * torch.eye(small, dtype=torch.float64), atol=tol * 4)
    ref = torch.nn.init.orthogonal_(torch.empty(shape), gain=2.0)
    assert ref.shape == w.shape


def test_orthogonal_is_the_documented_algorithm():
    rows, cols = 4, 6
    a = wi.fill_normal(np.empty((rows, cols)), seed=77, stream=0)
    q, r = np.linalg.qr(a.T)
    expected = (q * np.sign(np.diag(r))).T * 1.5
    torch.manual_seed(0)
    key = int(torch.empty(1, dtype=torch.int64).random_())
    from wi.torch._structured import orthogonal_values
    got = orthogonal_values(rows, cols, 1.5, wi.Generator(0), 77)
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-12)
    torch.manual_seed(0)
    via_torch_seed = wt.orthogonal_(torch.empty(rows, cols, dtype=torch.float64), gain=1.5)
    assert torch.allclose(via_torch_seed, orthogonal_values(rows, cols, 1.5, wi.Generator(0), key))


def test_orthogonal_matrices_are_haar_distributed():
    # the (0, 0) element of a Haar-random 8x8 orthogonal matrix: x^2 ~ Beta(1/2, 7/2)
    g = wi.Generator(5)
    x = np.array([wt.orthogonal_(torch.empty(8, 8, dtype=torch.float64), generator=g)[0, 0].item()
                  for _ in range(3000)])
    assert stats.kstest(x ** 2, stats.beta(0.5, 3.5).cdf).pvalue > 1e-4
    assert abs(np.mean(x > 0) - 0.5) < 0.05  # the sign correction leaves no sign bias


@pytest.mark.parametrize("rows,cols,sparsity", [(10, 6, 0.1), (10, 6, 0.5), (7, 3, 1.0), (5, 4, 0.0), (8, 5, 1.5)])
def test_sparse_zeroes_the_same_count_per_column_as_torch(rows, cols, sparsity):
    ours = wt.sparse_(torch.empty(rows, cols), sparsity, std=0.5, generator=wi.Generator(2))
    theirs = torch.nn.init.sparse_(torch.empty(rows, cols), sparsity, std=0.5)
    assert torch.equal((ours == 0).sum(0), (theirs == 0).sum(0))


def test_sparse_values_and_zero_pattern_are_uniform():
    g = wi.Generator(8)
    hits = np.zeros(10)
    values = []
    for _ in range(2000):
        w = wt.sparse_(torch.empty(10, 1, dtype=torch.float64), 0.3, std=2.0, generator=g)
        hits += (w[:, 0] == 0).numpy()
        values.append(w[w != 0].numpy())
    assert stats.chisquare(hits).pvalue > 1e-4  # each row equally likely to be zeroed
    assert stats.kstest(np.concatenate(values), stats.norm(0, 2.0).cdf).pvalue > 1e-4


# ---- what torch accepts ----

def test_trunc_normal_with_infinite_cutoffs_like_torch():
    for a, b in ((-INF, 2.0), (0.0, INF), (-INF, INF)):
        x = wt.trunc_normal_(torch.empty(1 << 18, dtype=torch.float64), 0.5, 2.0, a, b, generator=wi.Generator(4))
        ref = stats.truncnorm((a - 0.5) / 2.0, (b - 0.5) / 2.0, loc=0.5, scale=2.0)
        assert stats.kstest(x.numpy(), ref.cdf).pvalue > 1e-4
        assert torch.isfinite(x).all() and (x >= a).all() and (x <= b).all()
        torch.nn.init.trunc_normal_(torch.empty(10), 0.5, 2.0, a, b)  # torch accepts the same


def test_kaiming_mode_in_any_case_like_torch():
    a = wt.kaiming_uniform_(torch.empty(4, 6), mode="FAN_OUT", generator=wi.Generator(1))
    assert torch.equal(a, wt.kaiming_uniform_(torch.empty(4, 6), mode="fan_out", generator=wi.Generator(1)))


def test_trunc_normal_degenerate_interval_and_warning_like_torch():
    assert torch.equal(wt.trunc_normal_(torch.empty(5), a=1.0, b=1.0), torch.nn.init.trunc_normal_(torch.empty(5), a=1.0, b=1.0))
    for init in (torch.nn.init, wt):
        with pytest.warns(UserWarning, match="mean is more than 2 std from"):
            init.trunc_normal_(torch.empty(5), mean=10.0, std=1.0, a=-2.0, b=2.0)
