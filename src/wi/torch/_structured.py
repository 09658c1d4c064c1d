"""torch.nn.init's structured initialisers: orthogonal_ and sparse_ on wi streams, and the
deterministic ones (eye_, dirac_, constant_, ones_, zeros_).

orthogonal_ and sparse_ compute the values of the whole tensor (`orthogonal_values`,
`sparse_values`, in float64 on its global shape) and hand them to `_store`, which writes them;
a sharded tensor (DTensor) keeps its local part there. Their random numbers come from
`_seeding.position` like every wi.torch fill: torch's seeding for ``generator=None`` or a
torch.Generator, a wi.Generator's own stream.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _args
from .._dists import Normal, Uniform
from ._dtensor import is_dtensor, local_part
from ._errors import like_torch
from ._seeding import position
from ._lazy_torch import torch_module
from ._tensors import shape_of

_STANDARD_NORMAL = Normal(0.0, 1.0)
_UNIT_UNIFORM = Uniform(0.0, 1.0)


def _draw(buf, dist, gen, seed, stream, offset=0):
    """Fill buf from element `offset` of stream `stream` of seed, or from a wi.Generator's next
    blocks (seed None)."""
    if seed is None:
        return gen.fill(buf, dist)
    return gen.fill(buf, dist, seed=seed, stream=stream, offset=offset)


def _store(tensor, values):
    """Write the whole tensor's values (a float64 tensor of its shape) into it, under no_grad.

    A DTensor keeps its local part: every rank computed the whole tensor (docs/sharding.md)."""
    torch = torch_module()
    with torch.no_grad():
        if is_dtensor(tensor):
            tensor.to_local().copy_(local_part(tensor, values.reshape(tensor.shape)))
        else:
            tensor.copy_(values.reshape(tensor.shape))
    return tensor


def orthogonal_values(rows, cols, gain, gen, seed, stream=0, offset=0):
    """The (rows, cols) float64 (semi-)orthogonal matrix orthogonal_ writes, times gain.

    A = the rows x cols matrix of N(0, 1) float64 draws (element i of the stream is A's
    row-major element i), transposed if rows < cols; A = QR (LAPACK, via torch.linalg.qr);
    Q's columns are multiplied by sign(diag R) so that Q is Haar-distributed (Mezzadri 2007,
    as torch does); transposed back if rows < cols. The draws start at element `offset` of
    stream `stream` (wi.torch.reproducible: the parameter's stream and call)."""
    torch = torch_module()
    a = torch.from_numpy(_draw(np.empty((rows, cols)), _STANDARD_NORMAL, gen, seed, stream, offset))
    if rows < cols:
        a = a.T
    q, r = torch.linalg.qr(a)
    q *= torch.diag(r, 0).sign()
    if rows < cols:
        q = q.T
    return q * gain


def orthogonal_(tensor: torch.Tensor, gain: float = 1, generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill ``tensor`` with a (semi-)orthogonal matrix (as ``torch.nn.init.orthogonal_``).

    Saxe et al. (2013), "Exact solutions to the nonlinear dynamics of learning in deep linear
    neural networks". Dimensions after the first are flattened. The matrix is the Q of a QR
    decomposition of a matrix of wi N(0, 1) draws, with torch's sign correction (see
    `orthogonal_values`), computed in float64.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.orthogonal_(w, generator=wi.Generator(0))
    """
    shape = shape_of(tensor)
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    gain = _args.real(gain, "gain")
    gen, seed = position(generator)
    numel = math.prod(shape)
    if numel == 0 or tensor.is_meta:
        return tensor
    return _store(tensor, orthogonal_values(shape[0], numel // shape[0], gain, gen, seed))


def sparse_values(rows, cols, sparsity, std, gen, seed, values_at=(0, 0), keys_at=(1, 0)):
    """The (rows, cols) float64 matrix sparse_ writes.

    Every element N(0, std^2) (stream 0, row-major); then in each column j the rows holding
    the ceil(sparsity * rows) smallest keys u[j, i] are set to zero, u the (cols, rows) row-major
    matrix of U(0, 1) draws of stream 1 (ties by row index): a uniformly random set of rows
    per column, as torch's randperm. ``values_at``/``keys_at``: the (stream, offset) of the
    two draws (wi.torch.reproducible: the parameter's stream, one after the other)."""
    values = np.zeros((rows, cols))
    if std > 0.0:
        _draw(values, Normal(0.0, std), gen, seed, *values_at)
    keys = _draw(np.empty((cols, rows)), _UNIT_UNIFORM, gen, seed, *keys_at)
    zeroed = np.argsort(keys, axis=1, kind="stable")[:, :math.ceil(sparsity * rows)]
    values[zeroed, np.arange(cols)[:, None]] = 0.0
    return torch_module().from_numpy(values)


def sparse_(tensor: torch.Tensor, sparsity: float, std: float = 0.01,
            generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Fill the 2-D ``tensor`` as a sparse matrix (as ``torch.nn.init.sparse_``).

    Martens (2010), "Deep learning via Hessian-free optimization". Non-zero elements are
    :math:`\mathcal{N}(0, \text{std}^2)`; in every column a fraction ``sparsity`` of the rows
    (rounded up) is zero. Both the values and the zeroed rows come from ``generator``'s
    draws (torch's own sparse_ takes the rows from the default generator whatever
    ``generator`` is). See `sparse_values` for the algorithm.

    Example:
        >>> w = torch.empty(3, 5)
        >>> wi.torch.sparse_(w, sparsity=0.1)
    """
    shape = shape_of(tensor)
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    sparsity = _args.real(sparsity, "sparsity")
    try:
        std = Normal(0.0, std).std
    except ValueError as exc:  # torch's normal_ raises RuntimeError
        raise like_torch(exc, RuntimeError) from None
    gen, seed = position(generator)
    if tensor.is_meta:
        return tensor
    return _store(tensor, sparse_values(shape[0], shape[1], sparsity, std, gen, seed))


def constant_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    r"""Fill ``tensor`` with ``val`` (as ``torch.nn.init.constant_``).

    Example:
        >>> wi.torch.constant_(torch.empty(3, 5), 0.3)
    """
    shape_of(tensor)
    with torch_module().no_grad():
        return tensor.fill_(val)


def ones_(tensor: torch.Tensor) -> torch.Tensor:
    r"""Fill ``tensor`` with ones (as ``torch.nn.init.ones_``)."""
    shape_of(tensor)
    with torch_module().no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor: torch.Tensor) -> torch.Tensor:
    r"""Fill ``tensor`` with zeros (as ``torch.nn.init.zeros_``)."""
    shape_of(tensor)
    with torch_module().no_grad():
        return tensor.zero_()


def eye_(tensor: torch.Tensor) -> torch.Tensor:
    r"""Fill the 2-D ``tensor`` with the identity matrix (as ``torch.nn.init.eye_``).

    Example:
        >>> wi.torch.eye_(torch.empty(3, 5))
    """
    shape = shape_of(tensor)
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    torch = torch_module()
    with torch.no_grad():
        torch.eye(*shape, out=tensor, requires_grad=tensor.requires_grad)
    return tensor


def dirac_(tensor: torch.Tensor, groups: int = 1) -> torch.Tensor:
    r"""Fill the {3, 4, 5}-D ``tensor`` with the Dirac delta (as ``torch.nn.init.dirac_``).

    Each group of output channels keeps the identity of as many input channels as it can:
    ``w[g*out_per_group + d, d, centre...] = 1``, every other element 0.

    Example:
        >>> wi.torch.dirac_(torch.empty(3, 24, 5, 5), 3)
    """
    shape = shape_of(tensor)
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    if tensor.is_meta:
        return tensor
    per_group = shape[0] // groups
    centre = tuple(size // 2 for size in shape[2:])
    with torch_module().no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(per_group, shape[1])):
                tensor[(g * per_group + d, d) + centre] = 1
    return tensor
