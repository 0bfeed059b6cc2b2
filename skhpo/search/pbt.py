"""PBTSearchCV: population-based training of scikit-learn estimators."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._base import (
    BaseSearch,
    check_initial_params,
    check_param_names,
    with_shared_docs,
)
from .._fidelity import _final_step, bind_search, check_fidelity, replay_schedule
from .._log import best_of, params_text, plural
from .._mutable import check_mutable
from .._results import continued_rows
from ..schedulers import AsyncPBTPolicy, ExploitExplore, PBTPolicy
from ..space import check_space
from ..utils._sklearn_compat import Interval, StrOptions, num_samples

__all__ = ["PBTSearchCV"]


@with_shared_docs
class PBTSearchCV(BaseSearch):
    """Population-based training: hyperparameter schedules found while training.

    A population of ``population_size`` members, each one model per CV fold,
    trains in ``n_steps`` steps of ``step_resource`` units (``partial_fit``
    epochs, or trees/iterations added by a warm start). After every step the
    members are scored on their folds' validation parts; a member in the
    bottom ``exploit_fraction`` copies the fitted models of a member of the
    top fraction and the hyperparameters that trained them (*exploit*),
    then perturbs its mutable hyperparameters (*explore*): numbers
    multiplied by 0.8 or 1.2 within their range, a category moved to a
    neighbour, or, with
    ``resample_probability``, a value drawn afresh from the space (Jaderberg
    et al., 2017). The winner is a *schedule*: the hyperparameters its
    lineage trained with, step by step.

    Parameters
    ----------
    estimator : estimator object
        Trains in steps: it (or a Pipeline's last step) has ``partial_fit``
        (``resource="partial_fit"``) or the named warm-start parameter.

    param_distributions : dict or list of dicts
        The space the initial population is drawn from and explore stays in,
        as in :class:`~skhpo.BayesSearchCV`: lists, scipy.stats distributions,
        skhpo (or scikit-optimize) dimensions. It must name at least one
        hyperparameter: with none, every member would train the same model
        (scikit-learn's searches evaluate ``{}`` once; PBT refuses it).

    resource : str, default="partial_fit"
        What a step trains: ``"partial_fit"`` epochs (one pass over the
        fold's training part each), or the name of an integer warm-start
        parameter (``"n_estimators"``, ``"max_iter"``) that grows by
        ``step_resource`` per step.

    population_size : int, default=8
        Members, at least 2.

    n_steps : int, default=10
        Training steps; every member is scored after each.

    step_resource : int, default=1
        Units of the resource per step.

    mutable : list of str, default=None
        The hyperparameters explore may change. By default every searched
        hyperparameter that the estimator reads again at every step (see
        ``fixed_``); the others are drawn once and copied with the model.

    exploit_fraction : float, default=0.25
        Bottom (and top) fraction of the population, in (0, 0.5].

    selection : {"truncation", "tournament"}, default="truncation"
        How a member to copy is chosen: uniformly from the top fraction, or
        the better of a binary tournament (every member meets another drawn
        at random and copies it if it scored better; ``exploit_fraction``
        plays no part).

    perturbation_factors : tuple of two floats, default=(0.8, 1.2)
        Multipliers of a numeric hyperparameter in explore.

    resample_probability : float, default=0.25
        Chance that explore redraws a hyperparameter from the space.

    asynchronous : bool, default=False
        False: generations. Every member finishes a step before the
        population exploits and explores, so the results depend on
        ``random_state`` only, whatever ``n_jobs``. True: a member that
        finishes a step compares itself at once with the members that have
        reached that step, exploits or explores, and goes on, so no worker
        waits for the slowest member; which members have reached a step
        depends on timing, so with ``n_jobs > 1`` the results can differ
        from run to run (with ``n_jobs=1`` they do not). A member that
        copies one further ahead takes over its model and step count.

    %(scoring)s

    %(n_jobs)s

    %(refit)s

    %(cv)s

    %(verbose)s

    %(pre_dispatch)s

    random_state : int, RandomState instance or None, default=None
        Seeds the population, exploit and explore: the same seed gives the
        same ``cv_results_`` whatever ``n_jobs`` (unless ``asynchronous``
        with ``n_jobs > 1``).

    %(error_score)s

    %(return_train_score)s

    objective : str, default=None
        With several metrics, the one that ranks members (default: ``refit``
        when it names a metric).

    %(storage)s

    %(max_time)s

    %(fit_timeout)s

    %(initial_params)s

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        One row per member and step: the hyperparameters in force during the
        step, its scores after it, ``member``, ``step``, ``n_resources`` (units
        trained so far), ``parent`` (the member copied before this step,
        -1 if none) and ``continues`` (the member whose models this step
        continued, -1 at the first step: the member itself, its parent,
        or, when asynchronous training copied a parent that had just copied
        another member, that other member), with every standard key. Ranks
        are by step first, so rank 1 is the best member at the last step.
        %(timing_columns)s

    best_index_ : int
        The row of ``cv_results_`` of the best member at the last step: rank
        1 of ``rank_test_*`` (a callable ``refit`` chooses any row).

    best_score_ : float
        Mean cross-validated score of that row (of the ``refit`` metric with
        several; not set when ``refit`` is a callable).

    best_params_ : dict
        The hyperparameters that member ended with (those of the row).

    best_schedule_ : pandas.DataFrame
        The best member's schedule: one row per step, the hyperparameters in
        force, and ``member``, the member whose model trained that step (its
        lineage: exploits switch to the copied member's past).

    best_estimator_ : estimator
        A model trained on all the data by replaying ``best_schedule_``:
        each step's hyperparameters set before that step's training, the
        same resource per step as in the search.

    lineage_ : dict of int to list of int
        For every member of the final population, whose model trained at each
        step.

    mutable_ : list of str
        The hyperparameters explore may change: ``mutable`` once checked, or
        by default the searched ones the estimator reads again at every step.

    fixed_ : dict of str to str
        The other searched hyperparameters, each with the reason it stays
        fixed.

    copy_time_ : float
        Seconds spent copying fitted models when members exploited (the
        models move to the workers and back with every step's task as the
        backend requires; this is the copying PBT adds).

    exploit_time_ : float
        Seconds the search spent deciding exploits and explores, copies
        included: PBT's overhead over training the members.

    n_exploits_ : int
        How many times a member copied another.

    model_transfer_ : dict
        What moving members' models between the search and its workers cost:
        ``n_moves`` (steps that sent a member's models to a process or
        cluster worker and got them back; 0 with threads or one worker, where
        models stay in place), ``bytes`` (the pickled size of one member's
        models, all folds, measured at the first move) and ``seconds``
        (``n_moves`` times the time to unpickle and pickle them then: an
        estimate of the serialisation the moves cost, network excluded). A
        worker pickles the models it trained once, and they travel as bytes
        to the search and on to the next worker, which unpickles them; loky
        and multiprocessing give a task to whichever worker is free, so a
        model cannot wait for the next step in the worker that trained it.

    %(fitted_attributes)s

    See Also
    --------
    HyperbandSearchCV : Stops bad candidates early instead of replacing them.
    BayesSearchCV : Bayesian optimisation at full fidelity.

    Notes
    -----
    A member whose fit fails scores ``error_score``
    and ranks last; it is replaced by a copy of a good member at the next
    exploit, and the failure stays in ``cv_results_``.

    References
    ----------
    M. Jaderberg et al. "Population Based Training of Neural Networks".
    arXiv:1711.09846 (2017).

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skhpo.search import PBTSearchCV
    >>> X, y = load_digits(return_X_y=True)
    >>> search = PBTSearchCV(
    ...     SGDClassifier(random_state=0),
    ...     {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-4, 1e-1),
    ...      "learning_rate": ["constant"]},
    ...     population_size=4, n_steps=3, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> search.best_schedule_[["alpha", "eta0", "member"]]
             alpha      eta0  member
    step
    0     0.000055  0.000994       1
    1     0.000044  0.001193       3
    2     0.000044  0.001193       3

    After step 0, member 3 copied member 1's models and hyperparameters
    (exploit) and perturbed them (explore): ``alpha`` times 0.8, ``eta0``
    times 1.2. It ended best.

    >>> search.lineage_[3], search.n_exploits_
    ([1, 3, 3], 2)
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "param_distributions": "no_validation",  # check_space names what is wrong
        "resource": [str],
        "population_size": [Interval(Integral, 2, None, closed="left")],
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "step_resource": [Interval(Integral, 1, None, closed="left")],
        "mutable": [list, tuple, None],
        "exploit_fraction": [Interval(Real, 0, 0.5, closed="right")],
        "selection": [StrOptions({"truncation", "tournament"})],
        "perturbation_factors": [tuple, list],
        "resample_probability": [Interval(Real, 0, 1, closed="both")],
        "asynchronous": ["boolean"],
        "random_state": ["random_state"],
        "objective": [str, None],
    }

    _fitted_extra = (
        "best_schedule_",
        "lineage_",
        "mutable_",
        "fixed_",
        "copy_time_",
        "exploit_time_",
        "n_exploits_",
        "model_transfer_",
    )

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        resource="partial_fit",
        population_size=8,
        n_steps=10,
        step_resource=1,
        mutable=None,
        exploit_fraction=0.25,
        selection="truncation",
        perturbation_factors=(0.8, 1.2),
        resample_probability=0.25,
        asynchronous=False,
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
        self.population_size = population_size
        self.n_steps = n_steps
        self.step_resource = step_resource
        self.mutable = mutable
        self.exploit_fraction = exploit_fraction
        self.selection = selection
        self.perturbation_factors = perturbation_factors
        self.resample_probability = resample_probability
        self.asynchronous = asynchronous
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
        if space.n_dims == 0:
            raise ValueError(
                "param_distributions has no hyperparameter: population-based "
                "training explores hyperparameters as it trains, and with none "
                "every member would train the same model. Search at least one, "
                "or score the estimator as it is with BayesSearchCV(estimator, "
                "{}) or sklearn.model_selection.cross_validate."
            )
        check_param_names(self.estimator, space)
        names = space.param_names
        if self.resource == "n_samples":
            raise ValueError(
                "resource='n_samples' cannot continue a model: population-based "
                "training trains in steps. Use resource='partial_fit' or an "
                "integer warm-start parameter such as 'n_estimators' or 'max_iter'."
            )
        final = _final_step(self.estimator)
        if self.resource == "partial_fit" and not hasattr(final, "partial_fit"):
            raise ValueError(
                f"resource='partial_fit' trains in partial_fit epochs, but "
                f"{type(final).__name__} has no partial_fit method. Use an "
                "estimator (or a Pipeline's last step) with partial_fit, or "
                "resource= an integer warm-start parameter that grows step by step "
                "('n_estimators' of a forest, 'max_iter' of SGD, MLP or histogram "
                "gradient boosting)."
            )
        fidelity = check_fidelity(self.estimator, self.resource, names)
        if not fidelity.continues:
            raise ValueError(
                f"resource={self.resource!r}: {type(self.estimator).__name__} "
                "cannot continue training with it (it has no warm_start that "
                "continues this parameter). Use resource='partial_fit' with an "
                "estimator that has partial_fit, or a warm-start parameter such as "
                "'n_estimators' of a forest or 'max_iter' of SGD, MLP or "
                "histogram gradient boosting."
            )
        factors = self.perturbation_factors
        if len(factors) != 2 or not all(
            isinstance(f, Real) and not isinstance(f, bool) and 0 < f < np.inf
            for f in factors
        ):
            raise ValueError(
                f"perturbation_factors must be two positive numbers, got {factors!r}"
            )
        resource = None if self.resource == "partial_fit" else self.resource
        self.mutable_, self.fixed_ = check_mutable(
            self.estimator, names, self.mutable, resource=resource
        )
        self._space = space
        self._initial = check_initial_params(self.initial_params, self.estimator, space)
        self._fidelity = fidelity
        self._rules = ExploitExplore(
            self.exploit_fraction,
            self.selection,
            tuple(factors),
            self.resample_probability,
        )
        self._objective = self._check_objective(self.objective)

    def _setup(self, X, y, splits):
        self._n_samples = num_samples(X)
        if self._fidelity.kind == "param":
            self._fidelity.check_values(
                self.estimator,
                (self.step_resource, self.n_steps * self.step_resource),
                n_train=max(len(train) for train, _ in splits),
            )

    def _max_candidates(self):
        return self.population_size * self.n_steps

    # ------------------------------------------------------------ search
    def _run_search(self, evaluator):
        kwargs = dict(
            population_size=self.population_size,
            n_steps=self.n_steps,
            step_resource=self.step_resource,
            mutable=self.mutable_,
            rules=self._rules,
            seed=bind_search(self, evaluator),
            initial=self._initial,
        )
        policy_class = AsyncPBTPolicy if self.asynchronous else PBTPolicy
        self._stats = evaluator.stats
        self._run_policy(
            evaluator,
            policy_class(self._space, **kwargs),
            asynchronous=self.asynchronous,
            to_job=self._fidelity.job,
        )

    def _describe_plan(self, n_splits, planned):
        return (
            f"Fitting {n_splits} folds for each of "
            f"{plural(self.population_size, 'member')} at each of "
            f"{plural(self.n_steps, 'step')} ({self.resource}="
            f"{self.step_resource} each), totalling "
            f"{plural(planned * n_splits, 'fit')}"
        )

    def _describe_trial(self, trial):
        e = trial.extra
        return (
            f"member {e['member']} step {e['step']} "
            f"({self.resource}={e['n_resources']})"
        )

    def _describe_event(self, event):
        if event[0] == "exploit":
            _, member, parent, step = event
            return (
                f"member {member} takes member {parent}'s model after step "
                f"{step} and explores: {params_text(self._policy.params[member])}"
            )
        _, step, scores = event  # ("generation", step, scores)
        members = plural(len(scores), "member")
        return f"step {step}: {members} scored, {best_of(scores)}"

    # ----------------------------------------------------------- results
    def _ordered_results(self, results):
        return sorted(results, key=lambda r: (r.extra["step"], r.extra["member"]))

    def _rank_first_by(self, results):
        return [r.extra["n_resources"] for r in results]

    def _store_results(self, results, refit_metric, warn=True):
        refit_metric = super()._store_results(results, refit_metric, warn=warn)
        population, stats = self._policy, self._stats
        if hasattr(self, "best_index_"):
            schedule, carriers = schedule_of(self.cv_results_, self.best_index_)
            frame = pd.DataFrame(
                schedule, index=pd.RangeIndex(len(schedule), name="step")
            )
            frame["member"] = carriers
            self.best_schedule_ = frame
            self._replay = schedule  # exact values, where the frame may widen types
        self.lineage_ = {m: list(c) for m, c in population.lineage.items()}
        self.copy_time_ = stats["copy_time"]
        self.exploit_time_ = stats["policy_time"] + stats["copy_time"]
        self.n_exploits_ = population.n_exploits
        self.model_transfer_ = {
            "n_moves": stats["n_moves"],
            "bytes": stats["move_bytes"],
            "seconds": stats["n_moves"] * stats["move_seconds"],
        }
        return refit_metric

    def _refit(self, X, y, fit_params):
        """Replay the best schedule on all the data."""
        fidelity = self._fidelity
        if fidelity.kind == "partial_fit":
            fidelity.classes = (
                np.unique(y) if fidelity.classes_needed and y is not None else None
            )
        replay_schedule(
            self.best_estimator_,
            self._replay,
            self.step_resource,
            fidelity,
            X,
            y,
            fit_params,
            mutable=self.mutable_,
        )


def schedule_of(cv_results, row):
    """The schedule of the member of row ``row`` of a :class:`PBTSearchCV`'s
    ``cv_results_``, read from the results: ``(params, carriers)``, the
    hyperparameters in force at each step up to the row's and the member
    whose model trained it (following ``continues``), as ``best_schedule_``
    gives them for the best row."""
    previous = continued_rows(cv_results)
    rows = list(cv_results["params"])  # by position, as ``row``
    member = np.asarray(cv_results["member"], dtype=int)
    n_steps = int(np.asarray(cv_results["step"])[row]) + 1
    params, carriers = [], []
    i = row
    while i >= 0:
        params.append(dict(rows[i]))
        carriers.append(int(member[i]))
        i = previous[i]
    if len(params) != n_steps:
        raise ValueError(
            f"the results do not hold every step of row {row}'s lineage "
            f"({len(params)} of {n_steps})"
        )
    return params[::-1], carriers[::-1]
