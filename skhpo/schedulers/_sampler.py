"""New candidates for multi-fidelity policies: random, or model-based (BOHB).

The model-based sampler (Falkner et al., "BOHB: robust and efficient
hyperparameter optimization at scale", ICML 2018) draws two thirds of the new
candidates by expected improvement under a Gaussian process of the scores at
the highest resource that has enough of them (``n_dims + 2``), the rest at
random, so that the search keeps exploring.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..acquisition import propose, random_candidates

__all__ = ["CandidateSampler"]


class CandidateSampler:
    """Draws new candidates and remembers what they scored at each resource.

    Parameters
    ----------
    space : SearchSpace
    kind : {"random", "model"}
    initial : list of (int, dict), default=None
        Candidates ``(subspace, params)`` drawn first, in order
        (``"initial_params"``).
    """

    def __init__(self, space: Any, kind: str = "random", initial=None) -> None:
        if kind not in ("random", "model"):
            raise ValueError(f"kind must be 'random' or 'model', got {kind!r}")
        self.space = space
        self.kind = kind
        self.candidates: list = []  # (subspace, params), by candidate number
        self.sources: list[str] = []  # how each was drawn
        self._seen: list = []  # every candidate drawn, for exclusion
        self._scores: list[tuple[int, int, int, float]] = []
        self._initial = list(initial or [])

    def record(self, order: int, candidate: int, level: int, score: float) -> None:
        """Candidate ``candidate`` scored ``score`` at resource ``level``;
        ``order`` (the trial's id) fixes the order the model sees them in."""
        self._scores.append((order, candidate, level, score))

    def draw(self, n: int, rng: np.random.Generator) -> list[int]:
        """Up to ``n`` new candidates (fewer when a finite space runs out);
        their numbers."""
        drawn = [(c, "initial_params") for c in self._initial[:n]]
        del self._initial[: len(drawn)]
        n_new = n - len(drawn)
        if self.kind == "model" and n_new > 0:
            # a third of the candidates stay random; one at a time, by chance
            n_model = n_new - n_new // 3 if n_new > 1 else int(rng.random() >= 1 / 3)
            drawn += [(c, "model") for c in self._by_model(n_model, rng)]
        found = random_candidates(
            self.space, n - len(drawn), rng, exclude=self._seen + [c for c, _ in drawn]
        )
        drawn += [(c, "random") for c in found]
        self._seen.extend(c for c, _ in drawn)
        numbers = []
        for candidate, source in drawn:
            numbers.append(len(self.candidates))
            self.candidates.append(candidate)
            self.sources.append(source)
        return numbers

    def _by_model(self, n: int, rng: np.random.Generator) -> list:
        """Up to ``n`` candidates by EI at the highest resource with enough
        finite scores."""
        need = self.space.n_dims + 2
        by_level: dict[int, list[tuple[int, float]]] = {}
        for _, candidate, level, score in sorted(self._scores):
            if np.isfinite(score):
                by_level.setdefault(level, []).append((candidate, score))
        levels = [lvl for lvl, rows in by_level.items() if len(rows) >= need]
        if not levels:
            return []
        rows = by_level[max(levels)]
        proposals, _ = propose(
            self.space,
            [self.candidates[c] for c, _ in rows],
            np.array([v for _, v in rows]),
            n,
            rng=rng,
            exclude=self._seen,
        )
        return proposals
