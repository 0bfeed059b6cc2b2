"""Displays in scikit-learn's style; matplotlib (the ``plot`` extra) is imported
only when something is drawn.

- :class:`ImportanceDisplay`: bars of the importance shares.
- :class:`MarginalDisplay`: the score against each hyperparameter.
- :class:`HistoryDisplay`: each candidate's score and the best so far, in
  the order the candidates finished, with its data function
  :func:`search_history`.
- :class:`TimelineDisplay`: each fit as a bar on its worker's row, failures
  marked, and the workers' utilisation, with its data function
  :func:`search_timeline`.
- :class:`ContourDisplay`: the surrogate's score over a pair of
  hyperparameters, the evaluated candidates on top, with its data function
  :func:`surrogate_contour`.
- :class:`SliceDisplay`: the raw score of every candidate against each
  hyperparameter, and :class:`ParallelCoordinatesDisplay`: one line per
  candidate across its hyperparameters and score, with their data function
  :func:`search_candidates`.
- :class:`ResourceCurveDisplay`: each candidate's score against its resource,
  one panel per Hyperband bracket, or a population's members over the steps,
  with its data function :func:`resource_curves`.
- :class:`ScheduleDisplay`: a population's hyperparameters and scores over
  the steps of population-based training, with its data function
  :func:`population_schedules`.
- :class:`NestedCVDisplay`: each outer fold's inner best score against its
  outer test score, and the optimism.
- :class:`ParetoFrontDisplay`: a search of several objectives in the plane
  of two of them, its Pareto front and its choice (:func:`pareto_points`).
"""

from ._candidates import search_candidates
from ._contour import ContourDisplay, surrogate_contour
from ._curves import ResourceCurveDisplay, resource_curves
from ._history import HistoryDisplay, search_history
from ._importance import ImportanceDisplay, MarginalDisplay
from ._nested import NestedCVDisplay
from ._parallel import ParallelCoordinatesDisplay
from ._pareto import ParetoFrontDisplay, pareto_points
from ._pbt import ScheduleDisplay, population_schedules
from ._slice import SliceDisplay
from ._timeline import TimelineDisplay, search_timeline

__all__ = [
    "ContourDisplay",
    "HistoryDisplay",
    "ImportanceDisplay",
    "MarginalDisplay",
    "NestedCVDisplay",
    "ParallelCoordinatesDisplay",
    "ParetoFrontDisplay",
    "ResourceCurveDisplay",
    "ScheduleDisplay",
    "SliceDisplay",
    "TimelineDisplay",
    "pareto_points",
    "population_schedules",
    "resource_curves",
    "search_candidates",
    "search_history",
    "search_timeline",
    "surrogate_contour",
]
