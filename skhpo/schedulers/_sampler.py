"""New candidates for multi-fidelity policies: random, or model-based (BOHB).

The model-based sampler (after Falkner et al., "BOHB: robust and efficient
hyperparameter optimization at scale", ICML 2018) draws two thirds of the new
candidates by expected improvement at full fidelity, the rest at random, so
that the search keeps exploring. Where BOHB models only the highest resource
with enough scores, the Gaussian process here sees the scores of every rung,
with the resource (on a log scale) as one more input: the first rungs inform
the proposals from early on, as far as their scores agree with the full ones.
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
    resources : (int, int), default=None
        The smallest and the largest resource of the schedule, the range of
        the model's fidelity input; None: those recorded so far.
    """

    def __init__(
        self, space: Any, kind: str = "random", initial=None, resources=None
    ) -> None:
        if kind not in ("random", "model"):
            raise ValueError(f"kind must be 'random' or 'model', got {kind!r}")
        self.space = space
        self.kind = kind
        self.candidates: list = []  # (subspace, params), by candidate number
        self.sources: list[str] = []  # how each was drawn
        self._seen: list = []  # every candidate drawn, for exclusion
        self._scores: list[tuple[int, int, int, float]] = []
        self._initial = list(initial or [])
        self.resources = resources

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
        """Up to ``n`` candidates by EI at full fidelity, once the rungs hold
        ``n_dims + 2`` finite scores."""
        rows = [
            (candidate, level, score)
            for _, candidate, level, score in sorted(self._scores)
            if np.isfinite(score)
        ]
        if len(rows) < self.space.n_dims + 2:
            return []
        levels = np.array([level for _, level, _ in rows], dtype=float)
        low, high = self.resources or (levels.min(), levels.max())
        if high > low:
            fidelity = np.log(np.clip(levels, low, high) / low) / np.log(high / low)
        else:
            fidelity = np.ones(len(rows))
        proposals, _ = propose(
            self.space,
            [self.candidates[c] for c, _, _ in rows],
            np.array([v for _, _, v in rows]),
            n,
            rng=rng,
            exclude=self._seen,
            fidelity=fidelity,
        )
        return proposals
