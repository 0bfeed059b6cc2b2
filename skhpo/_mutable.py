"""Which hyperparameters can change while a model trains, and how to change them.

Population-based training changes hyperparameters between training steps of
a model that keeps its fitted state. That is only meaningful for a
hyperparameter the estimator reads again at every step: ``alpha`` of an
``SGDClassifier`` (read by every ``partial_fit``), ``max_depth`` of a random
forest (read for every tree a warm ``fit`` adds). Others are fixed once the
model exists: the shape of a network (``hidden_layer_sizes``), the solver,
anything of a Pipeline step before the last (fitted once, on the first step).

The registry below lists, for scikit-learn's estimators that train in steps,
the hyperparameters that take effect when changed between steps. Other
estimators can declare theirs with a class attribute
``_skhpo_mutable = ("name", ...)``. A few changes need more than
``set_params``: a multi-layer perceptron builds its optimiser once and keeps
its learning rate; :func:`apply_update` passes the new values on to it.
"""

from __future__ import annotations

from sklearn.pipeline import Pipeline

_SGD = ("alpha", "l1_ratio", "eta0", "power_t", "learning_rate", "penalty", "nu")
_MLP = ("alpha", "batch_size", "learning_rate_init", "momentum", "power_t")
#: MLP parameters only the ``sgd`` solver reads.
_MLP_SGD_ONLY = ("momentum", "power_t")
_TREES = (
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "max_leaf_nodes",
    "min_impurity_decrease",
    "ccp_alpha",
)


def _harm(final, short):
    """Why changing ``short`` mid-training would do harm to ``final``, or None."""
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

    from .utils._sklearn_compat import BaseForest, BaseMultilayerPerceptron

    boosting = (GradientBoostingClassifier, GradientBoostingRegressor)
    reasons = [
        (
            BaseMultilayerPerceptron,
            "hidden_layer_sizes",
            "the network's shape is fixed once it is built",
        ),
        (
            boosting,
            "learning_rate",
            "its prediction multiplies every stage already built by the current "
            "learning_rate: a change would rescale the past",
        ),
        (
            boosting,
            "subsample",
            "the out-of-bag bookkeeping of the stages already built would break",
        ),
        (
            BaseForest,
            "max_samples",
            "the out-of-bag samples of the trees already grown would be "
            "recomputed with the new value",
        ),
    ]
    return next(
        (
            text
            for cls, name, text in reasons
            if name == short and isinstance(final, cls)
        ),
        None,
    )


