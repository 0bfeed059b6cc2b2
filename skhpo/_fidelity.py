"""Training a candidate on part of a resource: samples, an estimator parameter,
or ``partial_fit`` epochs.

:func:`check_fidelity` validates a ``resource`` against the estimator and the
searched space before any fit; :class:`Fidelity` then turns "train this
candidate from ``start`` to ``stop`` units" into an engine :class:`~skhpo._engine.Job`,
continuing the candidate's models where the estimator allows it:

- ``"n_samples"``: each fold's training and test parts are subsampled to the
  fraction ``units / n_samples`` (scikit-learn's halving searches do the same),
  nested prefixes of one frozen permutation per fold; a model is refit at each
  step;
- an integer parameter (``"n_estimators"``, ``"max_iter"``, ``"clf__max_iter"``):
  with ``warm_start`` the fold's model is kept and only the added trees or
  iterations are trained (:class:`WarmStart`), otherwise it is
  refit with the larger value;
- ``"partial_fit"``: one ``partial_fit`` pass over the fold's training part per
  unit, the fold's model kept between steps (:class:`PartialFitEpochs`).

The trainers (:class:`WarmStart`, :class:`PartialFitEpochs`, :class:`Continue`)
are sent with the engine's tasks and run in the workers.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    TransformerMixin,
    clone,
    is_classifier,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ._engine import Job, Refit
from ._mutable import apply_update
from .utils._sklearn_compat import Interval, routing_enabled
from .utils._warnings import user_stacklevel

__all__ = [
    "Continue",
    "EpochsEstimator",
    "Fidelity",
    "PartialFitEpochs",
    "ScheduleEstimator",
    "WarmStart",
    "bind_search",
    "check_fidelity",
    "replay_schedule",
    "sibling",
]


def _final_step(estimator):
    while isinstance(estimator, Pipeline):
        estimator = estimator.steps[-1][1]
    return estimator


def _continuable():
    """``[(class, parameter, cumulative)]``: the warm starts skhpo continues.

    ``cumulative``: the parameter counts all that is trained (a warm ``fit``
    adds the difference); otherwise a warm ``fit`` runs the parameter's value
    more iterations from where the model stands.
    """
    from sklearn.ensemble import BaseEnsemble

    from .utils._sklearn_compat import (
        BaseHistGradientBoosting,
        BaseMultilayerPerceptron,
        BaseSGD,
    )

    return [
        (BaseEnsemble, "n_estimators", True),
        (BaseHistGradientBoosting, "max_iter", True),
        (BaseSGD, "max_iter", False),
        (BaseMultilayerPerceptron, "max_iter", False),
    ]


def _continuation(estimator, name):
    """Whether a warm ``fit`` continues ``estimator``'s parameter ``name``, and
    how: None (refit at every step), or ``cumulative`` (bool).

    Only the owner of ``name`` is continued, and only when it is the estimator
    itself or the final step of (nested) Pipelines: a wrapper that clones its
    estimator (``OneVsRestClassifier``, bagging of a given model) would start
    over. Other estimators can declare their own continuable parameters with a
    class attribute ``_skhpo_warm_start = {"parameter": cumulative}``.
    """
    *path, short = name.split("__")
    owner = estimator
    for step in path:
        if not isinstance(owner, Pipeline) or owner.steps[-1][0] != step:
            return None
        owner = owner.steps[-1][1]
    if "warm_start" not in owner.get_params(deep=False):
        return None
    declared = getattr(type(owner), "_skhpo_warm_start", {})
    if short in declared:
        return bool(declared[short])
    for cls, parameter, cumulative in _continuable():
        if isinstance(owner, cls) and short == parameter:
            return cumulative
    return None


def check_fidelity(estimator, resource, param_names):
    """Validate ``resource`` against ``estimator`` and the searched names.

    Parameters
    ----------
    estimator : estimator
    resource : str
        ``"n_samples"``, ``"partial_fit"`` or the name of an integer parameter
        of ``estimator`` (``step__name`` in a Pipeline): set to an integer or
        None, and not declared a real number by the estimator's
        ``_parameter_constraints`` (``atol=0`` is a float tolerance).
    param_names : iterable of str
        Every name in the searched space.

    Returns
    -------
    fidelity : Fidelity
        Not yet bound to data.
    """
    if not isinstance(resource, str):
        raise ValueError(f"resource must be a string, got {resource!r}.")
    if resource == "n_samples":
        return Fidelity("n_samples")
    final = _final_step(estimator)
    if resource == "partial_fit":
        if not hasattr(final, "partial_fit"):
            where = (
                f"the Pipeline's last step {type(final).__name__}"
                if final is not estimator
                else type(estimator).__name__
            )
            raise ValueError(
                f"resource='partial_fit' trains in epochs with partial_fit, but "
                f"{where} has no partial_fit method. Use resource='n_samples', or "
                "an integer parameter of the estimator such as 'n_estimators' or "
                "'max_iter'."
            )
        return Fidelity("partial_fit", classes_needed=is_classifier(final))
    params = estimator.get_params(deep=True)
    if resource not in params:
        raise ValueError(
            f"resource={resource!r} is not a parameter of {type(estimator).__name__}. "
            "Use 'n_samples', 'partial_fit' or one of its integer parameters: "
            f"{_integer_parameters(estimator, params)!r}."
        )
    if resource in set(param_names):
        raise ValueError(
            f"resource={resource!r} is also in the searched parameters; the search "
            "sets it as it trains. Remove it from param_distributions."
        )
    replaced = [k for k in param_names if resource.startswith(k + "__")]
    if replaced:
        raise ValueError(
            f"resource={resource!r} belongs to the step {replaced[0]!r}, which is "
            "searched: the resource must be a parameter of a fixed estimator."
        )
    value = params[resource]
    if isinstance(value, bool) or not (value is None or isinstance(value, Integral)):
        raise ValueError(
            f"resource={resource!r} must name an integer parameter of the estimator; "
            f"its value is {value!r}."
        )
    if _declared_kind(estimator, params, resource) == "real":
        owner, declared = _constraints(estimator, params, resource)
        kinds = " or ".join(str(c) for c in declared if isinstance(c, Interval))
        raise ValueError(
            f"resource={resource!r} must name an integer parameter of the estimator; "
            f"its value is {value!r}, but {type(owner).__name__} takes {kinds}. "
            "Its integer parameters: "
            f"{_integer_parameters(estimator, params)!r}."
        )
    return Fidelity(
        "param",
        name=resource,
        cumulative=_continuation(estimator, resource),
        default_max=value,
    )


#: Integer parameters that are never a training resource, left out of the
#: hint for estimators that do not declare their parameters' types.
_NOT_RESOURCES = frozenset({"verbose", "random_state", "n_jobs"})


def _constraints(estimator, params, name):
    """``(owner, constraints)``: the estimator whose parameter ``name`` is
    (``step__param`` in a Pipeline; ``params`` is ``get_params(deep=True)``)
    and the list of ``_parameter_constraints`` it declares for it, or None
    (absent, or ``"no_validation"``)."""
    prefix, _, short = name.rpartition("__")
    owner = params[prefix] if prefix else estimator
    constraints = getattr(owner, "_parameter_constraints", None)
    declared = constraints.get(short) if isinstance(constraints, dict) else None
    return owner, declared if isinstance(declared, list) else None


def _declared_kind(estimator, params, name):
    """What the owner of parameter ``name`` declares it: ``"integer"`` if one
    of its constraints is an ``Interval`` of integers (``max_iter``,
    ``n_estimators``, ``min_samples_leaf``, which also takes fractions),
    ``"real"`` if its only intervals are of reals (``tol``, ``atol``,
    ``intercept_scaling``, whatever their default), ``"other"`` for the rest
    (``verbose``, ``random_state``, ``n_jobs``), None when the owner declares
    nothing for it (a third-party estimator)."""
    _, declared = _constraints(estimator, params, name)
    if declared is None:
        return None
    intervals = [c.type for c in declared if isinstance(c, Interval)]
    if Integral in intervals:
        return "integer"
    return "real" if intervals else "other"


def _integer_parameters(estimator, params):
    """The parameters that can be a resource, for the hint: set to an integer
    or None and declared integers by their estimator (one that declares
    nothing: set to an integer, and not ``verbose``, ``random_state`` or
    ``n_jobs``)."""
    names = []
    for name, value in params.items():
        if isinstance(value, bool) or not (
            value is None or isinstance(value, Integral)
        ):
            continue
        kind = _declared_kind(estimator, params, name)
        if kind == "integer" or (
            kind is None
            and isinstance(value, Integral)
            and name.rpartition("__")[2] not in _NOT_RESOURCES
        ):
            names.append(name)
    return sorted(names)


def _permutation(indices, labels, rng):
    """A random order of ``indices``; stratified by ``labels`` if given."""
    indices = rng.permutation(indices)
    if labels is None:
        return indices
    classes = labels[indices]
    rank = np.empty(len(indices))
    for c in np.unique(classes):
        where = np.flatnonzero(classes == c)
        # the k-th sample of a class of m goes at about k/m of the order
        rank[where] = (np.arange(len(where)) + rng.random()) / len(where)
    return indices[np.argsort(rank, kind="stable")]


class Fidelity:
    """How a candidate is trained on part of a resource (see the module doc)."""

    def __init__(
        self,
        kind,
        *,
        name=None,
        cumulative=None,
        default_max=None,
        classes_needed=False,
    ):
        self.kind = kind
        self.name = name
        self.cumulative = cumulative  # None: no continuation
        self.default_max = default_max
        self.classes_needed = classes_needed
        self.classes = None
        self.n_samples = None
        self._perms = None

    @property
    def continues(self):
        """Whether a candidate's models are kept and continued between steps."""
        return self.kind == "partial_fit" or (
            self.kind == "param" and self.cumulative is not None
        )

    def resolve_bounds(
        self, min_resources, max_resources, *, n_samples, n_splits, y, classifier
    ):
        """``(min, max)`` resources with the defaults filled in, checked."""
        if max_resources == "auto":
            if self.kind == "n_samples":
                max_resources = n_samples
            elif self.kind == "param":
                max_resources = self.default_max
                if not isinstance(max_resources, Integral) or max_resources < 1:
                    raise ValueError(
                        "max_resources='auto' takes the estimator's own value of "
                        f"{self.name!r}, which is {max_resources!r}; set "
                        "max_resources to a positive integer."
                    )
            else:
                raise ValueError(
                    "With resource='partial_fit', set max_resources to the number "
                    "of epochs the best candidates train for."
                )
        if min_resources is None:
            min_resources = 1
            if self.kind == "n_samples":
                # scikit-learn's 'smallest'
                min_resources = 2 * n_splits
                if y is not None and classifier:
                    check_classification_targets(y)
                    min_resources *= len(np.unique(y))
        if min_resources > max_resources:
            raise ValueError(
                f"min_resources={min_resources} is larger than "
                f"max_resources={max_resources}."
            )
        if self.kind == "n_samples" and max_resources > n_samples:
            raise ValueError(
                f"max_resources={max_resources} is larger than the number of "
                f"samples ({n_samples}) with resource='n_samples'."
            )
        return int(min_resources), int(max_resources)

    def check_values(self, estimator, values, n_train=None):
        """Raise, naming the resource, if the estimator's own parameter
        validation refuses one of ``values`` (before any fit); warn if the
        estimator may stop early on ``n_train`` training samples."""
        if self.kind != "param":
            return
        for value in values:
            owner = self._owner(clone(estimator).set_params(**{self.name: value}))
            validate = getattr(owner, "_validate_params", None)
            if validate is None or not hasattr(owner, "_parameter_constraints"):
                continue
            try:
                validate()
            except (ValueError, TypeError) as exc:
                raise ValueError(
                    f"resource={self.name!r} cannot take the value {value}: {exc}"
                ) from exc
        self._warn_early_stopping(estimator, n_train)

    def _owner(self, estimator):
        """The estimator (or Pipeline step) whose parameter the resource is."""
        prefix = self.name.rpartition("__")[0]
        return estimator.get_params(deep=True)[prefix] if prefix else estimator

    def _warn_early_stopping(self, estimator, n_train):
        """Warn when the resource's owner may stop training before the units
        asked: ``n_resources`` would then count what was asked."""
        owner = self._owner(estimator)
        own = owner.get_params(deep=False)
        # "auto": histogram gradient boosting stops early above 10,000 samples
        auto = n_train is not None and n_train > 10_000
        stops = (
            own.get("early_stopping") is True
            or (own.get("early_stopping") == "auto" and auto)
            or (
                "n_iter_no_change" in own
                and own["n_iter_no_change"] is not None
                and "early_stopping" not in own  # gradient boosting's switch
            )
        )
        if stops:
            warnings.warn(
                f"{type(owner).__name__} stops early (early_stopping="
                f"{own.get('early_stopping')!r}, n_iter_no_change="
                f"{own.get('n_iter_no_change')!r}): it may train fewer than the "
                f"{self.name!r} units a step asks for, while n_resources in "
                "cv_results_ counts the units asked. Turn early stopping off to "
                "compare candidates on the resource they were given.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )

    def bind(self, y, splits, n_samples, rng, *, classifier=False):
        """Fix what depends on the data: classes, the folds' permutations.

        For a classifier the permutations are stratified: every prefix holds the
        classes in about their proportions in the fold, so that a small rung
        still sees every class.
        """
        self.n_samples = n_samples
        if self.kind == "partial_fit" and self.classes_needed and y is not None:
            self.classes = np.unique(y)
        if self.kind == "n_samples":
            labels = None
            if classifier and y is not None:
                if type_of_target(y) in ("binary", "multiclass"):
                    labels = np.unique(np.asarray(y), return_inverse=True)[1]
            self._perms = [
                (_permutation(tr, labels, rng), _permutation(te, labels, rng))
                for tr, te in splits
            ]
        return self

    def job(self, trial, states=None):
        """The engine's job for a policy's ``trial`` (see
        :class:`skhpo.schedulers.Trial`): its parameters trained from
        ``trial.start`` to ``trial.stop`` units.

        ``states`` are the per-fold models the trial continues (None to start
        from fresh clones); ``trial.update`` (population-based training) is
        set on them before they train on.
        """
        job = self.job_for(trial.params, trial.start, trial.stop, states, trial.extra)
        if states is not None and trial.update:
            job.trainer = Continue(trial.update, job.trainer)
        return job

    def job_for(self, params, start, stop, states=None, extra=None):
        """The job training ``params`` from ``start`` to ``stop`` units,
        continuing ``states`` (per-fold models) if given."""
        if self.kind == "n_samples":
            return Job(params, extra, splits=self._subsample(stop))
        if self.kind == "partial_fit":
            trainer = PartialFitEpochs(start if states else 0, stop, self.classes)
            return Job(params, extra, states=states, trainer=trainer)
        full = {**params, self.name: int(stop)}
        if self.cumulative is None:
            return Job(full, extra)
        trainer = WarmStart(self.name, start if states else 0, stop, self.cumulative)
        return Job(full, extra, states=states, trainer=trainer)

    def _subsample(self, units):
        if units >= self.n_samples:
            return None  # the frozen splits themselves
        fraction = units / self.n_samples
        return [
            (
                np.sort(train[: int(fraction * len(train))]),
                np.sort(test[: int(fraction * len(test))]),
            )
            for train, test in self._perms
        ]

    def units(self, start, stop):
        """Resource units a step trains: the difference when it continues."""
        return stop - start if self.continues else stop

    def refit(self, estimator, X, y, fit_params, units):
        """Train the refit model on all data as the candidates were trained."""
        if self.kind == "partial_fit":
            classes = np.unique(y) if self.classes_needed and y is not None else None
            PartialFitEpochs(0, units, classes).train(estimator, X, y, fit_params)
        else:
            Refit().train(estimator, X, y, fit_params)


def bind_search(search, evaluator):
    """Draw a search's seed and bind its fidelity to the evaluator's data.

    Parameters
    ----------
    search : HyperbandSearchCV or PBTSearchCV
        With ``_seed`` (drawn from ``random_state`` by ``fit``), ``_fidelity``
        and ``_n_samples`` set.
    evaluator : skhpo._engine.Evaluator

    Returns
    -------
    seed : int
        The search's seed, from which every generator of the search derives.
    """
    seed = search._seed
    search._fidelity.bind(
        evaluator.y,
        evaluator.splits,
        search._n_samples,
        np.random.default_rng([seed, 1]),
        classifier=is_classifier(search.estimator),
    )
    return seed


# ------------------------------------------------------------------ trainers
# How a task trains its model. Each is a small picklable object sent with the
# task; ``keeps_state`` trainers return the model so that the next step of the
# same candidate continues it instead of starting over.


class WarmStart:
    """Grow an integer parameter of a ``warm_start`` estimator from ``start`` to
    ``stop`` units, training only what is added.

    ``cumulative``: the parameter counts everything trained so far
    (``n_estimators`` of an ensemble, ``max_iter`` of histogram gradient
    boosting), so it is set to ``stop``; otherwise each ``fit`` runs the
    parameter's value more iterations (``max_iter`` of SGD and MLP), so it is
    set to ``stop - start``. In a Pipeline the steps before the last are fitted
    on the first step only; later steps continue the last step alone.
    """

    keeps_state = True

    def __init__(self, name, start, stop, cumulative):
        self.name = name
        self.start = start
        self.stop = stop
        self.cumulative = cumulative

    def train(self, estimator, X, y, fit_params):
        value = self.stop if self.cumulative else self.stop - self.start
        short = self.name.rpartition("__")[2]
        if self.start == 0:
            estimator.set_params(
                **{self.name: value, sibling(self.name, "warm_start"): True}
            )
            final, params = estimator, fit_params
        else:
            final, X, params = _through_head(estimator, X, y, fit_params, fit=False)
            final.set_params(**{short: value})
        with warnings.catch_warnings():
            # small budgets are not meant to converge
            warnings.simplefilter("ignore", ConvergenceWarning)
            Refit().train(final, X, y, params)


class PartialFitEpochs:
    """Train ``stop - start`` more epochs, one ``partial_fit`` call over the
    fold's training part each.

    For a Pipeline the steps before the last are fitted once, on the first
    step, and only transform afterwards. Classifiers get ``classes`` on every
    call unless the fit parameters carry them.
    """

    keeps_state = True

    def __init__(self, start, stop, classes=None):
        self.start = start
        self.stop = stop
        self.classes = classes

    def train(self, estimator, X, y, fit_params):
        final, X, params = _through_head(
            estimator, X, y, fit_params, fit=self.start == 0
        )
        params = dict(params)
        if self.classes is not None and "classes" not in params:
            params["classes"] = self.classes
        for _ in range(self.stop - self.start):
            if y is None:
                final.partial_fit(X, **params)
            else:
                final.partial_fit(X, y, **params)


class _TrainsInSteps(MetaEstimatorMixin, BaseEstimator):
    """Base of the wrappers whose ``fit`` trains ``estimator`` as a search
    trains a candidate in steps, for scikit-learn's tools that call ``fit``
    (``cross_validate`` in :func:`skhpo.reevaluate`). The trained model is
    ``estimator_``: score it, not the wrapper. ``classes`` (for a
    classifier trained by ``partial_fit``): all the classes, as the search
    passes them; None: those of ``y``."""

    def fit(self, X, y=None, **fit_params):
        if routing_enabled():
            fit_params = process_routing(self, "fit", **fit_params).estimator.fit
        model = clone(self.estimator)
        classes = self.classes
        if classes is None and is_classifier(model) and y is not None:
            classes = np.unique(y)
        self.estimator_ = self._train(model, classes, X, y, fit_params)
        return self

    def get_metadata_routing(self):
        return MetadataRouter(owner=type(self).__name__).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    def __sklearn_tags__(self):
        return get_tags(self.estimator)


class EpochsEstimator(_TrainsInSteps):
    """``estimator`` whose ``fit`` trains ``epochs`` ``partial_fit`` calls, as
    ``resource="partial_fit"`` trains a candidate (see :class:`PartialFitEpochs`
    and :class:`_TrainsInSteps`)."""

    def __init__(self, estimator, epochs, classes=None):
        self.estimator = estimator
        self.epochs = epochs
        self.classes = classes

    def _train(self, model, classes, X, y, fit_params):
        PartialFitEpochs(0, int(self.epochs), classes).train(model, X, y, fit_params)
        return model


class ScheduleEstimator(_TrainsInSteps):
    """``estimator`` whose ``fit`` trains through a PBT ``schedule``, as
    :class:`~skhpo.PBTSearchCV` trains a member (see :func:`replay_schedule`
    and :class:`_TrainsInSteps`): ``resource`` and ``step_resource`` as the
    search's."""

    def __init__(self, estimator, schedule, resource, step_resource, classes=None):
        self.estimator = estimator
        self.schedule = schedule
        self.resource = resource
        self.step_resource = step_resource
        self.classes = classes

    def _train(self, model, classes, X, y, fit_params):
        fidelity = check_fidelity(self.estimator, self.resource, ())
        fidelity.classes = classes if fidelity.classes_needed else None
        schedule, step = self.schedule, self.step_resource
        return replay_schedule(model, schedule, step, fidelity, X, y, fit_params)


def replay_schedule(
    model, schedule, step_resource, fidelity, X, y, fit_params, mutable=None
):
    """Train ``model`` (unfitted) through a PBT ``schedule`` on ``X, y``: the
    hyperparameters of ``schedule[k]`` in force during step ``k``, of
    ``step_resource`` units of ``fidelity`` (whose ``classes`` the caller
    sets), changed between steps as a continued model is changed. ``mutable``:
    the names that may change (default: all of them). With a warm-start
    parameter, it ends at the resource trained in all and ``warm_start`` as
    it was given."""
    from .schedulers._pbt import changes

    names = list(schedule[0]) if mutable is None else mutable
    warm_start = (
        sibling(fidelity.name, "warm_start") if fidelity.kind == "param" else None
    )
    given = model.get_params()[warm_start] if warm_start else None
    previous = None
    for step, params in enumerate(schedule):
        start = step * step_resource
        stop = start + step_resource
        if step == 0:
            # clone the values too: estimators may be searched over
            job = fidelity.job_for(params, 0, stop)
            model.set_params(**clone(job.params, safe=False))
        else:
            update = changes(params, previous, names)
            apply_update(model, clone(update, safe=False))
            job = fidelity.job_for(params, start, stop, states=[model])
        job.trainer.train(model, X, y, fit_params)
        previous = params
    if warm_start:
        model.set_params(
            **{fidelity.name: len(schedule) * step_resource, warm_start: given}
        )
    return model


def sibling(name, param):
    """The name of ``param`` of the estimator that owns parameter ``name``
    (``step__warm_start`` for ``step__n_estimators``)."""
    owner = name.rpartition("__")[0]
    return f"{owner}__{param}" if owner else param


class Continue:
    """Change hyperparameters of a continued model, then train it on.

    For population-based training: ``update`` is set on the model (and
    passed on to its internals, see :func:`skhpo._mutable.apply_update`)
    before ``trainer`` (a :class:`WarmStart` or :class:`PartialFitEpochs`)
    trains the next step.
    """

    keeps_state = True

    def __init__(self, update, trainer):
        self.update = update
        self.trainer = trainer

    def train(self, estimator, X, y, fit_params):
        apply_update(estimator, self.update)
        self.trainer.train(estimator, X, y, fit_params)


def _through_head(estimator, X, y, fit_params, *, fit):
    """``(final step, its input, its fit parameters)`` of a (nested) Pipeline.

    The steps before the final one are fitted on ``X`` (``fit=True``) or only
    transform it, unless one of them transforms its training data differently
    when fitting (``fit_transform`` is not ``fit`` then ``transform``, as in
    ``TargetEncoder``): then they are fitted again, so that the final step
    always trains on what a fit of the whole Pipeline would give it. Fit
    parameters are checked and split as ``Pipeline.fit`` does (``step__param``,
    or the steps' requests under metadata routing).
    """
    while isinstance(estimator, Pipeline):
        routed = estimator._check_method_params(method="fit", props=fit_params)
        refit_head = fit or not _plain_head(estimator)
        for name, step in estimator.steps[:-1]:
            if step is None or step == "passthrough":
                continue
            params = _step_params(routed, name)
            if not refit_head:
                X = step.transform(X)
            elif hasattr(step, "fit_transform"):
                X = step.fit_transform(X, y, **params.get("fit_transform", {}))
            else:
                X = step.fit(X, y, **params.get("fit", {})).transform(X)
        name, estimator = estimator.steps[-1]
        fit_params = _step_params(routed, name).get("fit", {})
    return estimator, X, fit_params


def _step_params(routed, name):
    try:
        return routed[name]
    except (KeyError, AttributeError):  # a passthrough step has no entry
        return {}


def _plain_head(pipeline):
    """Whether the steps before the last transform their training data as they
    transform new data (``fit_transform`` is ``fit`` then ``transform``)."""
    return all(_plain_step(step) for _, step in pipeline.steps[:-1])


def _plain_step(step):
    if step is None or step == "passthrough":
        return True
    if isinstance(step, Pipeline):
        return all(_plain_step(inner) for _, inner in step.steps)
    method = getattr(type(step), "fit_transform", None)
    return method is None or method is TransformerMixin.fit_transform
