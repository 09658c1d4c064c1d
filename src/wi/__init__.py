"""weightinit: fast, reproducible neural-network weight initialisation on the CPU."""
__version__ = "0.1.0"

from . import _backend
from ._api import (
    Generator,
    fill_he_normal,
    fill_he_uniform,
    fill_normal,
    fill_raw,
    fill_truncated_normal,
    fill_uniform,
    fill_xavier_normal,
    fill_xavier_uniform,
    get_state,
    philox4x32,
    seed,
    set_state,
)
from ._config import get_num_threads, set_num_threads, show_config

# ---- initializer family (issue 4): fans, gains, shape-aware in-place initialisers ----
from ._fans import calculate_gain, compute_fans
from ._init import (
    glorot_normal_,
    glorot_uniform_,
    he_normal_,
    he_uniform_,
    kaiming_normal_,
    kaiming_uniform_,
    lecun_normal_,
    lecun_uniform_,
    trunc_normal_,
    variance_scaling_,
    xavier_normal_,
    xavier_uniform_,
)
# wi.torch (the torch.nn.init drop-in) is a submodule: `import wi.torch`; it imports torch lazily.
# ---- end of the initializer family ----

backend = _backend.name


__all__ = [
    "Generator",
    "backend",
    "fill_he_normal",
    "fill_he_uniform",
    "fill_normal",
    "fill_raw",
    "fill_truncated_normal",
    "fill_uniform",
    "fill_xavier_normal",
    "fill_xavier_uniform",
    "get_num_threads",
    "get_state",
    "philox4x32",
    "seed",
    "set_num_threads",
    "set_state",
    "show_config",
    # initializer family
    "calculate_gain",
    "compute_fans",
    "glorot_normal_",
    "glorot_uniform_",
    "he_normal_",
    "he_uniform_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "lecun_normal_",
    "lecun_uniform_",
    "trunc_normal_",
    "variance_scaling_",
    "xavier_normal_",
    "xavier_uniform_",
]
