"""The one loop that runs every search.

:class:`Evaluator` holds what a search evaluates (the estimator, the data, the
frozen CV splits, the scorer) and :meth:`Evaluator.run` runs a policy
(:class:`skhpo.schedulers.Policy`) to its end:

1. it asks the policy for trials while it has room for them, and turns each
   into one fit-and-score task per fold (:func:`~._tasks.fit_and_score`);
2. it keeps the workers' queue filled: a task starts as soon as a worker
   frees, whichever trial it belongs to;
3. as each trial's last fold comes back, it tells the policy its score, and
   keeps the trained models the policy wants to continue;
4. when nothing runs and the policy has nothing more, the search is done.

One loop, one place where compute happens, for every search and every
backend. Decisions happen in the driver between events, never in a worker or
a callback thread. The policy never waits on a particular trial unless its
algorithm needs that trial (a rung, a generation, a lagged proposal): a slow
or hanging task holds back only what depends on it, and a policy that can go
around a trial running far longer than all others is told so
(:meth:`~skhpo.schedulers.Policy.stall`).

On an exception or an interrupt (Ctrl-C), queued tasks are dropped, running
ones stopped (see :mod:`._workers`), the finished trials stay in
:attr:`Evaluator.results`, and the exception propagates.
"""

from __future__ import annotations

import copy
import statistics
import time
import warnings
from collections import deque
from contextlib import contextmanager

import numpy as np
from joblib import Parallel, effective_n_jobs

try:  # joblib >= 1.5 depends on cloudpickle; before, it carried its own
    import cloudpickle
except ImportError:  # pragma: no cover
    from joblib.externals import cloudpickle
from sklearn.base import clone

from ..utils._joblib_compat import backend_of, backend_settings
from ._data import DEFAULT_MAX_NBYTES, shared_arrays
from ._tasks import CandidateResult, Job, Packed, failed_output, fit_and_score
from ._workers import open_workers

__all__ = ["Evaluator"]

#: Seconds between checks for a stalled trial while waiting on the workers.
_POLL = 0.25
#: A trial stalls when it has run this many times the median trial's longest
#: fold, and at least _STALL_MIN seconds, while workers sit idle.
_STALL_FACTOR = 10.0
_STALL_MIN = 1.0


