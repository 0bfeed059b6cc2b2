"""Several objectives at once: dominance, Pareto ranks and hypervolume.

Pure numerics on arrays of shape ``(n_points, n_objectives)`` in which every
objective is *maximised* (negate the ones to minimise first). Rows with a
non-finite value are failures: they dominate nothing, are dominated by every
finite row, and rank last.

- :func:`dominates`: the dominance matrix;
- :func:`pareto_ranks`: non-dominated sorting (Deb et al., NSGA-II, 2002):
  rank 1 is the Pareto front, rank 2 the front of the rest, ...;
- :func:`pareto_front`: the indices of the front;
- :func:`hypervolume`: the volume dominated by the points and bounded by a
  reference point, exact (a sweep in two dimensions, slicing in more);
- :func:`crowding_distance` and :func:`best_first`: NSGA-II's order, front
  by front and, within a front, the most isolated points first.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "best_first",
    "crowding_distance",
    "dominates",
    "hypervolume",
    "pareto_front",
    "pareto_ranks",
]


def _check(points) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2:
        raise ValueError(
            "points must be a 2-d array (n_points, n_objectives), got shape "
            f"{points.shape}"
        )
    return points


def dominates(points) -> np.ndarray:
    """``D[i, j]``: point ``i`` dominates point ``j`` (at least as good in every
    objective, better in one). A non-finite row dominates nothing and is
    dominated by every finite row.

    Parameters
    ----------
    points : array-like of shape (n_points, n_objectives)
        Objectives to maximise.

    Returns
    -------
    D : ndarray of bool, shape (n_points, n_points)
    """
    points = _check(points)
    finite = np.isfinite(points).all(axis=1)
    p = np.where(finite[:, None], points, 0.0)
    geq = (p[:, None, :] >= p[None, :, :]).all(axis=2)
    gt = (p[:, None, :] > p[None, :, :]).any(axis=2)
    D = geq & gt & finite[:, None] & finite[None, :]
    D |= finite[:, None] & ~finite[None, :]
    return D


def pareto_ranks(points) -> np.ndarray:
    """Non-dominated sorting: 1 for the Pareto front, 2 for the front of the
    remaining points, and so on; non-finite rows all get the last rank.

    Parameters
    ----------
    points : array-like of shape (n_points, n_objectives)
        Objectives to maximise.

    Returns
    -------
    ranks : ndarray of int32, shape (n_points,)
    """
    points = _check(points)
    n = len(points)
    ranks = np.zeros(n, dtype=np.int32)
    if n == 0:
        return ranks
    finite = np.isfinite(points).all(axis=1)
    D = dominates(points)
    dominated_by = D.sum(axis=0)  # how many points dominate each one
    current = np.flatnonzero((dominated_by == 0) & finite)
    rank = 1
    while current.size:
        ranks[current] = rank
        dominated_by = dominated_by - D[current].sum(axis=0)
        dominated_by[current] = -1  # done
        rank += 1
        current = np.flatnonzero((dominated_by == 0) & finite)
    ranks[~finite] = rank
    return ranks


def pareto_front(points) -> np.ndarray:
    """Indices of the non-dominated finite points, in their order.

    Parameters
    ----------
    points : array-like of shape (n_points, n_objectives)
        Objectives to maximise.

    Returns
    -------
    indices : ndarray of int
    """
    points = _check(points)
    if len(points) == 0:
        return np.zeros(0, dtype=int)
    finite = np.isfinite(points).all(axis=1)
    return np.flatnonzero(~dominates(points).any(axis=0) & finite)


def hypervolume(points, reference) -> float:
    """The volume of the objective space that the points dominate and that
    dominates ``reference`` (the worst value of each objective that counts).

    Parameters
    ----------
    points : array-like of shape (n_points, n_objectives)
        Objectives to maximise. Non-finite rows and points that do not
        strictly dominate ``reference`` in every objective add nothing.
    reference : array-like of shape (n_objectives,)

    Returns
    -------
    volume : float
    """
    points = _check(points)
    reference = np.asarray(reference, dtype=np.float64)
    if reference.shape != (points.shape[1],):
        raise ValueError(
            f"reference must have one value per objective ({points.shape[1]}), "
            f"got shape {reference.shape}"
        )
    if not np.isfinite(reference).all():
        raise ValueError(f"reference must be finite, got {reference}")
    keep = np.isfinite(points).all(axis=1) & (points > reference).all(axis=1)
    points = points[keep] - reference  # the reference at the origin
    if len(points) == 0:
        return 0.0
    points = points[pareto_front(points)]
    return float(_volume(points))


def _volume(points: np.ndarray) -> float:
    """Hypervolume of ``points`` (all positive, maximised) over the origin."""
    n, m = points.shape
    if m == 1:
        return float(points[:, 0].max())
    if m == 2:  # sweep: x descending, each point adds the strip above y_max
        order = np.argsort(-points[:, 0], kind="stable")
        volume, y_max = 0.0, 0.0
        for x, y in points[order]:
            if y > y_max:
                volume += x * (y - y_max)
                y_max = y
        return volume
    # slicing: along the last objective, each slab is the (m - 1)-dimensional
    # volume of the points at least that high in it
    levels = np.unique(points[:, -1])[::-1]
    volume = 0.0
    for top, bottom in zip(levels, np.append(levels[1:], 0.0)):
        above = points[points[:, -1] >= top, :-1]
        volume += (top - bottom) * _volume(above[pareto_front(above)])
    return volume


def crowding_distance(points) -> np.ndarray:
    """NSGA-II's crowding distance of each point among ``points`` (one
    front): per objective, the gap between its two neighbours over the
    objective's range, summed; the extremes of each objective are infinite.
    """
    points = _check(points)
    n, m = points.shape
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for j in range(m):
        order = np.argsort(points[:, j], kind="stable")
        values = points[order, j]
        span = values[-1] - values[0]
        distance[order[[0, -1]]] = np.inf
        if span > 0:
            distance[order[1:-1]] += (values[2:] - values[:-2]) / span
    return distance


def best_first(points) -> np.ndarray:
    """The finite rows of ``points`` best first, as NSGA-II selects: by Pareto
    rank, then the most isolated of a front first (crowding distance), then
    in their order.

    Returns
    -------
    order : ndarray of int
        Indices of the finite rows.
    """
    points = _check(points)
    ranks = pareto_ranks(points)
    finite = np.isfinite(points).all(axis=1)
    crowding = np.zeros(len(points))
    for rank in np.unique(ranks[finite]):
        members = np.flatnonzero((ranks == rank) & finite)
        crowding[members] = crowding_distance(points[members])
    rows = np.flatnonzero(finite)
    return rows[np.lexsort((rows, -crowding[rows], ranks[rows]))]
