"""The displays: their data without matplotlib, their drawings with it."""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.svm import SVC

from skhpo import HyperbandSearchCV
from skhpo.importance import importance_report
from skhpo.plotting import (
    HistoryDisplay,
    ImportanceDisplay,
    MarginalDisplay,
    search_history,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore::skhpo.importance.SearchRangeEdgeWarning"
)


@pytest.fixture(scope="module")
def search():
    X, y = load_iris(return_X_y=True)
    return RandomizedSearchCV(
        SVC(),
        {
            "C": loguniform(1e-2, 1e3),
            "gamma": loguniform(1e-4, 1e1),
            "kernel": ["rbf", "sigmoid"],
        },
        n_iter=30,
        random_state=0,
    ).fit(X, y)


def test_history_is_the_running_best(search):
    h = search_history(search)
    scores = search.cv_results_["mean_test_score"]
    np.testing.assert_array_equal(h["score"], scores)
    np.testing.assert_allclose(h["best_so_far"], np.maximum.accumulate(scores))
    assert h["best_so_far"].iloc[-1] == search.best_score_


def test_history_of_multi_fidelity_results_counts_the_top_level():
    X, y = load_iris(return_X_y=True)
    hb = HyperbandSearchCV(
        SVC(),
        {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1)},
        resource="n_samples",
        max_resources=90,
        min_resources=10,
        random_state=0,
    ).fit(X, y)
    h = search_history(hb)
    top = h["n_resources"] == h["n_resources"].max()
    assert h["best_so_far"].iloc[-1] == h.loc[top, "score"].max()
    # in time order: nothing is best before the first top-level candidate ends
    assert h["best_so_far"].iloc[: np.flatnonzero(top)[0]].isna().all()
    assert h["end_time"].is_monotonic_increasing


def test_importance_display(search, pyplot):
    report = importance_report(search)
    disp = ImportanceDisplay.from_report(report, n_pairs=2)
    assert len(disp.bars_) == len(report) + 2
    labels = [t.get_text() for t in disp.ax_.get_yticklabels()]
    assert labels[0] == report.index[0]  # the largest first, at the top
    assert disp.ax_.get_xlim()[1] <= 1.05
    widths = [b.get_width() for b in disp.bars_]
    np.testing.assert_allclose(widths[: len(report)], report["importance"])
    disp2 = ImportanceDisplay.from_search(search, n_pairs=0, ax=disp.ax_)
    assert disp2.ax_ is disp.ax_


def test_marginal_display(search, pyplot):
    report = importance_report(search)
    disp = MarginalDisplay.from_report(report)
    assert len(disp.axes_) == 3
    by_name = {ax.get_xlabel(): ax for ax in disp.axes_}
    assert by_name["C"].get_xscale() == "log"
    assert by_name["kernel"].get_xscale() == "linear"
    line = by_name["C"].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), report.attrs["marginals"]["C"]["mean"])
    limits = {ax.get_ylim() for ax in disp.axes_}
    assert len(limits) == 1  # one vertical range for every panel
    with pytest.raises(ValueError, match=r"params: \['degree'\] are not in the report"):
        MarginalDisplay.from_report(report, params=["degree"])
    with pytest.raises(TypeError, match="DataFrame returned by importance_report"):
        MarginalDisplay.from_report(search.cv_results_)
    one = MarginalDisplay.from_search(search, params=["gamma"])
    assert [ax.get_xlabel() for ax in one.axes_] == ["gamma"]
    with pytest.raises(ValueError, match="max_params must be an int >= 1"):
        MarginalDisplay.from_report(report, max_params=0)
    with pytest.raises(ValueError, match="n_pairs must be an int >= 0"):
        ImportanceDisplay.from_report(report, n_pairs=-1)


def test_history_display(search, pyplot):
    disp = HistoryDisplay.from_search(search)
    np.testing.assert_allclose(
        disp.line_.get_ydata(), search_history(search)["best_so_far"]
    )
    assert disp.ax_.get_ylabel() == "score"  # the estimator's default score
    with pytest.raises(TypeError, match="returned by search_history"):
        HistoryDisplay(search.cv_results_).plot()


def test_grid_search_works_too(pyplot):
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(SVC(), {"C": [0.1, 1, 10], "gamma": [0.01, 0.1, 1]}).fit(X, y)
    disp = MarginalDisplay.from_search(grid)
    assert all(len(ax.get_xticks()) == 3 for ax in disp.axes_)