class Evaluator:
    """Evaluates a policy's trials on frozen CV splits through joblib.

    Parameters
    ----------
    base_estimator : estimator
        Cloned for every fold.
    X, y : indexable data
    splits : list of (train, test) index arrays
        Computed once per ``fit`` and used for every trial.
    scorer : callable or MultimetricScorer
    fit_params, score_params : dict
        Routed metadata, split along with ``X`` inside each task.
    return_train_score : bool
    error_score : 'raise' or float
    n_jobs : int or None
    pre_dispatch : int or str
        Most tasks handed to the backend at once (the rest wait in the
        driver), as joblib's ``pre_dispatch``; at least the number of workers.
    callback_ctx : sklearn CallbackContext or None
        Parent context of the per-fold contexts (scikit-learn >= 1.9).
    caller : estimator
        The search, passed to callbacks.
    max_retries : int, default=2
        A task whose worker was lost is submitted again; after ``max_retries``
        losses it runs alone, and if its worker is lost then, its fold is
        scored ``error_score`` with a warning.

    Attributes
    ----------
    results : list of CandidateResult
        Every finished trial, in the order they finished.
    stats : dict
        ``copy_time`` (seconds copying kept models for trials that continue
        another's), ``policy_time`` (seconds in the policy's ``ask`` and
        ``tell``), ``n_moves``, ``move_bytes`` and ``move_seconds`` (kept
        models sent to process or cluster workers; their size and the time to
        unpickle and pickle them, measured at the first move) and
        ``n_resubmitted`` (tasks sent again after a lost worker).
    """

    def __init__(
        self,
        base_estimator,
        X,
        y,
        splits,
        *,
        scorer,
        fit_params,
        score_params,
        return_train_score,
        error_score,
        n_jobs=None,
        pre_dispatch="2*n_jobs",
        callback_ctx=None,
        caller=None,
        max_retries=2,
    ):
        self.base_estimator = base_estimator
        self.X = X
        self.y = y
        self.splits = splits
        self.scorer = scorer
        self.fit_params = fit_params
        self.score_params = score_params
        self.return_train_score = return_train_score
        self.error_score = error_score
        self.n_jobs = n_jobs
        self.pre_dispatch = pre_dispatch
        self.callback_ctx = callback_ctx
        self.caller = caller
        self.max_retries = max_retries
        self.results: list[CandidateResult] = []
        self.stats = {
            "copy_time": 0.0,
            "policy_time": 0.0,
            "n_moves": 0,
            "move_bytes": 0,
            "move_seconds": 0.0,
            "n_resubmitted": 0,
        }
        self._n_trials = 0  # numbers the callbacks' tasks

    @property
    def n_splits(self):
        return len(self.splits)

    def n_workers(self):
        """Number of workers of the active joblib backend for ``n_jobs``."""
        return effective_n_jobs(self.n_jobs)

    @contextmanager
    def _workers(self):
        """The workers, with the data shared once: memory-mapped for process
        workers of this machine (see :mod:`._data`), scattered to every worker
        of a dask cluster."""
        probe = Parallel(n_jobs=self.n_jobs)  # the backend and settings in force
        backend = type(backend_of(probe)).__name__
        settings = backend_settings(probe)
        local = backend in ("LokyBackend", "MultiprocessingBackend")
        with shared_arrays(
            {"X": self.X, "y": self.y},
            max_nbytes=settings.get("max_nbytes", DEFAULT_MAX_NBYTES)
            if local and self.n_workers() > 1
            else None,
            mmap_mode=settings.get("mmap_mode") or "r",
            temp_folder=settings.get("temp_folder"),
        ) as (data, in_band):
            scatter = [a for a in (self.X, self.y) if a is not None]
            workers = open_workers(
                self.n_jobs,
                in_band=in_band,
                scatter=scatter if backend == "DaskDistributedBackend" else None,
            )
            try:
                yield workers, data["X"], data["y"]
            except BaseException:
                workers.abort()
                raise
            finally:
                workers.close()

    def run(
        self,
        policy,
        *,
        score=None,
        to_job=None,
        capacity=None,
        on_ask=None,
        on_tell=None,
    ):
        """Run ``policy`` until it has nothing more to evaluate.

        Parameters
        ----------
        policy : skhpo.schedulers.Policy
        score : callable, default=None
            ``score(result) -> float``: what the policy is told of a finished
            trial (NaN for a failure); None tells NaN.
        to_job : callable, default=None
            ``to_job(trial, states) -> Job``: how a trial is trained (its
            resource, the models it continues); None fits ``trial.params`` on
            fresh clones.
        capacity : int, default=None
            Most trials open at once (running or waiting for a worker); None
            for no limit (the policy limits itself).
        on_ask, on_tell : callable, default=None
            ``on_ask(trial)`` and ``on_tell(trial, result, score)``, for
            progress reports.

        Returns
        -------
        results : list of CandidateResult
            The trials finished by this call, in the order they finished (also
            appended to :attr:`results`). On an exception (``KeyboardInterrupt``
            included) the finished ones stay in :attr:`results` and the
            exception propagates.
        """
        start = len(self.results)
        with self._workers() as (workers, X, y):
            _Run(self, policy, workers, X, y, score, to_job, capacity).loop(
                on_ask, on_tell
            )
        return self.results[start:]


class _Open:
    """A trial whose folds are running or waiting."""

    __slots__ = ("trial", "job", "items", "out", "left", "tries", "sent", "ask_time")

    def __init__(self, trial, job, items, ask_time):
        self.trial = trial
        self.job = job
        self.items = items  # the task of each fold, to submit again if lost
        self.out = [None] * len(items)
        self.left = len(items)
        self.tries = [0] * len(items)
        self.sent = None  # when its first fold went to a worker
        self.ask_time = ask_time


