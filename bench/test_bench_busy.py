"""Fills on a quiet and on a busy machine, one thread against the default (issue 18).

Groups ``quiet fill SIZE`` and ``busy fill SIZE`` (64 Ki to 64 Mi float32 elements,
``wi.fill_he_normal``), each with the one-thread and the default-thread contender, so the
ratio pytest-benchmark prints is default / one thread under the same load. The busy load (two
``sh -c 'while :; do :; done'`` per core) is started by a module fixture before the busy cases
and stopped after them. For the per-fill distribution (median and 90th percentile) and an A/B
against another build in one run, use ``bench/busy_machine.py``.
"""
import numpy as np
import pytest

import wi
from wi.benchmarking import busy

SIZES = busy.SIZES
CONTENDERS = {"1thread": 1, "default": None}


@pytest.fixture(scope="module")
def busy_machine():
    with busy.busy_load(per_core=2) as n:
        yield n


def _fill_case(benchmark, size, threads):
    buf = np.ones(size, np.float32)  # touched: page faults are not what is timed
    wi.set_num_threads(threads)
    wi.fill_he_normal(buf, 1024)  # warm: pool started, kernel code touched
    benchmark(wi.fill_he_normal, buf, 1024)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("contender", list(CONTENDERS))
def test_quiet_fill(benchmark, contender, size):
    benchmark.group = f"quiet fill {size}"
    _fill_case(benchmark, size, CONTENDERS[contender])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("contender", list(CONTENDERS))
def test_busy_fill(benchmark, busy_machine, contender, size):
    benchmark.group = f"busy fill {size}"
    _fill_case(benchmark, size, CONTENDERS[contender])