def _registry():
    """``[(class, mutable names, why the others are fixed)]``."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.ensemble import (
        BaseEnsemble,
        GradientBoostingClassifier,
        GradientBoostingRegressor,
    )
    from sklearn.naive_bayes import GaussianNB

    from .utils._sklearn_compat import (
        BaseDiscreteNB,
        BaseForest,
        BaseHistGradientBoosting,
        BaseMultilayerPerceptron,
        BaseSGD,
    )

    return [
        (BaseSGD, _SGD, "the model it started is built with it"),
        (BaseMultilayerPerceptron, _MLP, "the network is built with it"),
        (BaseDiscreteNB, ("alpha",), "the model it started is built with it"),
        (GaussianNB, ("var_smoothing",), "the model it started is built with it"),
        (MiniBatchKMeans, ("reassignment_ratio",), "the clusters are built with it"),
        (BaseForest, _TREES, "the trees already grown are built with it"),
        (
            (GradientBoostingClassifier, GradientBoostingRegressor),
            _TREES,
            "the stages already built are built with it",
        ),
        (
            BaseHistGradientBoosting,
            (
                "learning_rate",
                "l2_regularization",
                "max_leaf_nodes",
                "max_depth",
                "min_samples_leaf",
                "max_features",
            ),
            "the trees already grown are built with it",
        ),
        (BaseEnsemble, (), "an ensemble of given models refits them"),
    ]


def _final(estimator):
    """``(the estimator a step continues, the prefix of its parameters)``."""
    prefix = ""
    while isinstance(estimator, Pipeline):
        name, estimator = estimator.steps[-1]
        prefix += name + "__"
    return estimator, prefix


def known_mutable(estimator):
    """The names (``step__param`` in a Pipeline) that may change between steps.

    Returns
    -------
    names : set of str or None
        None when skhpo does not know the estimator (it neither is in the
        registry nor declares ``_skhpo_mutable``).
    why : str
        Why the others stay fixed, for messages.
    """
    final, prefix = _final(estimator)
    declared = getattr(type(final), "_skhpo_mutable", None)
    if declared is not None:
        return (
            {prefix + n for n in declared},
            f"{type(final).__name__} declares the others fixed",
        )
    own = final.get_params(deep=False)
    for cls, names, why in _registry():
        if isinstance(final, cls):
            names = [n for n in names if n in own]
            if getattr(final, "solver", "sgd") != "sgd":  # adam, lbfgs
                names = [n for n in names if n not in _MLP_SGD_ONLY]
            return {prefix + n for n in names}, why
    return None, ""


def check_mutable(estimator, searched, mutable, *, resource=None):
    """The searched hyperparameters that explore may change, checked.

    Parameters
    ----------
    estimator : estimator
    searched : list of str
        Every name in the searched space.
    mutable : list of str or None
        The user's choice; None takes every searched name that the registry
        (or the class) says may change.
    resource : str, optional
        The warm-start parameter that grows step by step: never mutable.

    Returns
    -------
    mutable : list of str
    fixed : dict of str to str
        The other searched names, each with the reason it stays fixed.
    """
    known, why = known_mutable(estimator)
    final, prefix = _final(estimator)
    name = type(final).__name__

    def own(param):
        """Whether ``param`` belongs to the estimator a step continues."""
        return param.startswith(prefix) and "__" not in param[len(prefix) :]

    def allowed(param):
        """Whether explore may change ``param`` (unknown classes: the user says)."""
        return param != resource and own(param) and (known is None or param in known)

    def reason(param):
        if param == resource:
            return "the resource grows step by step"
        if not own(param):
            return "a Pipeline step before the last is fitted once, on the first step"
        if known is None:
            return (
                f"skhpo does not know whether {name} reads it again at every step; "
                "name it in mutable= if it does"
            )
        if param in known:
            return "not named in mutable="
        harm = _harm(final, param[len(prefix) :])
        if harm is not None:
            return f"{name} cannot change it mid-training: {harm}"
        return f"{name} does not read it again at each step: {why}"

    if mutable is None:
        chosen = [p for p in searched if known is not None and p in known]
    else:
        if isinstance(mutable, str) or not all(isinstance(m, str) for m in mutable):
            raise ValueError(
                f"mutable must be a list of searched parameter names, got {mutable!r}"
            )
        unknown = [m for m in mutable if m not in searched]
        if unknown:
            raise ValueError(
                f"mutable names {unknown} that are not searched; searched: {searched}"
            )
        refused = [m for m in mutable if not allowed(m)]
        if refused:
            allowed = sorted(known) if known is not None else "its own parameters"
            raise ValueError(
                f"mutable={refused!r}: {'; '.join(reason(m) for m in refused)}. "
                f"{name} can change: {allowed}"
            )
        chosen = [p for p in searched if p in mutable]
    fixed = {p: reason(p) for p in searched if p not in chosen}
    return chosen, fixed


def apply_update(estimator, update):
    """Set ``update`` on a model that is being continued, and on its internals.

    ``update`` holds only the values that change. They are validated as a
    fresh ``fit`` would (a continued ``partial_fit`` skips the validation). A
    multi-layer perceptron's optimiser, built at the first step, keeps the
    learning rate, momentum and decay it was built with: what changes is
    passed on to it, so that it takes effect at the next step.
    """
    if not update:
        return estimator
    estimator.set_params(**update)
    final, prefix = _final(estimator)
    validate = getattr(final, "_validate_params", None)
    if validate is not None and hasattr(final, "_parameter_constraints"):
        validate()
    optimizer = getattr(final, "_optimizer", None)
    if optimizer is None:
        return estimator
    changed = {name[len(prefix) :] for name in update if name.startswith(prefix)}
    for name in ("learning_rate_init", "momentum", "power_t"):
        if name in changed and hasattr(optimizer, name):
            setattr(optimizer, name, getattr(final, name))
    if "learning_rate_init" in changed and getattr(optimizer, "lr_schedule", None) in (
        "constant",
        "adaptive",
    ):
        # sgd's current rate; invscaling recomputes it at the epoch's end
        optimizer.learning_rate = final.learning_rate_init
    return estimator
