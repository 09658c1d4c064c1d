"""JAX arrays filled by wi, with values that do not depend on the sharding.

    import jax, wi, wi.jax
    mesh = jax.make_mesh((2, 2), ("x", "y"))
    sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("x", "y"))
    w = wi.jax.from_fill(wi.kaiming_normal_, (8192, 4096), sharding, dtype="float32", seed=0)

Each device's shard is filled on the host from its global index by a wi region
fill (``jax.make_array_from_callback``): no device ever holds the whole array
unless the sharding says so, and every mesh and PartitionSpec gives the same
values. ``wi.jax.initializers`` has Flax/``jax.nn.initializers``-style
``(key, shape, dtype)`` initialisers whose wi seed comes from the key.

Needs the ``jax`` extra: ``pip install "weightinit[jax]"``.
"""

from __future__ import annotations

from .. import _engine

_jax = _engine.require("jax", "jax")

__all__ = ["from_fill", "initializers"]


def _region(index, shape):
    """(start, block shape) of the block a device holds, from its tuple of slices."""
    if index is None:
        index = ()
    index = tuple(index) + (slice(None),) * (len(shape) - len(index))
    start, block = [], []
    for sl, n in zip(index, shape):
        lo, hi, step = sl.indices(n)
        if step != 1:  # shardings cut contiguous blocks; anything else is not a region
            raise ValueError(f"sharding gave a strided index {sl} for a dimension of size {n}")
        start.append(lo)
        block.append(max(hi - lo, 0))
    return tuple(start), tuple(block)


def from_fill(fill, shape, sharding, *, dtype, seed, stream=0, offset=0, **kwargs):
    """A ``jax.Array`` of ``shape`` with ``sharding``, each shard filled by ``fill`` where it lives.

    ``fill`` is any wi fill or shape-aware initialiser and ``kwargs`` its own
    arguments. Every shard is filled on the host with ``global_shape=shape``
    and ``start=`` its place, then put on its device, so element ``i``
    (row-major over ``shape``) is stream element ``offset + i`` of
    ``(seed, stream)`` and initialisers take their fans from ``shape``: the
    result equals one NumPy fill of the whole for every mesh and
    PartitionSpec. A block replicated on several devices is filled once.
    Only this process's devices are filled, so each process of a multi-host
    job fills its own shards with no communication. ``seed`` must be an int.

    Example:
        >>> mesh = jax.make_mesh((4,), ("x",))
        >>> s = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec(None, "x"))
        >>> w = wi.jax.from_fill(wi.fill_normal, (1024, 1024), s, dtype="float32", seed=0, std=0.02)
    """
    if not isinstance(sharding, _jax.sharding.Sharding):
        raise TypeError(
            "sharding must be a jax.sharding.Sharding such as NamedSharding(mesh, PartitionSpec(...)) "
            f"(got {type(sharding).__name__})"
        )
    block_fill = _engine.BlockFill(fill, shape, dtype, seed, stream, offset, kwargs)
    shape = block_fill.shape
    if _jax.dtypes.canonicalize_dtype(block_fill.dtype) != block_fill.dtype:
        raise ValueError(
            f"dtype {block_fill.dtype} needs 64-bit JAX: set jax.config.update('jax_enable_x64', True) "
            "(otherwise JAX would round the values to 32 bits)"
        )
    filled = {}  # replicated shards share one host block

    def shard(index):
        region = _region(index, shape)
        if region not in filled:
            filled[region] = block_fill(*region)
        return filled[region]

    return _jax.make_array_from_callback(shape, sharding, shard, dtype=block_fill.dtype)


def __getattr__(name):
    if name == "initializers":  # wi.jax.initializers without an explicit import
        import importlib

        return importlib.import_module(".initializers", __name__)
    raise AttributeError(f"module 'wi.jax' has no attribute {name!r}")
