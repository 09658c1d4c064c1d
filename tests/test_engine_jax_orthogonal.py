"""orthogonal and delta_orthogonal: orthonormal rows or columns, Haar-distributed, JAX's layout,
the delta-orthogonal structure (JAX's zero pattern, checked against JAX in the same run)."""
import math

import numpy as np
import pytest
import scipy.stats

jax = pytest.importorskip("jax")  # the engine tests run where the extra is installed (CI: always)
import jax.numpy as jnp  # noqa: E402

import wi.jax.initializers as winit  # noqa: E402

from engine_cases import same_bytes  # noqa: E402

KEY = jax.random.key(0)


def _as_matrix(w, column_axis):
    """The weight as JAX's rows x cols matrix: column_axis last, the rest flattened."""
    w = np.moveaxis(np.asarray(w, np.complex128), column_axis, -1)
    return w.reshape(math.prod(w.shape[:-1]), w.shape[-1])


def _assert_orthonormal(m, atol):
    rows, cols = m.shape
    if rows <= cols:
        assert np.allclose(m @ m.conj().T, np.eye(rows), atol=atol)
    if cols <= rows:
        assert np.allclose(m.conj().T @ m, np.eye(cols), atol=atol)


@pytest.mark.parametrize("rows", range(5))
@pytest.mark.parametrize("cols", range(5))
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.complex64])
def test_rows_or_columns_are_orthonormal(rows, cols, dtype):
    """JAX's testInitializerOrthogonalZeroSize, and unitary for complex dtypes."""
    w = winit.orthogonal()(KEY, (rows, cols), dtype)
    assert w.shape == (rows, cols) and w.dtype == dtype
    _assert_orthonormal(_as_matrix(w, -1), atol=1e-5)


@pytest.mark.parametrize("shape, column_axis", [((2, 3, 4), -1), ((2, 3, 4), 0), ((5, 2, 3), 1), ((4, 6), 0)])
def test_column_axis_is_jax_s_layout(shape, column_axis):
    w = winit.orthogonal(column_axis=column_axis)(KEY, shape, jnp.float64 if jax.config.x64_enabled else jnp.float32)
    _assert_orthonormal(_as_matrix(w, column_axis), atol=1e-5)


@pytest.mark.parametrize("dtype, atol", [(jnp.bfloat16, 3e-2), (jnp.float16, 3e-3), (jnp.float32, 1e-6)])
def test_one_matrix_for_every_dtype(dtype, atol):
    """Computed in float64 from the key's stream and rounded once."""
    w = np.asarray(winit.orthogonal()(KEY, (6, 9), dtype), np.float64)
    ref = np.asarray(winit.orthogonal()(KEY, (6, 9), jnp.float32), np.float64)
    assert np.allclose(w, ref, atol=atol)
    _assert_orthonormal(w, atol=10 * atol)


def test_scale_multiplies():
    unit = np.asarray(winit.orthogonal()(KEY, (5, 3)))
    assert same_bytes(winit.orthogonal(2.0)(KEY, (5, 3)), 2 * unit)
    assert same_bytes(winit.orthogonal(jnp.asarray(-0.5))(KEY, (5, 3)), -0.5 * unit)


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.complex64])
def test_haar_distributed(dtype):
    """Over many keys, an entry of a Haar matrix of O(n) has q^2 ~ Beta(1/2, (n-1)/2) and either
    sign equally often (U(n): |q|^2 ~ Beta(1, n-1), uniform phase). Without the sign correction
    of R's diagonal, LAPACK's Q[0, 0] would always be negative."""
    n, draws = 6, 1500
    init = winit.orthogonal()
    keys = jax.random.split(jax.random.key(5), draws)
    q00 = np.array([np.asarray(init(k, (n, n), dtype))[0, 0] for k in keys]).astype(np.complex128)
    if dtype == jnp.float32:
        beta = scipy.stats.beta(0.5, (n - 1) / 2)
        assert abs(np.mean(q00.real > 0) - 0.5) < 4 * 0.5 / math.sqrt(draws)
    else:
        beta = scipy.stats.beta(1.0, n - 1)
        phase = np.angle(q00) % (2 * np.pi) / (2 * np.pi)
        assert scipy.stats.kstest(phase, "uniform").pvalue > 1e-4
    assert scipy.stats.kstest(np.abs(q00) ** 2, beta.cdf).pvalue > 1e-4


@pytest.mark.parametrize("shape", [(3, 4, 4), (3, 3, 4, 5), (2, 4, 4, 4), (3, 1, 5, 2, 2), (1, 2, 3, 3, 6),
                                   (3, 3, 0, 4)])
def test_delta_orthogonal_structure(shape):
    """Zero everywhere but the centre tap, JAX's centre (the same zero pattern as JAX's own
    delta_orthogonal), and that tap is orthogonal() of shape[-2:] with the same key."""
    ours = np.asarray(winit.delta_orthogonal()(KEY, shape))
    theirs = np.asarray(jax.nn.initializers.delta_orthogonal()(KEY, shape))
    assert ours.shape == shape
    assert np.array_equal(ours != 0, theirs != 0)
    if math.prod(shape) == 0:
        return
    centre = tuple((k - 1) // 2 for k in shape[:-2])
    assert same_bytes(ours[centre], winit.orthogonal()(KEY, shape[-2:]))
    rest = ours.copy()
    rest[centre] = 0
    assert not rest.any()
    _assert_orthonormal(ours[centre], atol=1e-5)


def test_empty_kernels_are_zeros():
    """(JAX raises IndexError for a kernel dimension of 0; an empty kernel is simply empty.)"""
    got = winit.delta_orthogonal()(KEY, (0, 3, 4, 4))
    assert got.shape == (0, 3, 4, 4)
    assert not np.asarray(winit.orthogonal()(KEY, (3, 0))).any()


def test_delta_orthogonal_keeps_norms():
    """The point of the construction (Xiao et al. 2018): the kernel as a map of channels is an
    isometry, so a 1x1 input's norm is kept: |W x| = |x| for in <= out."""
    w = np.asarray(winit.delta_orthogonal()(KEY, (3, 3, 16, 32)), np.float64)
    x = np.random.default_rng(0).standard_normal(16)
    y = np.einsum("hwio,i->hwo", w, x)
    assert np.linalg.norm(y) == pytest.approx(np.linalg.norm(x), rel=1e-5)
