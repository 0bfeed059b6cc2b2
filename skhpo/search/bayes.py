"""BayesSearchCV: Bayesian optimisation with a Gaussian-process surrogate."""

from __future__ import annotations

import math
import warnings
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._base import BaseSearch, check_param_names, search_seed
from ..acquisition import ACQUISITION_FUNCTIONS, check_acq_kwargs
from ..schedulers import BayesPolicy
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
        ``max(4, min(n_dims, 6))``, ``n_dims`` counting every searched
        parameter: a small design leaves most of a short budget to the model
        (see ``docs/benchmarks.md``).

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
        for every ``n_jobs`` and backend as long as ``batch_size`` is. None means
        ``max(2, ceil(3 * n_workers / n_splits))``: enough candidates in flight
        for every worker to have a fold running and two waiting (so that a slow
        candidate, which later proposals wait for, rarely leaves a worker idle),
        which is 2 for ``n_jobs=1``, and for ``n_jobs=2`` with 3 folds or more.
        (A candidate that runs far longer than all others, such as a fit that
        hangs, is not waited for: later proposals treat it as pending, and
        then depend on when it finishes.)

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
        check_param_names(self.estimator, space)
        check_acq_kwargs(self.acq_func_kwargs)
        self._space = space
        size = space.cardinality
        # a space no larger than n_iter is evaluated whole: nothing to optimise
        self._exhaustive = size is not None and size <= self.n_iter
        self._objective = self._check_objective(
            self.objective, needed=not self._exhaustive
        )

    def _max_candidates(self):
        return self._space.cardinality if self._exhaustive else self.n_iter

    def _batch_size(self, n_workers, n_splits):
        if self.batch_size is not None:
            return self.batch_size
        return max(2, math.ceil(3 * n_workers / n_splits))

    def _run_search(self, evaluator):
        space = self._space
        lag = self._batch_size(evaluator.n_workers(), evaluator.n_splits)
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
            seed=search_seed(self.random_state),
            n_initial_points=self.n_initial_points,
            acq_func=self.acq_func,
            acq_kwargs=self.acq_func_kwargs,
        )
        verbose = self.verbose > 0 and not self._exhaustive
        evaluator.run(
            self._policy,
            score=None if self._exhaustive else self._score,
            on_ask=self._print_ask if verbose else None,
        )
        if verbose:
            self._print_progress("end", len(evaluator.results))

    def _more_results(self, results):
        return {
            "batch": [r.extra["batch"] for r in results],
            "propose_time": [0.0 if self._exhaustive else r.ask_time for r in results],
            "proposed_by": [r.extra["proposed_by"] for r in results],
        }

    def _print_ask(self, trial):
        k, lag = trial.id, self._policy.lag
        if k % lag == 0 and k >= lag:
            self._print_progress(k // lag, k - lag + 1)
        if self.verbose > 1:
            source = trial.extra["proposed_by"]
            print(f"[{type(self).__name__}] candidate {k} ({source}): {trial.params}")

    def _print_progress(self, batch, n_done):
        """One line: the best of the first ``n_done`` candidates."""
        scores = self._policy.scores
        means = np.array([scores.get(i, np.nan) for i in range(n_done)])
        if np.isfinite(means).any():
            best = int(np.nanargmax(means))
            name = self._objective or "score"
            status = f"best mean_test_{name}={means[best]:.4f} (candidate {best})"
        else:
            status = "no finite score yet"
        print(
            f"[{type(self).__name__}] batch {batch}: {n_done} candidates done, {status}"
        )
