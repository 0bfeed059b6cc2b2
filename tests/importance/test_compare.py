"""compare_candidates: the corrected resampled t-test against its oracles."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.datasets import load_iris, make_moons
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    LeaveOneOut,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
)
from sklearn.svm import SVC

from skhpo.importance import SearchRangeEdgeWarning, compare_candidates
from skhpo.utils._testing import AnalyticRegressor
from tests.importance.test_diagnose import _plateau_from_2, _plateau_from_4

# Grids whose best value is their last one warn, on purpose; see the test below.
pytestmark = pytest.mark.filterwarnings(
    "ignore::skhpo.importance.SearchRangeEdgeWarning"
)


@pytest.fixture(scope="module")
def moons_search():
    """scikit-learn's "Statistical comparison of models using grid search"."""
    X, y = make_moons(noise=0.352, random_state=1, n_samples=100)
    param_grid = [
        {"kernel": ["linear"]},
        {"kernel": ["poly"], "degree": [2, 3]},
        {"kernel": ["rbf"]},
    ]
    cv = RepeatedStratifiedKFold(n_splits=10, n_repeats=10, random_state=0)
    return GridSearchCV(SVC(random_state=0), param_grid, scoring="roc_auc", cv=cv).fit(
        X, y
    )


def test_reproduces_scikit_learns_example(moons_search):
    table = compare_candidates(moons_search)
    # The example's numbers for rbf (best) against linear (second).
    first = table.iloc[0]
    assert first["params"] == {"kernel": "linear"}
    assert table.attrs["best_params"] == {"kernel": "rbf"}
    assert first["t_corrected"] == pytest.approx(0.750, abs=5e-4)
    assert first["p_corrected"] == pytest.approx(0.227, abs=5e-4)
    assert first["t_naive"] == pytest.approx(2.611, abs=5e-4)
    assert first["p_naive"] == pytest.approx(0.005, abs=5e-4)
    assert table.attrs["df"] == 99
    assert table.attrs["test_train_ratio"] == pytest.approx(1 / 9)
    assert "RepeatedStratifiedKFold(n_splits=10)" in table.attrs["method"]
    assert list(table["rank"]) == [2, 3, 4]


def test_matches_the_formula_by_hand(moons_search):
    results = moons_search.cv_results_
    best = moons_search.best_index_
    scores = np.array([results[f"split{i}_test_score"] for i in range(100)]).T
    table = compare_candidates(moons_search, alternative="two-sided")
    for index, row in table.iterrows():
        d = scores[best] - scores[index]
        corrected = d.mean() / np.sqrt((1 / 100 + 10 / 90) * d.var(ddof=1))
        naive = d.mean() / np.sqrt(d.var(ddof=1) / 100)
        assert row["t_corrected"] == pytest.approx(corrected)
        assert row["t_naive"] == pytest.approx(naive)
        assert row["p_corrected"] == pytest.approx(2 * stats.t.sf(abs(corrected), 99))
        assert row["mean_difference"] == pytest.approx(d.mean())
    less = compare_candidates(moons_search, alternative="less")
    np.testing.assert_allclose(
        less["p_corrected"], stats.t.cdf(table["t_corrected"], 99)
    )


def null_fold_scores(n_datasets, seed=0):
    """Per-split accuracies of two equally good classifiers on fresh datasets.

    Each dataset has 100 samples, 50 per class; two features, each shifted
    by +-0.5 with the class, equally informative. Candidate k classifies by
    feature k alone (threshold halfway between the training class means), so
    the two candidates are equally good: every difference is noise. Splits
    are 10 x 10 repeated stratified K-fold, the same for every dataset (the
    labels are the same, the features are drawn afresh).
    """
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], 50)
    cv = RepeatedStratifiedKFold(n_splits=10, n_repeats=10, random_state=seed)
    train = np.zeros((100, 100), dtype=bool)
    for s, (tr, _) in enumerate(cv.split(np.zeros((100, 1)), y)):
        train[s, tr] = True
    test = ~train
    sign = np.where(y == 1, 1.0, -1.0)
    out = np.empty((n_datasets, 2, 100))
    for r in range(n_datasets):
        X = rng.standard_normal((100, 2)) + 0.5 * sign[:, None]
        for k in range(2):
            x = X[:, k]
            m1 = (train * (y == 1)) @ x / (train * (y == 1)).sum(axis=1)
            m0 = (train * (y == 0)) @ x / (train * (y == 0)).sum(axis=1)
            predict = x[None, :] > (0.5 * (m0 + m1))[:, None]
            correct = predict == (y == 1)[None, :]
            out[r, k] = (correct & test).sum(axis=1) / test.sum(axis=1)
    return out


