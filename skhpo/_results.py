"""The one builder of ``cv_results_``, shared by every search.

The layout is scikit-learn's (``BaseSearchCV._format_results``): the same keys in
the same order, the same dtypes and the same masking of ``param_*`` columns, so
that ``pandas.DataFrame(search.cv_results_)`` behaves as it does for
``GridSearchCV``. Two deliberate differences:

- non-finite mean test scores (NaN and +/-inf) are failures: they are ranked
  last, tied, and never selected as best (scikit-learn ranks ``+inf`` first);
- no warning is raised here: the search warns once, at the end of ``fit``.
"""

from __future__ import annotations

import numbers
from collections import defaultdict

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata

__all__ = ["format_results", "rank_scores", "select_best_index", "timing_columns"]


def _param_masked_arrays(candidate_params):
    """Yield ``("param_<name>", MaskedArray)`` pairs, as scikit-learn does."""
    n_candidates = len(candidate_params)
    param_results = defaultdict(dict)
    for cand_idx, params in enumerate(candidate_params):
        for name, value in params.items():
            param_results[f"param_{name}"][cand_idx] = value

    for key, param_result in param_results.items():
        param_list = list(param_result.values())
        try:
            arr = np.array(param_list)
        except ValueError:
            # e.g. lists of different lengths: [[1], [2, 3]]
            arr_dtype = np.dtype(object)
        else:
            # strings and sequences (ndim > 1) are kept as objects
            arr_dtype = arr.dtype if arr.dtype.kind != "U" and arr.ndim == 1 else object
        ma = MaskedArray(np.empty(n_candidates, dtype=arr_dtype), mask=True)
        for index, value in param_result.items():
            ma[index] = value
        yield key, ma


def rank_scores(means: np.ndarray, first_by: np.ndarray | None = None) -> np.ndarray:
    """Rank mean scores, highest first; non-finite ones tie for last place.

    Parameters
    ----------
    means : ndarray of shape (n_candidates,)
    first_by : ndarray of shape (n_candidates,), default=None
        Ranked before the scores, highest first (the resource a row was trained
        on, in the multi-fidelity searches): every row of a higher level ranks
        above every row of a lower one, and non-finite scores rank last within
        their level.

    Returns
    -------
    ranks : ndarray of int32
    """
    means = np.asarray(means, dtype=np.float64)
    if first_by is not None:
        levels = np.asarray(first_by, dtype=np.float64)
        finite = np.isfinite(means)
        # lexicographic: level (desc), finite before not, score (desc)
        keys = np.column_stack([-levels, ~finite, np.where(finite, -means, 0.0)])
        order = np.lexsort(keys.T[::-1])
        ranks = np.empty(len(means), dtype=np.int32)
        previous, rank = None, 0
        for position, index in enumerate(order):
            key = tuple(keys[index])
            if key != previous:
                rank, previous = position + 1, key
            ranks[index] = rank
        return ranks
    finite = np.isfinite(means)
    ranks = np.empty(means.shape[0], dtype=np.int32)
    if not finite.any():
        ranks[:] = 1
        return ranks
    ranks[finite] = rankdata(-means[finite], method="min").astype(np.int32)
    ranks[~finite] = finite.sum() + 1
    return ranks


def _normalize_scores(scores):
    """List of per-fit scores (numbers or dicts) -> ``{name: list}``."""
    if isinstance(scores[0], dict):
        return {name: [s[name] for s in scores] for name in scores[0]}
    return {"score": list(scores)}


def format_results(
    candidate_params,
    n_splits,
    out,
    *,
    return_train_score,
    more_results=None,
    rank_first_by=None,
):
    """Build ``cv_results_`` from per-fit outputs.

    Parameters
    ----------
    candidate_params : list of dict
        One parameter dict per candidate.
    n_splits : int
        Number of CV folds per candidate.
    out : list of dict
        Candidate-major list (candidate 0 fold 0, candidate 0 fold 1, ...) of the
        dicts returned by :func:`skhpo._engine.fit_and_score`.
    return_train_score : bool
    more_results : dict of str -> list, default=None
        Extra columns, one value per candidate. They come first, as in
        scikit-learn's halving searches.
    rank_first_by : array-like of shape (n_candidates,), default=None
        Ranked before the test scores (see :func:`rank_scores`).

    Returns
    -------
    results : dict
    """
    n_candidates = len(candidate_params)
    results = {key: np.asarray(val) for key, val in (more_results or {}).items()}

    def store(key_name, values, splits=False, rank=False):
        array = np.array(values, dtype=np.float64).reshape(n_candidates, n_splits)
        if splits:
            for split_idx in range(n_splits):
                results[f"split{split_idx}_{key_name}"] = array[:, split_idx]
        means = array.mean(axis=1)
        results[f"mean_{key_name}"] = means
        results[f"std_{key_name}"] = np.sqrt(
            ((array - means[:, np.newaxis]) ** 2).mean(axis=1)
        )
        if rank:
            results[f"rank_{key_name}"] = rank_scores(means, rank_first_by)

    store("fit_time", [o["fit_time"] for o in out])
    store("score_time", [o["score_time"] for o in out])
    for key, ma in _param_masked_arrays(candidate_params):
        results[key] = ma
    results["params"] = list(candidate_params)

    test_scores = _normalize_scores([o["test_scores"] for o in out])
    if return_train_score:
        train_scores = _normalize_scores([o["train_scores"] for o in out])
    for name, values in test_scores.items():
        store(f"test_{name}", values, splits=True, rank=True)
        if return_train_score:
            store(f"train_{name}", train_scores[name], splits=True)
    return results


