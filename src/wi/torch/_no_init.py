"""no_init: build torch modules without torch's own initialisation, for init_module_.

A model built the usual way pays for torch's single-threaded init of every weight, then
init_module_ overwrites it all. Inside ``with no_init():`` the functions of torch.nn.init
and the ``reset_parameters`` of the layers torch ships return at once, so construction
only allocates (transformers' ``no_init_weights`` uses the same pattern). The parameters
then hold whatever memory held: call ``init_module_`` after the block.
"""
import contextlib
import threading

# torch.nn.init's public fills; torch's layers call them through the module attribute.
_INIT_FUNCTIONS = (
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_",
)
_lock = threading.Lock()
_depth = 0
_saved = []  # (owner, attribute name, original) while patched


def _layer_methods(torch):
    """(class, method name) of the initialisers the layers torch ships define themselves."""
    from torch import nn
    from torch.nn.modules.batchnorm import _NormBase
    from torch.nn.modules.conv import _ConvNd
    from torch.nn.modules.rnn import RNNBase, RNNCellBase

    classes = [nn.Linear, nn.Bilinear, nn.Embedding, nn.EmbeddingBag, nn.LayerNorm, nn.GroupNorm,
               nn.PReLU, _ConvNd, _NormBase, RNNBase, RNNCellBase]
    if hasattr(nn, "RMSNorm"):
        classes.append(nn.RMSNorm)
    methods = [(cls, "reset_parameters") for cls in classes if "reset_parameters" in vars(cls)]
    # these two import xavier_uniform_ & co. by name, so patching torch.nn.init misses them
    methods += [(nn.MultiheadAttention, "_reset_parameters"), (nn.Transformer, "_reset_parameters")]
    return methods


def _skip_init(tensor, *args, **kwargs):
    return tensor


def _skip_reset(self, *args, **kwargs):
    return None


def _patch(torch):
    for name in _INIT_FUNCTIONS:
        if hasattr(torch.nn.init, name):
            _saved.append((torch.nn.init, name, getattr(torch.nn.init, name)))
            setattr(torch.nn.init, name, _skip_init)
    for cls, name in _layer_methods(torch):
        _saved.append((cls, name, vars(cls)[name]))
        setattr(cls, name, _skip_reset)


def _restore():
    while _saved:
        owner, name, original = _saved.pop()
        setattr(owner, name, original)


@contextlib.contextmanager
def no_init():
    """Skip torch's own parameter initialisation while building modules.

    Inside the block, ``torch.nn.init``'s functions and the ``reset_parameters`` of
    torch's layers (Linear, Conv*, Embedding, norms, MultiheadAttention, RNNs, ...) do
    nothing, so building a model only allocates its parameters; initialise it afterwards
    with :func:`init_module_`. It patches torch globally for the duration of the block
    (nested blocks are fine; another thread building modules meanwhile is affected too).
    Call ``init_module_`` after the block, not inside it: inside, the ``reset_parameters``
    it falls back on for layers it has no rule for do nothing either.

    Example:
        >>> with wi.torch.no_init():
        ...     model = torch.nn.Transformer()
        >>> wi.torch.init_module_(model, seed=0)
    """
    import torch

    global _depth
    with _lock:
        if _depth == 0:
            _patch(torch)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _restore()
