"""Population-based training's exploit and explore: pure decisions.

Jaderberg et al., "Population Based Training of Neural Networks" (2017). After
each training step, a member whose score ranks in the bottom fraction of the
population *exploits*: it copies the fitted state, and the hyperparameters
that trained it, of a member drawn from the top fraction (truncation
selection), or of a better member met in a binary tournament. A member that
exploited then *explores*: each mutable hyperparameter is perturbed
(multiplied by one of two factors, 0.8 or 1.2 by default, and kept in its
range; a category moves to a neighbouring one) or, with a resample
probability, drawn afresh from the space.

Nothing here trains or scores: scores in, decisions out. A non-finite score
(a failed fit) always ranks last, so a failed member is replaced by a good
one. :class:`ExploitExplore` holds the decision rules; :class:`PBTPolicy`
(generations) and :class:`AsyncPBTPolicy` (members on their own) run a
population with them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..space import Categorical, Dimension, Integer, Real
from ..space._utils import is_integer_number, is_real_number, safe_equal, to_python
from ._base import Policy, Trial

__all__ = ["AsyncPBTPolicy", "ExploitExplore", "PBTPolicy", "perturb"]

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


class ExploitExplore:
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


# ------------------------------------------------------------------ policies


def changes(params: Mapping, previous: Mapping | None, mutable: Sequence[str]) -> dict:
    """The mutable values of ``params`` that differ from ``previous``."""
    return {
        name: params[name]
        for name in mutable
        if name in params
        and (previous is None or not safe_equal(params[name], previous.get(name)))
    }


class _Population(Policy):
    """The members: their hyperparameters, whose models they continue, their
    schedules and lineages.

    Parameters
    ----------
    space : SearchSpace
        The population is drawn from it; explore stays in it.
    population_size, n_steps, step_resource : int
    mutable : list of str
        The hyperparameters explore may change.
    rules : ExploitExplore
    seed : int
    initial : list of (int, dict), default=None
        Candidates ``(subspace, params)`` that the first members start with;
        the others are drawn from the space.

    Attributes
    ----------
    lineage : dict of int to list of int
        For every member, whose model trained at each step so far.
    n_exploits : int
    events : list of tuple
        ``("generation", step, scores)`` when every member has finished
        ``step`` (synchronous PBT), and ``("exploit", member, parent, step)``
        when a member takes over another's models as trained to ``step``,
        for the search's log.
    """

    def __init__(
        self,
        space: Any,
        *,
        population_size: int,
        n_steps: int,
        step_resource: int,
        mutable: Sequence[str],
        rules: ExploitExplore,
        seed: int,
        initial: list | None = None,
    ) -> None:
        super().__init__()
        self.space = space
        self.size = population_size
        self.n_steps = n_steps
        self.step_resource = step_resource
        self.mutable = list(mutable)
        self.rules = rules
        self.seed = seed
        members = range(population_size)
        drawn = space.rvs(population_size, np.random.default_rng([seed, 0]))
        given = list(initial or [])[:population_size]
        drawn[: len(given)] = given  # the first members, as given
        self.subspace = {m: k for m, (k, _) in enumerate(drawn)}
        self.params = {m: dict(p) for m, (_, p) in enumerate(drawn)}
        self.parent: dict[int, int | None] = dict.fromkeys(members)
        self.source: dict[int, int | None] = dict.fromkeys(members)
        self.schedule: dict[int, list[dict]] = {m: [] for m in members}
        self.lineage: dict[int, list[int]] = {m: [] for m in members}
        self.n_exploits = 0

    def _trial(self, m: int, step: int, *, take: bool) -> Trial:
        """Member ``m``'s trial at ``step``, continuing ``source[m]``."""
        previous = self.schedule[m][-1] if self.schedule[m] else None
        self.schedule[m].append(dict(self.params[m]))
        self.lineage[m].append(m)
        # the member whose models this step continues (after an asynchronous
        # exploit, perhaps not the parent: one the parent had just copied)
        continues = self.lineage[m][-2] if step > 0 else -1
        start, stop = step * self.step_resource, (step + 1) * self.step_resource
        parent = self.parent[m]
        source, self.source[m] = self.source[m], None
        return Trial(
            self._new_id(),
            dict(self.params[m]),
            {
                "member": m,
                "step": step,
                "n_resources": stop,
                "parent": -1 if parent is None else parent,
                "continues": continues,
            },
            start=start,
            stop=stop,
            parent=source,
            take=take and source is not None,
            update=changes(self.params[m], previous, self.mutable),
            keep=step + 1 < self.n_steps,
        )

    def _state(self, p: int) -> tuple:
        """What a member copying ``p`` takes besides its models: ``p``'s
        subspace, schedule and lineage."""
        return self.subspace[p], self.schedule[p], self.lineage[p]

    def _take_over(
        self,
        m: int,
        p: int,
        upto: int,
        rng: np.random.Generator,
        state: tuple | None = None,
    ) -> None:
        """Member ``m`` copies member ``p``'s past up to step ``upto``, and
        explores from the hyperparameters that trained that step (those of
        the models it takes over, set by the caller; asynchronously, ``p``
        may have just copied them from another member). ``state``: ``p``'s,
        as :meth:`_state` read it (default: now)."""
        k, schedule, lineage = self._state(p) if state is None else state
        dims = self.space.subspaces[k].to_dict()
        mutable = [n for n in self.mutable if n in dims]
        self.subspace[m] = k
        self.params[m] = self.rules.explore(schedule[upto], dims, mutable, rng)
        self.parent[m] = p
        self.schedule[m] = [dict(s) for s in schedule[: upto + 1]]
        self.lineage[m] = list(lineage[: upto + 1])
        self.n_exploits += 1
        self.events.append(("exploit", m, p, upto))


