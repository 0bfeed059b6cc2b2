"""Acquisition functions and their optimiser over a search space."""

from ._design import initial_design, random_candidates
from ._functions import (
    ACQUISITION_FUNCTIONS,
    ACQUISITION_NAMES,
    expected_improvement,
    get_acquisition,
    probability_of_improvement,
    ucb_schedule,
    upper_confidence_bound,
)
from ._optimize import check_acq_kwargs, propose

__all__ = [
    "ACQUISITION_FUNCTIONS",
    "ACQUISITION_NAMES",
    "check_acq_kwargs",
    "expected_improvement",
    "get_acquisition",
    "initial_design",
    "probability_of_improvement",
    "propose",
    "random_candidates",
    "ucb_schedule",
    "upper_confidence_bound",
]
