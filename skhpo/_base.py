"""The shared base of every skhpo search.

:class:`BaseSearch` keeps scikit-learn's public contract by deriving from
``sklearn.model_selection._search.BaseSearchCV`` (delegation of ``predict`` and
friends, ``score``, tags, metadata routing) and replaces its ``fit`` with one
that freezes the CV splits once, evaluates candidates through
:class:`skhpo._engine.Evaluator`, builds ``cv_results_`` with
:func:`skhpo._results.format_results`, warns once about failures and keeps the
finished evaluations when the search is interrupted.

A search subclass is its algorithm: ``_run_search(evaluator)`` makes the
search's policy (:mod:`skhpo.schedulers`) and runs it with ``evaluator.run``.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from abc import abstractmethod
from collections import Counter
from numbers import Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, get_tags, indexable

from ._engine import Evaluator
from ._log import RunLog, plural
from ._objectives import TIMES, objective_matrix, parse_objectives
from ._pareto import pareto_ranks
from ._results import format_results, select_best_index, timing_columns
from .storage import Journal, Record
from .storage._fingerprint import fingerprint
from .utils._sklearn_compat import (
    HAS_CALLBACKS,
    INCONSISTENT_SPLITS,
    BaseSearchCV,
    Interval,
    check_method_params,
    fit_context,
    has_callbacks,
    propagate_callbacks,
)
from .utils._warnings import user_stacklevel

__all__ = [
    "BaseSearch",
    "check_initial_params",
    "check_param_names",
    "search_seed",
    "with_shared_docs",
]

_NO_FITS = (
    "No fits were performed. Was the CV iterator empty? Were there no candidates?"
)


# what fit sets, besides n_splits_
_FITTED = (
    "cv_results_",
    "best_index_",
    "best_score_",
    "best_params_",
    "best_estimator_",
    "refit_time_",
    "feature_names_in_",
    "scorer_",
    "multimetric_",
    "pareto_front_",
    "fit_errors_",
)


#: What every search shares in its docstring: the parameters scikit-learn's
#: searches have, those that make a search durable (warm starts, budgets,
#: storage), the fitted attributes of every search and the timing columns of
#: ``cv_results_``; a docstring says ``%(name)s`` where one goes.
_SHARED_DOCS = {
    "scoring": """\
scoring : str, callable, list, tuple or dict, default=None
        How a candidate fitted on a fold's training part is scored on its
        held-out part, as in
        :class:`~sklearn.model_selection.RandomizedSearchCV`. One metric: a
        scorer's name (see :func:`sklearn.metrics.get_scorer_names`), a
        callable ``scorer(estimator, X, y)`` returning a number, or None for
        the estimator's ``score`` method. Several metrics: a list or tuple of
        scorer names, a dict of names to such callables, or a callable
        returning a dict of names to numbers; ``cv_results_`` then has the
        columns of each metric, ``refit`` names the one that chooses the best
        candidate and ``objective`` the one the search follows.""",
    "n_jobs": """\
n_jobs : int, default=None
        Number of fits (one candidate on one fold each) run in parallel on
        joblib's active backend (see :class:`joblib.parallel_config`; with the
        ``"dask"`` backend, on a cluster). None means 1 unless a joblib
        context sets it; -1 means all processors.""",
    "refit": """\
refit : bool, str or callable, default=True
        Fit the best candidate on the whole data once the search ends, as
        ``best_estimator_``, so that the search can ``predict``, ``score``
        and so on. With several metrics in ``scoring``, the name of the
        metric that chooses the best candidate: ``best_index_``,
        ``best_score_`` and ``best_params_`` are set only then. With one
        metric, False skips the refit and still sets them. A callable takes
        ``cv_results_`` and returns ``best_index_``; ``best_score_`` is then
        not set. ``error_score`` does not apply to the refit: its errors are
        raised.""",
    "cv": """\