def timing_columns(out, n_splits, origin):
    """When and where each fold ran, as ``cv_results_`` columns.

    Parameters
    ----------
    out : list of dict
        Candidate-major per-fit outputs, as for :func:`format_results`, with
        ``start`` and ``end`` (seconds since the epoch), ``worker`` and
        ``status``.
    n_splits : int
    origin : float
        When the search started (seconds since the epoch).

    Returns
    -------
    columns : dict
        Per fold ``split{k}_start_time`` and ``split{k}_end_time`` (seconds
        since ``origin``), ``split{k}_worker`` (``"host:pid"``, with
        ``"/thread"`` for a thread worker; None when no worker's result came
        back) and ``split{k}_status`` (``"ok"``, ``"failed"``, ``"timed_out"``
        or ``"lost"``); per candidate ``start_time`` (its first fold's start)
        and ``end_time`` (its last fold's end). Empty when the outputs hold no
        times (results journaled by an earlier version).
    """
    if not out or "start" not in out[0]:
        return {}
    n_candidates = len(out) // n_splits

    def grid(key, dtype):
        values = [o.get(key) for o in out]
        if dtype is float:
            values = [np.nan if v is None else v - origin for v in values]
            return np.array(values, dtype=np.float64).reshape(n_candidates, n_splits)
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array.reshape(n_candidates, n_splits)

    starts, ends = grid("start", float), grid("end", float)
    workers = grid("worker", object)
    statuses = grid("status", object)
    columns = {}
    for k in range(n_splits):
        columns[f"split{k}_start_time"] = starts[:, k]
        columns[f"split{k}_end_time"] = ends[:, k]
        columns[f"split{k}_worker"] = workers[:, k]
        columns[f"split{k}_status"] = statuses[:, k]
    columns["start_time"] = starts.min(axis=1)
    columns["end_time"] = ends.max(axis=1)
    return columns


def select_best_index(refit, refit_metric, results):
    """Index of the best candidate.

    A callable ``refit`` picks it from ``results``; otherwise the best finite mean
    test score of ``refit_metric`` wins (ties go to the first candidate).
    """
    if callable(refit):
        best_index = refit(results)
        if not isinstance(best_index, numbers.Integral):
            raise TypeError("best_index_ returned is not an integer")
        if best_index < 0 or best_index >= len(results["params"]):
            raise IndexError("best_index_ index out of range")
        return int(best_index)
    return int(results[f"rank_test_{refit_metric}"].argmin())


def select_best_at_highest_resource(refit, refit_metric, results):
    """The best row among those at the largest resource (scikit-learn's halving
    rule), for searches whose rows are candidates at several resources.

    ``rank_test_*`` ranks such rows resource-first, so its rank 1 is this row.
    A callable ``refit`` chooses freely, as in :func:`select_best_index`.
    """
    if callable(refit):
        return select_best_index(refit, refit_metric, results)
    levels = results["n_resources"] if "n_resources" in results else results["iter"]
    top = np.flatnonzero(np.asarray(levels) == np.max(levels))
    scores = np.asarray(results[f"mean_test_{refit_metric or 'score'}"], float)[top]
    finite = np.isfinite(scores)
    if not finite.any():
        return int(top[0])
    return int(top[np.flatnonzero(finite)[np.argmax(scores[finite])]])


def continued_rows(results) -> np.ndarray:
    """For every row of a population-based search's ``cv_results_``, the row
    whose models it continued (-1 at the first step).

    That is the row, at the step before, of the ``continues`` member: the
    member itself, its parent after an exploit, or, when asynchronous
    training copied a parent that had just copied another member, that
    other member. Results without the column (written by an earlier
    version) follow ``parent`` instead: exact for synchronous training; a
    parent with no row at that step is followed to its own parent.
    """
    member = np.asarray(results["member"], dtype=int)
    step = np.asarray(results["step"], dtype=int)
    at = {(m, s): i for i, (m, s) in enumerate(zip(member, step))}
    if "continues" in results:
        continues = np.asarray(results["continues"], dtype=int)
        return np.array(
            [at.get((c, s - 1), -1) for c, s in zip(continues, step)], dtype=int
        )
    parent = np.asarray(results["parent"], dtype=int)

    def row_of(m, s):
        for _ in range(len(member) + 1):  # each hop goes to another member
            if (m, s) in at:
                return at[m, s]
            after = at.get((m, s + 1))
            if after is None or parent[after] in (-1, m):
                return -1
            m = parent[after]
        return -1

    return np.array(
        [
            row_of(p if p >= 0 else m, s - 1) if s > 0 else -1
            for m, s, p in zip(member, step, parent)
        ],
        dtype=int,
    )
