"""scikit-learn's estimator checks over small instances of every public search.

The instances mirror the ones scikit-learn checks ``GridSearchCV`` and
``RandomizedSearchCV`` with; the expected failures are the two scikit-learn
grants those searches, with its reasons.
"""

from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skhpo import BayesSearchCV, HyperbandSearchCV

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


INSTANCES = list(_instances())


@parametrize_with_checks(
    INSTANCES, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_instances_cover_every_public_search():
    import skhpo

    searches = {name for name in skhpo.__all__ if name.endswith("SearchCV")}
    covered = {type(est).__name__ for est in INSTANCES}
    assert searches == covered
