"""ParetoFrontDisplay draws what pareto_points and the search hold."""

import numpy as np
import pytest
from sklearn.model_selection import RandomizedSearchCV

from skhpo import knee_point
from skhpo.plotting import ParetoFrontDisplay, pareto_points
from tests.search.test_objectives import SCORING, X_TOY, Y_TOY, ZDT1, _zdt1


def test_the_points_are_the_objectives_and_the_ranks():
    search = _zdt1(12, 0)
    points = pareto_points(search)
    assert points.attrs["objectives"] == ["-f1", "-f2"]
    np.testing.assert_array_equal(points["-f1"], search.cv_results_["mean_test_f1"])
    np.testing.assert_array_equal(
        points["rank_pareto"], search.cv_results_["rank_pareto"]
    )
    assert list(points.index[points["best"]]) == [search.best_index_]


def test_the_front_drawn_is_the_searchs(pyplot):
    search = _zdt1(20, 0)
    display = ParetoFrontDisplay.from_search(search)
    front = search.pareto_front_
    drawn = display.front_.get_offsets()
    expected = np.column_stack(
        [search.cv_results_["mean_test_f1"], search.cv_results_["mean_test_f2"]]
    )[front]
    assert sorted(map(tuple, drawn)) == sorted(map(tuple, expected))
    assert len(display.others_.get_offsets()) == 20 - len(front)
    everything = np.column_stack(
        [search.cv_results_["mean_test_f1"], search.cv_results_["mean_test_f2"]]
    )
    np.testing.assert_array_equal(
        display.best_.get_offsets()[0], everything[search.best_index_]
    )
    assert display.ax_.get_xlabel() == "f1, lower is better"


def test_any_results_with_objectives_given(pyplot):
    search = RandomizedSearchCV(
        ZDT1(),
        {"x1": np.linspace(0, 1, 11), "x2": [0.0, 0.5]},
        scoring=SCORING,
        refit=knee_point("-f1", "-f2"),
        n_iter=10,
        cv=2,
        random_state=0,
    ).fit(X_TOY, Y_TOY)
    display = ParetoFrontDisplay.from_search(search, objectives=["-f1", "-f2"])
    assert display.best_ is not None  # the knee, scikit-learn's best_index_
    with pytest.raises(ValueError, match="pass objectives"):
        pareto_points(search)
    with pytest.raises(ValueError, match="has no"):
        pareto_points(search, objectives=["-f1", "-f3"])
