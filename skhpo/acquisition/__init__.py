"""Acquisition functions and their optimiser over a search space."""

from ._functions import (
    ACQUISITION_FUNCTIONS,
    expected_improvement,
    get_acquisition,
    probability_of_improvement,
    upper_confidence_bound,
)
from ._optimize import propose

__all__ = [
    "ACQUISITION_FUNCTIONS",
    "expected_improvement",
    "get_acquisition",
    "probability_of_improvement",
    "propose",
    "upper_confidence_bound",
]
