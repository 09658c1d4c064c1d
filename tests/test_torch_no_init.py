"""wi.torch.no_init: torch's own initialisation is skipped inside, restored after."""
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import wi.torch as wt  # noqa: E402


def _model():
    return nn.Sequential(nn.Linear(16, 32), nn.LayerNorm(32), nn.Conv1d(4, 8, 3), nn.Embedding(10, 4),
                         nn.MultiheadAttention(16, 4), nn.LSTM(8, 8), nn.BatchNorm1d(8), nn.Bilinear(3, 4, 5))


def test_construction_draws_nothing_from_torchs_generator():
    torch.manual_seed(0)
    before = torch.get_rng_state()
    with wt.no_init():
        _model()
    assert torch.equal(torch.get_rng_state(), before)
    _model()  # outside: torch's init draws again
    assert not torch.equal(torch.get_rng_state(), before)


def test_transformer_layers_draw_nothing_either():
    # nn.Transformer and MultiheadAttention import torch.nn.init's functions by name
    torch.manual_seed(0)
    before = torch.get_rng_state()
    with wt.no_init():
        nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8)
        nn.TransformerEncoderLayer(16, 2, 32)
    assert torch.equal(torch.get_rng_state(), before)


def test_everything_is_restored_even_after_an_error():
    originals = {name: getattr(torch.nn.init, name) for name in ("uniform_", "kaiming_uniform_", "zeros_")}
    reset = nn.Linear.reset_parameters
    with pytest.raises(RuntimeError, match="boom"):
        with wt.no_init():
            with wt.no_init():  # nested
                assert nn.Linear.reset_parameters is not reset
            assert nn.Linear.reset_parameters is not reset  # still inside the outer block
            raise RuntimeError("boom")
    assert nn.Linear.reset_parameters is reset
    assert {name: getattr(torch.nn.init, name) for name in originals} == originals


def test_init_module_after_no_init_matches_a_normally_built_model():
    with wt.no_init():
        skipped = _model()
    normal = _model()
    wt.init_module_(skipped, seed=4)
    wt.init_module_(normal, seed=4)
    for (name, a), (_, b) in zip(skipped.state_dict().items(), normal.state_dict().items()):
        assert torch.equal(a, b), name
