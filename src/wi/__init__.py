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
]
