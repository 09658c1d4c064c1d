"""The initialisation experiments (issue 6): small seeded runs asserting the published effects."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import wi  # noqa: F401  (the experiments draw every weight through wi)
from wi.experiments import activation_stats, cli, gradient_stats, nets, nonlinearities, training

LN10 = math.log(10.0)


# --- forward / backward -------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_backward_matches_finite_differences(activation):
    net = nets.build([4, 5, 5, 3], "xavier", nonlinearities.get(activation), seed=3, linear_output=True)
    x = nets.standard_normal_inputs(6, 4, seed=3)
    labels = np.array([0, 1, 2, 0, 1, 2])
    outs = nets.forward(net, x)
    _, grad_logits = nets.softmax_cross_entropy(outs[-1], labels)
    _, grad_w, grad_b = nets.backward(net, outs, grad_logits)

    def loss():
        return nets.softmax_cross_entropy(nets.forward(net, x)[-1], labels)[0]

    eps = 1e-6
    for params, grads in ((net.weights, grad_w), (net.biases, grad_b)):
        for p, g in zip(params, grads):
            numeric = np.empty_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                up = loss()
                p[idx] = old - eps
                down = loss()
                p[idx] = old
                numeric[idx] = (up - down) / (2 * eps)
            np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)


def test_softmax_cross_entropy_of_uniform_logits_is_ln10():
    loss, grad = nets.softmax_cross_entropy(np.zeros((4, 10)), np.array([0, 3, 5, 9]))
    assert loss == pytest.approx(LN10)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


def test_runs_are_reproducible_and_depend_on_the_seed():
    a = activation_stats.run(5, "tanh", "xavier", samples=50, seed=1)
    b = activation_stats.run(5, "tanh", "xavier", samples=50, seed=1)
    c = activation_stats.run(5, "tanh", "xavier", samples=50, seed=2)
    np.testing.assert_array_equal(a.stds, b.stds)
    assert not np.array_equal(a.stds, c.stds)


def test_schemes_scale_the_same_draws():
    # std=1 and std=0.01 use the same (seed, stream) normals, so the first layers differ only by scale.
    net1 = nets.build([100, 100], "std=1", nonlinearities.get("relu"), seed=0, linear_output=False)
    net2 = nets.build([100, 100], "std=0.01", nonlinearities.get("relu"), seed=0, linear_output=False)
    np.testing.assert_allclose(net2.weights[0], 0.01 * net1.weights[0], rtol=1e-12)


# --- activation statistics (Saito 6.2; He et al. 2015 section 2.2) -----------------------------

def test_relu_30_layers_he_keeps_the_variance():
    # The expectation over weights is what He et al. derive; one width-100 net drifts by a random
    # factor (std of log ~0.9 at layer 30), so average the variance over 32 nets.
    run = activation_stats.run(30, "relu", "he", samples=100, seed=0, ensemble=32)
    ratio = run.variances / run.variances[0]
    assert ratio.min() >= 0.5 and ratio.max() <= 2.0, ratio


def test_relu_30_layers_xavier_halves_the_variance_per_layer():
    run = activation_stats.run(30, "relu", "xavier", samples=100, seed=0)
    ratio = run.variances / run.variances[0]
    assert ratio[-1] < 1e-6
    per_layer = ratio[-1] ** (1 / 29)  # geometric mean of the layer-to-layer factor
    assert 0.4 < per_layer < 0.6, per_layer


def test_relu_30_layers_std_001_collapses():
    run = activation_stats.run(30, "relu", "std=0.01", samples=100, seed=0)
    assert run.variances[-1] / run.variances[0] < 1e-50
    assert run.stds[-1] < 1e-30


def test_tanh_xavier_keeps_the_std_within_a_factor_2_over_5_layers():
    # The infinite-width (mean-field) value of max/min is 1.952: the decay is real (tanh' < 1) and
    # stays inside 2 only just, so average over 32 nets (one net exceeds 2 for some seeds).
    run = activation_stats.run(5, "tanh", "xavier", samples=200, seed=0, ensemble=32)
    assert run.stds.max() / run.stds.min() < 2.0, run.stds
    small = activation_stats.run(5, "tanh", "std=0.01", samples=200, seed=0)
    assert small.stds.max() / small.stds.min() > 100  # the same check does reject a vanishing net


def test_tanh_std_1_saturates():
    run = activation_stats.run(5, "tanh", "std=1", samples=200, seed=0, keep=True)
    saturated = [np.mean(np.abs(a) > 0.9) for a in run.activations]
    assert min(saturated) > 0.5, saturated


def test_sigmoid_std_001_concentrates_at_one_half():
    run = activation_stats.run(5, "sigmoid", "std=0.01", samples=200, seed=0, keep=True)
    for a in run.activations:
        assert abs(a.mean() - 0.5) < 0.01
        assert np.mean(np.abs(a - 0.5) < 0.1) > 0.99
    xavier = activation_stats.run(5, "sigmoid", "xavier", samples=200, seed=0, keep=True)
    assert np.mean(np.abs(xavier.activations[0] - 0.5) < 0.1) < 0.6  # a wider init does spread out


# --- gradient statistics (Glorot & Bengio 2010, section 4.2.2) ----------------------------------

def test_tanh_standard_init_shrinks_backprop_gradients_but_not_weight_gradients():
    standard = gradient_stats.run(5, "tanh", "standard", samples=200, seed=0, ensemble=8)
    shrink = standard.backprop_stds[-1] / standard.backprop_stds[0]
    assert shrink > 5, standard.backprop_stds  # smaller towards the input
    w = standard.weight_grad_stds
    assert w.max() / w.min() < 1.3, w  # "the weight gradients do not"
    xavier = gradient_stats.run(5, "tanh", "xavier", samples=200, seed=0, ensemble=8)
    assert xavier.backprop_stds[-1] / xavier.backprop_stds[0] < shrink / 3, xavier.backprop_stds


# --- training (Saito 6.2.4, on scikit-learn's digits) -------------------------------------------

def test_training_std_001_does_not_learn_while_xavier_and_he_do():
    pytest.importorskip("sklearn")
    from wi.experiments import digits

    runs = training.compare(digits.load(seed=0), ("std=0.01", "xavier", "he"), iterations=300, seed=0)
    final = {r.scheme: r.losses[-50:].mean() for r in runs}
    assert abs(final["std=0.01"] - LN10) < 0.02, final
    assert final["xavier"] < LN10 - 0.3, final
    assert final["he"] < LN10 - 0.3, final


def test_minibatches_are_shared_and_seeded():
    a = training.minibatches(100, 8, 5, seed=0)
    np.testing.assert_array_equal(a, training.minibatches(100, 8, 5, seed=0))
    assert a.shape == (5, 8) and all(len(set(row)) == 8 for row in a)


def test_smooth_is_a_trailing_moving_average():
    np.testing.assert_allclose(training.smooth(np.array([1.0, 3.0, 5.0, 7.0]), window=2), [1, 2, 4, 6])


# --- command line -------------------------------------------------------------------------------

def test_cli_quick_runs_everything(capsys):
    pytest.importorskip("sklearn")
    assert cli.main(["all", "--quick"]) == 0
    out = capsys.readouterr().out
    for expected in ("== activations ==", "30 hidden layers x 100 relu units", "== gradients ==",
                     "dL/dz", "== training ==", "sklearn.datasets.load_digits", "no download", "test acc"):
        assert expected in out


def test_cli_plot_writes_small_pngs(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert cli.main(["activations", "--quick", "--depth", "5", "--plot", str(tmp_path)]) == 0
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 3 * 4 + 1  # one histogram figure per activation x init, one summary
    assert "activations_d5_tanh_xavier.png" in files and "activation_std_d5.png" in files
    for name in files:
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and 1000 < len(data) < 100_000, name


def test_cli_plot_without_matplotlib_says_how_to_install(monkeypatch, capsys, tmp_path):
    for name in ("matplotlib", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)  # makes the import fail
    assert cli.main(["activations", "--quick", "--plot", str(tmp_path)]) == 2
    assert "--plot needs matplotlib: pip install weightinit[plot]" in capsys.readouterr().err
    assert not os.listdir(tmp_path)


def test_cli_training_without_sklearn_says_how_to_install(monkeypatch, capsys):
    for name in ("sklearn", "sklearn.datasets"):
        monkeypatch.setitem(sys.modules, name, None)
    assert cli.main(["training", "--quick"]) == 2
    assert "needs scikit-learn: pip install weightinit[experiments]" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--depth", "0"], ["--iterations", "0"], ["nonsense"]])
def test_cli_rejects_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2


def test_python_m_wi_experiment_dispatches_to_the_experiments(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(os.path.dirname(wi.__file__)),
                                                        os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "wi", "experiment", "activations", "--quick", "--depth", "3",
                           "--seed", "7"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "seed 7" in proc.stdout and "3 hidden layers x 100 tanh units" in proc.stdout
