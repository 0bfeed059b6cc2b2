"""Population-based training's exploit and explore: pure decisions.

Jaderberg et al., "Population Based Training of Neural Networks" (2017). After
each training step, a member whose score ranks in the bottom fraction of the
population *exploits*: it copies the fitted state and the hyperparameters of
a member drawn from the top fraction (truncation selection), or of a better
member met in a binary tournament. A member that exploited then *explores*:
each mutable hyperparameter is perturbed (multiplied by one of two factors,
0.8 or 1.2 by default, and kept in its range; a category moves to a
neighbouring one) or, with a resample probability, drawn afresh from the
space.

Nothing here trains or scores: scores in, decisions out. A non-finite score
(a failed fit) always ranks last, so a failed member is replaced by a good
one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..space import Categorical, Dimension, Integer, Real
from ..space._utils import is_integer_number, is_real_number, safe_equal, to_python

__all__ = ["PBTPolicy", "perturb"]

_SELECTIONS = ("truncation", "tournament")


def _ranked(scores: Mapping[int, float]) -> list[int]:
    """Members from best to worst; non-finite scores last, ties by member id."""
    return sorted(
        scores,
        key=lambda m: (
            not math.isfinite(scores[m]),
            -scores[m] if math.isfinite(scores[m]) else 0.0,
            m,
        ),
    )


class PBTPolicy:
    """Who exploits whom, and how hyperparameters are explored.

    Parameters
    ----------
    fraction : float, default=0.25
        The bottom (and top) fraction of the population, in (0, 0.5]; at
        least one member of a population of two or more.
    selection : {"truncation", "tournament"}, default="truncation"
        ``"truncation"``: every member in the bottom fraction copies a member
        drawn uniformly from the top fraction. ``"tournament"``: every member
        meets another drawn uniformly and copies it if it scored better
        (failed members always copy).
    factors : (float, float), default=(0.8, 1.2)
        Multipliers of a numeric hyperparameter, one drawn with equal chance.
    resample_probability : float, default=0.25
        Chance that a mutable hyperparameter is drawn afresh from the space
        instead of perturbed.
    """

    def __init__(
        self,
        fraction: float = 0.25,
        selection: str = "truncation",
        factors: tuple[float, float] = (0.8, 1.2),
        resample_probability: float = 0.25,
    ) -> None:
        if not (0.0 < fraction <= 0.5):
            raise ValueError(f"fraction must be in (0, 0.5], got {fraction!r}")
        if selection not in _SELECTIONS:
            raise ValueError(
                f"selection must be one of {_SELECTIONS}, got {selection!r}"
            )
        if len(factors) != 2 or not all(
            is_real_number(f) and math.isfinite(f) and f > 0 for f in factors
        ):
            raise ValueError(f"factors must be two positive numbers, got {factors!r}")
        if not (0.0 <= resample_probability <= 1.0):
            raise ValueError(
                f"resample_probability must be in [0, 1], got {resample_probability!r}"
            )
        self.fraction = fraction
        self.selection = selection
        self.factors = tuple(float(f) for f in factors)
        self.resample_probability = resample_probability

    def n_exploiting(self, population_size: int) -> int:
        """How many members make up the bottom (and the top) fraction."""
        if population_size < 2:
            return 0
        return max(1, int(self.fraction * population_size))

    def exploit(
        self, scores: Mapping[int, float], rng: np.random.Generator
    ) -> dict[int, int]:
        """A whole generation's decisions: ``{member: parent}`` for those that copy.

        Parameters
        ----------
        scores : dict of int to float
            Every member's score after the step just finished.
        rng : numpy.random.Generator

        Returns
        -------
        parents : dict of int to int
            Members that exploit, mapped to the member they copy. States are
            read before anyone copies: a member copies its parent as the
            parent was at the end of the step, even if the parent copies
            another member in the same generation (which truncation never
            does: its top and bottom do not meet).
        """
        ranked = _ranked(scores)
        n = self.n_exploiting(len(ranked))
        if n == 0:
            return {}
        failed = [m for m in ranked if not math.isfinite(scores[m])]
        if self.selection == "truncation":
            top = [m for m in ranked[:n] if math.isfinite(scores[m])]
            bottom = sorted(set(ranked[-n:]) | set(failed))
            if not top:
                return {}
            return {m: top[int(rng.integers(len(top)))] for m in bottom if m not in top}
        parents: dict[int, int] = {}
        for m in sorted(ranked):
            others = [o for o in sorted(ranked) if o != m]
            rival = others[int(rng.integers(len(others)))]
            if _better(scores, rival, m):
                parents[m] = rival
        return parents

    def exploit_one(
        self, member: int, scores: Mapping[int, float], rng: np.random.Generator
    ) -> int | None:
        """The asynchronous decision of one member that just finished a step.

        ``scores`` holds the latest score of every member (those not yet
        scored are absent). Returns the member to copy, or None.
        """
        if member not in scores:
            raise ValueError(f"member {member} has no score")
        ranked = _ranked(scores)
        n = self.n_exploiting(len(ranked))
        if n == 0:
            return None
        if self.selection == "truncation":
            if member not in ranked[-n:] and math.isfinite(scores[member]):
                return None
            top = [m for m in ranked[:n] if m != member and math.isfinite(scores[m])]
            return top[int(rng.integers(len(top)))] if top else None
        others = [o for o in ranked if o != member]
        rival = others[int(rng.integers(len(others)))]
        return rival if _better(scores, rival, member) else None

    def explore(
        self,
        params: Mapping[str, Any],
        dimensions: Mapping[str, Dimension],
        mutable: Sequence[str],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        """New hyperparameters: the mutable ones perturbed or resampled.

        Parameters
        ----------
        params : dict
            The hyperparameters copied from the parent.
        dimensions : dict of str to Dimension
            The searched dimension of every mutable hyperparameter.
        mutable : list of str
            Which hyperparameters may change.
        rng : numpy.random.Generator

        Returns
        -------
        params : dict
            A new dict; the other hyperparameters are unchanged.
        """
        new = dict(params)
        for name in mutable:
            dim = dimensions[name]
            if rng.random() < self.resample_probability:
                new[name] = dim.rvs(1, rng)[0]
            else:
                factor = self.factors[int(rng.integers(2))]
                new[name] = perturb(dim, params[name], factor, rng)
        return new


def _better(scores: Mapping[int, float], a: int, b: int) -> bool:
    """Whether member ``a`` scored better than member ``b``."""
    if not math.isfinite(scores[a]):
        return False
    return not math.isfinite(scores[b]) or scores[a] > scores[b]


def perturb(dim: Dimension, value: Any, factor: float, rng: np.random.Generator) -> Any:
    """``value`` moved by ``factor`` within ``dim``.

    Numbers are multiplied by ``factor`` and kept in the dimension's range
    (integers rounded, and moved by at least one in the direction of the
    factor, so that a small integer does not stay put); a category moves to a
    neighbouring one in the listed order (up when ``factor > 1``, down
    otherwise, inward at the ends); a value with no order or range (a
    distribution known only by its draws) is drawn afresh.
    """
    value = to_python(value)
    if isinstance(dim, Categorical):
        k = len(dim.categories)
        if k == 1:
            return value
        i = next(j for j, c in enumerate(dim.categories) if safe_equal(c, value))
        step = 1 if factor > 1 else -1
        j = i + step if 0 <= i + step < k else i - step
        return dim.categories[j]
    if isinstance(dim, (Real, Integer)):
        low, high = dim.low, dim.high
    else:
        try:
            low, high = (float(b) for b in dim.dist.support())
        except AttributeError:  # an object with ``rvs`` only
            return dim.rvs(1, rng)[0]
    if not is_real_number(value):
        return dim.rvs(1, rng)[0]
    moved = value * factor
    if isinstance(dim, Integer) or (
        not isinstance(dim, Real) and is_integer_number(value)
    ):
        moved = round(moved)
        if moved == value and factor != 1:
            moved = value + (1 if factor > 1 else -1)
        return int(min(max(moved, math.ceil(low)), math.floor(high)))
    return float(min(max(moved, low), high))
