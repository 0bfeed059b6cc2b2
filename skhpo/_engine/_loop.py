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
from sklearn.base import clone

from ..utils._joblib_compat import backend_of, backend_settings, cloudpickle
from ..utils._warnings import user_stacklevel
from ._data import DEFAULT_MAX_NBYTES, shared_arrays
from ._tasks import (
    CandidateResult,
    FitTimeout,
    Job,
    Packed,
    failed_output,
    fit_and_score,
)
from ._workers import open_workers

__all__ = ["Evaluator"]

#: Seconds between checks for a stalled trial while waiting on the workers.
_POLL = 0.25
#: A trial stalls when it has run this many times the median trial's longest
#: fold, and at least _STALL_MIN seconds, while workers sit idle. A stall makes
#: the decisions after it depend on timing (the policy goes on without the
#: trial), so the floor is well above a loaded machine's hiccups: a second
#: made searches of millisecond fits differ from run to run under load.
_STALL_FACTOR = 10.0
_STALL_MIN = 10.0


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
    max_time : float or None, default=None
        Seconds after which a run starts nothing new: the trials already
        running go on for at most as long as the longest fold so far (one
        round of fits), then the run ends with what finished
        (``stats["expired"]``).
    fit_timeout : float or None, default=None
        Seconds after which a fit is stopped and its fold scored
        ``error_score`` with a warning naming the candidate and fold. In a
        process's main thread (process workers; one worker in the main
        thread) the fit is interrupted; elsewhere (threads, dask) it cannot
        be, and the run gives up on it: its late result is ignored. Each
        worker then runs one task at a time, so that a task's time is counted
        from its start.
    record : skhpo.storage.Record or None, default=None
        The search's journal: every trial asked, told or stalled, and every
        finished trial's results and kept models, are written to it; a run
        first replays what it holds (see :meth:`run`).

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
        ``n_resubmitted`` (tasks sent again after a lost worker) and
        ``n_resumed`` (trials read back from the journal, not evaluated),
        ``n_timed_out`` (fits past ``fit_timeout``), ``expired``
        (whether ``max_time`` ended the run) and ``stopped`` (whether a
        callback asked it to stop: the run then ends with what finished,
        the trials still running dropped).
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
        max_time=None,
        fit_timeout=None,
        record=None,
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
        self.max_time = max_time
        self.fit_timeout = fit_timeout
        self.record = record
        self.results: list[CandidateResult] = []
        self.stats = {
            "copy_time": 0.0,
            "policy_time": 0.0,
            "n_moves": 0,
            "move_bytes": 0,
            "move_seconds": 0.0,
            "n_resubmitted": 0,
            "n_resumed": 0,
            "n_timed_out": 0,
            "expired": False,
            "stopped": False,
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
        log=None,
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
        log : skhpo._log.RunLog, default=None
            Told of every trial asked, fit finished, trial finished and
            policy event (:attr:`Policy.events`), for the search's log.

        With a :attr:`record` (a journal), the run first replays the
        events it holds: the policy is asked, told and warned of stalls in
        the order it was then, each trial checked against the one recorded and
        each finished trial's results read back instead of evaluated (the
        models it kept too); the trials asked and not finished are then
        started, and the run goes on.

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
            _Run(self, policy, workers, X, y, score, to_job, capacity, log).loop()
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

    def __init__(self, evaluator, policy, workers, X, y, score, to_job, capacity, log):
        self.ev = evaluator
        self.log = log
        self.policy = policy
        self.workers = workers
        self.X, self.y = X, y
        self.score = score
        self.record = evaluator.record
        self.to_job = to_job
        self.capacity = capacity
        self.open = {}  # trial id -> _Open
        self.waiting = deque()  # (trial id, fold) not yet submitted
        self.models = {}  # trial id -> per-fold kept models
        self.durations = []  # seconds the longest fold of each finished trial took
        self.stalled = set()
        self.isolated = deque()  # tasks lost too often: each to run alone
        self.alone = None  # the one running alone
        now = time.monotonic()
        self.deadline = None if evaluator.max_time is None else now + evaluator.max_time
        self.expired = False  # max_time is over, or a callback said stop
        self.grace_end = None  # then the running trials are waited on until
        self.sent_at = {}  # (trial id, fold) -> when it was handed to a worker
        self.abandoned = set()  # tasks whose outcome no longer counts
        # in the driver, one task at a time: the policy hears of each trial
        # before the next one's first fold runs
        self.slots = (
            1
            if workers.n_workers == 1
            else max(workers.n_workers, _pre_dispatch(evaluator, workers))
        )
        if evaluator.fit_timeout is not None:
            # a task handed over starts at once: its time counts from there
            self.slots = workers.n_workers

    # ---------------------------------------------------------- the loop
    def loop(self):
        if self.record is not None:
            self._replay()
            if self.log is not None:
                self.log.resumed(self.ev.stats["n_resumed"])
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
            self._check_time()

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
        # tasks given up on still run somewhere, but hold no slot
        while (
            self.waiting and self.workers.n_pending - len(self.abandoned) < self.slots
        ):
            self._send(self.waiting.popleft())

    def _send(self, key):
        trial_id, fold = key
        entry = self.open.get(trial_id)
        if entry is None:  # dropped meanwhile
            return
        now = time.monotonic()
        if entry.sent is None:
            entry.sent = now
        self.sent_at[key] = now
        self.workers.submit(key, entry.items[fold])

    def _fill(self):
        """Ask the policy for trials while there is room."""
        if self.expired:
            return
        while self.capacity is None or len(self.open) < self.capacity:
            started = time.perf_counter()
            trials = self.policy.ask(1)
            elapsed = time.perf_counter() - started
            self.ev.stats["policy_time"] += elapsed
            self._forget()
            if not trials:
                return
            for trial in trials:
                if self.record is not None:
                    self.record.asked(trial)
                self._start(trial, elapsed / len(trials))
                if self.log is not None:
                    self.log.asked(trial)

    def _forget(self):
        """Drop the models the policy released; pass its events on."""
        events = self.policy.events
        if events and self.log is not None:
            for event in events:
                self.log.event(event)
        events.clear()
        released = self.policy.released
        for trial_id in released:
            self.models.pop(trial_id, None)
        if released and self.record is not None:
            self.record.released(list(released))
        released.clear()

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
        if states is _STORED:  # kept by a run before a resume
            states = self._stored_models(trial.parent)
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
                timeout=ev.fit_timeout,
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
        self.sent_at.pop(key, None)
        if key in self.abandoned:  # given up on: too late
            self.abandoned.discard(key)
            return
        if exc is not None:
            raise exc
        entry = self.open[trial_id]
        if outputs[0].pop("stop", False) and not self.ev.stats["stopped"]:
            # the trials wholly handed to the workers finish (one round of
            # fits, or all of them if none has finished yet); nothing new
            self.ev.stats["stopped"] = True
            round_ = max(self.durations, default=float("inf"))
            self._end_early(time.monotonic(), round_)
            if trial_id not in self.open:  # its other folds had not started
                return
        if outputs[0]["status"] == "timed_out":
            # stopped where it ran, or given up on by the driver (no worker)
            stopped = outputs[0]["worker"] is not None
            self._warn_timed_out(entry, fold, outputs[0], stopped=stopped)
        entry.out[fold] = outputs[0]
        if self.log is not None:
            self.log.fold(entry.trial, fold, outputs[0], entry.job.params)
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
        if self.record is not None:
            if trial.take and trial.parent is not None:
                # handed over: the parent's models go with this commit
                self.record.released([trial.parent])
            self.record.told(trial, result, _pickles(states) if trial.keep else None)
        value = np.nan if self.score is None else self.score(result)
        started = time.perf_counter()
        self.policy.tell(trial, value)
        self.ev.stats["policy_time"] += time.perf_counter() - started
        if self.log is not None:
            self.log.told(trial, result)
        self._forget()
        self._fill()

    def _resubmit(self, keys, exc):
        """Tasks lost with a worker: sent again, the ones lost ``max_retries``
        times alone; one lost while it ran alone is scored ``error_score``
        (the others in flight with a task that kills its worker are never
        blamed for it)."""
        for key in keys:
            trial_id, fold = key
            sent = self.sent_at.pop(key, None)
            if key in self.abandoned or trial_id not in self.open:
                self.abandoned.discard(key)  # given up on: not sent again
                if key == self.alone:
                    self.alone = None
                continue
            entry = self.open[trial_id]
            if entry.out[fold] is not None:  # scored meanwhile (timed out)
                continue
            entry.tries[fold] += 1
            if key != self.alone:
                self.ev.stats["n_resubmitted"] += 1
                if self.log is not None:
                    self.log.lost(entry.trial, fold)
                if entry.tries[fold] < self.ev.max_retries:
                    self.waiting.appendleft(key)
                else:
                    self.isolated.append(key)
                continue
            if self.ev.error_score == "raise":
                raise exc
            message = (
                f"The worker running this fit was lost {entry.tries[fold]} times, "
                f"the last time running it alone ({type(exc).__name__}: {exc})."
            )
            warnings.warn(
                f"Candidate {entry.job.params!r} on fold {fold}: {message} The "
                f"fold is scored error_score={self.ev.error_score!r}.",
                RuntimeWarning,
                stacklevel=user_stacklevel(),
            )
            output = self._failed(entry, fold, message, "lost", sent=sent)
            self._done(key, [output], None)

    # ---------------------------------------------------------- budgets
    def _check_time(self):
        now = time.monotonic()
        if self.deadline is not None and not self.expired and now >= self.deadline:
            self._expire(now)
        if self.grace_end is not None and now >= self.grace_end:
            for trial_id in list(self.open):  # what still runs is not waited on
                self._drop(trial_id)
        if self.ev.fit_timeout is not None:
            self._check_timeouts(now)

    def _expire(self, now):
        """``max_time`` is over: trials not wholly handed to the workers are
        dropped, the others get one round of fits to finish."""
        self.ev.stats["expired"] = True
        # one round of fits: the longest fold so far (at most the budget again)
        round_ = max(self.durations, default=self.ev.max_time)
        self._end_early(now, min(round_, self.ev.max_time))

    def _end_early(self, now, grace):
        """Start nothing new; drop the trials not wholly handed to the
        workers, and the others after ``grace`` seconds."""
        self.expired = True
        unsent = {trial_id for trial_id, _ in (*self.waiting, *self.isolated)}
        self.waiting.clear()
        self.isolated.clear()
        for trial_id in unsent:
            if trial_id in self.open:
                self._drop(trial_id)
        self.grace_end = now + grace

    def _drop(self, trial_id):
        """Forget an open trial: its running tasks' outcomes are ignored (and
        the tasks stopped with the workers at the end of the run)."""
        entry = self.open.pop(trial_id)
        for fold in range(len(entry.items)):
            key = (trial_id, fold)
            if entry.out[fold] is None and key in self.sent_at:
                self.abandoned.add(key)
                self.sent_at.pop(key)
            if key == self.alone:
                self.alone = None

    def _check_timeouts(self, now):
        """Give up on fits past ``fit_timeout`` that could not be stopped
        where they run (a margin after the limit their worker enforces)."""
        limit = self.ev.fit_timeout
        # worker processes stop their fits themselves: the driver steps in
        # only for one stuck in compiled code, late enough that a task's time
        # counted from its sending (workers still starting) cannot mislead it
        margin = (
            max(5.0, limit) if self.workers.interrupts_fits else max(1.0, 0.1 * limit)
        )
        late = [
            key
            for key, sent in self.sent_at.items()
            if now - sent > limit + margin and key not in self.abandoned
        ]
        for key in late:
            trial_id, fold = key
            entry = self.open[trial_id]
            output = self._failed(
                entry,
                fold,
                f"The fit ran past fit_timeout={limit:g} s and could not be "
                "stopped where it ran; its result is ignored.",
                "timed_out",
                sent=self.sent_at[key],
            )
            self._done(key, [output], None)
            self.abandoned.add(key)  # its worker's late answer is ignored
        if late and self.workers.replaces_workers:
            # a worker stuck in a fit: the pool is replaced (processes killed,
            # threads left to end on their own), and the tasks that ran
            # beside it are sent again (not counted against them)
            for key in self.workers.renew():
                self.abandoned.discard(key)
                if key == self.alone:
                    self.alone = None
                if key in self.sent_at:
                    self.sent_at.pop(key)
                    self.waiting.appendleft(key)

    def _failed(self, entry, fold, message, status, sent=None):
        """The output of a fold of ``entry`` scored ``error_score`` by the
        driver (``status``: ``"lost"`` or ``"timed_out"``); ``sent``: when it
        went to a worker (``time.monotonic()``)."""
        splits = entry.job.splits or self.ev.splits
        if sent is None:
            sent = self.sent_at.get((entry.trial.id, fold))
        start = None if sent is None else time.time() - (time.monotonic() - sent)
        return failed_output(
            self.ev.scorer,
            self.ev.error_score,
            len(splits[fold][1]),
            message,
            self.ev.return_train_score,
            status=status,
            start=start,
        )

    def _warn_timed_out(self, entry, fold, output, stopped=True):
        if self.ev.error_score == "raise":
            raise FitTimeout(
                f"Candidate {entry.job.params!r} on fold {fold} ran past "
                f"fit_timeout={self.ev.fit_timeout:g} s (error_score='raise')."
            )
        self.ev.stats["n_timed_out"] += 1
        warnings.warn(
            f"Candidate {entry.job.params!r} on fold {fold} ran past "
            f"fit_timeout={self.ev.fit_timeout:g} s: "
            + ("stopped" if stopped else "given up on (it could not be stopped)")
            + f" and scored error_score={self.ev.error_score!r}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    # ---------------------------------------------------------- resume
    def _replay(self):
        """Take the policy through the journal's events (see
        :meth:`Evaluator.run`), then start the trials asked and not told."""
        record, policy = self.record, self.policy
        events = record.events()
        if not events:
            return
        offered = deque()  # asked of the policy, not yet matched to the journal
        asked = {}  # trial id -> trial, asked and not yet told
        for kind, trial_id in events:
            if kind == "ask":
                if not offered:
                    offered.extend(policy.ask(1))
                if not offered or offered[0].id != trial_id:
                    got = offered[0].id if offered else "nothing"
                    raise record.mismatch(trial_id, got)
                trial = offered.popleft()
                record.check(trial)
                asked[trial.id] = trial
            elif kind == "tell":
                trial = asked.pop(trial_id)
                params, out, extra, ask_time = record.result(trial_id)
                result = CandidateResult(params, out, extra, trial, ask_time)
                self.ev.results.append(result)
                self.ev.stats["n_resumed"] += 1
                self.durations.append(max(o["fit_time"] + o["score_time"] for o in out))
                if trial.keep:
                    self.models[trial.id] = _STORED
                value = np.nan if self.score is None else self.score(result)
                policy.tell(trial, value)
                if self.log is not None:
                    self.log.told(trial, result, replayed=True)
            elif kind == "stall":
                self.stalled.add(trial_id)
                policy.stall(asked[trial_id])
            policy.events.clear()  # said when they happened
            self._forget()
        record.forget_reads()
        self.ev._n_trials += self.ev.stats["n_resumed"]
        for trial in asked.values():  # stopped while they ran: again
            self._start(trial, 0.0)
        for trial in offered:  # asked with the last one recorded
            record.asked(trial)
            self._start(trial, 0.0)

    def _stored_models(self, trial_id):
        pickles = self.record.models(trial_id)
        if len(pickles) != self.ev.n_splits:
            raise RuntimeError(
                f"The journal holds {len(pickles)} models of trial {trial_id} "
                f"for {self.ev.n_splits} folds: it cannot be continued."
            )
        return [Packed(p) if p else None for p in pickles]

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
            if self.log is not None:
                self.log.stalled(entry.trial)
            if self.record is not None:
                self.record.stalled(entry.trial)
            if self.policy.stall(entry.trial):
                self._fill()


#: Kept models a resumed run reads from the journal when they are continued.
_STORED = object()


def _pickles(states):
    """The kept models of a trial as one pickle per fold (``b""`` for none)."""
    return [
        b"" if s is None else (s.data if isinstance(s, Packed) else Packed.of(s).data)
        for s in states
    ]


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
