"""The configurations whose ``cv_results_`` are recorded: every search, every
resource kind, the model sampler, Pipelines, several metrics, ``n_jobs`` 1 and
2, and the asynchronous modes with one worker (where they are deterministic).

Each entry builds ``(search, X, y)``; :func:`summary` turns a fitted search
into what is compared: parameters, fold scores, ranks and the search's own
columns, never times.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skhpo import BayesSearchCV, HyperbandSearchCV, NestedCV, PBTSearchCV
from skhpo.space import Categorical, Integer, Real
from skhpo.utils._testing import FailingClassifier

#: cv_results_ keys that hold times and workers, left out of the comparison;
#: ``split<k>_status`` came after the records (checked by tests of its own)
TIMING = (
    "fit_time",
    "score_time",
    "propose_time",
    "start_time",
    "end_time",
    "_worker",
    "_status",
)


def _iris():
    return load_iris(return_X_y=True)


def _cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _wine():
    X, y = load_wine(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def bayes_svc(n_jobs):
    space = {
        "C": Real(1e-2, 1e2, prior="log-uniform"),
        "gamma": loguniform(1e-3, 1e0),
        "kernel": ["rbf", "sigmoid"],
    }
    # expected improvement, recorded before the ensemble became the default:
    # the ensemble's proposals move with the last bits of numpy's functions
    # (candidate 7 of this search differs between numpy 1.24 and 2.4)
    search = BayesSearchCV(
        SVC(), space, n_iter=12, cv=3, n_jobs=n_jobs, acq_func="EI", random_state=0
    )
    return search, *_iris()


def bayes_multimetric():
    # refit by the log loss: on wine, accuracy and F1 are flat over most of
    # the space, and ties between proposals are then broken by rounding,
    # which differs between numpy and scipy versions
    space = {"C": Real(1e-3, 1e2, prior="log-uniform"), "fit_intercept": [True, False]}
    search = BayesSearchCV(
        LogisticRegression(max_iter=200),
        space,
        n_iter=10,
        cv=3,
        scoring={"accuracy": "accuracy", "nll": "neg_log_loss"},
        refit="nll",
        return_train_score=True,
        acq_func="UCB",
        random_state=1,
    )
    return search, *_wine()


def bayes_pipeline_conditional(n_jobs):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    space = [
        {
            "clf": [SVC()],
            "clf__C": Real(1e-2, 1e2, prior="log-uniform"),
            "clf__kernel": ["rbf", "linear"],
        },
        {
            "clf": [LogisticRegression(max_iter=300)],
            "clf__C": loguniform(1e-3, 1e1),
        },
    ]
    search = BayesSearchCV(
        pipe,
        space,
        n_iter=12,
        cv=3,
        n_jobs=n_jobs,
        batch_size=3,
        acq_func="EI",  # as bayes_svc
        random_state=2,
    )
    return search, *_cancer()


def bayes_grid():
    space = {"max_depth": [1, 2, 3, 4], "criterion": ["gini", "entropy"]}
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0),
        space,
        n_iter=20,
        cv=3,
        random_state=0,
    )
    return search, *_iris()


def bayes_failures():
    space = {"parameter": Integer(0, 9)}
    search = BayesSearchCV(
        FailingClassifier(fail_on=(2, 3, 7)),
        space,
        n_iter=9,
        cv=2,
        n_initial_points=4,
        acq_func="PI",
        random_state=3,
    )
    return search, *_iris()


def hyperband_n_samples(n_jobs):
    space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-4, 1e-1)}
    search = HyperbandSearchCV(
        SVC(),
        space,
        resource="n_samples",
        factor=3,
        cv=3,
        n_jobs=n_jobs,
        random_state=0,
    )
    return search, *_digits()


def hyperband_warm_start():
    space = {"max_depth": randint(2, 12), "max_features": uniform(0.1, 0.8)}
    search = HyperbandSearchCV(
        RandomForestClassifier(random_state=0),
        space,
        resource="n_estimators",
        min_resources=2,
        max_resources=18,
        cv=3,
        random_state=1,
    )
    return search, *_wine()


def hyperband_refit_param():
    space = {"min_samples_leaf": randint(1, 20), "criterion": ["gini", "entropy"]}
    search = HyperbandSearchCV(
        DecisionTreeClassifier(random_state=0),
        space,
        resource="max_depth",
        min_resources=1,
        max_resources=9,
        cv=3,
        random_state=2,
    )
    return search, *_cancer()


def _sgd_space():
    return {
        "alpha": Real(1e-6, 1e-1, prior="log-uniform"),
        "penalty": Categorical(["l2", "l1"]),
    }


def hyperband_partial_fit(n_jobs):
    search = HyperbandSearchCV(
        SGDClassifier(random_state=0),
        _sgd_space(),
        resource="partial_fit",
        max_resources=9,
        cv=3,
        n_jobs=n_jobs,
        random_state=3,
    )
    return search, *_digits()


def hyperband_partial_fit_pipeline_multimetric():
    pipe = Pipeline(
        [("scale", StandardScaler()), ("sgd", SGDClassifier(random_state=0))]
    )
    space = {
        "sgd__alpha": loguniform(1e-6, 1e-1),
        "sgd__eta0": loguniform(1e-3, 1e-1),
        "sgd__learning_rate": ["constant", "optimal"],
    }
    search = HyperbandSearchCV(
        pipe,
        space,
        resource="partial_fit",
        max_resources=9,
        cv=3,
        scoring=["accuracy", "balanced_accuracy"],
        refit="balanced_accuracy",
        random_state=4,
    )
    return search, *_wine()


def hyperband_model_sampler():
    search = HyperbandSearchCV(
        SGDClassifier(random_state=0),
        _sgd_space(),
        resource="partial_fit",
        max_resources=9,
        n_brackets=2,
        sampler="model",
        cv=3,
        random_state=5,
    )
    return search, *_digits()


def hyperband_async(sampler):
    search = HyperbandSearchCV(
        SGDClassifier(random_state=0),
        _sgd_space(),
        resource="partial_fit",
        max_resources=9,
        asynchronous=True,
        sampler=sampler,
        cv=3,
        n_jobs=1,
        random_state=6,
    )
    return search, *_digits()


def pbt_partial_fit(n_jobs, asynchronous=False, selection="truncation"):
    space = {
        "alpha": loguniform(1e-6, 1e-1),
        "eta0": loguniform(1e-4, 1e-1),
        "learning_rate": ["constant", "invscaling"],
    }
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        space,
        population_size=6,
        n_steps=5,
        step_resource=2,
        selection=selection,
        asynchronous=asynchronous,
        cv=3,
        n_jobs=n_jobs,
        random_state=7,
    )
    return search, *_digits()


def pbt_warm_start():
    search = PBTSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": randint(2, 10), "min_samples_leaf": randint(1, 10)},
        resource="n_estimators",
        population_size=4,
        n_steps=4,
        step_resource=3,
        cv=3,
        random_state=8,
    )
    return search, *_wine()


def pbt_mlp():
    search = PBTSearchCV(
        MLPClassifier(hidden_layer_sizes=(16,), random_state=0),
        {"learning_rate_init": loguniform(1e-4, 1e-1), "alpha": loguniform(1e-6, 1e-2)},
        population_size=4,
        n_steps=4,
        cv=2,
        random_state=9,
    )
    return search, *_wine()


def nested_bayes():
    inner = BayesSearchCV(
        SVC(),
        {"C": Real(1e-2, 1e2, prior="log-uniform")},
        n_iter=6,
        cv=3,
        random_state=0,
    )
    return NestedCV(inner, cv=3), *_iris()


CONFIGS = {
    "bayes_svc_jobs1": lambda: bayes_svc(1),
    "bayes_svc_jobs2": lambda: bayes_svc(2),
    "bayes_multimetric": bayes_multimetric,
    "bayes_pipeline_conditional_jobs1": lambda: bayes_pipeline_conditional(1),
    "bayes_pipeline_conditional_jobs2": lambda: bayes_pipeline_conditional(2),
    "bayes_grid": bayes_grid,
    "bayes_failures": bayes_failures,
    "hyperband_n_samples_jobs1": lambda: hyperband_n_samples(1),
    "hyperband_n_samples_jobs2": lambda: hyperband_n_samples(2),
    "hyperband_warm_start": hyperband_warm_start,
    "hyperband_refit_param": hyperband_refit_param,
    "hyperband_partial_fit_jobs1": lambda: hyperband_partial_fit(1),
    "hyperband_partial_fit_jobs2": lambda: hyperband_partial_fit(2),
    "hyperband_partial_fit_pipeline_multimetric": (
        hyperband_partial_fit_pipeline_multimetric
    ),
    "hyperband_model_sampler": hyperband_model_sampler,
    "hyperband_async_random": lambda: hyperband_async("random"),
    "hyperband_async_model": lambda: hyperband_async("model"),
    "pbt_partial_fit_jobs1": lambda: pbt_partial_fit(1),
    "pbt_partial_fit_jobs2": lambda: pbt_partial_fit(2),
    "pbt_tournament": lambda: pbt_partial_fit(1, selection="tournament"),
    "pbt_async_jobs1": lambda: pbt_partial_fit(1, asynchronous=True),
    "pbt_warm_start": pbt_warm_start,
    "pbt_mlp": pbt_mlp,
    "nested_bayes": nested_bayes,
}


def _plain(value):
    """A JSON value standing for ``value`` (estimators by their repr)."""
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return repr(value)


def summary(search):
    """What is compared: ``cv_results_`` without times, and the best row."""
    if isinstance(search, NestedCV):
        return {
            "test_score": _plain(list(search.cv_results_["test_score"])),
            "best_score": _plain(list(search.cv_results_["best_score"])),
            "best_params": _plain(list(search.cv_results_["best_params"])),
        }
    results = {}
    for key, values in search.cv_results_.items():
        if any(t in key for t in TIMING):
            continue
        if key.startswith("param_"):
            continue  # the same values as "params"
        results[key] = _plain(list(values))
    return {
        "cv_results": results,
        "best_index": _plain(getattr(search, "best_index_", None)),
        "best_params": _plain(getattr(search, "best_params_", None)),
    }


def run(name):
    """Fit configuration ``name`` and return its summary."""
    import warnings

    search, X, y = CONFIGS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return summary(search)