def test_false_positive_rate_under_10x10_cv(record_property):
    scores = null_fold_scores(400)
    rejected = {"corrected": 0, "naive": 0}
    for pair in scores:
        results = {
            "params": [{"feature": 0}, {"feature": 1}],
            "mean_test_score": pair.mean(axis=1),
        }
        for s in range(100):
            results[f"split{s}_test_score"] = pair[:, s]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SearchRangeEdgeWarning)
            row = compare_candidates(
                results, test_train_ratio=10 / 90, alternative="two-sided"
            ).iloc[0]
        rejected["corrected"] += row["p_corrected"] < 0.05
        rejected["naive"] += row["p_naive"] < 0.05
    corrected = float(rejected["corrected"]) / 400
    naive = float(rejected["naive"]) / 400
    record_property("false_positive_rate_corrected", corrected)
    record_property("false_positive_rate_naive", naive)
    print(f"false positives at 5 %: corrected {corrected:.3f}, naive {naive:.3f}")
    assert corrected <= 0.07
    assert naive > 2 * corrected  # the naive test is the one that misleads


def test_ratio_is_read_from_the_search_cv():
    X, y = load_iris(return_X_y=True)
    grid = {"C": [0.1, 1, 10]}

    def ratio(cv):
        search = GridSearchCV(SVC(), grid, cv=cv).fit(X, y)
        return compare_candidates(search).attrs["test_train_ratio"]

    assert ratio(None) == pytest.approx(1 / 4)
    assert ratio(3) == pytest.approx(1 / 2)
    assert ratio(KFold(6, shuffle=True, random_state=0)) == pytest.approx(1 / 5)
    assert ratio(
        RepeatedKFold(n_splits=4, n_repeats=2, random_state=0)
    ) == pytest.approx(1 / 3)
    assert ratio(ShuffleSplit(5, test_size=0.2, random_state=0)) == pytest.approx(0.25)
    search = GridSearchCV(SVC(), grid, cv=LeaveOneOut()).fit(X[::5], y[::5])
    with pytest.raises(ValueError, match="cannot tell the test/train size ratio"):
        compare_candidates(search)
    given = compare_candidates(search, test_train_ratio=1 / 29)
    assert given.attrs["test_train_ratio"] == pytest.approx(1 / 29)
    with pytest.warns(UserWarning, match="assuming one K-fold of 5 splits"):
        table = compare_candidates(GridSearchCV(SVC(), grid).fit(X, y).cv_results_)
    assert "assumed 5-fold" in table.attrs["method"]


def test_bad_inputs_are_named(moons_search):
    with pytest.raises(ValueError, match="n_runners_up must be an int >= 1"):
        compare_candidates(moons_search, n_runners_up=0)
    with pytest.raises(ValueError, match="alternative must be one of"):
        compare_candidates(moons_search, alternative="bigger")
    with pytest.raises(ValueError, match="test_train_ratio must be a positive number"):
        compare_candidates(moons_search, test_train_ratio=-1)
    results = {"params": [{"a": 1}, {"a": 2}], "mean_test_score": [0.5, 0.6]}
    with pytest.raises(ValueError, match="no per-split scores 'split0_test_score'"):
        compare_candidates(results, test_train_ratio=0.25)
    one = {"params": [{"a": 1}], "mean_test_score": [0.5], "split0_test_score": [0.5]}
    with pytest.raises(ValueError, match="at least 2 finished candidates"):
        compare_candidates(one, test_train_ratio=0.25)
    with pytest.raises(ValueError, match="not shaped like scikit-learn's"):
        compare_candidates({"scores": [1, 2]})


