"""reevaluate against cross_validate repeated by hand on the same seeds."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhpo import BayesSearchCV, reevaluate
from skhpo.space import Integer, Real

X, Y = load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def forest_search():
    return BayesSearchCV(
        RandomForestClassifier(n_estimators=8),
        {"max_depth": Integer(1, 5), "max_features": Real(0.2, 1.0)},
        n_iter=6,
        cv=3,
        random_state=0,
    ).fit(X, Y)


def test_the_same_scores_as_cross_validate_by_hand(forest_search):
    report = reevaluate(forest_search, X, Y, top=3, seeds=2, random_state=1)
    seeds, scores = report.attrs["seeds"], report.attrs["scores"]
    assert scores.shape == (3, 2, 3)
    ranked = np.argsort(-forest_search.cv_results_["mean_test_score"], kind="stable")
    for i, row in enumerate(ranked[:3]):
        params = forest_search.cv_results_["params"][row]
        by_hand = []
        for seed in seeds:
            model = RandomForestClassifier(n_estimators=8, random_state=seed)
            model.set_params(**params)
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
            by_hand.append(cross_validate(model, X, Y, cv=cv)["test_score"])
        np.testing.assert_array_equal(scores[i], by_hand)
        assert report.loc[row, "mean"] == pytest.approx(np.mean(by_hand))
        assert report.loc[row, "std"] == pytest.approx(np.std(by_hand))
        np.testing.assert_allclose(
            report.loc[row, "seed_means"], np.mean(by_hand, axis=1)
        )
    assert report["mean"].is_monotonic_decreasing
    assert report.attrs["varied"] == ["random_state"]


def test_a_clearly_worse_candidate_is_called_worse():
    search = BayesSearchCV(
        KNeighborsClassifier(),
        {"n_neighbors": [5, 10, 110]},
        n_iter=3,
        cv=5,
        random_state=0,
    ).fit(X, Y)
    with pytest.warns(UserWarning, match="only the cross-validation splits"):
        report = reevaluate(search, X, Y, top=3, seeds=3, refit=True)
    worst = report.index[-1]
    assert search.cv_results_["params"][worst] == {"n_neighbors": 110}
    assert report.loc[worst, "worse"]
    assert report.loc[worst, "p_corrected"] < 0.05
    assert np.isnan(report["p_corrected"].iloc[0])  # the best, against itself
    best = report.attrs["best_estimator"]
    assert best.n_neighbors == report.attrs["best_params"]["n_neighbors"]
    assert best.predict(X).shape == Y.shape


def test_a_pipelines_seeds_are_varied():
    search = BayesSearchCV(
        make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=5)),
        {"randomforestclassifier__max_depth": Integer(1, 4)},
        n_iter=3,
        cv=3,
        random_state=0,
    ).fit(X, Y)
    report = reevaluate(search, X, Y, top=2, seeds=2)
    assert report.attrs["varied"] == ["randomforestclassifier__random_state"]


def test_bad_input_is_refused(forest_search):
    with pytest.raises(ValueError, match="top"):
        reevaluate(forest_search, X, Y, top=0)
    with pytest.raises(ValueError, match="seeds"):
        reevaluate(forest_search, X, Y, seeds=0)
    with pytest.raises(TypeError, match="the fitted search"):
        reevaluate(forest_search.cv_results_, X, Y)
