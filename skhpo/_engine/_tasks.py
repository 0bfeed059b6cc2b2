"""What runs in a worker: one candidate fitted and scored on one fold.

:func:`fit_and_score` is the only task of every search. How it trains is a
*trainer* sent with it (a plain ``fit`` by default; the continuations of
:mod:`skhpo._fidelity` for searches that keep a model between steps), and a
continued model may travel :class:`Packed`.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import threading
import time
from contextlib import contextmanager
from traceback import format_exc

import numpy as np
from sklearn.base import clone

from ..utils._joblib_compat import cloudpickle
from ..utils._sklearn_compat import (
    MultimetricScorer,
    check_method_params,
    propagate_callbacks,
    safe_split,
    score,
)

__all__ = [
    "FitTimeout",
    "CandidateResult",
    "Job",
    "Packed",
    "Refit",
    "failed_output",
    "failed_scores",
    "fit_and_score",
]


def failed_scores(scorer, error_score):
    """``error_score`` in the shape ``scorer`` returns (one value or a dict)."""
    if isinstance(scorer, MultimetricScorer):
        return {name: error_score for name in scorer._scorers}
    return error_score


def failed_output(
    scorer,
    error_score,
    n_test_samples,
    error,
    return_train_score,
    *,
    status="failed",
    start=None,
):
    """The output of a fold that could not be fitted (``error``: its message),
    made by the driver: no worker's result came back (``status`` ``"lost"``
    or ``"timed_out"``); ``start`` is when it was sent (seconds since the
    epoch) and it ends now."""
    now = time.time()
    out = {
        "n_test_samples": n_test_samples,
        "state": None,
        "fit_time": 0.0 if start is None else now - start,
        "score_time": 0.0,
        "test_scores": failed_scores(scorer, error_score),
        "fit_error": error,
        "status": status,
        "start": now if start is None else start,
        "end": now,
        "worker": None,
    }
    if return_train_score:
        out["train_scores"] = failed_scores(scorer, error_score)
    return out


class FitTimeout(TimeoutError):
    """A fit ran past the search's ``fit_timeout`` and was stopped."""


_HOST = socket.gethostname()


def worker_name():
    """Who runs this task: ``"host:pid"``, and ``"/thread"`` when it runs in
    another thread than its process's main one (threading backend, dask)."""
    name = f"{_HOST}:{os.getpid()}"
    thread = threading.current_thread()
    if thread is not threading.main_thread():
        name += f"/{thread.name}"
    return name