def test_constant_differences_and_runner_up_count(moons_search):
    results = {
        "params": [{"a": 1}, {"a": 2}, {"a": 3}],
        "mean_test_score": [0.9, 0.8, 0.9],
        "split0_test_score": [0.9, 0.8, 0.9],
        "split1_test_score": [0.9, 0.8, 0.9],
    }
    table = compare_candidates(results, test_train_ratio=1.0, alternative="two-sided")
    assert table.attrs["best"] == 0
    # The tie: no difference at all, so no evidence either way.
    assert table.loc[2, "p_corrected"] == 1.0
    # A constant lead: infinitely significant.
    assert table.loc[1, "t_corrected"] == np.inf and table.loc[1, "p_corrected"] == 0.0
    assert len(compare_candidates(moons_search, n_runners_up=1)) == 1


@pytest.mark.parametrize(
    "function, warned", [(_plateau_from_2, False), (_plateau_from_4, True)]
)
def test_no_edge_warning_when_the_tied_best_reach_inside(function, warned):
    # x1 = 4, the upper edge, is the best row; tied with 3 and 2, it says
    # nothing about the optimum lying beyond the range
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        AnalyticRegressor(function=function), {"x1": [4.0, 3.0, 2.0, 1.0, 0.0]}, cv=3
    ).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SearchRangeEdgeWarning)
        compare_candidates(search)
    edge = [w for w in caught if w.category is SearchRangeEdgeWarning]
    assert len(edge) == warned
    if warned:
        assert "x1=4 lies at the upper edge" in str(edge[0].message)


def test_warns_when_the_best_value_is_at_the_edge():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(SVC(), {"C": [0.001, 0.01, 0.1], "kernel": ["rbf", "linear"]})
    with pytest.warns(SearchRangeEdgeWarning, match="C=0.1 lies at the upper edge"):
        compare_candidates(search.fit(X, y))


def test_params_belong_to_their_rows_and_dataframes_keep_labels():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10], "gamma": [0.01, 1]}).fit(
        X, y
    )
    table = compare_candidates(search, n_runners_up=4)
    for index, row in table.iterrows():
        assert row["params"] == search.cv_results_["params"][index]
    frame = pd.DataFrame(search.cv_results_)
    kept = frame[frame["param_gamma"] == 1]  # labels 1, 3, 5, 7
    table = compare_candidates(kept, test_train_ratio=0.25)
    assert set(table.index) <= {1, 3, 5, 7}
    assert table.attrs["best"] in {1, 3, 5, 7}
    for index, row in table.iterrows():
        assert row["params"] == frame.loc[index, "params"]
    assert (
        kept.loc[table.attrs["best"], "mean_test_score"]
        == kept["mean_test_score"].max()
    )


def test_best_follows_the_compared_metric():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        LogisticRegression(max_iter=1000),
        {"C": [0.001, 0.01, 0.1, 1, 10, 100]},
        scoring=["accuracy", "neg_log_loss"],
        refit="accuracy",
        cv=3,
    ).fit(X, y)
    table = compare_candidates(search, metric="neg_log_loss")
    losses = search.cv_results_["mean_test_neg_log_loss"]
    assert table.attrs["best"] == int(np.argmax(losses))
    assert (table["mean_difference"] >= 0).all()
    assert compare_candidates(search).attrs["best"] == search.best_index_


def test_shuffle_split_with_a_train_size_only():
    X, y = load_iris(return_X_y=True)
    cv = ShuffleSplit(4, train_size=0.6, random_state=0)
    search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, cv=cv).fit(X, y)
    assert compare_candidates(search).attrs["test_train_ratio"] == pytest.approx(
        0.4 / 0.6
    )
