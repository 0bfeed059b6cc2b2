"""Hyperband's brackets, the two ways of running one, and the policies that
run them all: pure arithmetic and decisions, no estimators, no I/O.

The arithmetic is Algorithm 1 of Li et al., "Hyperband: a novel bandit-based
approach to hyperparameter optimization", JMLR 18 (2018), in exact integers:
with ``R = max_resources``, ``r_min = min_resources`` and ``eta = factor``,

- ``s_max`` is the largest ``s`` with ``r_min * eta**s <= R`` (an integer loop:
  ``math.log(243, 3)`` is 4.999..., which would lose a bracket);
- bracket ``s`` (``s_max`` down to 0) starts ``n = ceil((s_max + 1) * eta**s /
  (s + 1))`` candidates;
- its rung ``i`` (``0 .. s``) keeps ``n_i = floor(n / eta**i)`` candidates and
  trains each on ``r_i = floor(R / eta**(s - i))`` resource units.

When ``R / r_min`` is a power of ``eta`` this is the paper's table exactly (the
paper's ``r_min`` is ``R / eta**s_max``). Otherwise the rule is: the last rung
of every bracket gets exactly ``R``, each rung below it ``eta`` times less,
rounded down, and the lowest rung of the most aggressive bracket lands in
``[r_min, eta * r_min)``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .._pareto import best_first
from ._base import Policy, Trial
from ._sampler import CandidateSampler

__all__ = [
    "AsyncHyperbandPolicy",
    "AsyncSuccessiveHalving",
    "Bracket",
    "HyperbandPolicy",
    "Rung",
    "SuccessiveHalving",
    "hyperband_brackets",
    "int_log",
]


def int_log(x: int, base: int) -> int:
    """The largest ``s`` with ``base**s <= x``, by an integer loop."""
    if base < 2 or x < 1:
        raise ValueError(f"int_log needs base >= 2 and x >= 1, got {x=}, {base=}")
    s, power = 0, base
    while power <= x:
        s += 1
        power *= base
    return s


@dataclass(frozen=True)
class Rung:
    """One rung of a bracket: how many candidates, trained on how much."""

    n_candidates: int
    n_resources: int


@dataclass(frozen=True)
class Bracket:
    """A successive-halving run: its rungs, from the most candidates to one."""

    index: int  # position in the schedule; ``s`` says which of the paper's
    s: int  # the paper's s: number of halvings
    rungs: tuple[Rung, ...] = field(default_factory=tuple)

    @property
    def n_candidates(self) -> int:
        return self.rungs[0].n_candidates

    def span(self, rung: int) -> tuple[int, int]:
        """``(start, stop)``: a survivor reaching ``rung`` has trained
        ``start`` units (the previous rung's resource, 0 for the first) and
        trains up to ``stop``."""
        start = self.rungs[rung - 1].n_resources if rung else 0
        return start, self.rungs[rung].n_resources

    def units(self, *, continued: bool = True) -> int:
        """Resource units the bracket trains, summed over candidates.

        ``continued=True``: a survivor continues from the previous rung and
        trains only the difference; otherwise it is retrained from scratch.
        """
        total = 0
        for i, rung in enumerate(self.rungs):
            start, stop = self.span(i)
            total += rung.n_candidates * (stop - start if continued else stop)
        return total


def hyperband_brackets(
    min_resources: int,
    max_resources: int,
    factor: int,
    n_brackets: int | None = None,
) -> list[Bracket]:
    """Hyperband's brackets, the most aggressive first.

    Parameters
    ----------
    min_resources, max_resources : int
        Smallest and largest resource given to a candidate, ``1 <= min <= max``.
    factor : int
        ``eta``: each rung keeps ``1 / factor`` of the candidates and gives them
        ``factor`` times the resource. At least 2.
    n_brackets : int, default=None
        Run the ``n_brackets`` most aggressive brackets; None runs all
        ``s_max + 1`` once. ``n_brackets=1`` is successive halving from
        ``factor**s_max`` candidates. Beyond ``s_max + 1`` the brackets start
        again from the most aggressive (Hyperband's outer loop, a round of
        ``s_max + 1`` brackets after another): bracket ``index`` is bracket
        ``s = s_max - index % (s_max + 1)``.

    Returns
    -------
    brackets : list of Bracket
    """
    if factor < 2:
        raise ValueError(f"factor must be an integer >= 2, got {factor}.")
    if not 1 <= min_resources <= max_resources:
        raise ValueError(
            "Need 1 <= min_resources <= max_resources, got "
            f"min_resources={min_resources}, max_resources={max_resources}."
        )
    s_max = int_log(max_resources // min_resources, factor)
    # r_min * eta**s <= R  <=>  eta**s <= R // r_min  (integers)
    count = s_max + 1 if n_brackets is None else n_brackets
    brackets = []
    for index in range(count):
        s = s_max - index % (s_max + 1)
        n = -(-(s_max + 1) * factor**s // (s + 1))  # ceil, exactly
        rungs = tuple(
            Rung(n // factor**i, max_resources // factor ** (s - i))
            for i in range(s + 1)
        )
        brackets.append(Bracket(index, s, rungs))
    return brackets


def _top(scores: dict, k: int) -> list[int]:
    """The ``k`` best finite scores' keys, best first; ties keep key order.

    Scores with one value per objective are ordered as NSGA-II selects
    (:func:`~skhpo._pareto.best_first`): front by front, the most isolated
    of a front first.
    """
    if any(np.ndim(v) for v in scores.values()):
        keys = sorted(scores)
        points = np.array([scores[key] for key in keys], dtype=float)
        return [keys[i] for i in best_first(points)[:k]]
    finite = [
        (key, v) for key, v in scores.items() if v == v and abs(v) != float("inf")
    ]
    finite.sort(key=lambda kv: (-kv[1], kv[0]))
    return [key for key, _ in finite[:k]]


class SuccessiveHalving:
    """Synchronous successive halving over one bracket.

    Rung ``i + 1`` starts when every candidate of rung ``i`` has a score: the
    best ``rungs[i + 1].n_candidates`` finite ones go on; failures (non-finite
    scores) never do. The decisions depend only on the scores, never on the
    order in which they arrive.
    """

    def __init__(self, bracket: Bracket) -> None:
        self.bracket = bracket

    def survivors(self, rung: int, scores: dict[int, float]) -> list[int]:
        """Candidates (keys of ``scores``) promoted from complete ``rung``."""
        rungs = self.bracket.rungs
        if rung + 1 >= len(rungs):
            return []
        return sorted(_top(scores, rungs[rung + 1].n_candidates))


class AsyncSuccessiveHalving:
    """Asynchronous successive halving (Li et al., MLSys 2020) over one bracket.

    Whenever a worker frees, :meth:`next_job` promotes a candidate that is in
    the top ``1 / factor`` of the candidates finished at its rung and not yet
    promoted, looking from the highest rung down; otherwise it starts a new
    candidate at the lowest rung, until the bracket's ``n_candidates`` have
    started. The decisions depend on the order results arrive in.

    A rung takes no more candidates than the bracket plans for it (the
    synchronous rung's size): over a finite bracket, ASHA's promotions on
    partly finished rungs would otherwise run past the plan (a candidate
    in the top ``1 / factor`` early, displaced later, is promoted as well as
    the one that displaced it): up to a quarter more jobs, measured.
    The search then costs what :meth:`HyperbandSearchCV.plan` says, and its
    progress has a known total.
    """

    def __init__(self, bracket: Bracket, factor: int) -> None:
        self.bracket = bracket
        self.factor = factor
        self.started = 0
        self.scores: list[dict[int, float]] = [{} for _ in bracket.rungs]
        self.promoted: list[set[int]] = [set() for _ in bracket.rungs]
        self.running = 0

    def _promotable(self):
        """``(rung, candidate)`` in the top ``1 / factor`` of those finished at
        their rung and not yet promoted, from the highest rung down."""
        rungs = self.bracket.rungs
        for rung in range(len(rungs) - 2, -1, -1):
            if len(self.promoted[rung]) >= rungs[rung + 1].n_candidates:
                continue  # the next rung is full
            done = self.scores[rung]
            for key in _top(done, len(done) // self.factor):
                if key not in self.promoted[rung]:
                    yield rung, key

    def next_job(self) -> tuple[str, int, int] | None:
        """``("promote", candidate, rung)``, ``("new", None, 0)`` or None."""
        for rung, key in self._promotable():
            self.promoted[rung].add(key)
            self.running += 1
            return ("promote", key, rung + 1)
        if self.started < self.bracket.n_candidates:
            self.started += 1
            self.running += 1
            return ("new", None, 0)
        return None

    def withdraw(self) -> None:
        """The new candidate just asked for cannot start (the space ran out):
        start no more."""
        self.started = self.bracket.n_candidates
        self.running -= 1

    def report(self, candidate: int, rung: int, score: float) -> None:
        """Record a finished job's score (NaN for a failure)."""
        self.running -= 1
        self.scores[rung][candidate] = score

    @property
    def finished(self) -> bool:
        """Nothing runs and nothing more will start."""
        return self.running == 0 and self.next_job_possible() is False

    def next_job_possible(self) -> bool:
        """Whether :meth:`next_job` would return a job now."""
        if self.started < self.bracket.n_candidates:
            return True
        return next(self._promotable(), None) is not None


# ------------------------------------------------------------------ policies


class _Brackets(Policy):
    """What both Hyperband policies share: the brackets, the candidates, and
    how a candidate's trial at a rung is made.

    Parameters
    ----------
    brackets : list of Bracket
    sampler : CandidateSampler
    seed : int
    continues : bool
        Whether a survivor continues its models from the rung below (a
        ``warm_start`` or ``partial_fit`` resource); otherwise every rung
        trains afresh.
    """

    def __init__(
        self,
        brackets: list[Bracket],
        sampler: CandidateSampler,
        *,
        seed: int,
        continues: bool,
    ) -> None:
        super().__init__()
        self.brackets = brackets
        self.sampler = sampler
        self.seed = seed
        self.continues = continues
        self.trial_of: dict[tuple[int, int, int], int] = {}  # (b, rung, cand)
        # ("rung", b, rung, scores, n_next) and ("bracket", b, scores)

    def _rng(self, b: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, 100 + b])

    def _trial(self, b: int, rung: int, candidate: int) -> Trial:
        bracket = self.brackets[b]
        start, stop = bracket.span(rung)
        last = rung == len(bracket.rungs) - 1
        parent = None
        if self.continues and rung > 0:
            parent = self.trial_of[(b, rung - 1, candidate)]
        trial = Trial(
            self._new_id(),
            dict(self.sampler.candidates[candidate][1]),
            {
                "bracket": b,
                "iter": rung,
                "n_resources": stop,
                "candidate": candidate,
                "proposed_by": self.sampler.sources[candidate],
            },
            start=start if parent is not None else 0,
            stop=stop,
            parent=parent,
            take=parent is not None,
            keep=self.continues and not last,
        )
        self.trial_of[(b, rung, candidate)] = trial.id
        return trial

    def _record(self, trial: Trial, score: float) -> tuple[int, int, int]:
        extra = trial.extra
        b, rung, candidate = extra["bracket"], extra["iter"], extra["candidate"]
        self.sampler.record(trial.id, candidate, extra["n_resources"], score)
        return b, rung, candidate


class HyperbandPolicy(_Brackets):
    """Hyperband with synchronous successive halving in every bracket.

    A rung starts when the one below is complete, so every decision depends on
    complete rungs only and the results do not depend on timing. With a random
    sampler the brackets of a round (Hyperband's ``s_max + 1``) run side by
    side, and a bracket of the next round starts when the one it repeats
    ends. With a model-based sampler the brackets run one after the other, so
    that each learns from those before. See :class:`_Brackets` for the
    parameters.
    """

    def __init__(self, brackets, sampler, *, seed, continues):
        super().__init__(brackets, sampler, seed=seed, continues=continues)
        self.ready: deque[Trial] = deque()
        self.done: dict[tuple[int, int], dict[int, float]] = {}
        self.expected: dict[tuple[int, int], int] = {}
        self.drawn: dict[int, list[int]] = {}  # drawn, not yet started
        self.n_drawn = 0  # brackets 0 .. n_drawn - 1 have drawn
        # a random round's s_max + 1 brackets (bracket 0 has s = s_max) run
        # side by side; a model's brackets one by one
        round_ = min(len(brackets), brackets[0].s + 1) if brackets else 0
        self.step = round_ if sampler.kind == "random" else 1
        for bracket in brackets[: self.step]:
            self._start(bracket.index)

    def _start(self, b: int) -> None:
        """Start bracket ``b``'s first rung. Candidates are drawn bracket by
        bracket in index order, whichever bracket starts first, so that their
        numbers do not depend on the order brackets end in. An empty draw (a
        finite space has run out) starts nothing: every later draw would be
        empty too."""
        if b >= len(self.brackets):
            return
        while self.n_drawn <= b:
            bracket = self.brackets[self.n_drawn]
            self.drawn[bracket.index] = self.sampler.draw(
                bracket.n_candidates, self._rng(bracket.index)
            )
            self.n_drawn += 1
        ids = self.drawn.pop(b)
        if ids:
            self._submit(b, 0, ids)

    def _submit(self, b: int, rung: int, candidates: list[int]) -> None:
        self.expected[(b, rung)] = len(candidates)
        self.done[(b, rung)] = {}
        self.ready.extend(self._trial(b, rung, c) for c in candidates)

    def _next_bracket(self, b: int) -> None:
        self._start(b + self.step)

    def ask(self, n: int) -> list[Trial]:
        return [self.ready.popleft() for _ in range(min(n, len(self.ready)))]

    def tell(self, trial: Trial, score: float) -> None:
        b, rung, candidate = self._record(trial, score)
        done = self.done[(b, rung)]
        done[candidate] = score
        if len(done) < self.expected[(b, rung)]:
            return
        survivors = SuccessiveHalving(self.brackets[b]).survivors(rung, done)
        if trial.keep:  # the models go on with the survivors only
            self.released.extend(
                self.trial_of[(b, rung, c)] for c in done if c not in survivors
            )
        self.events.append(("rung", b, rung, dict(done), len(survivors)))
        if survivors:
            self._submit(b, rung + 1, survivors)
        else:
            self._next_bracket(b)


class AsyncHyperbandPolicy(_Brackets):
    """Asynchronous successive halving (ASHA) in every bracket: a free worker
    promotes a candidate in the top of its rung or starts a new one, in the
    first bracket with work. Decisions depend on the order results arrive in.
    See :class:`_Brackets` for the parameters; ``factor`` is Hyperband's.
    """

    def __init__(self, brackets, sampler, *, seed, continues, factor):
        super().__init__(brackets, sampler, seed=seed, continues=continues)
        self.rules = [AsyncSuccessiveHalving(b, factor) for b in brackets]
        self.rngs = [self._rng(b.index) for b in brackets]
        self.kept: list[set[int]] = [set() for _ in brackets]

    def ask(self, n: int) -> list[Trial]:
        trials: list[Trial] = []
        while len(trials) < n:
            found = next(
                (
                    (b, decision)
                    for b, rules in enumerate(self.rules)
                    if (decision := rules.next_job()) is not None
                ),
                None,
            )
            if found is None:
                break
            b, (kind, candidate, rung) = found
            if kind == "new":
                drawn = self.sampler.draw(1, self.rngs[b])
                if not drawn:  # a finite space ran out
                    self.rules[b].withdraw()
                    continue
                candidate = drawn[0]
            trial = self._trial(b, rung, candidate)
            self.kept[b].discard(trial.parent)
            trials.append(trial)
        return trials

    def tell(self, trial: Trial, score: float) -> None:
        b, rung, candidate = self._record(trial, score)
        rules = self.rules[b]
        rules.report(candidate, rung, score)
        if trial.keep:
            self.kept[b].add(trial.id)
        if rules.finished:  # nothing more will be promoted in this bracket
            self.events.append(("bracket", b, dict(rules.scores[-1])))
            self.released.extend(self.kept[b])
            self.kept[b].clear()
