"""BayesSearchCV: Bayesian optimisation with a Gaussian-process surrogate."""

from __future__ import annotations

import math
import time
import warnings
from numbers import Integral

import numpy as np
from scipy.stats import qmc
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._base import BaseSearch, check_param_names
from ..acquisition import ACQUISITION_FUNCTIONS, propose
from ..space import check_space

__all__ = ["BayesSearchCV"]


class BayesSearchCV(BaseSearch):
    """Bayesian optimisation over hyperparameters, with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.RandomizedSearchCV`:
    the same parameters, attributes and ``cv_results_``, but each candidate after
    a small space-filling initial design is chosen by a Gaussian-process model of
    the cross-validated score, so good settings are found in fewer fits.

    Parameters
    ----------
    estimator : estimator object
        Fitted once per candidate and fold; must provide ``score`` if
        ``scoring`` is None.

    param_distributions : dict or list of dicts
        The space searched. Each value may be a list (its entries are the
        categories, as in scikit-learn), a ``scipy.stats`` frozen distribution or
        any object with an ``rvs`` method, or a :class:`skhpo.space.Real`,
        :class:`~skhpo.space.Integer` or :class:`~skhpo.space.Categorical`.
        A list of dicts is a set of conditional sub-spaces, searched jointly by
        one model.

    n_iter : int, default=50
        Number of candidates evaluated. When the space is finite and not larger
        than ``n_iter``, every point is evaluated once, in
        :class:`~sklearn.model_selection.ParameterGrid` order.

    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, \
return_train_score :
        As in :class:`~sklearn.model_selection.RandomizedSearchCV`. ``verbose=1``
        prints one line per batch; ``verbose>1`` adds the proposals.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial design and the acquisition optimiser. The same value
        gives the same ``cv_results_`` for every ``n_jobs`` (see ``batch_size``).

    n_initial_points : int, default=None
        Size of the space-filling (Latin hypercube) initial design. None means
        ``min(10, max(5, n_dims + 1))``, ``n_dims`` counting every searched
        parameter.

    acq_func : {"EI", "PI", "UCB"}, default="EI"
        Acquisition function: expected improvement, probability of improvement
        or upper confidence bound.

    acq_func_kwargs : dict, default=None
        Passed to the acquisition function: ``xi`` for EI and PI, ``kappa`` for
        UCB.

    batch_size : int, default=None
        How many candidates are evaluated at once. Candidate ``k`` is proposed
        from the results of candidates ``0 .. k - batch_size`` while the ones in
        between are still running (the model treats them as pending), so the
        proposals never depend on which fit finished first: results are the same
        for every ``n_jobs`` as long as ``batch_size`` is. None means
        ``max(2, ceil(n_workers / n_splits) + 1)``, which is 2 for any ``n_jobs``
        up to ``n_splits``.

    objective : str, default=None
        The metric the model optimises when ``scoring`` has several metrics.
        None means the metric named by ``refit``; it is required when ``refit``
        is a callable or False with several metrics, unless the whole (finite)
        space is evaluated.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.RandomizedSearchCV`, with three
        extra columns first: ``batch`` (``k // batch_size``), ``propose_time``
        (seconds spent choosing the candidate) and ``proposed_by``
        (``"initial"``, ``"model"``, ``"random"`` or ``"grid"``).

    best_estimator_ : estimator
        The estimator refit on the whole data with the best parameters (if
        ``refit``).

    best_score_ : float
        Mean cross-validated score of the best candidate.

    best_params_ : dict
        Parameters of the best candidate.

    best_index_ : int
        Index of the best candidate in ``cv_results_``. Candidates whose mean
        test score is NaN or infinite are never best.

    scorer_ : function or dict
        Scorer(s) used on the held-out data.

    n_splits_ : int
        Number of CV folds.

    refit_time_ : float
        Seconds spent refitting the best model.

    multimetric_ : bool
        Whether several metrics were scored.

    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers, when refit).

    n_features_in_ : int
        Number of features seen during ``fit`` (when refit).

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit`` (when refit and defined).

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
    >>> sorted(search.best_params_)
    ['C']
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "param_distributions": "no_validation",  # check_space names what is wrong
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_initial_points": [Interval(Integral, 1, None, closed="left"), None],
        "acq_func": [StrOptions({*ACQUISITION_FUNCTIONS, "ei", "pi", "ucb"})],
        "acq_func_kwargs": [dict, None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "objective": [str, None],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=50,
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
        acq_func="EI",
        acq_func_kwargs=None,
        batch_size=None,
        objective=None,
    ):
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
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
        rng = np.random.default_rng(0)
        examples = {
            k: v for sub in space.subspaces for k, v in sub.rvs(1, rng)[0].items()
        }
        check_param_names(self.estimator, space.param_names, examples=examples)
        if self.objective is not None and not (
            callable(self.scoring) or isinstance(self.scoring, (list, tuple, dict))
        ):
            if self.objective != "score":
                raise ValueError(
                    f"objective={self.objective!r} names a metric, but `scoring` "
                    "has one metric only; leave `objective` to None."
                )
        if isinstance(self.scoring, (list, tuple, dict)) and self.objective is not None:
            names = (
                self.scoring
                if not isinstance(self.scoring, dict)
                else list(self.scoring)
            )
            if self.objective not in names:
                raise ValueError(
                    f"objective={self.objective!r} is not one of the metrics in "
                    f"`scoring`: {sorted(names)!r}."
                )
        grid = space.cardinality is not None and space.cardinality <= self.n_iter
        if (
            isinstance(self.scoring, (list, tuple, dict))
            and not isinstance(self.refit, str)
            and not grid  # a grid is evaluated whole: nothing is optimised
        ):
            self._objective_metric(objective=self.objective)  # raises if unset
        self._space = space

    def _n_candidates(self):
        size = self._space.cardinality
        if size is not None and size <= self.n_iter:
            return size
        return self.n_iter

    def _max_candidates(self):
        return self._n_candidates()

    def _batch_size(self, n_workers, n_splits):
        if self.batch_size is not None:
            return self.batch_size
        return max(2, math.ceil(n_workers / n_splits) + 1)

    def _run_search(self, evaluator):
        space = self._space
        n_candidates = self._n_candidates()
        lag = self._batch_size(evaluator.n_workers(), evaluator.n_splits)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        name = type(self).__name__

        if space.cardinality is not None and space.cardinality <= self.n_iter:
            if space.cardinality < self.n_iter:
                warnings.warn(
                    f"The total space of parameters {space.cardinality} is smaller "
                    f"than n_iter={self.n_iter}. Running {space.cardinality} "
                    "iterations. For exhaustive searches, use GridSearchCV.",
                    UserWarning,
                )
            grid = space.grid()

            def propose_grid(k):
                return grid[k][1], {
                    "batch": k // lag,
                    "propose_time": 0.0,
                    "proposed_by": "grid",
                }

            evaluator.run(propose_grid, n_candidates, lag=lag)
            return

        n_dims = sum(len(sub.names) for sub in space.subspaces)
        n_init = self.n_initial_points or min(10, max(5, n_dims + 1))
        n_init = min(n_init, n_candidates)
        design = _initial_design(space, n_init, seed)
        candidates = []  # (subspace, params) per proposal, in order
        metric = None
        state = {"theta": None}

        def propose_next(k):
            nonlocal metric
            start = time.perf_counter()
            rng = np.random.default_rng([seed, k])
            finished = evaluator.results[: k - lag + 1]
            source = "initial"
            cand = design[k] if k < len(design) else None
            if cand is None:
                if metric is None:
                    metric = self._objective_metric(
                        finished[0].out[0]["test_scores"], self.objective
                    )
                observed, scores = [], []
                for r in finished:
                    value = r.mean_test(metric)
                    if np.isfinite(value):
                        observed.append(candidates[r.index])
                        scores.append(value)
                pending = candidates[len(finished) : k]
                if len(observed) >= 2:
                    proposals, info = propose(
                        space,
                        observed,
                        np.asarray(scores),
                        1,
                        pending=pending,
                        acq_func=self.acq_func.upper(),
                        acq_kwargs=self.acq_func_kwargs,
                        rng=rng,
                        gp_theta0=state["theta"],
                        exclude=candidates,
                    )
                    state["theta"] = info.get("theta", state["theta"])
                    if proposals:
                        cand, source = proposals[0], "model"
                if cand is None:
                    cand, source = _random_new(space, candidates, rng), "random"
                    if cand is None:
                        return None  # every point of a finite space was tried
            candidates.append(cand)
            if self.verbose > 0 and k % lag == 0 and finished:
                self._print_progress(name, k // lag, finished, metric)
            if self.verbose > 1:
                print(f"[{name}] candidate {k} ({source}): {cand[1]}")
            return cand[1], {
                "batch": k // lag,
                "propose_time": time.perf_counter() - start,
                "proposed_by": source,
            }

        evaluator.run(propose_next, n_candidates, lag=lag)
        if self.verbose > 0:
            self._print_progress(name, "end", evaluator.results, metric)

    def _print_progress(self, name, batch, finished, metric):
        metric = metric or self._objective_metric(
            finished[0].out[0]["test_scores"], self.objective
        )
        means = np.array([r.mean_test(metric) for r in finished])
        if np.isfinite(means).any():
            best = int(np.nanargmax(np.where(np.isfinite(means), means, np.nan)))
            status = f"best mean_test_{metric}={means[best]:.4f} (candidate {best})"
        else:
            status = "no finite score yet"
        print(f"[{name}] batch {batch}: {len(finished)} candidates done, {status}")


def _initial_design(space, n, seed):
    """Latin-hypercube points of ``space``, without exact repeats."""
    if n <= 0:
        return []
    width = 1 + max(len(sub.names) for sub in space.subspaces)
    rng = np.random.default_rng([seed, 2**31])
    try:
        sampler = qmc.LatinHypercube(d=width, rng=rng)
    except TypeError:  # scipy < 1.15
        sampler = qmc.LatinHypercube(d=width, seed=rng)
    cands = space.from_unit(sampler.random(n))
    rng = np.random.default_rng([seed, 2**31 + 1])
    unique = []
    for cand in cands:
        if _is_new(space, cand, unique):
            unique.append(cand)
        else:
            extra = _random_new(space, unique, rng)
            if extra is not None:
                unique.append(extra)
    return unique


def _is_new(space, cand, seen):
    if not seen:
        return True
    row = space.transform([cand])
    rows = space.transform(seen)
    return not np.any(np.all(np.isclose(rows, row, rtol=0, atol=1e-12), axis=1))


def _random_new(space, seen, rng, tries=200):
    """A random point of ``space`` not in ``seen`` (None if none was found)."""
    for cand in space.rvs(tries, rng):
        if _is_new(space, cand, seen):
            return cand
    return None
