"""The one door to compute.

Every fit a search makes goes through :class:`Evaluator`: a search's policy
(:mod:`skhpo.schedulers`) chooses trials, and :meth:`Evaluator.run` turns them
into fit-and-score tasks on frozen CV splits, runs them on the active joblib
backend (so ``joblib.parallel_config(backend="dask")`` moves them to a
cluster) and tells the policy how each trial scored.

- :mod:`._loop`: :class:`Evaluator` and its one run loop;
- :mod:`._workers`: the joblib backend driven task by task, interrupts, lost
  workers;
- :mod:`._data`: the data written once for worker processes;
- :mod:`._tasks`: what runs in a worker (:func:`fit_and_score`).
"""

from ._loop import Evaluator
from ._tasks import (
    CandidateResult,
    Job,
    Packed,
    Refit,
    failed_output,
    failed_scores,
    fit_and_score,
)

__all__ = [
    "CandidateResult",
    "Evaluator",
    "Job",
    "Packed",
    "Refit",
    "failed_output",
    "failed_scores",
    "fit_and_score",
]
