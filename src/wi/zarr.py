"""Fill a zarr array in place with wi values, one chunk (or shard) at a time.

    import wi, wi.zarr, zarr
    z = zarr.create_array("weights.zarr", shape=(65536, 16384), chunks=(1024, 16384),
                          dtype="float32")
    wi.zarr.fill(z, wi.fill_normal, seed=0, std=0.02, progress=True)

The array is cut into its own write units: shards when it has them (zarr's unit
of safe parallel writing: a partial shard would be read, changed and rewritten),
chunks otherwise. Each unit is filled by a wi region fill at its place and
written by a pool of threads, with at most ``2 * max_workers`` units queued, so
memory stays a few units whatever the array's size: an array larger than RAM
fills like a small one. The values equal one fill of the whole array, for any
chunking and sharding.

Needs the ``zarr`` extra: ``pip install "weightinit[zarr]"`` (zarr >= 3, and
tqdm for ``progress=True``).
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math

from . import _args, _engine
from ._config import get_num_threads

_zarr = _engine.require("zarr", "zarr")

__all__ = ["fill"]


def _units(shape, unit):
    """(start, block shape) of every write unit of an array, row-major."""
    ranges = [range(0, n, u) for n, u in zip(shape, unit)]
    for start in itertools.product(*ranges):
        yield start, tuple(min(u, n - s) for s, u, n in zip(start, unit, shape))


def _unit_count(shape, unit):
    return math.prod(-(-n // u) for n, u in zip(shape, unit))


def _write(array, block_fill, start, shape):
    block = block_fill(start, shape)
    array[tuple(slice(s, s + n) for s, n in zip(start, shape))] = block


def _workers(max_workers):
    if max_workers is None:
        # wi's thread count: OMP_NUM_THREADS, threadpoolctl and wi.set_num_threads bound
        # this pool as they bound a fill. Each unit's region fill shares wi's one thread
        # pool with the other units' fills, so threads do not multiply (workers + pool).
        return get_num_threads()
    return _args.fan(max_workers, "max_workers")  # a positive int


def _progress_bar(progress, total, unit):
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool (got {type(progress).__name__})")
    if not progress:
        return None
    tqdm = _engine.require("tqdm", "zarr").tqdm
    return tqdm(total=total, unit=unit, desc="wi.zarr.fill")


def fill(array, fill, *, seed, stream=0, offset=0, progress=False, max_workers=None, **kwargs):
    """Fill the zarr array ``array`` in place with ``fill``; return ``array``.

    ``fill`` is any wi fill or shape-aware initialiser and ``kwargs`` its own
    arguments (``std=``, ``mode=``, ...). Element ``i`` of the array (row-major)
    becomes stream element ``offset + i`` of ``(seed, stream)``, and
    initialisers take their fans from ``array.shape``: the stored values are
    those of ``fill(numpy.empty(array.shape, array.dtype), seed=seed, ...)``
    whatever the chunks and shards.

    Work goes shard by shard when the array has shards, chunk by chunk
    otherwise, on ``max_workers`` threads (default: ``wi.get_num_threads()``, so
    ``OMP_NUM_THREADS``, threadpoolctl and ``wi.set_num_threads`` bound it). Memory
    is bounded by a few write units, so pick chunks or shards that fit in RAM
    many times over. ``progress=True`` shows a tqdm bar. ``seed`` must be an
    int. Everything is checked before the first write; if a write fails, the
    first error is raised after the units in flight finish (the units already
    written keep their new values).

    Example:
        >>> z = zarr.create_array({}, shape=(4096, 1024), chunks=(512, 1024), dtype="float32")
        >>> wi.zarr.fill(z, wi.kaiming_uniform_, seed=0, nonlinearity="relu")
    """
    if not isinstance(array, _zarr.Array):
        raise TypeError(f"array must be a zarr.Array (got {type(array).__module__}.{type(array).__name__})")
    if array.read_only:
        raise ValueError("array must be writable (got a read-only zarr.Array)")
    block_fill = _engine.BlockFill(fill, array.shape, array.dtype, seed, stream, offset, kwargs)
    workers = _workers(max_workers)
    unit, unit_name = (array.shards, "shard") if array.shards is not None else (array.chunks, "chunk")
    bar = _progress_bar(progress, _unit_count(array.shape, unit), unit_name)
    try:
        _fill_units(array, block_fill, _units(array.shape, unit), workers, bar)
    finally:
        if bar is not None:
            bar.close()
    return array


def _fill_units(array, block_fill, units, workers, bar):
    """Write every unit on a thread pool, never more than 2 * workers queued at once."""
    with cf.ThreadPoolExecutor(workers, thread_name_prefix="wi-zarr") as pool:
        pending = set()
        error = None
        for start, shape in units:
            if len(pending) >= 2 * workers:
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                error = _collect(done, bar)
                if error is not None:
                    break
            pending.add(pool.submit(_write, array, block_fill, start, shape))
        done, _ = cf.wait(pending)
        error = error or _collect(done, bar)
    if error is not None:
        raise error


def _collect(done, bar):
    """Count finished units; return the first error among them, if any."""
    error = None
    for fut in done:
        exc = fut.exception()
        if exc is not None:
            error = error or exc
        elif bar is not None:
            bar.update(1)
    return error
