"""Pure scheduling policies: which candidate trains on how much, next."""

from ._hyperband import (
    ASHAPolicy,
    Bracket,
    HalvingPolicy,
    Rung,
    hyperband_brackets,
    int_log,
)

__all__ = [
    "ASHAPolicy",
    "Bracket",
    "HalvingPolicy",
    "Rung",
    "hyperband_brackets",
    "int_log",
]