class PBTPolicy(_Population):
    """Population-based training in generations.

    Every member trains a step; once all are scored, the bottom exploits the
    top and explores, with a generator seeded by the step, so the results do
    not depend on timing. See :class:`_Population` for the parameters.
    """

    def __init__(self, space, **kwargs):
        super().__init__(space, **kwargs)
        self.done: dict[int, float] = {}
        self.trial_of: dict[int, int] = {}  # member -> its trial this step
        self.ready = deque(self._trial(m, 0, take=False) for m in range(self.size))
        self.trial_of = {t.extra["member"]: t.id for t in self.ready}

    def ask(self, n: int) -> list[Trial]:
        return [self.ready.popleft() for _ in range(min(n, len(self.ready)))]

    def tell(self, trial: Trial, score: float) -> None:
        step, m = trial.extra["step"], trial.extra["member"]
        self.done[m] = score
        if len(self.done) < self.size:
            return
        scores, self.done = self.done, {}
        self.events.append(("generation", step, dict(scores)))
        if step + 1 == self.n_steps:
            return
        rng = np.random.default_rng([self.seed, 2, step])
        parents = self.rules.exploit(scores, rng)
        own = dict(self.trial_of)
        # every parent as it was at the end of the step, even one that copies
        ends = {p: self._state(p) for p in set(parents.values())}
        for member in scores:
            self.parent[member] = None
            self.source[member] = own[member]
        for member in sorted(parents):
            # the models as they were at the end of the step
            self.source[member] = own[parents[member]]
            p = parents[member]
            self._take_over(member, p, step, rng, ends[p])
        users: dict[int, list[int]] = {}
        for member in range(self.size):
            users.setdefault(self.source[member], []).append(member)
        self.released.extend(t for t in own.values() if t not in users)
        trials = [
            self._trial(member, step + 1, take=users[self.source[member]][-1] == member)
            for member in range(self.size)
        ]
        self.trial_of = {t.extra["member"]: t.id for t in trials}
        self.ready.extend(trials)


class AsyncPBTPolicy(_Population):
    """Population-based training without generations.

    A member that finishes step ``k`` compares itself with the members that
    have a score at step ``k`` and, if it exploits, copies the latest models of
    its parent (further ahead, perhaps) and goes on from the parent's step.
    Decisions depend on the order results arrive in. See :class:`_Population`
    for the parameters.
    """

    def __init__(self, space, **kwargs):
        super().__init__(space, **kwargs)
        members = range(self.size)
        self.history: dict[int, dict[int, float]] = {m: {} for m in members}
        self.latest: dict[int, int | None] = dict.fromkeys(members)  # trial ids
        self.reached = dict.fromkeys(members, -1)
        self.next_step = dict.fromkeys(members, 0)
        self.ready = deque(members)

    def ask(self, n: int) -> list[Trial]:
        trials = []
        while self.ready and len(trials) < n:
            # the member furthest behind first (in the order they became
            # ready among equals): the population keeps together, and the
            # last steps do not trail one member after another
            m = min(self.ready, key=self.next_step.__getitem__)
            self.ready.remove(m)
            # never handed over: another member may copy these models until
            # this trial has finished
            trials.append(self._trial(m, self.next_step[m], take=False))
        return trials

    def tell(self, trial: Trial, score: float) -> None:
        step, m = trial.extra["step"], trial.extra["member"]
        self.history[m][step] = score
        self._point(m, trial.id)
        self.reached[m] = step
        if step + 1 >= self.n_steps:
            return
        peers = {o: h[step] for o, h in self.history.items() if step in h}
        rng = np.random.default_rng([self.seed, 3, m, step])
        parent = self.rules.exploit_one(m, peers, rng)
        if parent is not None and self.reached[parent] + 1 >= self.n_steps:
            parent = None  # it has finished: nothing to go on with
        if parent is None:
            self.parent[m] = None
            self.source[m] = self.latest[m]
            self.next_step[m] = step + 1
        else:
            upto = self.reached[parent]
            self.source[m] = self.latest[parent]
            self._take_over(m, parent, upto, rng)
            # what another member copying m now gets: these models, this far
            self._point(m, self.latest[parent])
            self.reached[m] = upto
            self.next_step[m] = upto + 1
        self.ready.append(m)

    def _point(self, m: int, trial_id: int | None) -> None:
        """Member ``m``'s latest models are now those of ``trial_id``; release
        the ones it held if nobody needs them any more."""
        old, self.latest[m] = self.latest[m], trial_id
        if old is None or old == trial_id:
            return
        needed = set(self.latest.values()) | set(self.source.values())
        if old not in needed:
            self.released.append(old)
