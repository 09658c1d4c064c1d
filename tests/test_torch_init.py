"""wi.torch against torch.nn.init, and init_module_ against torch's default initialisation."""

import hashlib
import inspect
import math
import subprocess
import sys
import warnings

import pytest
from scipy import stats

import wi
import wi.torch as wt

torch = pytest.importorskip("torch")  # wi.torch needs the torch extra
nn = torch.nn

# --- the drop-in functions -------------------------------------------------------------

CALLS = [
    ("uniform_", (-0.3, 0.7), {}),
    ("normal_", (0.5, 2.0), {}),
    ("trunc_normal_", (0.1, 1.0, -1.5, 2.5), {}),
    ("trunc_normal_", (0.0, 0.02, -0.04, 0.04), {}),
    ("xavier_uniform_", (), {"gain": 1.5}),
    ("xavier_normal_", (), {}),
    ("kaiming_uniform_", (math.sqrt(5),), {}),
    ("kaiming_uniform_", (), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", (0.2, "fan_in", "leaky_relu"), {}),
    ("kaiming_normal_", (), {"mode": "fan_out", "nonlinearity": "tanh"}),
]
SHAPES = [(256, 300), (64, 32, 3, 3)]


def two_sample_agree(a, b):
    a, b = a.double().ravel().numpy(), b.double().ravel().numpy()
    assert stats.ks_2samp(a, b).pvalue > 1e-3
    assert a.std() == pytest.approx(b.std(), rel=0.02)


@pytest.mark.parametrize("name, args, kwargs", CALLS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_same_distribution_as_torch(name, args, kwargs, shape, dtype):
    torch.manual_seed(0)
    ref = getattr(torch.nn.init, name)(torch.empty(shape, dtype=dtype), *args, **kwargs)
    t = torch.full(shape, math.nan, dtype=dtype)
    out = getattr(wt, name)(t, *args, **kwargs, generator=wi.Generator(1))
    assert out is t and t.dtype == dtype
    two_sample_agree(t, ref)
    # bounded distributions stay inside the same bounds as torch's
    if name in ("uniform_", "trunc_normal_", "xavier_uniform_", "kaiming_uniform_"):
        # torch's extremes over ~10^5 samples are within 0.1 % of its bounds
        slack = 2e-3 * (ref.max() - ref.min())
        assert t.min() >= ref.min() - slack and t.max() <= ref.max() + slack


@pytest.mark.parametrize("name, args, kwargs", CALLS)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_tensors_get_rounded_float32_samples(name, args, kwargs, dtype):
    ref = getattr(wt, name)(torch.empty(64, 48), *args, **kwargs, generator=wi.Generator(3))
    t = getattr(wt, name)(torch.empty(64, 48, dtype=dtype), *args, **kwargs, generator=wi.Generator(3))
    assert t.dtype == dtype
    assert torch.equal(t.view(torch.int16), ref.to(dtype).view(torch.int16))


def test_signatures_match_torch():
    public = [n for n in dir(torch.nn.init) if callable(getattr(torch.nn.init, n)) and not n.startswith("__")
              and getattr(getattr(torch.nn.init, n), "__module__", "") == "torch.nn.init"]
    assert len(public) >= 33  # the public functions, the deprecated names and the helpers
    for name in public:
        if name == "_make_deprecate":
            continue
        ours = inspect.signature(getattr(wt, name)).parameters
        theirs = inspect.signature(getattr(torch.nn.init, name)).parameters
        assert [(p.name, p.default, p.kind) for p in ours.values()] == [
            (p.name, p.default, p.kind) for p in theirs.values()
        ], name


def test_every_name_is_wis_own():
    for name in wt.__all__:
        assert getattr(wt, name).__module__.startswith("wi.torch"), name
    assert wt.calculate_gain("leaky_relu", 0.2) == wi.calculate_gain("leaky_relu", 0.2)
    with pytest.raises(AttributeError):
        wt.not_an_init_


def test_parameters_under_no_grad_semantics():
    p = nn.Parameter(torch.zeros(40, 30))
    version = p._version
    out = wt.kaiming_uniform_(p, a=math.sqrt(5), generator=wi.Generator(2))
    assert out is p and isinstance(out, nn.Parameter)
    assert p.requires_grad and p.grad_fn is None and p.is_leaf
    assert p._version > version  # autograd sees the in-place write
    assert p.abs().max() > 0


def test_generator_makes_it_reproducible_and_matches_the_generators_fill():
    a = wt.xavier_uniform_(torch.empty(50, 70), generator=wi.Generator(9, stream=4))
    b = wt.xavier_uniform_(torch.empty(50, 70), generator=wi.Generator(9, stream=4))
    c = wt.xavier_uniform_(torch.empty(50, 70), generator=wi.Generator(10, stream=4))
    d = wi.Generator(9, stream=4).fill_xavier_uniform(torch.empty(50, 70), 70, 50)
    assert torch.equal(a, b) and torch.equal(a, d) and not torch.equal(a, c)


def test_no_generator_follows_torchs_seed_not_wis(restore_global_state):
    torch.manual_seed(77)
    wi.seed(1)
    a = wt.normal_(torch.empty(100))
    torch.manual_seed(77)
    wi.seed(2)
    assert torch.equal(a, wt.normal_(torch.empty(100)))


def test_torch_generator_is_accepted_and_leaves_the_default_generator_alone():
    t = torch.zeros(4, 5)
    state = torch.get_rng_state()
    wt.xavier_uniform_(t, generator=torch.Generator().manual_seed(3))
    assert t.any() and torch.equal(torch.get_rng_state(), state)


@pytest.mark.parametrize("make", [
    lambda: torch.empty(30, 20).T,                                                   # transposed
    lambda: torch.empty(8, 4, 3, 3).to(memory_format=torch.channels_last),           # channels_last
    lambda: torch.empty(30, 40)[:, ::2],                                              # strided
    lambda: torch.empty(30, 20)._neg_view(),                                          # negative view
])
def test_non_contiguous_tensors_get_the_values_of_a_contiguous_one(make):
    t = make()
    ref = wt.kaiming_normal_(torch.empty(t.shape), generator=wi.Generator(5))
    out = wt.kaiming_normal_(t, generator=wi.Generator(5))
    assert out is t
    assert torch.equal(t.clone(), ref)


def test_other_float_dtypes_take_the_slow_path():
    t = torch.empty(64, 32, dtype=torch.float8_e5m2)
    ref = wt.uniform_(torch.empty(64, 32), -1, 1, generator=wi.Generator(6))
    wt.uniform_(t, -1, 1, generator=wi.Generator(6))
    assert torch.equal(t.float(), ref.to(torch.float8_e5m2).float())


def test_meta_tensors_are_a_no_op_like_torch():
    t = torch.empty(10, 20, device="meta")
    for name, args, kwargs in CALLS:
        assert getattr(wt, name)(t, *args, **kwargs) is t


@pytest.mark.parametrize("call, exc, match", [
    (lambda t: wt.xavier_uniform_(t[0]), ValueError, r"at least 2 dimensions"),
    (lambda t: wt.kaiming_uniform_(t, mode="fan_avg"), ValueError, r"mode must be one of 'fan_in', 'fan_out'"),
    (lambda t: wt.kaiming_normal_(t, nonlinearity="gelu"), ValueError, r"nonlinearity must be one of"),
    (lambda t: wt.xavier_normal_(t.numpy()), TypeError, r"tensor must be a torch.Tensor \(got ndarray\)"),
    (lambda t: wt.normal_(t.to(torch.int32)), TypeError, r"tensor must have a floating dtype \(got torch.int32\)"),
    (lambda t: wt.normal_(t.to(torch.complex64)), TypeError, r"floating dtype \(got torch.complex64\)"),
])
def test_errors_leave_the_tensor_alone(call, exc, match):
    t = torch.arange(12.0).reshape(3, 4)
    with pytest.raises(exc, match=match):
        call(t)
    assert torch.equal(t, torch.arange(12.0).reshape(3, 4))


def test_zero_element_kaiming_warns_like_torch():
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        torch.nn.init.kaiming_uniform_(torch.empty(0, 3))
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        wt.kaiming_uniform_(torch.empty(0, 3))


def test_importing_wi_does_not_import_torch():
    code = "import sys, wi; assert 'torch' not in sys.modules; import wi.torch; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- init_module_ ------------------------------------------------------------------------


class Zoo(nn.Module):
    """One of every layer init_module_ knows, at sizes where the distributions can be compared."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(300, 200)
        self.conv1 = nn.Conv1d(16, 32, 5)
        self.conv2 = nn.Conv2d(16, 32, 3, groups=2)
        self.conv3 = nn.Conv3d(4, 8, 3)
        self.deconv = nn.ConvTranspose2d(32, 16, 3)
        self.bilinear = nn.Bilinear(20, 30, 40)
        self.emb = nn.Embedding(1000, 64, padding_idx=3)
        self.bag = nn.EmbeddingBag(500, 32)
        self.ln = nn.LayerNorm(64)
        self.gn = nn.GroupNorm(4, 32)
        self.rms = nn.RMSNorm(64)
        self.bn = nn.BatchNorm2d(32)
        self.inorm = nn.InstanceNorm1d(16, affine=True, track_running_stats=True)
        self.mha = nn.MultiheadAttention(64, 4)
        self.mha_kv = nn.MultiheadAttention(64, 4, kdim=32, vdim=48, add_bias_kv=True)
        self.lstm = nn.LSTM(32, 64, num_layers=2, proj_size=16)
        self.gru = nn.GRU(24, 48, bidirectional=True)
        self.rnn = nn.RNN(16, 32)
        self.lstm_cell = nn.LSTMCell(32, 64)
        self.gru_cell = nn.GRUCell(16, 32)
        self.encoder_layer = nn.TransformerEncoderLayer(64, 4, 128)
        self.transformer = nn.Transformer(32, 4, 1, 1, 64)
        self.prelu = nn.PReLU(8)


def is_constant(t):
    return bool((t == t.reshape(-1)[0]).all())


@pytest.fixture(scope="module")
def zoo_pair():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nested-tensor notice from nn.Transformer
        torch.manual_seed(0)
        ref = Zoo()
        with torch.device("meta"):
            ours = Zoo()
    ours = ours.to_empty(device="cpu")
    for p in ours.parameters():
        p.detach().fill_(math.nan)  # prove every parameter gets written
    for b in ours.buffers():
        b.fill_(7)
    wt.init_module_(ours, seed=5)
    return ref, ours


def test_init_module_matches_torch_defaults_parameter_by_parameter(zoo_pair):
    ref, ours = zoo_pair
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        r = ref_params[name].detach()
        p = p.detach()
        assert p.shape == r.shape and p.dtype == r.dtype
        assert not p.isnan().any(), name
        if is_constant(r):
            assert torch.equal(p, r), name
            continue
        if name == "emb.weight":
            assert not p[3].any() and not r[3].any()  # padding row zeroed
        assert stats.ks_2samp(p.ravel().numpy(), r.ravel().numpy()).pvalue > 1e-4, name
        if p.numel() > 2000:  # smaller ones (biases) are covered by the KS test only
            assert p.std().item() == pytest.approx(r.std().item(), rel=0.05), name
            if not name.startswith(("emb", "bag")):  # bounded distributions
                assert p.abs().max() <= r.abs().max() * 1.01, name


def test_init_module_resets_norm_buffers(zoo_pair):
    ref, ours = zoo_pair
    for name in ("bn", "inorm"):
        m = getattr(ours, name)
        assert not m.running_mean.any() and bool((m.running_var == 1).all())
        assert m.num_batches_tracked.item() == 0


def test_values_are_the_fill_on_the_named_stream(zoo_pair):
    _, ours = zoo_pair
    w = ours.fc.weight.detach()
    gain = wi.calculate_gain("leaky_relu", math.sqrt(5))
    ref = wi.fill_he_uniform(torch.empty(200, 300), 300, gain=gain, seed=5, stream=wt.stream_id("fc.weight"))
    assert torch.equal(w, ref)
    ref = wi.fill_normal(torch.empty(1000, 64), 0.0, 1.0, seed=5, stream=wt.stream_id("emb.weight"))
    ref[3] = 0
    assert torch.equal(ours.emb.weight.detach(), ref)


def test_stream_id_is_blake2b_8_bytes_little_endian():
    name = "encoder.layers.0.linear1.weight"
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    assert wt.stream_id(name) == sum(b << (8 * i) for i, b in enumerate(digest))
    assert wt.stream_id("a.weight") != wt.stream_id("a.bias")


class BuiltOneWay(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 64))
        self.norm = nn.LayerNorm(64)
        self.head = nn.Linear(64, 10)


class BuiltAnotherWay(nn.Module):
    def __init__(self):
        super().__init__()
        self.extra = nn.Conv2d(3, 8, 3)  # a module the other model does not have
        self.head = nn.Linear(64, 10)  # created first here
        self.norm = nn.LayerNorm(64)
        self.encoder = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 64))
        self.more = nn.Embedding(10, 4)


def test_order_independence():
    torch.manual_seed(1)
    a = wt.init_module_(BuiltOneWay(), seed=3)
    torch.manual_seed(2)
    b = wt.init_module_(BuiltAnotherWay(), seed=3)
    pb = dict(b.named_parameters())
    names = [n for n, _ in a.named_parameters()]
    assert len(names) == 8
    for name, p in a.named_parameters():
        assert torch.equal(p, pb[name]), name
    c = wt.init_module_(BuiltOneWay(), seed=4)
    assert not torch.equal(a.head.weight, c.head.weight)


def test_meta_then_to_empty_equals_cpu_construction():
    with torch.device("meta"):
        m = BuiltAnotherWay()
    m = wt.init_module_(m.to_empty(device="cpu"), seed=11)
    ref = wt.init_module_(BuiltAnotherWay(), seed=11)
    for (n, p), (_, r) in zip(m.named_parameters(), ref.named_parameters()):
        assert torch.equal(p, r), n


def test_prefix_gives_the_values_of_the_whole_model():
    whole = wt.init_module_(BuiltOneWay(), seed=8)
    part = wt.init_module_(BuiltOneWay().encoder, seed=8, prefix="encoder")
    for (n, p), r in zip(part.named_parameters(), whole.encoder.parameters()):
        assert torch.equal(p, r), n


def test_dtypes_follow_the_model():
    m32 = wt.init_module_(BuiltOneWay(), seed=2)
    m64 = wt.init_module_(BuiltOneWay().double(), seed=2)
    assert all(q.dtype == torch.float64 for q in m64.parameters())
    # float64 draws its own 64-bit samples from the same named stream (docs/stream.md)
    gain = wi.calculate_gain("leaky_relu", math.sqrt(5))
    ref = wi.fill_he_uniform(torch.empty(10, 64, dtype=torch.float64), 64, gain=gain, seed=2,
                             stream=wt.stream_id("head.weight"))
    assert torch.equal(m64.head.weight.detach(), ref)
    for dtype in (torch.float16, torch.bfloat16):
        mh = wt.init_module_(BuiltOneWay().to(dtype), seed=2)
        for p, q in zip(m32.parameters(), mh.parameters()):
            assert torch.equal(p.to(dtype), q)


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(500, 64)
        self.lm_head = nn.Linear(64, 500, bias=False)
        self.lm_head.weight = self.wte.weight


def test_tied_weights_get_their_first_owners_init():
    m = wt.init_module_(Tied(), seed=0)
    assert m.lm_head.weight is m.wte.weight
    assert m.wte.weight.std().item() == pytest.approx(1.0, rel=0.02)  # N(0, 1), not U(+-1/8)


class HalfLinear(nn.Linear):
    def reset_parameters(self):
        with torch.no_grad():
            self.weight.fill_(0.5)
            self.bias.fill_(-0.5)


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.alpha = nn.Parameter(torch.full((3,), 2.0))


class WithCustom(nn.Module):
    def __init__(self):
        super().__init__()
        self.custom = HalfLinear(4, 4)
        self.scale = Scale()
        self.fc = nn.Linear(4, 4)


def test_overridden_and_unknown_modules():
    m = WithCustom()
    m.custom.weight.data.zero_()
    with pytest.warns(UserWarning, match=r"left these parameters unchanged .*: scale\.alpha$"):
        wt.init_module_(m, seed=0)
    assert bool((m.custom.weight == 0.5).all()) and bool((m.custom.bias == -0.5).all())
    assert torch.equal(m.scale.alpha, torch.full((3,), 2.0))


class FixedMHA(nn.MultiheadAttention):
    def _reset_parameters(self):
        with torch.no_grad():
            self.in_proj_weight.fill_(0.25)
            self.in_proj_bias.fill_(0.5)


def test_attention_subclass_keeps_its_own_reset():
    m = wt.init_module_(FixedMHA(16, 2), seed=0)
    assert bool((m.in_proj_weight == 0.25).all()) and bool((m.in_proj_bias == 0.5).all())
    assert m.out_proj.weight.abs().max() <= 0.25 and m.out_proj.weight.std() > 0  # Linear's own rule


def test_validation_happens_before_any_write():
    m = BuiltOneWay()
    before = {n: p.detach().clone() for n, p in m.named_parameters()}
    m.head = nn.Linear(64, 10, device="meta")
    with pytest.raises(ValueError, match=r"parameter 'head.weight' is on the meta device; .*to_empty"):
        wt.init_module_(m)
    for n, p in m.named_parameters():
        if not n.startswith("head"):
            assert torch.equal(p, before[n]), n


@pytest.mark.parametrize("args, kwargs, exc, match", [
    ((nn.Linear(2, 2), -1), {}, ValueError, r"seed must be in \[0, 2\*\*64\) \(got -1\)"),
    ((nn.Linear(2, 2), 2**64), {}, ValueError, r"seed must be in"),
    ((nn.Linear(2, 2), 1.5), {}, TypeError, r"seed must be an int \(got float\)"),
    ((nn.Linear(2, 2), True), {}, TypeError, r"seed must be an int \(got bool\)"),
    ((torch.empty(3),), {}, TypeError, r"module must be a torch.nn.Module \(got Tensor\)"),
    ((nn.Linear(2, 2),), {"prefix": 3}, TypeError, r"prefix must be a str"),
    ((nn.LazyLinear(4),), {}, ValueError, r"parameter 'weight' is an uninitialised lazy parameter"),
])
def test_init_module_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        wt.init_module_(*args, **kwargs)


def test_integer_parameter_is_rejected():
    m = nn.Linear(3, 3)
    m.steps = nn.Parameter(torch.zeros(2, dtype=torch.int64), requires_grad=False)
    with pytest.raises(TypeError, match=r"parameter 'steps' must have a floating dtype \(got torch.int64\)"):
        wt.init_module_(m)


def test_zero_std_and_zero_gain_are_constants_like_torch():
    for name, args in (("normal_", (0.5, 0.0)), ("xavier_uniform_", (0,)), ("xavier_normal_", (0.0,))):
        ref = getattr(torch.nn.init, name)(torch.empty(4, 3), *args)
        got = getattr(wt, name)(torch.full((4, 3), math.nan), *args)
        assert torch.equal(got, ref), name
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        wt.xavier_uniform_(torch.empty(3), gain=0)
