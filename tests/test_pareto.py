"""Dominance, Pareto ranks and hypervolume against brute-force oracles."""

from itertools import combinations

import numpy as np
import pytest

from skhpo._pareto import (
    best_first,
    crowding_distance,
    dominates,
    hypervolume,
    pareto_front,
    pareto_ranks,
)


def _points(seed, n=40, m=3, ties=True, nan=True):
    rng = np.random.default_rng(seed)
    points = rng.random((n, m))
    if ties:  # repeated values and whole repeated rows
        points = np.round(points * 4) / 4
    if nan:
        points[rng.choice(n, 3, replace=False), rng.integers(m)] = np.nan
    return points


def _dominates(a, b):
    if not np.isfinite(a).all():
        return False
    if not np.isfinite(b).all():
        return True
    return bool((a >= b).all() and (a > b).any())


@pytest.mark.parametrize("seed", range(5))
def test_dominance_is_the_definition(seed):
    points = _points(seed)
    D = dominates(points)
    for i, j in np.ndindex(D.shape):
        assert D[i, j] == _dominates(points[i], points[j]), (i, j)


@pytest.mark.parametrize("seed", range(5))
def test_ranks_peel_fronts_one_after_another(seed):
    points = _points(seed)
    ranks = pareto_ranks(points)
    left, rank = set(range(len(points))), 1
    finite = {i for i in left if np.isfinite(points[i]).all()}
    while left & finite:
        front = {
            j
            for j in left & finite
            if not any(_dominates(points[i], points[j]) for i in left)
        }
        assert {int(i) for i in np.flatnonzero(ranks == rank)} == front
        left -= front
        rank += 1
    assert set(np.flatnonzero(ranks == rank)) == left  # the failures, last
    assert list(pareto_front(points)) == sorted(np.flatnonzero(ranks == 1))


def _union_volume(points, reference):
    """Inclusion-exclusion over the boxes [reference, point]."""
    total = 0.0
    for k in range(1, len(points) + 1):
        for subset in combinations(points, k):
            corner = np.min(subset, axis=0)
            total += (-1) ** (k + 1) * np.prod(np.maximum(corner - reference, 0))
    return total


@pytest.mark.parametrize("m", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_hypervolume_is_the_union_of_the_boxes(m, seed):
    points = _points(seed, n=7, m=m, nan=False)
    reference = np.full(m, 0.1)
    expected = _union_volume(points[(points > reference).all(axis=1)], reference)
    assert hypervolume(points, reference) == pytest.approx(expected, abs=1e-12)


def test_hypervolume_of_zdt1s_front_tends_to_two_thirds():
    # ZDT1's Pareto front, minimised: f2 = 1 - sqrt(f1); with the reference
    # (1, 1) the dominated area is the integral of sqrt(f1): 2/3
    f1 = np.linspace(0, 1, 2001)
    minimised = np.column_stack([f1, 1 - np.sqrt(f1)])
    volume = hypervolume(-minimised, reference=[-1.0, -1.0])
    assert volume == pytest.approx(2 / 3, abs=1e-3)
    assert volume < 2 / 3  # a finite set of points: from below


def test_points_that_do_not_dominate_the_reference_add_nothing():
    points = np.array([[2.0, 2.0], [3.0, 0.5], [np.nan, 5.0], [0.5, 9.0]])
    assert hypervolume(points, [1.0, 1.0]) == pytest.approx(1.0)
    assert hypervolume(points[2:], [1.0, 1.0]) == 0.0


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="2-d array"):
        pareto_ranks([1.0, 2.0])
    with pytest.raises(ValueError, match="one value per objective"):
        hypervolume([[1.0, 2.0]], [0.0])
    with pytest.raises(ValueError, match="finite"):
        hypervolume([[1.0, 2.0]], [0.0, np.inf])


def test_crowding_distance_is_nsga_iis():
    points = np.array([[0.0, 4.0], [1.0, 3.0], [3.0, 1.0], [4.0, 0.0]])
    distance = crowding_distance(points)
    assert np.isinf(distance[[0, 3]]).all()
    # neighbours' gaps over the ranges (4 and 4), in both objectives
    np.testing.assert_allclose(distance[1:3], [(3 - 0) / 4 * 2, (4 - 1) / 4 * 2])


def test_best_first_is_front_by_front_most_isolated_first():
    points = np.array(
        [[0.0, 4.0], [1.0, 3.0], [2.9, 1.1], [3.0, 1.0], [4.0, 0.0], [0.5, 0.5]]
    )
    points = np.vstack([points, [[np.nan, 1.0]]])
    order = best_first(points)
    # the front's extremes, then its middle points by isolation, then the rest
    assert list(order[:2]) == [0, 4]
    assert set(order[2:5]) == {1, 2, 3} and order[2] == 1
    assert list(order[5:]) == [5]  # the failure is left out