cv : int, cross-validation generator or iterable, default=None
        The cross-validation splitting strategy, as in
        :class:`~sklearn.model_selection.RandomizedSearchCV`: None for 5
        folds, an int for that many folds
        (:class:`~sklearn.model_selection.StratifiedKFold` for a classifier
        and a binary or multiclass ``y``,
        :class:`~sklearn.model_selection.KFold` otherwise, neither
        shuffled), a CV splitter, or an iterable of ``(train, test)`` index
        arrays. The splits are computed once per ``fit``: every candidate is
        scored on the same folds.""",
    "verbose": """\
verbose : int, default=0
        What the search prints on the standard output as it runs: ``1`` its
        plan, each stage of the algorithm (a batch, a rung, a generation) and
        its end; ``2`` also one line per candidate (each row of
        ``cv_results_``) with its score, the best so far, its time, the
        elapsed time and an estimate of the time left; ``3`` also one line
        per fit with its fold and score, in scikit-learn's format. The same
        messages are log records of the ``"skhpo.search"`` logger (INFO; the
        fits' DEBUG) whatever ``verbose``: configure :mod:`logging` to keep
        them, with their times.""",
    "pre_dispatch": """\
pre_dispatch : int or str, default="2*n_jobs"
        Most fits handed to the joblib backend at once, the others waiting in
        the search until a worker frees: a number, or an expression of
        ``n_jobs`` (the number of workers) such as ``"2*n_jobs"``. Never
        fewer than the number of workers; with one worker, or with
        ``fit_timeout``, one fit per worker.""",
    "error_score": """\
error_score : "raise" or float, default=np.nan
        Score of a fold whose fit fails (or runs past ``fit_timeout``). The
        search warns once at its end, with a
        :class:`~sklearn.exceptions.FitFailedWarning` that sums up the
        errors, and raises only if every fit failed. ``"raise"`` raises the
        first error.""",
    "return_train_score": """\
return_train_score : bool, default=False
        Whether to score each fit on its training part too: ``cv_results_``
        then has ``split<k>_train_<metric>``, ``mean_train_<metric>`` and
        ``std_train_<metric>``. Training scores show over- and underfitting
        but cost a scoring of the larger part.""",
    "storage": """\
storage : str or path-like, default=None
        An SQLite file (created if missing) where the search writes each
        evaluation as it finishes, with what it needs to go on: calling
        ``fit`` again with the same arguments and the same ``storage`` after
        any stop (Ctrl-C, a killed process, a power loss) resumes the search,
        fitting nothing that had finished, and ends with the ``cv_results_``
        of an uninterrupted run. Models the search continues (with a
        ``partial_fit`` or warm-start resource, or PBT's members) are kept in
        it as pickles, read back only when resuming: resume only from storage
        you wrote. :func:`skhpo.load_results` and ``python -m skhpo show``
        read it, also while the search runs. None keeps nothing.""",
    "max_time": """\
max_time : float, default=None
        Seconds for the whole search: nothing new starts after them, the fits
        running then get one round (the longest fold so far) to finish, and
        the search ends as a fitted search with what finished (the refit
        included), with a warning. With ``n_jobs=1`` the time is checked
        between fits, so a fit that hangs holds it: set ``fit_timeout`` too.
        None: no limit.""",
    "fit_timeout": """\
fit_timeout : float, default=None
        Seconds for one fit: a fit past them is stopped and its fold scored
        ``error_score``, with a warning naming the candidate and the fold. In
        worker processes (loky, multiprocessing) and with ``n_jobs=1`` in the
        main thread, the fit is interrupted and the worker goes on; one that
        cannot be interrupted (stuck in compiled code) has its worker
        replaced. Threads cannot be stopped: with the threading backend or on
        dask, the search gives up on the fit (a fresh thread takes the place
        of a threading backend's), which runs on by itself until it ends; the
        search never waits on it. With ``n_jobs=1`` outside the main thread
        (inside a ``NestedCV`` with ``n_jobs``), or when the caller has its own
        interval timer running, a fit in the driver cannot be interrupted:
        the limit then applies to none. None: no limit.""",
    "initial_params": """\
initial_params : dict, list of dicts or "current", default=None
        Candidates evaluated first, before any other (``proposed_by`` or the
        sampler's source ``"initial_params"``): known-good settings, or
        ``"current"`` for the estimator's current values (its defaults, as a
        baseline that the search must beat). A dict may name some of the
        searched parameters only; the others take the estimator's current
        values. Each must be a point of the space.""",
    "fitted_attributes": """\
scorer_ : callable or dict of str to callable
        The scorer, or the scorers of several metrics by name, used on the
        held-out parts.

    n_splits_ : int
        Number of cross-validation folds.

    refit_time_ : float
        Seconds spent refitting the best candidate on the whole data (set
        when ``refit``).

    multimetric_ : bool
        Whether several metrics were scored.

    fit_errors_ : dict of str to int
        The failed fits' errors (the last line of each: exception and
        message) and how many fits each failed, most frequent first; empty
        when no fit failed.

    classes_ : ndarray of shape (n_classes,)
        The class labels, those of ``best_estimator_`` (classifiers, when
        ``refit``).

    n_features_in_ : int
        Number of features seen during ``fit``, that of ``best_estimator_``
        (when ``refit``).

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of the features seen during ``fit``, those of
        ``best_estimator_`` (when ``refit`` and ``X`` has string column
        names).""",
    "timing_columns": """\
Last come the columns of when and where each fold ran (seconds since
        the search began, a resumed search counting from its first start):
        ``split<k>_start_time`` and ``split<k>_end_time``,
        ``split<k>_worker`` (``"host:pid"``, with ``"/thread"`` for a thread
        of a process; None when no worker's result came back) and
        ``split<k>_status`` (``"ok"``, ``"failed"``, ``"timed_out"`` or
        ``"lost"`` with its worker), then per row ``start_time`` (the first
        fold's start) and ``end_time`` (the last fold's end).""",
}


def with_shared_docs(cls):
    """Put the documentation every search shares in ``cls``'s docstring: each
    entry of ``_SHARED_DOCS`` where the docstring says ``%(name)s``."""
    doc = cls.__doc__
    for name, text in _SHARED_DOCS.items():
        doc = doc.replace(f"%({name})s", text)
    cls.__doc__ = doc
    return cls


def search_seed(random_state):
    """The seed every generator of a search derives from."""
    return check_random_state(random_state).randint(np.iinfo(np.int32).max)


def check_param_names(estimator, space, *, param_name="param_distributions"):
    """Raise, naming the parameter, if ``estimator`` cannot take a point of
    ``space``. Names among ``get_params(deep=True)`` are accepted; otherwise one
    point of the sub-space is set on a clone, as the search will (so a searched
    step's own parameters, ``clf__svc__C``, are accepted)."""
    rng = np.random.default_rng(0)
    known = estimator.get_params(deep=True)
    for sub in space.subspaces:
        example = sub.rvs(1, rng)[0]
        # the shortcut holds only when no searched step is replaced together
        # with its own parameters ({"clf": [SVC()], "clf__C": ...})
        nested = any(n.startswith(k + "__") for k in example for n in example)
        if (not nested and set(example) <= set(known)) or _sets(estimator, example):
            continue
        for name in sorted(example):  # name the first one that cannot be set
            with_steps = {
                key: value
                for key, value in example.items()
                if name == key or name.startswith(key + "__")
            }
            if not _sets(estimator, with_steps):
                raise ValueError(
                    f"{param_name}: invalid parameter {name!r} for estimator "
                    f"{estimator!r}; valid parameters are "
                    f"{sorted(estimator.get_params(deep=True))!r}."
                )


def check_initial_params(initial_params, estimator, space):
    """The candidates ``(subspace, params)`` that ``initial_params`` gives.

    ``initial_params`` is None, a dict or a list of dicts of searched
    parameters (the ones a dict leaves out take the estimator's current
    values), or ``"current"``: the estimator's current values. Raises,
    naming the entry and the parameter, for a name that is not searched or a
    value outside the space.
    """
    if initial_params is None:
        return []
    if isinstance(initial_params, str):
        if initial_params != "current":
            raise ValueError(
                f"initial_params={initial_params!r}: a string must be "
                "'current' (the estimator's current values)."
            )
        initial_params = [{}]
    elif isinstance(initial_params, dict):
        initial_params = [initial_params]
    current = estimator.get_params(deep=True)
    found = []
    for i, given in enumerate(initial_params):
        if not isinstance(given, dict):
            raise TypeError(
                f"initial_params[{i}] must be a dict of parameters, got {given!r}."
            )
        candidate, reasons = locate(given, space, current)
        if candidate is None:
            where = "" if len(reasons) == 1 else " in every sub-space"
            raise ValueError(
                f"initial_params[{i}] = {given!r} is not a point of the "
                f"space{where}: {' | '.join(reasons)}."
            )
        found.append(candidate)
    return found


def locate(given, space, current=None):
    """``((subspace, params), [])`` for the first sub-space of ``space`` that
    has ``given`` as a point (names it leaves out taken from ``current``),
    or ``(None, reasons)``: why each sub-space has not."""
    current = current or {}
    reasons = []
    for k, sub in enumerate(space.subspaces):
        unknown = sorted(set(given) - set(sub.names))
        if unknown:
            reasons.append(
                f"{', '.join(map(repr, unknown))} not searched (searched: "
                f"{sub.names!r})"
            )
            continue
        params = {n: given[n] if n in given else current.get(n) for n in sub.names}
        outside = [
            f"{name}={params[name]!r} is outside {dim!r}"
            + ("" if name in given else " (the estimator's current value)")
            for name, dim in sub.to_dict().items()
            if not dim.contains(params[name])
        ]
        if outside:
            reasons.append("; ".join(outside))
            continue
        return (k, params), []
    return None, reasons


def _sets(estimator, params):
    try:
        clone(estimator).set_params(**clone(params, safe=False))
    except ValueError:
        return False
    return True


class BaseSearch(BaseSearchCV):
    """Base class of skhpo's searches (abstract).

    Subclasses implement ``_run_search(evaluator)``, may override
    ``_check_search_params()`` (called before any fit) and
    ``_max_candidates()`` (for progress callbacks).
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "storage": [str, os.PathLike, None],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "fit_timeout": [Interval(Real, 0, None, closed="neither"), None],
        "initial_params": [list, dict, str, None],
    }
    # fitted attributes of a subclass, dropped with the others when fit fails
    _fitted_extra: tuple = ()

    @abstractmethod
    def __init__(
        self,
        estimator,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )

    # ----------------------------------------------------------- hooks
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A search over an estimator that accepts missing values accepts them.
        tags.input_tags.allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return tags

    def _check_search_params(self):
        """Validate the search's own parameters; raise before any fit."""

    def _max_candidates(self):
        """Upper bound of the number of trials (rows of ``cv_results_``), or
        None if unknown."""
        return None

    # what the search's log says (see :mod:`skhpo._log`)
    def _describe_plan(self, n_splits, planned):
        """The first line of a run: what it will fit."""
        if planned is None:
            return f"Fitting {n_splits} folds for each candidate"
        return (
            f"Fitting {n_splits} folds for each of "
            f"{plural(planned, 'candidate')}, totalling "
            f"{plural(planned * n_splits, 'fit')}"
        )

    def _describe_trial(self, trial):
        """How the log names a trial: its row of ``cv_results_``."""
        return f"candidate {trial.id}"

    def _describe_event(self, event):
        """A line for one of the policy's events (None: nothing to say)."""
        return None

    def _log_metric(self):
        """The metric whose best the log follows."""
        objective = getattr(self, "_objective", None)
        if isinstance(objective, str):
            return objective
        if isinstance(self.refit, str):
            return self.refit
        if isinstance(self.scoring, (list, tuple, set, dict)):
            return next(iter(self.scoring))  # no metric chosen: the first
        return "score"

    @abstractmethod
    def _run_search(self, evaluator):
        """Run the search's policy with ``evaluator.run``."""

    def _setup(self, X, y, splits):
        """Check what depends on the data; called before any fit."""

    def _ordered_results(self, results):
        """The finished results in ``cv_results_`` row order: the order their
        trials were asked for."""
        return sorted(results, key=lambda r: r.trial.id)

    def _rank_first_by(self, results):
        """Per-row values ranked before the scores (higher first), or None."""
        return None

    # scikit-learn's hook: the best row of ``cv_results_`` (a static method)
    _select_best_index = staticmethod(select_best_index)

    def _more_results(self, results):
        """Extra ``cv_results_`` columns: by default the proposals' ``extra``."""
        keys = dict.fromkeys(key for r in results for key in r.extra or {})
        return {key: [(r.extra or {}).get(key) for r in results] for key in keys}

    # ------------------------------------------------------------- fit
    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Run the search.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
            Training data; a square kernel or distance matrix for a pairwise
            estimator.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the CV
            splitter (``groups``). Arrays of length ``n_samples`` are split with
            ``X``. With metadata routing enabled, they are routed as requested.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._check_search_params()
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = check_method_params(X, params=params)
        routed_params = self._get_routed_params_for_fit(params)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        n_splits = cv.get_n_splits(X, y, **routed_params.splitter.split)
        # frozen once, used by every candidate
        splits = list(cv.split(X, y, **routed_params.splitter.split))
        if len(splits) != n_splits:
            raise ValueError(
                INCONSISTENT_SPLITS.format(n_splits=n_splits, n_found=len(splits))
            )
        if not splits:
            raise ValueError(_NO_FITS)
        self._checked_cv_orig = cv
        self.n_splits_ = n_splits
        self._setup(X, y, splits)
        self._seed = search_seed(getattr(self, "random_state", None))

        metadata = (
            {"sample_weight": params["sample_weight"]}
            if params.get("sample_weight") is not None
            else None
        )
        root_ctx = search_ctx = None
        if HAS_CALLBACKS:
            root_ctx = self._init_callback_context(
                max_subtasks=1 + (self.refit is not False)
            ).call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
            max_cand = self._max_candidates()
            search_ctx = root_ctx.subcontext(
                task_name="search",
                max_subtasks=None if max_cand is None else max_cand * n_splits,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self)

        base_estimator = clone(self.estimator)
        evaluator = Evaluator(
            base_estimator,
            X,
            y,
            splits,
            scorer=scorers,
            fit_params=routed_params.estimator.fit,
            score_params=routed_params.scorer.score,
            return_train_score=self.return_train_score,
            error_score=self.error_score,
            n_jobs=self.n_jobs,
            pre_dispatch=self.pre_dispatch,
            # per-fold contexts only when some callback will read them
            callback_ctx=search_ctx if has_callbacks(self) else None,
            caller=self,
            max_time=getattr(self, "max_time", None),
            fit_timeout=getattr(self, "fit_timeout", None),
        )
        self._log = RunLog(self, n_splits, self._max_candidates())
        self._log.begin()
        # held from here to the end of the run, whatever happens
        journal, record = self._open_storage(X, y, splits, routed_params.estimator.fit)
        evaluator.record = record
        # the times of cv_results_ count from the search's first start
        self._origin = time.time() if record is None else record.scope.created
        try:
            self._run_search(evaluator)
            expired = evaluator.stats["expired"]
            stopped = evaluator.stats["stopped"]
            self._log.end(evaluator.results, stopped=stopped, expired=expired)
            if record is not None:
                record.finish(
                    "max_time" if expired else "stopped" if stopped else "done"
                )
        except BaseException:
            # an interrupted search keeps what it finished, and nothing of an
            # earlier fit
            for name in _FITTED + self._fitted_extra:
                self.__dict__.pop(name, None)
            if evaluator.results:
                try:
                    self._store_results(evaluator.results, refit_metric, warn=False)
                except Exception:  # never mask the original exception
                    pass
            self._drop_run_state()
            if record is not None:
                try:
                    record.finish("stopped")
                except Exception:  # never mask the original exception
                    pass
            raise
        finally:
            if journal is not None:
                journal.release()
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        if stopped and not evaluator.results:
            self._drop_run_state()
            raise ValueError(
                "A callback asked the search to stop before any candidate "
                "finished: there is nothing to choose from."
            )
        if expired and not evaluator.results:
            self._drop_run_state()
            raise ValueError(
                f"max_time={self.max_time:g} s ended the search before any "
                "candidate finished: give it more time"
                + (
                    ", or call fit again to go on (storage)."
                    if self.storage is not None
                    else "."
                )
            )
        if expired:
            resume = (
                " Call fit again to go on from there (storage)."
                if self.storage is not None
                else ""
            )
            warnings.warn(
                f"max_time={self.max_time:g} s ended the search: "
                f"{len(evaluator.results)} evaluations finished, which "
                f"cv_results_ holds; nothing new started after it.{resume}",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        if not evaluator.results:
            self._drop_run_state()
            raise ValueError(_NO_FITS)
        try:
            refit_metric = self._store_results(evaluator.results, refit_metric)
        finally:
            self._drop_run_state()

        if self.refit:
            self.best_estimator_ = clone(base_estimator).set_params(
                **clone(self.best_params_, safe=False)
            )

            def refit():  # refit_time_ times the fit alone, as scikit-learn's
                start = time.time()
                self._refit(X, y, routed_params.estimator.fit)
                self.refit_time_ = time.time() - start

            if root_ctx is not None:
                refit_ctx = root_ctx.subcontext(task_name="refit-with-best-params")
                with propagate_callbacks(refit_ctx, self.best_estimator_):
                    refit_ctx.call_on_fit_task_begin(
                        estimator=self, X=X, y=y, metadata=metadata
                    )
                    refit()
                refit_ctx.call_on_fit_task_end(
                    estimator=self, X=X, y=y, metadata=metadata
                )
            else:
                refit()
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_

        self.scorer_ = getattr(scorers, "_scorers", scorers)
        if root_ctx is not None:
            root_ctx.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)
        return self

    def _open_storage(self, X, y, splits, fit_params):
        """The journal of ``storage`` and this search's record in it, or
        ``(None, None)``; a resumed search takes the seed it began with."""
        if self.storage is None:
            return None, None
        journal = Journal.acquire(self.storage)
        try:
            scope = journal.scope(
                getattr(self, "_storage_scope", ""),
                search=type(self).__name__,
                fingerprint=fingerprint(self, X, y, splits, fit_params),
                seed=self._seed,
                planned=self._max_candidates(),
                n_splits=len(splits),
            )
        except BaseException:
            journal.release()
            raise
        self._seed = scope.seed
        return journal, Record(scope, _choices(getattr(self, "_space", None)))

    def _run_policy(self, evaluator, policy, *, asynchronous=False, to_job=None):
        """Run ``policy`` (one of :mod:`skhpo.schedulers`) to its end.

        An asynchronous policy decides as results arrive, so it is offered
        only enough trials for every worker to have a fold running and one
        waiting, and two more (more would be decided on staler results); the
        others limit themselves (a lag, a rung, a generation).
        """
        self._policy = policy
        capacity = None
        if asynchronous:
            capacity = math.ceil(2 * evaluator.n_workers() / evaluator.n_splits) + 2
        evaluator.run(
            policy,
            score=self._score,
            to_job=to_job,
            capacity=capacity,
            log=self._log,
        )

    def _drop_run_state(self):
        """Forget the policy of the run (and what it holds) once its results
        are stored: a fitted search keeps its results, not its machinery."""
        for name in (
            "_policy",
            "_stats",
            "_objective_known",
            "_seed",
            "_origin",
            "_log",
        ):
            self.__dict__.pop(name, None)

    def _refit(self, X, y, fit_params):
        if y is None:
            self.best_estimator_.fit(X, **fit_params)
        else:
            self.best_estimator_.fit(X, y, **fit_params)

    # --------------------------------------------------------- results
    def _store_results(self, results, refit_metric, warn=True):
        """Set ``cv_results_`` and the ``best_*`` attributes from ``results``."""
        results = self._ordered_results(results)
        out = [o for r in results for o in r.out]
        if warn:
            _warn_or_raise_about_fit_failures(out, self.error_score)
        self.fit_errors_ = _error_counts(out)
        if callable(self.scoring):
            _insert_error_scores(out, self.error_score)
        self.multimetric_ = isinstance(out[0]["test_scores"], dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(out[0]["test_scores"])
            refit_metric = self.refit
        cv_results = format_results(
            [r.params for r in results],
            len(results[0].out),
            out,
            return_train_score=self.return_train_score,
            more_results=self._more_results(results),
            rank_first_by=self._rank_first_by(results),
        )
        cv_results.update(timing_columns(out, len(results[0].out), self._origin))
        if getattr(self, "_objectives", None) is not None:
            cv_results["rank_pareto"] = self._pareto_ranks(cv_results)
            self.pareto_front_ = np.flatnonzero(cv_results["rank_pareto"] == 1)
        if warn:
            _warn_about_non_finite(cv_results)
        self.cv_results_ = cv_results
        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(
                self.refit, refit_metric, cv_results
            )
            if not callable(self.refit):
                self.best_score_ = cv_results[f"mean_test_{refit_metric}"][
                    self.best_index_
                ]
            self.best_params_ = cv_results["params"][self.best_index_]
        return refit_metric

    def _pareto_ranks(self, cv_results):
        """Non-dominated sorting of the rows by their objectives: rank 1 is the
        Pareto front; rows at a lower resource than the largest (multi-
        fidelity searches) and failures rank after every other."""
        points = objective_matrix(cv_results, self._objectives)
        if "n_resources" in cv_results:
            levels = np.asarray(cv_results["n_resources"])
            points[levels != levels.max()] = np.nan
        return pareto_ranks(points)

    def _check_objective(self, objective, *, needed=True):
        """The metric a model-based search optimises, checked before any fit.

        Returns its name, or None when ``scoring`` is a callable whose return
        type is only known after a fit (see :meth:`_resolve_objective`).
        ``needed=False`` when nothing will be optimised (a whole grid).

        A list names several objectives (:mod:`skhpo._objectives`): they are
        set as ``self._objectives``, and the first metric among them is
        returned (the one logs follow).
        """
        self._objectives = None
        if isinstance(objective, (list, tuple)):
            metrics = None
            if isinstance(self.scoring, (list, tuple, set, dict)):
                metrics = list(self.scoring)
            elif not callable(self.scoring):
                metrics = ["score"]
            self._objectives = parse_objectives(objective, metrics)
            return next((o.name for o in self._objectives if o.name not in TIMES), None)
        if isinstance(self.scoring, (list, tuple, set, dict)):
            names = list(self.scoring)
            if objective is not None:
                if objective not in names:
                    raise ValueError(
                        f"objective={objective!r} is not one of the metrics in "
                        f"`scoring`: {sorted(names)!r}."
                    )
                return objective
            if isinstance(self.refit, str):
                return self.refit
            if needed:
                refit = "a callable" if callable(self.refit) else repr(self.refit)
                raise ValueError(
                    f"With several metrics in `scoring` and `refit` {refit}, set "
                    "`objective` to the name of the metric to optimise (the "
                    "search needs one to decide which candidates to pursue)."
                )
            return None
        if callable(self.scoring):
            return objective
        if objective not in (None, "score"):
            raise ValueError(
                f"objective={objective!r} names a metric, but `scoring` has one "
                "metric only; leave `objective` to None."
            )
        return "score"

    def _score(self, result):
        """The objective's mean test score of a finished trial (NaN if failed).

        For searches that set ``self._objective`` with :meth:`_check_objective`
        and decide from each trial's score as it finishes. With a callable
        ``scoring``, the objective is checked against what it returns for the
        first trial that fits.
        """
        objectives = self._objectives
        if callable(self.scoring) and not getattr(self, "_objective_known", False):
            known = result.test_scores()
            if known is None:
                failed = np.full(len(objectives or [0]), np.nan)
                return failed if objectives is not None else np.nan
            if objectives is None:
                self._objective = self._resolve_objective(self.objective, known)
            else:
                metrics = list(known) if isinstance(known, dict) else ["score"]
                parse_objectives(self.objective, metrics)
            self._objective_known = True
        if objectives is not None:
            return np.array([o.value(result) for o in objectives])
        return result.mean_test(self._objective)

    def _resolve_objective(self, objective, test_scores):
        """The optimised metric once a callable ``scoring`` returned ``test_scores``."""
        if not isinstance(test_scores, dict):
            return self._check_objective(objective) or "score"
        if objective is None:
            if not isinstance(self.refit, str):
                # scikit-learn's message when refit names no metric
                self._check_refit_for_multimetric(test_scores)
                raise ValueError(
                    "`scoring` returns several metrics and `refit` is "
                    f"{self.refit!r}: set `objective` to the metric to optimise, "
                    f"one of {sorted(test_scores)!r}."
                )
            objective = self.refit
        if objective not in test_scores:
            raise ValueError(
                f"objective={objective!r} is not one of the metrics `scoring` "
                f"returns: {sorted(test_scores)!r}."
            )
        return objective


def _choices(space):
    """Per parameter name, the categories ``space`` lists (every sub-space's)."""
    choices = {}
    for sub in getattr(space, "subspaces", ()):
        for name, dimension in sub.to_dict().items():
            categories = getattr(dimension, "categories", None)
            if categories is not None:
                choices.setdefault(name, []).extend(categories)
    return choices


def _insert_error_scores(out, error_score):
    """Turn the number-valued scores of failed fits into dicts (callable scoring)."""
    successful = next((o["test_scores"] for o in out if o["fit_error"] is None), None)
    if successful is None:
        return
    if isinstance(successful, dict):
        for o in out:
            if o["fit_error"] is not None:
                o["test_scores"] = {name: error_score for name in successful}
                if "train_scores" in o:
                    o["train_scores"] = {name: error_score for name in successful}


def _error_counts(out):
    """``{message: number of fits}`` of the failed fits, most frequent first:
    the last line of each error (its exception and message)."""
    messages = Counter(
        next((ln for ln in reversed(o["fit_error"].splitlines()) if ln.strip()), "")
        for o in out
        if o["fit_error"] is not None
    )
    return dict(messages.most_common())


def _warn_or_raise_about_fit_failures(out, error_score):
    errors = [o["fit_error"] for o in out if o["fit_error"] is not None]
    if not errors:
        return
    counter = Counter(errors)
    delimiter = "-" * 80 + "\n"
    summary = "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{error}"
        for error, n in counter.items()
    )
    if len(errors) == len(out):
        raise ValueError(
            f"\nAll the {len(out)} fits failed.\n"
            "It is very likely that your model is misconfigured.\n"
            "You can try to debug the error by setting error_score='raise'.\n\n"
            f"The first error was:\n{errors[0]}\n"
            f"Below are more details about the failures:\n{summary}"
        )
    warnings.warn(
        f"\n{len(errors)} fits failed out of a total of {len(out)}.\n"
        "The score on these train-test partitions for these parameters"
        f" will be set to {error_score}.\n"
        "If these failures are not expected, you can try to debug them "
        "by setting error_score='raise'.\n\n"
        f"Below are more details about the failures:\n{summary}",
        FitFailedWarning,
    )


def _warn_about_non_finite(cv_results):
    for key in ("test", "train"):
        for name in list(cv_results):
            if not name.startswith(f"mean_{key}_"):
                continue
            means = cv_results[name]
            if np.any(~np.isfinite(means)):
                warnings.warn(
                    f"One or more of the {key} scores are non-finite: {means}",
                    category=UserWarning,
                )
