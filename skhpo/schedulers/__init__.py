"""Pure scheduling policies: which candidate trains on how much, next."""

from ._hyperband import (
    ASHAPolicy,
    Bracket,
    HalvingPolicy,
    Rung,
    hyperband_brackets,
    int_log,
)
from ._pbt import PBTPolicy, perturb

__all__ = [
    "ASHAPolicy",
    "Bracket",
    "HalvingPolicy",
    "PBTPolicy",
    "Rung",
    "hyperband_brackets",
    "int_log",
    "perturb",
]
