"""weightinit: fast, reproducible neural-network weight initialisation on the CPU.

wi.torch (the torch.nn.init drop-in) is a subpackage, `import wi.torch`; it imports torch lazily.
"""
__version__ = "0.1.0"

from . import _backend
from ._config import get_num_threads, set_num_threads, show_config
from ._fans import calculate_gain, compute_fans
from ._generator import (
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
from ._initializers import (
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
