"""Where a wi.torch call draws from: torch's seeding, or a wi.Generator's own stream.

``generator=None`` and a ``torch.Generator`` follow torch's seeding: each call draws one key
from that torch generator (``int64.random_()``: 63 random bits, one 64-bit draw of its
Mersenne Twister) and fills from stream 0 of that key, so ``torch.manual_seed(n)`` (or a
seeded ``torch.Generator``) makes every call reproducible. A ``wi.Generator`` fills from its
own next blocks, as everywhere in wi.
"""
import threading

from .._generator import Generator, global_generator
from ._lazy_torch import torch_module

_local = threading.local()  # each thread draws into its own key tensor (random_ releases the GIL)


def _key_source():
    torch = torch_module()
    with torch.inference_mode(False):  # a normal tensor, whatever mode the first call runs in
        key = torch.empty(1, dtype=torch.int64, device="cpu")
    words = memoryview(key.numpy()).cast("B").cast("Q")  # reads the key without a torch call
    _local.source = source = (key.random_, words)
    return source


def torch_key(generator=None):
    """A fresh key from torch's default generator, or from `generator` (a torch.Generator)."""
    try:
        draw, words = _local.source
    except AttributeError:
        draw, words = _key_source()
    if generator is None:
        draw()
    else:
        draw(generator=generator)
    return words[0]


def position(generator):
    """(wi generator, seed) a call with this ``generator=`` fills from: seed None means the
    wi.Generator's next blocks, an int the start of stream 0 of that key."""
    if generator is None:  # torch_key(), inlined: this is every default call's path
        try:
            draw, words = _local.source
        except AttributeError:
            draw, words = _key_source()
        draw()
        return global_generator, words[0]
    if isinstance(generator, Generator):
        return generator, None
    if isinstance(generator, torch_module().Generator):
        return global_generator, torch_key(generator)
    raise TypeError(  # as torch's random ops for a generator of the wrong type
        "generator must be a torch.Generator, a wi.Generator or None "
        f"(got {type(generator).__module__}.{type(generator).__name__})"
    )


def module_seed(seed):
    """init_module_'s seed: an int as given, None a key drawn from torch's default generator."""
    return torch_key() if seed is None else seed
