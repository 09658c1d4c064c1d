"""Complex initialisers: JAX's distributions (checked with scipy and against JAX's own samples),
on wi streams (element i's parts are stream elements 2i and 2i + 1, so any cut gives one fill)."""
import math

import numpy as np
import pytest
import scipy.stats

jax = pytest.importorskip("jax")  # the engine tests run where the extra is installed (CI: always)
import jax.numpy as jnp  # noqa: E402

import wi  # noqa: E402
import wi.jax.initializers as winit  # noqa: E402
from wi.jax import _complex  # noqa: E402

from engine_cases import same_bytes  # noqa: E402

SHAPE = (1000, 1000)  # 10^6 samples; fan_in 1000, fan_out 1000
KS_P = 1e-4  # fixed seeds: a wrong distribution fails by orders of magnitude, a right one never


def _draw(module, distribution, key=7, dtype=jnp.complex64, shape=SHAPE, scale=2.0, mode="fan_in"):
    init = module.variance_scaling(scale, mode, distribution)
    return np.asarray(init(jax.random.key(key), shape, dtype)).astype(np.complex128).ravel()


@pytest.mark.parametrize("distribution", ["normal", "uniform", "truncated_normal"])
def test_mean_square_modulus_equals_jax_s(distribution):
    """E|x|^2 of wi's sample against JAX's own initialiser's, same run (JAX's complex truncated
    normal has 1.87% more than scale/n: wi draws what JAX draws)."""
    ours, theirs = _draw(winit, distribution), _draw(jax.nn.initializers, distribution)
    m_ours, m_jax = np.mean(np.abs(ours) ** 2), np.mean(np.abs(theirs) ** 2)
    assert m_ours == pytest.approx(m_jax, rel=0.01)
    expected = 2.0 / 1000 / (-math.expm1(-4.0) if distribution == "truncated_normal" else 1.0)
    assert m_ours == pytest.approx(expected, rel=0.005)
    assert abs(np.mean(ours)) < 5 * math.sqrt(expected / ours.size)  # centred


def test_complex_normal_parts_are_independent_normals():
    x = _draw(winit, "normal")
    sigma = math.sqrt(2.0 / 1000 / 2)  # each part carries half the variance
    for part in (x.real, x.imag):
        assert scipy.stats.kstest(part, scipy.stats.norm(0, sigma).cdf).pvalue > KS_P
    assert abs(np.corrcoef(x.real, x.imag)[0, 1]) < 5e-3


def test_complex_uniform_is_the_disk():
    """Uniform on the disk of radius sqrt(2v): |x|^2 / 2v and the phase are uniform."""
    x = _draw(winit, "uniform")
    v = 2.0 / 1000
    assert np.abs(x).max() <= math.sqrt(2 * v) * (1 + 1e-6)
    assert scipy.stats.kstest(np.abs(x) ** 2 / (2 * v), "uniform").pvalue > KS_P
    assert scipy.stats.kstest(np.angle(x) % (2 * np.pi) / (2 * np.pi), "uniform").pvalue > KS_P


def test_complex_truncated_normal_cuts_the_modulus():
    """|x|^2 / sigma^2 is Exp(1) cut at 4 (sigma = sqrt(v) / 0.95311164380491208); uniform phase."""
    x = _draw(winit, "truncated_normal")
    sigma = math.sqrt(2.0 / 1000) / 0.95311164380491208
    assert np.abs(x).max() <= 2 * sigma * (1 + 1e-6)
    r2 = np.abs(x) ** 2 / sigma**2
    assert scipy.stats.kstest(r2, scipy.stats.truncexpon(b=4.0).cdf).pvalue > KS_P
    assert scipy.stats.kstest(np.angle(x) % (2 * np.pi) / (2 * np.pi), "uniform").pvalue > KS_P


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_parts_are_consecutive_stream_elements(dtype):
    """The stream rule of docs/stream.md: element i's parts are elements 2i and 2i+1."""
    real = np.float32 if dtype == np.complex64 else np.float64
    kw = dict(seed=11, stream=3, offset=5)
    got = _complex.fill_complex_normal(np.empty((7, 9), dtype), 0.5, **kw)
    parts = wi.fill_normal(np.empty((7, 9, 2), real), 0.0, 0.5 / math.sqrt(2), **kw)
    assert same_bytes(got.view(real).reshape(7, 9, 2), parts)
    disk = _complex.fill_complex_disk(np.empty((7, 9), dtype), 0.5, **kw)
    u = wi.fill_uniform(np.empty((7, 9, 2), real), 0.0, 1.0, **kw).astype(np.float64)
    r, theta = 0.5 * np.sqrt(2 * u[..., 0]), 2 * np.pi * u[..., 1]
    assert same_bytes(disk.real, (r * np.cos(theta)).astype(real))  # each part rounded once
    assert same_bytes(disk.imag, (r * np.sin(theta)).astype(real))


@pytest.mark.parametrize("fill, kwargs", [
    (_complex.fill_complex_normal, {"std": 0.5}),
    (_complex.fill_complex_disk, {"std": 0.5}),
    (_complex.fill_complex_truncated, {"std": 0.5, "cut": 2.0}),
])
def test_any_cut_gives_one_fill(fill, kwargs):
    """Blocks at odd places assemble to the bytes of one fill of the whole."""
    shape, kw = (13, 10), dict(seed=2, stream=9, offset=3)
    whole = fill(np.empty(shape, np.complex64), **kwargs, **kw)
    pieced = np.empty(shape, np.complex64)
    for rows in (slice(0, 5), slice(5, 13)):
        for cols in (slice(0, 3), slice(3, 10)):
            block = np.empty((rows.stop - rows.start, cols.stop - cols.start), np.complex64)
            pieced[rows, cols] = fill(block, **kwargs, global_shape=shape, start=(rows.start, cols.start), **kw)
    assert same_bytes(pieced, whole)


def test_real_buffers_are_refused():
    buf = np.zeros((3, 3), np.float32)
    with pytest.raises(TypeError, match="buf must be a complex64 or complex128"):
        _complex.fill_complex_normal(buf, 1.0, seed=0)
    assert not buf.any()