class _Run:
    """One run of :meth:`Evaluator.run`: the loop and its state."""

    def __init__(self, evaluator, policy, workers, X, y, score, to_job, capacity):
        self.ev = evaluator
        self.policy = policy
        self.workers = workers
        self.X, self.y = X, y
        self.score = score
        self.to_job = to_job
        self.capacity = capacity
        self.open = {}  # trial id -> _Open
        self.waiting = deque()  # (trial id, fold) not yet submitted
        self.models = {}  # trial id -> per-fold kept models
        self.durations = []  # seconds the longest fold of each finished trial took
        self.stalled = set()
        self.isolated = deque()  # tasks lost too often: each to run alone
        self.alone = None  # the one running alone
        # in the driver, one task at a time: the policy hears of each trial
        # before the next one's first fold runs
        self.slots = (
            1
            if workers.n_workers == 1
            else max(workers.n_workers, _pre_dispatch(evaluator, workers))
        )

    # ---------------------------------------------------------- the loop
    def loop(self, on_ask, on_tell):
        self.on_ask, self.on_tell = on_ask, on_tell
        self._fill()
        while True:
            self._submit()
            if not self.open:
                return
            event = self.workers.get(timeout=_POLL)
            if event is None:
                self._check_stall()
            elif event[0] == "lost":
                self._resubmit(*event[1:])
            else:
                self._done(*event[1:])

    def _submit(self):
        """Hand waiting tasks to the workers, up to ``slots`` in flight; a task
        suspected of killing its workers runs alone."""
        if self.alone is not None:
            return
        if self.isolated:
            if self.workers.n_pending == 0:
                self.alone = self.isolated.popleft()
                self._send(self.alone)
            return
        while self.waiting and self.workers.n_pending < self.slots:
            self._send(self.waiting.popleft())

    def _send(self, key):
        trial_id, fold = key
        entry = self.open[trial_id]
        if entry.sent is None:
            entry.sent = time.monotonic()
        self.workers.submit(key, entry.items[fold])

    def _fill(self):
        """Ask the policy for trials while there is room."""
        while self.capacity is None or len(self.open) < self.capacity:
            started = time.perf_counter()
            trials = self.policy.ask(1)
            elapsed = time.perf_counter() - started
            self.ev.stats["policy_time"] += elapsed
            self._forget()
            if not trials:
                return
            for trial in trials:
                self._start(trial, elapsed / len(trials))
                if self.on_ask is not None:
                    self.on_ask(trial)

    def _forget(self):
        for trial_id in self.policy.released:
            self.models.pop(trial_id, None)
        self.policy.released.clear()

    # ---------------------------------------------------------- trials
    def _start(self, trial, ask_time):
        states = self._states_for(trial)
        job = Job(trial.params, trial.extra)
        if self.to_job is not None:
            job = self.to_job(trial, states)
        items = self._tasks(job, states)
        self.open[trial.id] = _Open(trial, job, items, ask_time)
        self.waiting.extend((trial.id, fold) for fold in range(len(items)))

    def _states_for(self, trial):
        """The per-fold models ``trial`` continues (None: fresh clones)."""
        if trial.parent is None:
            return None
        try:
            states = (
                self.models.pop(trial.parent)
                if trial.take
                else self.models[trial.parent]
            )
        except KeyError:
            raise RuntimeError(
                f"trial {trial.id} continues trial {trial.parent}, whose models "
                "were not kept or were released"
            ) from None
        if not trial.take:  # the parent's models may be continued again
            started = time.perf_counter()
            states = [copy.deepcopy(s) for s in states]
            self.ev.stats["copy_time"] += time.perf_counter() - started
        self._count_move(states)
        return states

    def _count_move(self, states):
        packed = [s for s in states if isinstance(s, Packed)]
        if not packed:
            return
        stats = self.ev.stats
        if not stats["n_moves"]:  # measured once: the size barely moves
            # a move: pickled in one worker (Packed), unpickled in the next
            started = time.perf_counter()
            for p in packed:
                Packed.of(p.load())
            stats["move_seconds"] = time.perf_counter() - started
            stats["move_bytes"] = sum(p.nbytes for p in packed)
        stats["n_moves"] += 1

    def _tasks(self, job, states):
        """One task (a list of one item) per fold of ``job``."""
        ev = self.ev
        splits = ev.splits if job.splits is None else job.splits
        trainer = job.trainer
        pack = trainer is not None and trainer.keeps_state and self.workers.moves_models
        index = ev._n_trials
        ev._n_trials += 1
        tasks = []
        for fold, (train, test) in enumerate(splits):
            state = None if states is None else states[fold]
            ctx = None
            if ev.callback_ctx is not None:
                ctx = ev.callback_ctx.subcontext(
                    task_name="candidate-split-evaluation",
                    task_id=index * ev.n_splits + fold,
                )
            args = (
                clone(ev.base_estimator) if state is None else state,
                self.X,
                self.y,
            )
            kwargs = dict(
                scorer=ev.scorer,
                train=train,
                test=test,
                parameters=job.params if state is None else None,
                fit_params=ev.fit_params,
                score_params=ev.score_params,
                return_train_score=ev.return_train_score,
                error_score=ev.error_score,
                callback_ctx=ctx,
                caller=ev.caller if ctx is not None else None,
                trainer=trainer,
                pack_state=pack,
            )
            function = fit_and_score
            if ctx is not None and self.workers.moves_models:
                # pickled now: the driver adds the next task's context to the
                # same tree, which must not change while a backend pickles it
                blob = cloudpickle.dumps(
                    (kwargs.pop("callback_ctx"), kwargs.pop("caller"))
                )
                function, args = _with_context, (blob, *args)
            tasks.append([self.workers.wrap(function, args, kwargs)])
        return tasks

    # ---------------------------------------------------------- events
    def _done(self, key, outputs, exc):
        trial_id, fold = key
        if key == self.alone:
            self.alone = None
        if exc is not None:
            raise exc
        entry = self.open[trial_id]
        entry.out[fold] = outputs[0]
        entry.left -= 1
        if entry.left == 0:
            self._finish(entry)

    def _finish(self, entry):
        trial = entry.trial
        del self.open[trial.id]
        self.stalled.discard(trial.id)
        self.durations.append(max(o["fit_time"] + o["score_time"] for o in entry.out))
        states = [o.pop("state", None) for o in entry.out]
        result = CandidateResult(
            entry.job.params, entry.out, entry.job.extra, trial, entry.ask_time
        )
        self.ev.results.append(result)
        if trial.keep:
            self.models[trial.id] = states
        value = np.nan if self.score is None else self.score(result)
        started = time.perf_counter()
        self.policy.tell(trial, value)
        self.ev.stats["policy_time"] += time.perf_counter() - started
        self._forget()
        if self.on_tell is not None:
            self.on_tell(trial, result, value)
        self._fill()

    def _resubmit(self, keys, exc):
        """Tasks lost with a worker: sent again, the ones lost ``max_retries``
        times alone; one lost while it ran alone is scored ``error_score``
        (the others in flight with a task that kills its worker are never
        blamed for it)."""
        for key in keys:
            trial_id, fold = key
            entry = self.open[trial_id]
            entry.tries[fold] += 1
            if key != self.alone:
                self.ev.stats["n_resubmitted"] += 1
                if entry.tries[fold] < self.ev.max_retries:
                    self.waiting.appendleft(key)
                else:
                    self.isolated.append(key)
                continue
            if self.ev.error_score == "raise":
                raise exc
            splits = entry.job.splits or self.ev.splits
            message = (
                f"The worker running this fit was lost {entry.tries[fold]} times, "
                f"the last time running it alone ({type(exc).__name__}: {exc})."
            )
            warnings.warn(
                f"Candidate {entry.job.params!r} on fold {fold}: {message} The "
                f"fold is scored error_score={self.ev.error_score!r}.",
                RuntimeWarning,
                stacklevel=2,
            )
            output = failed_output(
                self.ev.scorer,
                self.ev.error_score,
                len(splits[fold][1]),
                message,
                self.ev.return_train_score,
            )
            self._done(key, [output], None)

    def _check_stall(self):
        """Tell the policy about a trial far slower than all others, when it
        has nothing to start although workers are idle."""
        if self.waiting or self.workers.n_pending >= self.workers.n_workers:
            return
        if not self.durations:
            return
        limit = max(_STALL_MIN, _STALL_FACTOR * statistics.median(self.durations))
        now = time.monotonic()
        slow = [
            e
            for e in self.open.values()
            if e.trial.id not in self.stalled
            and e.sent is not None
            and now - e.sent > limit
        ]
        for entry in sorted(slow, key=lambda e: e.sent):
            self.stalled.add(entry.trial.id)
            if self.policy.stall(entry.trial):
                self._fill()


def _with_context(blob, *args, **kwargs):
    """:func:`fit_and_score` with its callback context and caller pickled in
    the driver (see :meth:`_Run._tasks`)."""
    callback_ctx, caller = cloudpickle.loads(blob)
    return fit_and_score(*args, callback_ctx=callback_ctx, caller=caller, **kwargs)


def _pre_dispatch(evaluator, workers):
    """joblib's ``pre_dispatch`` (``"2*n_jobs"``) as a number of tasks."""
    value = evaluator.pre_dispatch
    if isinstance(value, str):
        value = eval(value, {"__builtins__": {}}, {"n_jobs": workers.n_workers})
    return int(value)
