"""Model-free proposals: a space-filling initial design and random draws."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import qmc

from ._optimize import Candidate, _random_proposals, _row_keys

__all__ = ["initial_design", "random_candidates"]


def initial_design(space: Any, n: int, rng: np.random.Generator) -> list[Candidate]:
    """``n`` distinct candidates of ``space`` from a Latin hypercube.

    Points of a discrete space that the hypercube draws twice are replaced by
    random draws not seen yet.
    """
    if n <= 0:
        return []
    try:
        sampler = qmc.LatinHypercube(d=space.n_unit_dims, rng=rng)
    except TypeError:  # scipy < 1.15
        sampler = qmc.LatinHypercube(d=space.n_unit_dims, seed=rng)
    design: list[Candidate] = []
    seen: set[bytes] = set()
    for cand, key in zip(
        cands := space.from_unit(sampler.random(n)),
        _row_keys(space.transform(cands)),
    ):
        if key not in seen:
            seen.add(key)
            design.append(cand)
    missing = n - len(design)
    if missing:
        design += random_candidates(space, missing, rng, exclude=design)
    return design


def random_candidates(
    space: Any,
    n: int,
    rng: np.random.Generator,
    exclude: Sequence[Candidate] = (),
) -> list[Candidate]:
    """Up to ``n`` distinct candidates of ``space`` that are not in ``exclude``:
    prior draws, or a shuffled grid when the space is small and finite."""
    exclude = list(exclude)
    excluded = set(_row_keys(space.transform(exclude))) if exclude else set()
    return _random_proposals(space, n, rng, excluded)
