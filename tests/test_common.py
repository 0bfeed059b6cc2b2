"""scikit-learn's estimator checks over small instances of every public search.

The instances mirror the ones scikit-learn checks ``GridSearchCV`` and
``RandomizedSearchCV`` with; the expected failures are the two scikit-learn
grants those searches, with its reasons, and for NestedCV the one listed in
``MORE_EXPECTED_FAILURES``.
"""

from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skhpo import BayesSearchCV, HyperbandSearchCV, NestedCV, PBTSearchCV

EXPECTED_FAILED_CHECKS = {
    "check_supervised_y_2d": "DataConversionWarning not caught",
    "check_requires_y_none": "Doesn't fail gracefully",
}


def _instances():
    common = dict(cv=2, error_score="raise", random_state=0)
    yield BayesSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, **common)
    yield BayesSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, **common)
    yield BayesSearchCV(
        Pipeline([("pca", PCA()), ("ridge", Ridge())]),
        {"ridge__alpha": [0.1, 1.0]},
        **common,
    )
    yield BayesSearchCV(
        Pipeline([("pca", PCA()), ("logisticregression", LogisticRegression())]),
        {"logisticregression__C": [0.1, 1.0]},
        **common,
    )

    # the halving searches' instances in scikit-learn's own checks, and one
    # that trains in partial_fit epochs
    yield HyperbandSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, **common)
    yield HyperbandSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, **common)
    yield HyperbandSearchCV(
        Pipeline([("pca", PCA()), ("ridge", Ridge())]),
        {"ridge__alpha": [0.1, 1.0]},
        **common,
    )
    yield HyperbandSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": [1e-4, 1e-2]},
        resource="partial_fit",
        max_resources=3,
        **common,
    )

    # population-based training in partial_fit epochs, of a model and of the
    # last step of a Pipeline, and by a warm start
    pbt = dict(population_size=2, n_steps=2, **common)
    yield PBTSearchCV(SGDClassifier(random_state=0), {"alpha": [1e-4, 1e-2]}, **pbt)
    yield PBTSearchCV(
        Pipeline([("pca", PCA()), ("sgd", SGDClassifier(random_state=0))]),
        {"sgd__alpha": [1e-4, 1e-2]},
        **pbt,
    )
    yield PBTSearchCV(
        RandomForestRegressor(random_state=0),
        {"max_depth": [2, 4]},
        resource="n_estimators",
        step_resource=2,
        **pbt,
    )

    # NestedCV around a scikit-learn search and around skhpo's
    nested = dict(cv=2, error_score="raise")
    yield NestedCV(GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, **nested), **nested)
    yield NestedCV(
        BayesSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, **common), **nested
    )


INSTANCES = list(_instances())

# beyond the searches' two: {estimator class name: {check: reason}}
MORE_EXPECTED_FAILURES = {
    "NestedCV": {
        "check_fit2d_1feature": (
            "nested 2 x 2 folds of the check's 10 samples leave a single class "
            "in an inner training fold, and the classifier says so before any "
            "check of the number of features"
        ),
    },
}


def _expected_failures(estimator):
    return {
        **EXPECTED_FAILED_CHECKS,
        **MORE_EXPECTED_FAILURES.get(type(estimator).__name__, {}),
    }


@parametrize_with_checks(INSTANCES, expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_instances_cover_every_public_search():
    import skhpo

    searches = {
        name
        for name in skhpo.__all__
        if name.endswith("SearchCV") or name == "NestedCV"
    }
    covered = {type(est).__name__ for est in INSTANCES}
    assert searches == covered
