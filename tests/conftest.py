"""Shared fixtures: the SIMD paths and backends this machine can run."""
import numpy as np
import pytest

import wi
from wi import _backend
from wi._dists import BY_CODE


def simd_paths():
    return _backend.simd_supported()


def distribution_params(dist, params, dtype):
    """The KernelParams of the contract's distribution `dist` (a code) with these parameters."""
    return BY_CODE[dist](*params).kernel_params(dtype)


@pytest.fixture
def restore_threads():
    yield
    wi.set_num_threads(None)


@pytest.fixture
def restore_simd():
    before = _backend.simd_active() if _backend.core is not None else None
    yield
    if before is not None:
        _backend.core.simd_select(before)


@pytest.fixture
def restore_global_state():
    state = wi.get_state()
    yield
    wi.set_state(state)


FLOAT_DTYPES = [np.float32, np.float64]
