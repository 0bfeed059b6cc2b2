"""HyperbandSearchCV: Hyperband and successive halving over a training resource."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from .._base import (
    BaseSearch,
    check_initial_params,
    check_param_names,
    with_shared_docs,
)
from .._fidelity import bind_search, check_fidelity
from .._log import best_of, plural
from .._results import select_best_at_highest_resource
from ..schedulers import (
    AsyncHyperbandPolicy,
    CandidateSampler,
    HyperbandPolicy,
    hyperband_brackets,
)
from ..space import check_space
from ..utils._sklearn_compat import Interval, StrOptions, num_samples

__all__ = ["HyperbandSearchCV"]


@with_shared_docs
class HyperbandSearchCV(BaseSearch):
    """Hyperband over a training resource, with cross-validation.

    Many candidates are trained on a little of a resource (samples, trees,
    iterations or ``partial_fit`` epochs); the best ``1 / factor`` of them go on
    with ``factor`` times more, until a few reach ``max_resources``. Hyperband
    (Li et al., JMLR 2018) runs several such successive-halving brackets, from
    aggressive (many candidates, little resource) to cautious (few candidates,
    all the resource). Survivors *continue* training where the estimator allows
    it (``warm_start``, ``partial_fit``) instead of starting over. Every
    candidate is scored on the same frozen CV folds at every rung.

    Parameters
    ----------
    estimator : estimator object
        Must provide ``score`` if ``scoring`` is None; ``partial_fit`` (itself
        or a Pipeline's last step) for ``resource="partial_fit"``.

    param_distributions : dict or list of dicts
        The space searched, as in :class:`~skhpo.BayesSearchCV`: lists,
        ``scipy.stats`` distributions, :class:`~skhpo.space.Real`,
        :class:`~skhpo.space.Integer`, :class:`~skhpo.space.Categorical` (or
        scikit-optimize's), and lists of dicts as conditional sub-spaces. A
        space of one point, such as ``{}`` (the estimator as it is), has one
        candidate: it is trained through the rungs of the first bracket, its
        learning curve, as scikit-learn's halving searches evaluate ``{}`` as
        one candidate.

    resource : str, default="n_samples"
        What grows from rung to rung:

        - ``"n_samples"``: each fold's training and test parts are subsampled
          to ``n_resources / n_samples`` of their size, as in scikit-learn's
          halving searches (nested subsamples; a model is refit per rung);
        - the name of an integer parameter of the estimator, such as
          ``"n_estimators"`` or ``"max_iter"`` (``"clf__max_iter"`` in a
          Pipeline). Where a warm ``fit`` is known to continue, each fold's
          model is kept and only what is added is trained: ``n_estimators`` of
          scikit-learn's ensembles and ``max_iter`` of histogram gradient
          boosting (which count everything trained), ``max_iter`` of SGD and
          MLP models (one ``fit`` then runs the difference). Only the estimator
          itself or the last step of a Pipeline is continued, the steps before
          it fitted once per fold. Any other parameter or estimator (a
          ``max_depth``, a wrapper such as ``OneVsRestClassifier``, a solver
          that ignores ``warm_start``) is refit with the larger value at every
          rung. A third-party estimator declares continuable parameters with a
          class attribute ``_skhpo_warm_start = {"name": cumulative}``;
        - ``"partial_fit"``: epochs, one ``partial_fit`` call over the fold's
          training part per unit; each fold's model is kept and continued. In a
          Pipeline the steps before the last are fitted once per fold.
          Classifiers get ``classes`` from ``y`` unless passed to ``fit``.

    max_resources : int or "auto", default="auto"
        Resource given to the candidates of the last rungs. ``"auto"`` is the
        number of samples for ``"n_samples"`` and the estimator's own value of
        the parameter; it must be set for ``"partial_fit"``.

    min_resources : int, default=None
        Least resource a candidate gets. None means ``2 * n_splits`` (times the
        number of classes for a classifier) for ``"n_samples"``, as
        scikit-learn's ``min_resources="smallest"``, and 1 otherwise.

    factor : int, default=3
        ``eta``: each rung keeps ``1 / factor`` of the candidates and gives them
        ``factor`` times more resource.

    n_brackets : int, default=None
        How many of Hyperband's brackets to run, the most aggressive first;
        None runs all ``s_max + 1`` of them once. ``n_brackets=1`` is
        successive halving from ``factor ** s_max`` candidates. Beyond
        ``s_max + 1`` the brackets start again from the most aggressive with
        new candidates, round after round (Hyperband's outer loop; BOHB's
        ``n_iterations``): with ``sampler="model"`` each round learns from
        every one before, and with ``max_time`` a large ``n_brackets`` runs
        rounds until the time is up.

    asynchronous : bool, default=False
        Run each bracket with asynchronous successive halving (ASHA, Li et al.,
        MLSys 2020): a worker that frees promotes a candidate in the top
        ``1 / factor`` of those finished at its rung, or starts a new one, so no
        worker waits for a rung to complete. Its decisions depend on the order
        results arrive in, so with ``n_jobs > 1`` the same ``random_state`` does
        not guarantee the same ``cv_results_``. A rung takes no more
        candidates than :meth:`plan` gives it, so the search trains what it
        plans (an early promotion that later turns out not to be in the top
        keeps its place).

    sampler : {"random", "model"}, default="random"
        How new candidates are drawn: from the space's priors, or (as BOHB does)
        two thirds of them by expected improvement at full fidelity, the rest
        at random. The Gaussian-process model sees the scores of every rung,
        with the resource as one more input, once they number ``n_dims + 2``
        in all. With ``"model"`` the synchronous
        brackets run one after the other, so that each learns from the ones
        before; with ``"random"`` the brackets of a round run side by side
        (see ``n_brackets``).

    %(scoring)s

    %(n_jobs)s

    %(refit)s

    %(cv)s

    %(verbose)s

    %(pre_dispatch)s

    random_state : int, RandomState instance or None, default=None
        Seeds the candidates and the subsamples. The synchronous schedule gives
        the same ``cv_results_`` for the same value whatever ``n_jobs`` is.

    %(error_score)s

    %(return_train_score)s

    objective : str or list of str, default=None
        The metric that decides promotions when ``scoring`` has several; None
        means the metric named by ``refit``. A list of two or more (as in
        :class:`BayesSearchCV`: metrics of ``scoring``, ``"fit_time"``,
        ``"score_time"``, a leading ``"-"`` to minimise) promotes as NSGA-II
        selects: front by front of the rung's non-dominated sorting, the most
        isolated candidates of a front first (crowding distance).
        ``cv_results_`` then gains ``rank_pareto`` (over the rows at the
        largest resource; the others rank after) and the search
        ``pareto_front_``. Not with ``sampler="model"``.

    %(storage)s

    %(max_time)s

    %(fit_timeout)s

    %(initial_params)s

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        One row per candidate and rung, with every key of scikit-learn's
        searches and these first: ``bracket``, ``iter`` (the rung within the
        bracket), ``n_resources``, ``candidate`` (the same number on every rung
        a candidate reached) and ``proposed_by``. For an estimator parameter
        resource, ``params`` includes its value at that rung. Rows are ordered
        by bracket, rung and candidate. ``rank_test_*`` ranks rows at a larger
        resource first, so rank 1 is ``best_index_``.
        %(timing_columns)s

    best_index_ : int
        The row of ``cv_results_`` of the best candidate at the largest
        resource reached: rank 1 of ``rank_test_*`` (a callable ``refit``
        chooses any row).

    best_score_ : float
        Mean cross-validated score of that row (of the ``refit`` metric with
        several; not set when ``refit`` is a callable).

    best_params_ : dict
        Parameters of that row (with an estimator parameter as the resource,
        its value at that rung included).

    best_estimator_ : estimator
        The best candidate trained on all the data as the candidates were
        (for ``"partial_fit"``, the best row's number of epochs); set when
        ``refit``.

    pareto_front_ : ndarray of int
        With several objectives: the rows of ``cv_results_`` on the Pareto
        front (``rank_pareto == 1``).

    %(fitted_attributes)s

    min_resources_ : int
        The least resource a rung trains on: that of the first rung of the
        most aggressive bracket. It is above ``min_resources`` when
        ``max_resources / min_resources`` is not a power of ``factor``: with
        ``min_resources=100``, ``max_resources=449`` and ``factor=3``, the
        rungs train on 149 and 449.

    max_resources_ : int
        The most resource a rung trains on: that of the last rungs.

    n_resources_ : list of int
        Resource of every rung run, bracket after bracket (for one bracket,
        scikit-learn's halving attribute).

    n_candidates_ : list of int
        Number of candidates of every rung run, in the same order.

    n_iterations_ : int
        Number of rungs run, over all brackets.

    budget_ : pandas.DataFrame
        Planned against used, one row per bracket and rung of :meth:`plan`:
        ``bracket``, ``iter``, ``n_candidates_planned``, ``n_resources`` and
        ``units_planned`` (resource units to train, a continued candidate
        counting only what it adds), then ``n_candidates`` and ``units`` that
        ``fit`` ran.

    See Also
    --------
    sklearn.model_selection.HalvingRandomSearchCV : Successive halving.
    BayesSearchCV : Bayesian optimisation at full fidelity.
    PBTSearchCV : Population-based training, which changes hyperparameters
        while training.

    Notes
    -----
    The brackets are Algorithm 1 of the paper in exact integers (see
    ``skhpo.schedulers.hyperband_brackets``): with ``R = max_resources``,
    bracket ``s`` starts ``ceil((s_max + 1) * factor**s / (s + 1))`` candidates
    and its rung ``i`` trains ``floor(n / factor**i)`` of them on
    ``floor(R / factor**(s - i))`` units. When ``R / min_resources`` is not a
    power of ``factor`` the resources are rounded down, the last rung of every
    bracket getting exactly ``R``. :meth:`plan` shows the schedule before
    ``fit``. A candidate whose fit fails (or scores NaN) at a rung is never
    promoted; the search goes on.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skhpo import HyperbandSearchCV
    >>> from skhpo.space import Real
    >>> X, y = load_digits(return_X_y=True)
    >>> space = {"alpha": Real(1e-6, 1e-1, prior="log-uniform")}
    >>> search = HyperbandSearchCV(
    ...     SGDClassifier(random_state=0), space, resource="partial_fit",
    ...     max_resources=9, cv=3, random_state=0,
    ... )

    Three brackets of 9, 5 and 3 new candidates, trained for up to 9 epochs
    of ``partial_fit``, and the epochs each rung trains in all (a continued
    candidate counts only those it adds):

    >>> search.plan()
       bracket  iter  n_candidates  n_resources  units
    0        0     0             9            1      9
    1        0     1             3            3      6
    2        0     2             1            9      6
    3        1     0             5            3     15
    4        1     1             1            9      6
    5        2     0             3            9     27
    >>> search = search.fit(X[:600], y[:600])
    >>> print(f"alpha={search.best_params_['alpha']:.2g}: {search.best_score_:.3f}")
    alpha=0.00016: 0.872
    >>> int(search.budget_["units"].sum()), search.n_iterations_
    (69, 6)
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "param_distributions": "no_validation",  # check_space names what is wrong
        "resource": [str],
        "max_resources": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "min_resources": [Interval(Integral, 1, None, closed="left"), None],
        "factor": [Interval(Integral, 2, None, closed="left")],
        "n_brackets": [Interval(Integral, 1, None, closed="left"), None],
        "asynchronous": ["boolean"],
        "sampler": [StrOptions({"random", "model"})],
        "random_state": ["random_state"],
        "objective": [str, list, tuple, None],
    }

    _fitted_extra = (
        "budget_",
        "n_resources_",
        "n_candidates_",
        "n_iterations_",
        "min_resources_",
        "max_resources_",
    )

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        resource="n_samples",
        max_resources="auto",
        min_resources=None,
        factor=3,
        n_brackets=None,
        asynchronous=False,
        sampler="random",
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        objective=None,
        storage=None,
        max_time=None,
        fit_timeout=None,
        initial_params=None,
    ):
        self.param_distributions = param_distributions
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.factor = factor
        self.n_brackets = n_brackets
        self.asynchronous = asynchronous
        self.sampler = sampler
        self.random_state = random_state
        self.storage = storage
        self.max_time = max_time
        self.fit_timeout = fit_timeout
        self.initial_params = initial_params
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

    # ------------------------------------------------------------ set-up
    def _check_search_params(self):
        space = check_space(self.param_distributions)
        check_param_names(self.estimator, space)
        self._space = space
        self._initial = check_initial_params(self.initial_params, self.estimator, space)
        self._fidelity = check_fidelity(
            self.estimator, self.resource, space.param_names
        )
        self._objective = self._check_objective(self.objective)
        if self._objectives is not None and self.sampler == "model":
            raise ValueError(
                f"sampler='model' proposes from one score per candidate: it "
                f"cannot follow several objectives (objective={self.objective!r}); "
                "use sampler='random'."
            )

    def _schedule(self, n_samples, n_splits, y):
        min_r, max_r = self._fidelity.resolve_bounds(
            self.min_resources,
            self.max_resources,
            n_samples=n_samples,
            n_splits=n_splits,
            y=y,
            classifier=is_classifier(self.estimator),
        )
        return (
            min_r,
            max_r,
            hyperband_brackets(min_r, max_r, self.factor, self.n_brackets),
        )

    def _setup(self, X, y, splits):
        self._n_samples = num_samples(X)
        min_r, _, self._brackets = self._schedule(self._n_samples, len(splits), y)
        # what the rungs use, which rounding may put above min_resources
        self.min_resources_ = min(b.rungs[0].n_resources for b in self._brackets)
        self.max_resources_ = max(b.rungs[-1].n_resources for b in self._brackets)
        self._fidelity.check_values(
            self.estimator,
            (self.min_resources_, self.max_resources_),
            n_train=max(len(train) for train, _ in splits),
        )
        if self._fidelity.kind == "n_samples":
            least = self.min_resources_
            fraction = least / self._n_samples
            if any(int(fraction * len(part)) < 1 for split in splits for part in split):
                raise ValueError(
                    f"min_resources={min_r} leaves a fold's training "
                    f"or test part empty at the first rung ({least} of "
                    f"{self._n_samples} samples); raise min_resources."
                )

    def plan(self, X=None, y=None):
        """The schedule ``fit`` will follow, without fitting anything.

        Parameters
        ----------
        X, y : array-like, default=None
            The data ``fit`` will get; needed only when the schedule depends on
            it (``resource="n_samples"``).

        Returns
        -------
        plan : pandas.DataFrame
            One row per bracket and rung: ``bracket``, ``iter``,
            ``n_candidates``, ``n_resources`` and ``units``, the resource units
            trained at that rung (a continued candidate counts only what it
            adds). ``plan["units"].sum()`` is the total.
        """
        self._validate_params()
        self._check_search_params()
        if self._fidelity.kind == "n_samples" and (
            X is None or (y is None and is_classifier(self.estimator))
        ):
            raise ValueError(
                "With resource='n_samples' the schedule depends on the data: "
                "pass X (and, for a classifier, y) to plan()."
            )
        n_samples = None if X is None else num_samples(X)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        n_splits = cv.get_n_splits(X, y)
        _, _, brackets = self._schedule(n_samples, n_splits, y)
        return self._plan_frame(brackets)

    def _plan_frame(self, brackets):
        rows = [
            {
                "bracket": bracket.index,
                "iter": i,
                "n_candidates": rung.n_candidates,
                "n_resources": rung.n_resources,
                "units": rung.n_candidates * self._fidelity.units(*bracket.span(i)),
            }
            for bracket in brackets
            for i, rung in enumerate(bracket.rungs)
        ]
        return pd.DataFrame(rows)

    def _max_candidates(self):
        brackets = getattr(self, "_brackets", None)
        if brackets is None:
            return None
        # asynchronous too: its rungs take the plan's candidates, no more
        return sum(r.n_candidates for b in brackets for r in b.rungs)

    # ------------------------------------------------------------ search
    def _run_search(self, evaluator):
        seed = bind_search(self, evaluator)
        levels = [r.n_resources for b in self._brackets for r in b.rungs]
        sampler = CandidateSampler(
            self._space,
            self.sampler,
            initial=self._initial,
            resources=(min(levels), max(levels)),
        )
        continues = self._fidelity.continues
        if self.asynchronous:
            policy = AsyncHyperbandPolicy(
                self._brackets,
                sampler,
                seed=seed,
                continues=continues,
                factor=self.factor,
            )
        else:
            policy = HyperbandPolicy(
                self._brackets, sampler, seed=seed, continues=continues
            )
        self._run_policy(
            evaluator,
            policy,
            asynchronous=self.asynchronous,
            to_job=self._fidelity.job,
        )

    def _describe_plan(self, n_splits, planned):
        brackets = self._brackets
        n_candidates = sum(b.rungs[0].n_candidates for b in brackets)
        low = min(b.rungs[0].n_resources for b in brackets)
        high = max(b.rungs[-1].n_resources for b in brackets)
        return (
            f"Fitting {n_splits} folds for each of "
            f"{plural(planned, 'evaluation')} of "
            f"{plural(n_candidates, 'candidate')} in "
            f"{plural(len(brackets), 'bracket')} ({self.resource} from {low} "
            f"to {high}), totalling {plural(planned * n_splits, 'fit')}"
        )

    def _describe_trial(self, trial):
        e = trial.extra
        return (
            f"bracket {e['bracket']} rung {e['iter']} candidate {e['candidate']} "
            f"({self.resource}={e['n_resources']})"
        )

    def _describe_event(self, event):
        if event[0] == "rung":
            _, b, rung, scores, n_next = event
            resources = self._brackets[b].rungs[rung].n_resources
            last = rung == len(self._brackets[b].rungs) - 1
            on = (
                "the bracket's last rung"
                if last
                else f"{n_next} {'goes' if n_next == 1 else 'go'} on"
            )
            return (
                f"bracket {b} rung {rung}: {plural(len(scores), 'candidate')} "
                f"at {self.resource}={resources}, {best_of(scores)}; {on}"
            )
        _, b, scores = event  # an asynchronous bracket is done
        resources = self._brackets[b].rungs[-1].n_resources
        return (
            f"bracket {b} done: {plural(len(scores), 'candidate')} reached "
            f"{self.resource}={resources}, {best_of(scores)}"
        )

    # ----------------------------------------------------------- results
    def _ordered_results(self, results):
        return sorted(
            results,
            key=lambda r: (r.extra["bracket"], r.extra["iter"], r.extra["candidate"]),
        )

    # The best row at the largest resource; rank 1 of rank_test_* is that row.
    _select_best_index = staticmethod(select_best_at_highest_resource)

    def _rank_first_by(self, results):
        return [r.extra["n_resources"] for r in results]

    def _store_results(self, results, refit_metric, warn=True):
        refit_metric = super()._store_results(results, refit_metric, warn=warn)
        planned = self._plan_frame(self._brackets)
        ran = {}
        for r in results:
            key = (r.extra["bracket"], r.extra["iter"])
            n, units = ran.get(key, (0, 0))
            span = self._brackets[key[0]].span(key[1])
            ran[key] = (n + 1, units + self._fidelity.units(*span))
        planned = planned.rename(
            columns={"n_candidates": "n_candidates_planned", "units": "units_planned"}
        )
        keys = list(zip(planned["bracket"], planned["iter"]))
        planned["n_candidates"] = [ran.get(k, (0, 0))[0] for k in keys]
        planned["units"] = [ran.get(k, (0, 0))[1] for k in keys]
        self.budget_ = planned
        run = planned[planned["n_candidates"] > 0]
        self.n_resources_ = [int(v) for v in run["n_resources"]]
        self.n_candidates_ = [int(v) for v in run["n_candidates"]]
        self.n_iterations_ = len(run)
        return refit_metric

    def _refit(self, X, y, fit_params):
        units = int(self.cv_results_["n_resources"][self.best_index_])
        self._fidelity.refit(self.best_estimator_, X, y, fit_params, units)
