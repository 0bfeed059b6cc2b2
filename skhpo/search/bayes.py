"""BayesSearchCV: Bayesian optimisation with a Gaussian-process surrogate."""

from __future__ import annotations

import math
import os
import warnings
from numbers import Integral

import numpy as np

from .._base import (
    BaseSearch,
    check_initial_params,
    check_param_names,
    locate,
    with_shared_docs,
)
from .._log import plural
from .._pareto import pareto_front
from ..acquisition import ACQUISITION_NAMES, check_acq_kwargs
from ..schedulers import BayesPolicy
from ..space import check_space
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._warnings import user_stacklevel

__all__ = ["BayesSearchCV"]


@with_shared_docs
class BayesSearchCV(BaseSearch):
    """Bayesian optimisation over hyperparameters, with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.RandomizedSearchCV`:
    the same parameters and defaults, attributes and ``cv_results_``, but each
    candidate after a small space-filling initial design is chosen by a
    Gaussian-process model of the cross-validated score. With a few tens of
    candidates it finds good settings in fewer fits than random search; at
    the default 10 neither is reliably better (``docs/benchmarks.md``).

    Parameters
    ----------
    estimator : estimator object
        Fitted once per candidate and fold; must provide ``score`` if
        ``scoring`` is None.

    param_distributions : dict or list of dicts
        The space searched. Each value may be a list (its entries are the
        categories, as in scikit-learn), a ``scipy.stats`` frozen distribution or
        any object with an ``rvs`` method, or a :class:`skhpo.space.Real`,
        :class:`~skhpo.space.Integer` or :class:`~skhpo.space.Categorical`
        (scikit-optimize's ``Real``, ``Integer`` and ``Categorical`` are
        converted to these). A tuple that scikit-optimize reads as a range,
        ``(1, 32)`` or ``(1e-4, 1e-1, "log-uniform")``, is refused before any
        fit with the dimension to write instead; other tuples are categories,
        as in scikit-learn. A list of dicts is a set of conditional
        sub-spaces, searched jointly by one model. An empty dict evaluates
        the estimator as it is, once, as scikit-learn's searches do.

    n_iter : int, default=10
        Number of candidates evaluated. The default is
        :class:`~sklearn.model_selection.RandomizedSearchCV`'s, so that changing
        the class name changes how the candidates are chosen, not how many
        are fitted. Of 10 candidates, the first ``n_initial_points`` (4 to 6)
        are the initial design and the rest are proposed by the model; the
        model's first proposal needs two scores, so with ``batch_size``
        candidates in flight it is candidate ``batch_size + 1`` (counting from
        0) at the earliest, the ones before it being drawn at random: with
        many workers, raise ``n_iter`` for the model to matter.
        When the space is finite and not larger than ``n_iter``, every point
        is evaluated once, in :class:`~sklearn.model_selection.ParameterGrid`
        order (an empty space ``{}`` is one point: the estimator as it is).

    %(scoring)s

    %(n_jobs)s

    %(refit)s

    %(cv)s

    %(verbose)s

    %(pre_dispatch)s

    random_state : int, RandomState instance or None, default=None
        Seeds the initial design and the acquisition optimiser. The same value
        gives the same ``cv_results_`` for every ``n_jobs`` and backend (see
        ``batch_size``) with the same versions of numpy and scipy. Across
        versions, the default ``acq_func="MACE"`` can propose other candidates:
        a difference in the last bits of a numpy function can change which
        of its three criteria's trade-offs wins. ``"EI"``'s proposals were the
        same on every supported version tested.

    %(error_score)s

    %(return_train_score)s

    n_initial_points : int, default=None
        Size of the space-filling (Latin hypercube) initial design. None means
        ``max(4, min(n_dims, 6))``, ``n_dims`` counting every searched
        parameter: a small design leaves most of a short budget to the model
        (at the default ``n_iter=10``, 4 to 6 of the candidates; see
        ``docs/benchmarks.md``).

    acq_func : {"MACE", "EI", "PI", "UCB"}, default="MACE"
        Acquisition function: expected improvement, probability of improvement,
        upper confidence bound, or "MACE", HEBO's ensemble of the three: each
        proposal maximises a scalarisation of them with weights drawn at
        random, so that some proposals exploit (near the best candidates) and
        some explore, the upper confidence bound's ``kappa`` growing slowly
        with the number of scores (``skhpo.acquisition.ucb_schedule``).
        On the sample-efficiency benchmark it is better than expected
        improvement alone after 10 and 30 candidates (60 seeds) and after 100
        (10 seeds); on smooth analytic functions it explores more and is
        worse (see ``docs/benchmarks.md``).

    acq_func_kwargs : dict, default=None
        Passed to the acquisition function: ``xi`` for EI, PI and MACE,
        ``kappa`` for UCB and MACE (for MACE a fixed ``kappa`` in place of the
        schedule).

    batch_size : int, default=None
        How many candidates are evaluated at once. Candidate ``k`` is proposed
        from the results of candidates ``0 .. k - batch_size`` while the ones in
        between are still running (the model treats them as pending), so the
        proposals never depend on which fit finished first: results are the same
        for every ``n_jobs`` and backend as long as ``batch_size`` is. None means
        1 with one worker (each candidate proposed from the results of all the
        ones before it), else ``max(2, ceil(3 * n_workers / n_splits))``:
        enough candidates in flight for every worker to have a fold running
        and two waiting (so that a slow candidate, which later proposals wait
        for, rarely leaves a worker idle), which is 2 for ``n_jobs=2`` with 3
        folds or more. Set it to compare results across worker counts: with
        ``batch_size=2``, ``n_jobs=1`` gives the results of ``n_jobs=2``.
        A candidate that runs far longer than all others, such as a fit that
        hangs, is not waited for: after ten times the typical fold, and at
        least ten seconds, later proposals treat it as pending, and then
        depend on when it finishes.

    objective : str or list of str, default=None
        The metric the model optimises when ``scoring`` has several metrics.
        None means the metric named by ``refit``; it is required when ``refit``
        is a callable or False with several metrics, unless the whole (finite)
        space is evaluated.

        A list of two or more optimises them all at once, to find the
        candidates no other beats in every one (the Pareto front): each is a
        metric of ``scoring`` (maximised; a quantity of the fitted model,
        such as its size, is a scorer like any other) or ``"fit_time"`` /
        ``"score_time"``, and a leading ``"-"`` minimises it, as in
        ``["roc_auc", "-fit_time"]``. Each proposal maximises ParEGO's
        augmented Chebyshev scalarisation of the objectives (rescaled to
        [0, 1]) for weights drawn anew (Knowles, 2006), which spreads the
        proposals along the front. ``cv_results_`` gains ``rank_pareto``
        (non-dominated sorting: 1 for the front) and the search
        ``pareto_front_``; ``best_index_`` stays the one ``refit`` defines.

    %(storage)s

    %(max_time)s

    %(fit_timeout)s

    %(initial_params)s

    prior_results : search, dict, DataFrame, str or path-like, default=None
        What an earlier search found, for the model to start from without
        evaluating it again: its ``cv_results_`` (a dict or DataFrame; any
        scikit-learn search's), its ``storage`` file, or the fitted search
        itself (which ``clone`` does not keep fitted: prefer
        ``cv_results_`` inside other meta-estimators). Its
        candidates that are points of this search's space (all of them for
        the same or a wider space, the ones inside for a refined one) are
        shown to the model with their mean test score of the optimised
        metric, before any proposal; the initial design shrinks by as many.
        They are not rows of ``cv_results_``. Scores are comparable only on
        the same data, CV and metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.RandomizedSearchCV`, one row
        per candidate in the order they were proposed, with three extra
        columns first: ``batch`` (``k // batch_size``), ``propose_time``
        (seconds spent choosing the candidate) and ``proposed_by``
        (``"initial_params"``, ``"initial"``, ``"model"``, ``"random"`` or
        ``"grid"``).
        %(timing_columns)s
        With several objectives, ``rank_pareto`` too: 1 for the candidates no
        other beats in every objective, 2 for those of the rest, and so on
        (failures last).

    best_estimator_ : estimator
        The estimator with the best candidate's parameters, fitted on the
        whole data (set when ``refit``).

    best_score_ : float
        Mean cross-validated score of the best candidate (of the ``refit``
        metric with several; not set when ``refit`` is a callable).

    best_params_ : dict
        Parameters of the best candidate.

    best_index_ : int
        Index of the best candidate in ``cv_results_``. Candidates whose mean
        test score is NaN or infinite are never best.

    pareto_front_ : ndarray of int
        With several objectives: the rows of ``cv_results_`` on the Pareto
        front (``rank_pareto == 1``).

    %(fitted_attributes)s

    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : Random search.
    sklearn.model_selection.GridSearchCV : Exhaustive search.

    Notes
    -----
    Failed fits get ``error_score`` and one
    :class:`~sklearn.exceptions.FitFailedWarning` at the end of the search;
    candidates with a non-finite mean score are ranked last and never given to
    the model. Only a search where every fit failed
    raises. When ``fit`` is interrupted (``KeyboardInterrupt``), the finished
    candidates are in ``cv_results_`` and the interrupt propagates.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV
    >>> from skhpo.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=8,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> search.cv_results_["proposed_by"].tolist()
    ['initial', 'initial', 'initial', 'initial', 'model', 'model', 'model', 'model']
    >>> print(f"C={search.best_params_['C']:.2f}: {search.best_score_:.3f}")
    C=4.53: 0.987
    >>> search.predict(X[:3])
    array([0, 0, 0])
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "param_distributions": "no_validation",  # check_space names what is wrong
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_initial_points": [Interval(Integral, 1, None, closed="left"), None],
        "acq_func": [
            StrOptions({*ACQUISITION_NAMES, *(n.lower() for n in ACQUISITION_NAMES)})
        ],
        "acq_func_kwargs": [dict, None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "objective": [str, list, tuple, None],
        "prior_results": "no_validation",  # _prior_observations names it
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        n_initial_points=None,
        acq_func="MACE",
        acq_func_kwargs=None,
        batch_size=None,
        objective=None,
        storage=None,
        max_time=None,
        fit_timeout=None,
        initial_params=None,
        prior_results=None,
    ):
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        self.storage = storage
        self.max_time = max_time
        self.fit_timeout = fit_timeout
        self.initial_params = initial_params
        self.prior_results = prior_results
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.acq_func_kwargs = acq_func_kwargs
        self.batch_size = batch_size
        self.objective = objective
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

    def _check_search_params(self):
        space = check_space(self.param_distributions)
        check_param_names(self.estimator, space)
        check_acq_kwargs(self.acq_func_kwargs)
        self._space = space
        self._initial = check_initial_params(self.initial_params, self.estimator, space)
        size = space.cardinality
        # a space no larger than n_iter is evaluated whole: nothing to optimise
        self._exhaustive = size is not None and size <= self.n_iter
        self._objective = self._check_objective(
            self.objective, needed=not self._exhaustive
        )
        if self._objectives is not None and self.prior_results is not None:
            raise ValueError(
                "prior_results gives one score per candidate: it cannot start "
                f"a search of several objectives (objective={self.objective!r})."
            )
        self._prior = _prior_observations(
            self.prior_results, space, self._objective or "score"
        )

    def _max_candidates(self):
        return self._space.cardinality if self._exhaustive else self.n_iter

    def _batch_size(self, n_workers, n_splits):
        if self.batch_size is not None:
            return self.batch_size
        if n_workers == 1:  # nothing to keep busy: every proposal sees every result
            return 1
        return max(2, math.ceil(3 * n_workers / n_splits))

    def _run_search(self, evaluator):
        space = self._space
        lag = self._batch_size(evaluator.n_workers(), evaluator.n_splits)
        if evaluator.record is not None:  # a resumed search keeps its own
            lag = evaluator.record.setting("batch_size", lag)
        if self._exhaustive and space.cardinality < self.n_iter:
            warnings.warn(
                f"The total space of parameters {space.cardinality} is smaller "
                f"than n_iter={self.n_iter}. Running {space.cardinality} "
                "iterations. For exhaustive searches, use GridSearchCV.",
                UserWarning,
            )
        self._policy = BayesPolicy(
            space,
            self.n_iter,
            lag=lag,
            seed=self._seed,
            n_initial_points=self.n_initial_points,
            acq_func=self.acq_func,
            acq_kwargs=self.acq_func_kwargs,
            initial=self._initial,
            prior=self._prior,
        )
        evaluator.run(
            self._policy,
            score=None if self._exhaustive else self._score,
            log=self._log,
        )

    def _more_results(self, results):
        return {
            "batch": [r.extra["batch"] for r in results],
            "propose_time": [0.0 if self._exhaustive else r.ask_time for r in results],
            "proposed_by": [r.extra["proposed_by"] for r in results],
        }

    def _describe_event(self, event):
        if event[0] != "batch" or self._exhaustive:
            return None
        n_done = (event[1] + 1) * self._policy.lag
        scores = self._policy.scores
        if self._objectives is not None:
            nan = np.full(len(self._objectives), np.nan)
            points = np.array([scores.get(i, nan) for i in range(n_done)])
            front = len(pareto_front(points))
            return (
                f"batch {event[1]}: {plural(n_done, 'candidate')} scored, "
                f"{front} on the Pareto front"
            )
        means = np.array([scores.get(i, np.nan) for i in range(n_done)])
        if np.isfinite(means).any():
            best = int(np.nanargmax(means))
            name = self._objective or "score"
            status = f"best {name}={means[best]:.4f} (candidate {best})"
        else:
            status = "no finite score yet"
        return f"batch {event[1]}: {plural(n_done, 'candidate')} scored, {status}"


def _prior_observations(prior_results, space, metric):
    """``[(candidate, score)]`` of ``prior_results`` inside ``space``."""
    if prior_results is None:
        return []
    results = prior_results
    if isinstance(results, (str, os.PathLike)):
        from ..storage import load_results

        results = load_results(results)
    elif hasattr(results, "cv_results_"):
        results = results.cv_results_
    elif hasattr(results, "get_params"):
        raise TypeError(
            f"prior_results is a {type(results).__name__} without cv_results_: "
            "not fitted, or a clone (clone() and cross-validation copy the "
            "search unfitted). Pass its cv_results_ instead."
        )
    elif not hasattr(results, "keys"):
        raise TypeError(
            "prior_results must be a fitted search, its cv_results_ (a dict "
            "or DataFrame) or a storage path; got "
            f"{type(prior_results).__name__}."
        )
    column = f"mean_test_{metric}"
    if "params" not in results or column not in results:
        raise ValueError(
            f"prior_results has no 'params' and {column!r} columns: it is not "
            f"the cv_results_ of a search that scored {metric!r}."
        )
    params, scores = list(results["params"]), np.asarray(results[column], float)
    found = []
    for given, score in zip(params, scores):
        candidate, _ = locate(dict(given), space)
        if candidate is not None:
            found.append((candidate, float(score)))
    if params and not found:
        warnings.warn(
            f"prior_results: none of its {len(params)} candidates is a point of "
            "this search's space; the search starts without them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return found
