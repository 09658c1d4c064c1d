"""The wi stream of a named parameter."""
import hashlib

from .. import _args


def stream_id(name: str) -> int:
    """The wi stream of a parameter: the first 8 bytes of BLAKE2b(name), little-endian.

    ``init_module_`` fills the parameter called ``name`` (its qualified name,
    e.g. ``"encoder.layers.0.linear1.weight"``) from this stream at offset 0,
    so a value depends only on (seed, name, index).

    Example:
        >>> wi.torch.stream_id("fc.weight") < 2**64
        True
    """
    digest = hashlib.blake2b(_args.text(name, "name").encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")
