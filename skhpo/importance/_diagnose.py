"""The red flags of a finished search, each with the advice that goes with it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from ..space._utils import safe_equal
from ._compare import compare_candidates
from ._inputs import _dimension_of, _short, _space_of, read_cv_results, read_finished

__all__ = ["diagnose"]

#: Columns of the report, in order.
_COLUMNS = ["flagged", "detail", "advice"]


def diagnose(search, *, alpha=0.05, metric=None, print_summary=True):
    """Check a finished search for the problems that make its winner doubtful.

    Each check is a row of the report, flagged or not, with what was found
    and what to do:

    - ``edge``: the best value of a numeric hyperparameter lies at the edge of
      its searched range (the optimum may lie outside it); when candidates
      tie for the best score, only if all of them lie at that edge;
    - ``untried_categories``: categories of the space never evaluated;
    - ``failures``: half the candidates or more failed (the most frequent
      errors quoted);
    - ``within_noise``: the best candidate is not significantly better than
      any other (corrected resampled t-test, Nadeau and Bengio 2003): the
      search could not tell the candidates apart;
    - ``default_not_beaten``: the estimator's own values (evaluated with
      ``initial_params="current"``) are not significantly worse than the best;
    - ``unstable_best``: the best candidate's scores vary across the folds
      more than twice as much as a typical candidate's;
    - ``rungs_disagree``: in a multi-fidelity search, the early rungs do not
      rank the candidates as the last does (Spearman correlation below 0.5),
      so early stopping discarded by noise;
    - ``collapsed_population``: every PBT member ends in one member's lineage.

    Parameters
    ----------
    search : fitted search
        A fitted search of skhpo or scikit-learn (the space and the estimator
        are read from it), or its ``cv_results_`` (the checks that need them
        are then not made).
    alpha : float, default=0.05
        The level of the t-tests.
    metric : str, default=None
        The metric checked: by default the search's ``refit`` metric, or the
        only one.
    print_summary : bool, default=True
        Print the flagged rows and their advice.

    Returns
    -------
    report : pandas.DataFrame
        Indexed by check, with ``flagged`` (bool), ``detail`` and ``advice``;
        checks that do not apply (no space, single fidelity, not PBT) are
        left out.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV, diagnose
    >>> from skhpo.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(SVC(), {"C": Real(1e-2, 1e-1, prior="log-uniform")},
    ...                        n_iter=6, cv=3, random_state=0).fit(X, y)
    >>> report = diagnose(search)
    1 red flag(s) among 5 checks:
    - edge: C=0.0990082 (upper edge)
      Widen the range past that edge and search again: the optimum may lie outside it.
    >>> list(report.index)
    ['edge', 'untried_categories', 'failures', 'within_noise', 'unstable_best']
    >>> list(report.index[report["flagged"]])
    ['edge']
    """
    who = "diagnose"
    results, fitted = read_cv_results(search, who)
    with warnings.catch_warnings():  # the report says it instead
        warnings.simplefilter("ignore")
        finished = read_finished(search, metric=metric, who=who, need_for=None)
    rows = {}
    rows["edge"] = _edge(finished)
    if fitted is not None and _space_of(fitted) is not None:
        rows["untried_categories"] = _untried(fitted, results)
    rows["failures"] = _failures(results, finished, fitted)
    comparison = _compare(search, finished)
    if comparison is not None:
        rows["within_noise"] = _within_noise(comparison, alpha)
        if fitted is not None:
            default = _default_row(fitted, results, finished)
            if default is not None:
                rows["default_not_beaten"] = _default_not_beaten(
                    comparison, finished, default, alpha
                )
    rows["unstable_best"] = _unstable(finished)
    if "n_resources" in results and "iter" in results:
        rows["rungs_disagree"] = _rungs(results, finished.metric)
    if fitted is not None and hasattr(fitted, "lineage_"):
        rows["collapsed_population"] = _collapsed(fitted)
    report = pd.DataFrame.from_dict(rows, orient="index", columns=_COLUMNS)
    report.index.name = "check"
    report["flagged"] = report["flagged"].astype(bool)
    if print_summary:
        _print(report)
    return report


def _row(flagged, detail, advice=""):
    return [bool(flagged), detail, advice if flagged else ""]


def _edge(finished):
    best = finished.params[finished.best]
    edges = [
        f"{name}={_short(best[name])} ({side} edge)"
        for name, side in finished.edges_of_best().items()
    ]
    return _row(
        edges,
        "; ".join(edges) if edges else "no best value at the edge of its range",
        "Widen the range past that edge and search again: the optimum may "
        "lie outside it.",
    )


def _untried(search, results):
    space = _space_of(search)
    tried = list(results["params"])
    missing = []
    for name in dict.fromkeys(n for sub in space.subspaces for n in sub.names):
        dim = _dimension_of(space, name)
        categories = getattr(dim, "categories", None)
        if categories is None:
            continue
        values = [p[name] for p in tried if name in p]
        for category in categories:
            if not any(safe_equal(category, v) for v in values):
                missing.append(f"{name}={_short(category)}")
    return _row(
        missing,
        ("never tried: " + ", ".join(missing)) if missing else "every category tried",
        "Give the search more candidates, or drop the categories you do not "
        "need; a category never tried was never compared.",
    )


def _failures(results, finished, search):
    n = len(results["params"])
    n_failed = n - len(_finite_rows(results, finished.metric))
    errors = getattr(search, "fit_errors_", None) or {}
    quoted = "; ".join(
        f"{count} fits: {message}" for message, count in list(errors.items())[:3]
    )
    detail = f"{n_failed} of {n} candidates failed" + (f" ({quoted})" if quoted else "")
    return _row(
        n_failed >= n / 2 and n_failed > 0,
        detail,
        "Look at the errors (error_score='raise' shows the first one whole): "
        "a misconfigured estimator or a space with invalid combinations "
        "(conditional sub-spaces, a list of dicts, keep them apart).",
    )


def _finite_rows(results, metric):
    means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    return np.flatnonzero(np.isfinite(means))


def _compare(search, finished):
    if len(finished.rows) < 2:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compare_candidates(
                search,
                metric=finished.metric,
                n_runners_up=len(finished.rows) - 1,
            )
    except ValueError:  # no per-split scores, or no ratio to be told
        return None


def _within_noise(comparison, alpha):
    p = comparison["p_corrected"].to_numpy(dtype=float)
    significant = np.isfinite(p) & (p < alpha)
    n = len(p)
    return _row(
        n > 0 and not significant.any(),
        f"the best is significantly better than {int(significant.sum())} of the "
        f"{n} other candidates at its level (corrected t-test, alpha={alpha:g})",
        "The candidates cannot be told apart on this data: use repeated CV "
        "(more splits), more data, or a wider space; the hyperparameters "
        "searched may matter little here (see importance_report).",
    )


def _default_row(search, results, finished):
    """The row of ``cv_results_`` whose searched values are the estimator's
    own, if one was evaluated (at the compared resource)."""
    current = search.estimator.get_params(deep=True)
    for row, params in zip(finished.rows, finished.params):
        if all(
            name in current and safe_equal(current[name], value)
            for name, value in params.items()
            if name in current
        ) and any(name in current for name in params):
            return int(row)
    return None


def _default_not_beaten(comparison, finished, default, alpha):
    best_row = int(finished.rows[finished.best])
    if default == best_row:
        return _row(
            True,
            "the estimator's own values are the best candidate",
            "The search found nothing better than the defaults: widen the "
            "space or search other hyperparameters.",
        )
    labels = list(comparison.index)
    label = finished.labels[default]
    if label not in labels:
        return _row(False, "the estimator's own values were not compared")
    p = float(comparison.loc[label, "p_corrected"])
    return _row(
        not p < alpha,
        f"the best beats the estimator's own values with p={p:.3g} (corrected t-test)",
        "The tuned model is not reliably better than the defaults: keep the "
        "defaults, or rerun the top candidates with more splits before "
        "choosing.",
    )


def _unstable(finished):
    try:
        splits = finished.split_scores()
    except ValueError:
        return _row(False, "no per-split scores")
    spread = splits.std(axis=1)
    best, typical = spread[finished.best], float(np.median(spread))
    return _row(
        typical > 0 and best > 2 * typical,
        f"the best's scores vary by {best:.3g} across the folds (standard "
        f"deviation), a typical candidate's by {typical:.3g}",
        "The best may have won on one lucky fold: rerun the top candidates "
        "with repeated CV and several seeds, and report mean and spread.",
    )


def _rungs(results, metric):
    """Spearman correlation of each rung's scores with the next rung's, over
    the candidates on both, per bracket; their median."""
    means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    brackets = np.asarray(results.get("bracket", np.zeros(len(means))))
    rungs = np.asarray(results["iter"])
    candidates = np.asarray(results.get("candidate", np.arange(len(means))))
    correlations = []
    for b in np.unique(brackets):
        in_b = brackets == b
        for r in np.unique(rungs[in_b])[:-1]:
            low = dict(zip(candidates[in_b & (rungs == r)], means[in_b & (rungs == r)]))
            high = dict(
                zip(candidates[in_b & (rungs == r + 1)], means[in_b & (rungs == r + 1)])
            )
            both = [c for c in high if c in low]
            pairs = np.array([(low[c], high[c]) for c in both], dtype=float)
            if len(pairs) < 3 or not np.isfinite(pairs).all():
                continue
            if np.ptp(pairs[:, 0]) == 0 or np.ptp(pairs[:, 1]) == 0:
                continue
            correlations.append(spearmanr(pairs[:, 0], pairs[:, 1])[0])
    if not correlations:
        return _row(False, "too few candidates on consecutive rungs to compare")
    median = float(np.median(correlations))
    return _row(
        median < 0.5,
        f"median rank correlation between consecutive rungs: {median:.2f} "
        f"({len(correlations)} pairs of rungs)",
        "Early rungs rank the candidates unlike later ones, so early stopping "
        "discards good ones: raise min_resources, or lower factor.",
    )


def _collapsed(search):
    founders = {lineage[0] for lineage in search.lineage_.values() if lineage}
    return _row(
        len(founders) == 1 and len(search.lineage_) > 1,
        f"the members descend from {len(founders)} of the "
        f"{len(search.lineage_)} starting members",
        "Every member ended in one lineage: lower exploit_fraction, raise "
        "population_size or perturb more (perturbation_factors) to keep the "
        "population diverse.",
    )


def _print(report):
    flagged = report[report["flagged"]]
    if flagged.empty:
        print(f"No red flags among {len(report)} checks.")
        return
    print(f"{len(flagged)} red flag(s) among {len(report)} checks:")
    for check, row in flagged.iterrows():
        print(f"- {check}: {row['detail']}\n  {row['advice']}")
