"""Warnings point at the user's line, or near it when it is on another stack."""

import os
import warnings

import pytest
import sklearn
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from skhpo import BayesSearchCV, NestedCV
from skhpo.space import Real

X, Y = load_iris(return_X_y=True)
# a finished search's results, none of them a point of the space searched
OUTSIDE = {"params": [{"C": 500.0}], "mean_test_score": [0.9]}


def _search():
    return BayesSearchCV(
        SVC(),
        {"C": Real(0.1, 10.0)},
        n_iter=2,
        cv=2,
        random_state=0,
        prior_results=OUTSIDE,
    )


def _outside(caught):
    found = [w for w in caught if "prior_results: none of" in str(w.message)]
    assert found
    return found


def test_a_warning_during_fit_points_at_the_line_calling_fit():
    with pytest.warns(UserWarning, match="prior_results: none of") as caught:
        _search().fit(X, Y)
    # not scikit-learn's wrapper of fit, through which it is raised
    assert {w.filename for w in _outside(caught)} == {__file__}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_warning_of_an_inner_search_stays_out_of_the_thread_machinery(n_jobs):
    # NestedCV fits its inner searches in threads when n_jobs > 1: the line
    # calling NestedCV.fit is not on their stack
    nested = NestedCV(_search(), cv=2, n_jobs=n_jobs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nested.fit(X, Y)
    files = {w.filename for w in _outside(caught)}
    if n_jobs == 1:
        assert files == {__file__}
    else:
        # the outer folds' searches, in threads: the first frame outside
        # skhpo, not the thread pool's; the refit on all the data runs in
        # the calling thread and points at this file
        sklearn_folder = os.path.dirname(sklearn.__file__) + os.sep
        threaded = files - {__file__}
        assert threaded and all(f.startswith(sklearn_folder) for f in threaded), files
