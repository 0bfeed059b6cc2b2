"""The cv_results_ builder against scikit-learn's own."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from skhpo._results import format_results, rank_scores, select_best_index


def _fake_out(n_candidates, n_splits, multimetric, rng):
    out = []
    for _ in range(n_candidates * n_splits):
        if multimetric:
            test = {"a": rng.random(), "b": rng.random()}
            train = {"a": rng.random(), "b": rng.random()}
        else:
            test, train = rng.random(), rng.random()
        out.append(
            {
                "test_scores": test,
                "train_scores": train,
                "n_test_samples": 10,
                "fit_time": rng.random(),
                "score_time": rng.random(),
                "fit_error": None,
            }
        )
    return out


@pytest.mark.parametrize("multimetric", [False, True])
@pytest.mark.parametrize("return_train_score", [False, True])
def test_same_as_sklearn_format_results(multimetric, return_train_score):
    rng = np.random.default_rng(0)
    params = [{"C": 1.0, "kernel": "rbf"}, {"C": 2.0}, {"C": 3.0, "kernel": "poly"}]
    out = _fake_out(3, 4, multimetric, rng)
    ours = format_results(params, 4, out, return_train_score=return_train_score)
    search = GridSearchCV(SVC(), {"C": [1]}, return_train_score=return_train_score)
    theirs = search._format_results(params, 4, [dict(o) for o in out])
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if isinstance(value, np.ma.MaskedArray):
            assert value.dtype == ours[key].dtype, key
            np.testing.assert_array_equal(value.mask, ours[key].mask)
            assert list(value.compressed()) == list(ours[key].compressed())
        elif key == "params":
            assert ours[key] == value
        else:
            assert ours[key].dtype == value.dtype, key
            np.testing.assert_allclose(ours[key], value, err_msg=key)


def test_more_results_come_first():
    rng = np.random.default_rng(0)
    out = _fake_out(2, 2, False, rng)
    res = format_results(
        [{"C": 1}, {"C": 2}],
        2,
        out,
        return_train_score=False,
        more_results={"iter": [0, 1]},
    )
    assert list(res)[0] == "iter"
    np.testing.assert_array_equal(res["iter"], [0, 1])


def test_non_finite_scores_rank_last_and_are_never_best():
    means = np.array([0.5, np.nan, np.inf, 0.7, -np.inf, 0.5])
    ranks = rank_scores(means)
    np.testing.assert_array_equal(ranks, [2, 4, 4, 1, 4, 2])
    assert ranks.dtype == np.int32
    results = {"rank_test_score": ranks, "params": [{}] * 6}
    assert select_best_index(True, "score", results) == 3


def test_all_non_finite_ties_at_one():
    np.testing.assert_array_equal(rank_scores([np.nan, np.inf]), [1, 1])


def test_callable_refit_is_checked():
    results = {"params": [{}, {}]}
    assert select_best_index(lambda r: 1, "score", results) == 1
    with pytest.raises(TypeError, match="not an integer"):
        select_best_index(lambda r: 1.0, "score", results)
    with pytest.raises(IndexError, match="out of range"):
        select_best_index(lambda r: 2, "score", results)
