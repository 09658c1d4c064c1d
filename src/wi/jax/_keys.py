"""A JAX PRNG key's bits as a wi (seed, stream)."""

from __future__ import annotations

import numpy as np

from . import _jax


def key_to_seed(key) -> tuple[int, int]:
    """The wi ``(seed, stream)`` of a concrete JAX PRNG key (typed or raw uint32).

    A threefry key's two words ``(k0, k1)`` give seed ``k0 << 32 | k1`` and stream 0; an rbg
    key's four give seed ``k0 << 32 | k1`` and stream ``k2 << 32 | k3``.

    Example:
        >>> wi.jax.initializers.key_to_seed(jax.random.key(42))
        (42, 0)
    """
    return words_to_seed(np.asarray(_jax.random.key_data(key)))


def words_to_seed(words) -> tuple[int, int]:
    """(seed, stream) of one key's uint32 words (see key_to_seed)."""
    words = np.asarray(words, dtype=np.uint32)
    if words.ndim != 1 or words.size not in (2, 4):
        raise ValueError(
            "key must be one PRNG key of 2 (threefry) or 4 (rbg) 32-bit words "
            f"(got key data of shape {words.shape}; use jax.vmap for a batch of keys)"
        )
    w = [int(x) for x in words]
    return (w[0] << 32) | w[1], ((w[2] << 32) | w[3]) if len(w) == 4 else 0
