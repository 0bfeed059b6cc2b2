"""What a search policy is: the finished history in, the next trials out.

A *policy* is a search's algorithm with everything else taken away. It never
sees an estimator, data, a worker, a file or a clock: the engine asks it for
work (:meth:`Policy.ask`) whenever it can start some, and tells it each
finished trial's score (:meth:`Policy.tell`), in whatever order trials finish.
What it decides is a function of what it was told, so the same history always
gives the same decisions, any number of workers can drive it, and a recorded
history can be replayed.

A :class:`Trial` is one candidate trained and scored on every fold, described
by plain values: its hyperparameters, how much of a training resource it gets,
and which earlier trial's trained models it continues.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

__all__ = ["Policy", "Trial"]


@dataclass
class Trial:
    """One candidate trained and scored on every CV fold.

    Parameters
    ----------
    id : int
        Unique within a policy, increasing in the order trials are asked for.
    params : dict
        The hyperparameters (for a continued model, those in force from now).
    extra : dict
        Columns of ``cv_results_`` for this row (rung, member, ...).
    start : int
        Resource units the continued models have already trained (0 for a
        fresh start).
    stop : int or None
        Resource units after this trial; None for full fidelity.
    parent : int or None
        The trial whose trained models this one continues; None to start from
        fresh clones.
    take : bool
        This is the last trial to continue ``parent``'s models: they are handed
        over rather than copied, and forgotten.
    update : dict
        Hyperparameters that change on the continued models (population-based
        training); the rest of ``params`` is already set on them.
    keep : bool
        Keep this trial's trained models when it finishes, for a later trial
        to continue; the policy lists them in :attr:`Policy.released` once no
        trial will.
    """

    id: int
    params: dict
    extra: dict = field(default_factory=dict)
    start: int = 0
    stop: int | None = None
    parent: int | None = None
    take: bool = False
    update: dict = field(default_factory=dict)
    keep: bool = False


class Policy(ABC):
    """Base class of search policies (see the module docstring).

    Attributes
    ----------
    released : list of int
        Ids of trials whose kept models no trial will continue: the engine
        forgets them and empties the list after every call.
    events : list of tuple
        What the algorithm did, for the search's log (a batch scored, a rung
        or a generation complete), as tuples whose first item names the
        kind; the engine hands them on and empties the list after every call.
    """

    def __init__(self) -> None:
        self.released: list[int] = []
        self.events: list[tuple] = []
        self._next_id = 0

    def _new_id(self) -> int:
        trial_id, self._next_id = self._next_id, self._next_id + 1
        return trial_id

    @abstractmethod
    def ask(self, n: int) -> list[Trial]:
        """Up to ``n`` trials to start now; an empty list when the policy must
        first hear about trials still running (or has nothing left)."""

    @abstractmethod
    def tell(self, trial: Trial, score: float) -> None:
        """``trial`` finished with mean test ``score`` (NaN for a failure)."""

    def stall(self, trial: Trial) -> bool:
        """``trial`` runs far longer than the others and blocks :meth:`ask`.

        A policy that can go on without it (treating it as still running)
        returns True: its later decisions then depend on when trials finish.
        By default the policy waits.
        """
        return False
