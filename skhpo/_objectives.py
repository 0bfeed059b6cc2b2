"""Several objectives: what a search optimises when ``objective`` is a list.

``objective=["roc_auc", "-fit_time"]`` names each objective by a metric of
``scoring`` (its mean test score) or by ``"fit_time"`` / ``"score_time"``
(the mean over the folds, in seconds), maximised, or minimised with a
leading ``"-"``. A quantity of the fitted model (its size, its predict
latency) is a metric like any other: a scorer ``(estimator, X, y) ->
float`` in the ``scoring`` dict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Objective", "objective_matrix", "parse_objectives"]

#: Objectives read from the fits' times rather than from ``scoring``.
TIMES = ("fit_time", "score_time")


@dataclass(frozen=True)
class Objective:
    """One objective: a metric (or a time) and its direction."""

    name: str
    maximise: bool

    @property
    def column(self) -> str:
        """The ``cv_results_`` column of its mean."""
        return f"mean_{self.name}" if self.name in TIMES else f"mean_test_{self.name}"

    @property
    def label(self) -> str:
        return self.name if self.maximise else f"-{self.name}"

    def value(self, result) -> float:
        """Its value for a finished trial (``CandidateResult``), signed so
        that larger is better; NaN for a failure."""
        if self.name in TIMES:
            if result.failed:
                return np.nan
            value = float(np.mean([o[self.name] for o in result.out]))
        else:
            value = result.mean_test(self.name)
        return value if self.maximise else -value


def parse_objectives(objective, metrics, *, param="objective"):
    """The objectives of a list, checked against ``metrics`` (the names of
    ``scoring``'s metrics; None when a callable ``scoring`` has not told
    them yet). Raises a ValueError naming ``param``."""
    items = list(objective)
    if len(items) < 2:
        raise ValueError(
            f"{param}={objective!r}: a list names two objectives or more; for "
            "one, pass its name."
        )
    parsed = []
    for item in items:
        if not isinstance(item, str) or item in ("", "-"):
            raise ValueError(
                f"{param}={objective!r}: each objective is the name of a metric "
                f"of `scoring` or one of {list(TIMES)}, with a leading '-' to "
                f"minimise it; got {item!r}."
            )
        name = item.lstrip("-")
        if item.startswith("--"):
            raise ValueError(f"{param}: {item!r} has more than one leading '-'.")
        known = name in TIMES or metrics is None or name in metrics
        if not known:
            raise ValueError(
                f"{param}: {name!r} is not a metric of `scoring` "
                f"({sorted(metrics)!r}) nor one of {list(TIMES)}."
            )
        parsed.append(Objective(name, maximise=not item.startswith("-")))
    names = [o.name for o in parsed]
    if len(set(names)) < len(names):
        raise ValueError(f"{param}={objective!r} names an objective twice.")
    return parsed


def objective_matrix(cv_results, objectives) -> np.ndarray:
    """``(n_rows, n_objectives)``: each row's objectives, larger better."""
    return np.column_stack(
        [
            np.asarray(cv_results[o.column], dtype=float) * (1 if o.maximise else -1)
            for o in objectives
        ]
    )
