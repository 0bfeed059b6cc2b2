"""Test doubles with known behaviour, for skhpo's tests and benchmarks.

Each is a small scikit-learn estimator whose score, failure or timing is known
in advance, so that a search's behaviour can be checked exactly.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.utils.validation import validate_data

__all__ = [
    "AnalyticRegressor",
    "EpochClassifier",
    "GrowingEnsemble",
    "RefitEnsemble",
    "ScheduleRegressor",
    "FailingClassifier",
    "KnownEffectsRegressor",
    "InterruptingClassifier",
    "NaNScoringClassifier",
    "SleepingClassifier",
    "branin",
    "is_run_detail",
    "PropagatedRecorder",
    "Recorder",
]


def is_run_detail(key: str) -> bool:
    """Whether a ``cv_results_`` key says how a run went rather than what it
    found: times (``*_time``) and workers (``split<k>_worker``), which differ
    between two runs that find the same."""
    return key.endswith(("_time", "_worker"))


def branin(x1: float, x2: float) -> float:
    """The Branin function on [-5, 10] x [0, 15]; minimum 0.397887."""
    a, b, c = 1.0, 5.1 / (4 * math.pi**2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


class _FitRecorder(BaseEstimator):
    """Fits nothing; validates and remembers the data, predicts a constant."""

    def fit(self, X, y=None, **fit_params):
        X, y = validate_data(self, X, y, accept_sparse=True, ensure_min_samples=1)
        if is_classifier(self):
            self.classes_ = np.unique(y)
        self.fit_params_ = fit_params
        return self

    def predict(self, X):
        X = validate_data(self, X, accept_sparse=True, reset=False)
        if is_classifier(self):
            return np.full(X.shape[0], self.classes_[0])
        return np.zeros(X.shape[0])


class AnalyticRegressor(RegressorMixin, _FitRecorder):
    """``score`` returns ``-function(**params)``: a known objective to maximise.

    Parameters
    ----------
    x1, x2 : float
        Hyperparameters.
    kind : str
        A categorical hyperparameter; ``"good"`` adds nothing, anything else
        subtracts 10.
    n : int
        An integer hyperparameter; adds ``-0.1 * (n - 3) ** 2``.
    function : callable, default=None
        ``function(x1, x2) -> float`` to minimise; None means :func:`branin`.
    fit_time : float, default=0.0
        Seconds slept in ``fit``.
    """

    def __init__(self, x1=0.0, x2=0.0, kind="good", n=3, function=None, fit_time=0.0):
        self.x1 = x1
        self.x2 = x2
        self.kind = kind
        self.n = n
        self.function = function
        self.fit_time = fit_time

    def fit(self, X, y=None, **fit_params):
        if self.fit_time:
            time.sleep(self.fit_time)
        return super().fit(X, y, **fit_params)

    def objective(self):
        """The value ``score`` returns (higher is better)."""
        function = self.function or branin
        value = -function(self.x1, self.x2)
        value -= 0.0 if self.kind == "good" else 10.0
        value -= 0.1 * (self.n - 3) ** 2
        return value

    def score(self, X, y=None, sample_weight=None):
        return self.objective()


class KnownEffectsRegressor(RegressorMixin, _FitRecorder):
    """``score`` returns ``function(c=c, n=n, kind=kind, d=d)``: known effects.

    For checking importance analyses against the variance shares of a
    function known in closed form.

    Parameters
    ----------
    c : float
        A hyperparameter meant to be searched on a log scale.
    n : int
        An integer hyperparameter.
    kind : str
        A categorical hyperparameter.
    d : float
        A hyperparameter meant to be searched on a linear scale.
    function : callable, default=None
        ``function(c=, n=, kind=, d=) -> float``; None scores 0.
    """

    def __init__(self, c=1.0, n=1, kind="a", d=0.5, function=None):
        self.c = c
        self.n = n
        self.kind = kind
        self.d = d
        self.function = function

    def score(self, X, y=None, sample_weight=None):
        if self.function is None:
            return 0.0
        return float(self.function(c=self.c, n=self.n, kind=self.kind, d=self.d))


class FailingClassifier(ClassifierMixin, _FitRecorder):
    """Fails in ``fit`` when ``parameter`` is in ``fail_on``; scores ``parameter``."""

    def __init__(self, parameter=0, fail_on=(1,)):
        self.parameter = parameter
        self.fail_on = fail_on

    def fit(self, X, y=None, **fit_params):
        if self.parameter in self.fail_on:
            raise ValueError(
                f"Failing classifier failed as required (parameter={self.parameter})"
            )
        return super().fit(X, y, **fit_params)

    def score(self, X, y=None, sample_weight=None):
        return float(self.parameter)


class NaNScoringClassifier(ClassifierMixin, _FitRecorder):
    """Scores ``parameter``, except NaN when ``parameter`` is in ``nan_on`` and
    ``+inf`` when it is in ``inf_on``."""

    def __init__(self, parameter=0, nan_on=(1,), inf_on=()):
        self.parameter = parameter
        self.nan_on = nan_on
        self.inf_on = inf_on

    def score(self, X, y=None, sample_weight=None):
        if self.parameter in self.nan_on:
            return float("nan")
        if self.parameter in self.inf_on:
            return float("inf")
        return float(self.parameter)


class InterruptingClassifier(ClassifierMixin, _FitRecorder):
    """Raises ``KeyboardInterrupt`` in ``fit`` when ``parameter == interrupt_on``,
    as a user pressing Ctrl-C would; scores ``parameter``."""

    def __init__(self, parameter=0, interrupt_on=3):
        self.parameter = parameter
        self.interrupt_on = interrupt_on

    def fit(self, X, y=None, **fit_params):
        if self.parameter == self.interrupt_on:
            raise KeyboardInterrupt
        return super().fit(X, y, **fit_params)

    def score(self, X, y=None, sample_weight=None):
        return float(self.parameter)


class SleepingClassifier(ClassifierMixin, _FitRecorder):
    """Sleeps ``duration`` seconds in ``fit`` (a hanging or slow fit); scores
    ``-duration`` so that faster settings look better."""

    def __init__(self, duration=0.0):
        self.duration = duration

    def fit(self, X, y=None, **fit_params):
        time.sleep(self.duration)
        return super().fit(X, y, **fit_params)

    def score(self, X, y=None, sample_weight=None):
        return -float(self.duration)


class EpochClassifier(ClassifierMixin, _FitRecorder):
    """Trains in epochs: every ``partial_fit`` call is one epoch, recorded.

    ``score`` is ``quality * (1 - 0.5 ** n_epochs_)``: more epochs help, and
    ``quality`` orders the candidates at any number of epochs. ``fit`` starts
    over and trains ``max_iter`` epochs. Like scikit-learn's ``SGDClassifier``,
    the first ``partial_fit`` needs ``classes``.

    ``EpochClassifier.calls`` records ``(model_id, epoch, n_samples)`` for every
    call made in this process (a search with ``n_jobs=1``); clear it before use.
    """

    calls: list = []
    _ids = itertools.count()

    def __init__(self, quality=0.5, max_iter=5):
        self.quality = quality
        self.max_iter = max_iter

    def partial_fit(self, X, y, classes=None):
        X, y = validate_data(self, X, y, reset=not hasattr(self, "n_epochs_"))
        if not hasattr(self, "n_epochs_"):
            if classes is None:
                raise ValueError("classes must be passed on the first partial_fit")
            self.classes_ = np.asarray(classes)
            self.n_epochs_ = 0
            self.model_id_ = next(EpochClassifier._ids)
        self.n_epochs_ += 1
        EpochClassifier.calls.append((self.model_id_, self.n_epochs_, X.shape[0]))
        return self

    def fit(self, X, y):
        for name in ("n_epochs_", "model_id_", "classes_"):
            self.__dict__.pop(name, None)
        for _ in range(self.max_iter):
            self.partial_fit(X, y, classes=np.unique(y))
        return self

    def score(self, X, y=None, sample_weight=None):
        return self.quality * (1 - 0.5**self.n_epochs_)


class ScheduleRegressor(RegressorMixin, _FitRecorder):
    """A model whose best learning-rate schedule decays: PBT's known answer.

    Every ``partial_fit`` call is an epoch ``e`` (1, 2, ...) that gains
    ``exp(-((log10(lr) - log10(target(e))) / width) ** 2)``, where the ideal
    rate ``target(e) = start * decay ** (e - 1)`` falls by ``decay`` per
    epoch; ``score`` is the mean gain so far, 1 for a rate that followed the
    target exactly. Any constant rate scores less: the best schedule decays.
    ``lr`` is read at every epoch (it is mutable).
    """

    _skhpo_mutable = ("lr",)

    def __init__(self, lr=0.1, start=0.1, decay=0.8, width=0.3):
        self.lr = lr
        self.start = start
        self.decay = decay
        self.width = width

    def target(self, epoch):
        """The ideal rate at ``epoch`` (1-based)."""
        return self.start * self.decay ** (epoch - 1)

    def gain(self, lr, epoch):
        """What an epoch at rate ``lr`` adds."""
        distance = (math.log10(lr) - math.log10(self.target(epoch))) / self.width
        return math.exp(-(distance**2))

    def partial_fit(self, X, y=None):
        X = validate_data(self, X, reset=not hasattr(self, "n_epochs_"))
        if not hasattr(self, "n_epochs_"):
            self.n_epochs_ = 0
            self.gains_ = []
        self.n_epochs_ += 1
        self.gains_.append(self.gain(self.lr, self.n_epochs_))
        return self

    def predict(self, X):
        X = validate_data(self, X, reset=False)
        return np.full(X.shape[0], self.score(X))

    def score(self, X, y=None, sample_weight=None):
        return float(np.mean(self.gains_))


class GrowingEnsemble(ClassifierMixin, _FitRecorder):
    """An ensemble of ``n_estimators`` members that grows with ``warm_start``.

    ``GrowingEnsemble.log`` records ``(members_trained, from_scratch)`` for every
    ``fit`` in this process. ``score`` is ``quality * (1 - 0.9 ** n_members_)``.
    """

    log: list = []
    # declares that a warm fit adds members up to n_estimators (cumulative)
    _skhpo_warm_start = {"n_estimators": True}

    def __init__(self, quality=0.5, n_estimators=10, warm_start=False):
        self.quality = quality
        self.n_estimators = n_estimators
        self.warm_start = warm_start

    def fit(self, X, y=None):
        warm = self.warm_start and hasattr(self, "n_members_")
        trained = self.n_estimators - self.n_members_ if warm else self.n_estimators
        if trained < 0:
            raise ValueError("n_estimators must not shrink with warm_start")
        super().fit(X, y)
        self.n_members_ = self.n_estimators
        GrowingEnsemble.log.append((trained, not warm))
        return self

    def score(self, X, y=None, sample_weight=None):
        return self.quality * (1 - 0.9**self.n_members_)


class RefitEnsemble(ClassifierMixin, _FitRecorder):
    """:class:`GrowingEnsemble` without ``warm_start``: every ``fit`` trains all
    ``n_estimators`` members, recorded in ``RefitEnsemble.log``."""

    log: list = []

    def __init__(self, quality=0.5, n_estimators=10):
        self.quality = quality
        self.n_estimators = n_estimators

    def fit(self, X, y=None):
        super().fit(X, y)
        self.n_members_ = self.n_estimators
        RefitEnsemble.log.append(self.n_estimators)
        return self

    def score(self, X, y=None, sample_weight=None):
        return self.quality * (1 - 0.9**self.n_members_)


class Recorder:
    """A scikit-learn callback (``set_callbacks``) that records the tasks it
    sees, as ``(estimator class, task name, meta-estimator's task or None)``
    in ``begun`` and ``ended``, and the planned number of fold tasks of a
    search (``planned``); it asks the search to stop at the end of fold task
    ``stop_at`` (the fold tasks number the folds of the trials in order).

    In worker processes, a copy of it records: only the tasks run in the
    driver reach this one.
    """

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.begun, self.ended = [], []
        self.planned = None

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    @staticmethod
    def _task(estimator, context):
        return (type(estimator).__name__, context.task_name, context.source_task_name)

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.begun.append(self._task(estimator, context))
        if context.task_name == "search":
            self.planned = context.max_subtasks

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.ended.append(self._task(estimator, context))
        return (
            context.task_name == "candidate-split-evaluation"
            and context.task_id == self.stop_at
        )

    def names(self, which="begun"):
        """The task names only."""
        return [task[1] for task in getattr(self, which)]


class PropagatedRecorder(Recorder):
    """A :class:`Recorder` that meta-estimators hand to the estimators they
    fit, at every depth."""

    @property
    def max_propagation_depth(self):
        return None