def can_stop_fits():
    """Whether a fit running in this thread can be stopped at a time limit:
    on POSIX, in a process's main thread (a timer signal interrupts it)."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )


@contextmanager
def time_limit(seconds):
    """Raise :class:`FitTimeout` in the block after ``seconds`` (None: no
    limit), where :func:`can_stop_fits`; elsewhere the driver gives up on the
    fit instead (see :meth:`skhpo._engine.Evaluator.run`)."""
    if (
        seconds is None
        or not can_stop_fits()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):  # a timer of the caller's is left alone: the driver gives up instead
        yield
        return

    def stop(signum, frame):
        raise FitTimeout(f"The fit was stopped after fit_timeout={seconds:g} s.")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fit_and_score(
    estimator,
    X,
    y,
    *,
    scorer,
    train,
    test,
    parameters,
    fit_params,
    score_params,
    return_train_score,
    error_score,
    callback_ctx=None,
    caller=None,
    trainer=None,
    pack_state=False,
    timeout=None,
):
    """Fit ``estimator`` with ``parameters`` on one fold and score it.

    ``trainer`` (default :class:`Refit`) says how to train: a plain ``fit``,
    or a continuation of a model kept from an earlier step (``warm_start``,
    ``partial_fit`` epochs), in which case ``estimator`` is that model and the
    trained model is returned as ``state``. ``estimator`` may be a
    :class:`Packed` model, and with ``pack_state`` the kept model is returned
    packed. A fit running past ``timeout`` seconds is stopped where it can be
    (:func:`time_limit`) and fails as any fit does.

    Returns
    -------
    result : dict
        ``test_scores`` (number or dict), ``train_scores`` (if asked),
        ``n_test_samples``, ``fit_time``, ``score_time``, ``fit_error``
        (the formatted traceback of a failed fit, else None), ``state`` (the
        trained model when the trainer keeps it, else None), ``status``
        (``"ok"``, ``"failed"`` or ``"timed_out"``), ``start`` and ``end``
        (seconds since the epoch) and ``worker`` (:func:`worker_name`).
    """
    trainer = _REFIT if trainer is None else trainer
    if isinstance(estimator, Packed):
        estimator = estimator.load()
    if parameters is not None:
        # clone the values too: estimators may be searched over
        estimator = estimator.set_params(**clone(parameters, safe=False))
    fit_params = fit_params if fit_params is not None else {}
    score_params = score_params if score_params is not None else {}
    fit_params = check_method_params(X, params=fit_params, indices=train)
    score_params_train = check_method_params(X, params=score_params, indices=train)
    score_params_test = check_method_params(X, params=score_params, indices=test)
    result = {"n_test_samples": len(test), "state": None, "worker": worker_name()}
    # the fit's time includes taking the fold's rows, as scikit-learn's does
    start = result["start"] = time.time()
    X_train, y_train = safe_split(estimator, X, y, train)
    X_test, y_test = safe_split(estimator, X, y, test, train)
    metadata = (
        {"sample_weight": fit_params["sample_weight"]}
        if fit_params.get("sample_weight") is not None
        else None
    )
    stop = False
    try:
        if callback_ctx is not None:
            with propagate_callbacks(callback_ctx, estimator):
                callback_ctx.call_on_fit_task_begin(
                    estimator=caller, X=X_train, y=y_train, metadata=metadata
                )
                with time_limit(timeout):
                    trainer.train(estimator, X_train, y_train, fit_params)
        else:
            with time_limit(timeout):
                trainer.train(estimator, X_train, y_train, fit_params)
    except Exception as exc:
        if error_score == "raise":
            raise
        result["fit_time"] = time.time() - start
        result["score_time"] = 0.0
        result["test_scores"] = failed_scores(scorer, error_score)
        if return_train_score:
            result["train_scores"] = failed_scores(scorer, error_score)
        result["fit_error"] = format_exc()
        result["status"] = "timed_out" if isinstance(exc, FitTimeout) else "failed"
    else:
        result["fit_error"] = None
        result["status"] = "ok"
        result["fit_time"] = time.time() - start
        result["test_scores"] = score(
            estimator, X_test, y_test, scorer, score_params_test, error_score
        )
        result["score_time"] = time.time() - start - result["fit_time"]
        if return_train_score:
            result["train_scores"] = score(
                estimator, X_train, y_train, scorer, score_params_train, error_score
            )
        if trainer.keeps_state:
            result["state"] = Packed.of(estimator) if pack_state else estimator
    finally:
        if callback_ctx is not None:
            stop = callback_ctx.call_on_fit_task_end(
                estimator=caller, X=X_train, y=y_train, metadata=metadata
            )
    result["end"] = time.time()
    if stop:  # a callback asks the search to stop (read by the driver)
        result["stop"] = True
    return result


class Packed:
    """A kept model, pickled in the worker that trained it.

    A model continued step after step by process or cluster workers goes to
    the driver and back at every step. joblib's pickler visits each of its
    arrays in Python; pickled once by the standard pickler, it crosses both
    ways as one ``bytes`` object, and the driver copies it (an exploit) for
    free. Models only cloudpickle can pickle (a ``lambda`` in a Pipeline) are
    pickled with it.
    """

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    @classmethod
    def of(cls, estimator):
        try:
            return cls(pickle.dumps(estimator, protocol=5))
        except Exception:  # a lambda or a local class: cloudpickle's to handle
            return cls(cloudpickle.dumps(estimator, protocol=5))

    def load(self):
        return pickle.loads(self.data)

    @property
    def nbytes(self):
        return len(self.data)

    def __deepcopy__(self, memo):
        return self  # immutable: a copy is the same bytes


class Refit:
    """A plain ``fit`` of a fresh clone (the stateless task)."""

    keeps_state = False

    def train(self, estimator, X, y, fit_params):
        if y is None:
            estimator.fit(X, **fit_params)
        else:
            estimator.fit(X, y, **fit_params)


_REFIT = Refit()


class Job:
    """How one trial is evaluated on every fold.

    Parameters
    ----------
    params : dict
        Parameters set on a fresh clone (ignored for folds continuing a model).
    extra : dict
        Columns for ``cv_results_``.
    states : list or None
        Per-fold models to continue, or None to start from clones.
    trainer : object or None
        How a task trains (see :func:`fit_and_score`); None for :class:`Refit`.
    splits : list of (train, test) or None
        Per-fold indices replacing the frozen splits (subsamples of them).
    """

    __slots__ = ("params", "extra", "states", "trainer", "splits")

    def __init__(self, params, extra=None, *, states=None, trainer=None, splits=None):
        self.params = params
        self.extra = extra or {}
        self.states = states
        self.trainer = trainer
        self.splits = splits


class CandidateResult:
    """What one trial's evaluation produced: its folds' outputs and extras.

    ``trial`` is the policy's trial (None for results made outside a policy)
    and ``ask_time`` the seconds the policy took to choose it.
    """

    __slots__ = ("params", "out", "extra", "trial", "ask_time")

    def __init__(self, params, out, extra, trial=None, ask_time=0.0):
        self.params = params
        self.out = out
        self.extra = extra
        self.trial = trial
        self.ask_time = ask_time

    @property
    def failed(self):
        """Whether a fit failed on any fold (its scores are ``error_score``)."""
        return any(o["fit_error"] is not None for o in self.out)

    def test_scores(self):
        """The test scores of the first fold that fitted, or None."""
        return next(
            (o["test_scores"] for o in self.out if o["fit_error"] is None), None
        )

    def mean_test(self, metric):
        """Mean test score of ``metric`` over the folds; NaN for a failure.

        A candidate is a failure when a fit failed or its mean is not finite.
        """
        if self.failed:
            return np.nan
        scores = [
            o["test_scores"][metric]
            if isinstance(o["test_scores"], dict)
            else o["test_scores"]
            for o in self.out
        ]
        value = float(np.mean(np.asarray(scores, dtype=float)))
        return value if np.isfinite(value) else np.nan
