"""The importance report: which hyperparameters mattered, from ``cv_results_``."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ..space._utils import to_python
from ._inputs import check_int, read_finished, score_name, warn_at_edges
from ._surrogate import check_surrogate, fit_surrogate

#: Interactions are computed between the most important hyperparameters only.
_MAX_INTERACTING = 8


def importance_report(
    search_or_cv_results,
    *,
    metric=None,
    n_resources="auto",
    surrogate="auto",
    n_trees=64,
    max_pairs=10,
    random_state=0,
):
    """Which hyperparameters mattered: functional ANOVA of the search's results.

    A tree model is fitted to the mean test score of the finished
    candidates, each hyperparameter mapped to [0, 1] in the measure it was
    sampled in (log space for a log-uniform ``C``, equal weight per value for
    a grid or a list). Its variance over that measure is then split exactly
    into main effects and pairwise interactions (Hutter, Hoos &
    Leyton-Brown, 2014): a hyperparameter's importance is the share of the
    score's variance that its own marginal curve explains.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A fitted search of skhpo or scikit-learn (its space then tells how
        each hyperparameter was sampled), or its ``cv_results_`` as a dict or
        a DataFrame (the measure is then read off the values; see Notes).
    metric : str, default=None
        Which ``mean_test_<metric>`` to explain. By default the search's
        ``refit`` metric, or the only metric.
    n_resources : "auto" or number, default="auto"
        For multi-fidelity results (a ``n_resources`` column), the resource
        level whose rows are used. ``"auto"`` takes the highest level with
        enough finished candidates (at least ``max(5, 2 * n_params)``), as
        BOHB does, else the level with the most.
    surrogate : {"auto", "extra-trees", "boosting"}, default="auto"
        The model fitted to the scores. ``"extra-trees"``: a forest of
        extremely randomised trees, with the spread of the shares over its
        trees. ``"boosting"``: gradient-boosted trees of depth two (each
        tree a function of at most three hyperparameters; as many rounds as
        a 3-fold cross-validation finds best), which follow a kinked or
        step-shaped effect where the forest smooths it; its spread is that
        of the three models of the cross-validation. ``"auto"``: with at
        least 50 finished candidates, the boosted trees when their error in
        that cross-validation is smaller than the forest's (16 trees there)
        and than the scores' mean; otherwise, and with fewer candidates,
        extra-trees. ``attrs["surrogate"]`` says which and why.
    n_trees : int, default=64
        Trees of the extra-trees surrogate.
    max_pairs : int, default=10
        How many of the strongest pairwise interactions to report. Pairs
        are formed among the 8 hyperparameters with the largest main effects.
    random_state : int, RandomState instance or None, default=0
        Seeds the surrogate; the default makes the report reproducible.

    Returns
    -------
    report : pandas.DataFrame
        Indexed by hyperparameter, sorted by importance, with columns:

        - ``importance``: share of the variance of the score explained by the
          hyperparameter alone, for the surrogate's mean function (the
          average of the forest's trees, or the boosted sum); main effects
          and interactions sum to at most 1;
        - ``importance_std``: its spread: the standard deviation of the same
          share computed tree by tree (extra-trees), or over the three models
          of the cross-validation (boosting; these agree more closely than
          single trees do, so the two spreads are not on one scale);
        - ``interaction``: the summed shares of its reported pairwise
          interactions;
        - ``scale``: the measure it was integrated over: ``"log"`` (uniform
          in log space), ``"linear"``, ``"discrete"`` (ordered values of
          equal weight, as in a grid), ``"categorical"`` (unordered values of
          equal weight, or the prior's), ``"quantile"`` (a scipy.stats
          distribution other than uniform or log-uniform, measured through
          its cdf, so that each quantile weighs the same);
        - ``best_value``: its value in the best finished candidate;
        - ``at_edge``: ``"lower"`` or ``"upper"`` when that value lies at
          the edge of the searched range (when candidates tie for the best
          score, when all of them do), else empty.

        ``report.attrs`` holds the rest, as plain Python values (so that
        reports can be concatenated and compared):

        - ``"method"``: the method, in words;
        - ``"interactions"``: the strongest pairs, strongest first, as a dict
          from ``"a:b"`` to a dict with ``first``, ``second``,
          ``importance`` and ``importance_std``
          (``pd.DataFrame.from_dict(report.attrs["interactions"],
          orient="index")`` makes it a table);
        - ``"marginals"``: a dict from hyperparameter to its marginal curve,
          the score averaged over every other hyperparameter, as a dict of
          lists ``value``, ``mean`` and ``std`` (its spread, as above)
          (``pd.DataFrame(report.attrs["marginals"]["C"])`` makes it a
          table);
        - ``"explained"``: the main effects and reported interactions summed;
        - ``"surrogate"``: the model used, as a dict: ``kind``
          (``"extra-trees"`` or ``"boosting"``), ``reason`` (in words) and
          ``cv_r2`` (the cross-validated R^2 of each model tried, or None
          without a cross-validation);
        - ``"metric"`` (the column, ``"mean_test_<metric>"``),
          ``"score_name"`` (the score's name for labels: the scorer's name,
          such as ``"accuracy"``, or ``"score"`` for the estimator's default
          or a callable scorer), ``"n_candidates"``, ``"n_resources"``,
          ``"left_out"`` (hyperparameters not analysed, with the reason).

        With a single varying hyperparameter its importance is 1 (0 when the
        scores do not vary) and the report is about its marginal curve.

    Raises
    ------
    ValueError
        If the results are not shaped like scikit-learn's ``cv_results_``,
        every candidate failed, no hyperparameter varies, there are fewer
        finished candidates than ``max(5, 2 * n_params)``, or fewer than 15
        with ``surrogate="boosting"``.
    sklearn.exceptions.NotFittedError
        If a search is given before it is fitted.

    Warns
    -----
    SearchRangeEdgeWarning
        When the best candidate's value of a numeric hyperparameter lies at
        the edge of its searched range (within 5 % of it in the measure it
        was sampled in, or the first or last value of a list).
    UserWarning
        When the surrogate was chosen by cross-validation (``"auto"`` from
        50 candidates, or ``"boosting"``) and no model tried predicted the
        held-out candidates' scores better than their mean (cross-validated
        R^2 at most 0): the scores are then mostly noise for the
        hyperparameters analysed, and so are the shares.

    See Also
    --------
    compare_candidates : Whether the best candidate is better than the others.
    skhpo.plotting.ImportanceDisplay : Bars of the importance shares.
    skhpo.plotting.MarginalDisplay : The score against each hyperparameter.

    Notes
    -----
    Without a space (a dict of results, or a search whose space skhpo cannot
    read), the measure of each hyperparameter is read off its values:
    non-numeric values are categories of equal weight; numbers with few
    distinct values (at most half the candidates, as in a grid) are ordered
    values of equal weight; other numbers are continuous on their observed
    range, in log scale when they are positive and look log-uniform rather
    than uniform. Hyperparameters set in only some candidates (conditional
    sub-spaces) or constant are left out, and ``attrs["left_out"]`` says so.

    Categories are placed in order of their mean score, so that a single
    split of a tree can separate good categories from bad ones.

    Shares are those of the surrogate's mean function, from its leaves:
    marginals are exact up to the grid of 128 cells on which a continuous
    hyperparameter's marginal is read, and the total variance is measured on
    16,384 quasi-random points. Three-way and higher interactions are not
    reported. A forest of deep trees averages each candidate's score
    with its neighbours in every dimension: on a few hundred candidates it
    rounds a kink or a step of one hyperparameter off and gives its variance
    to the others (the integer's share of an additive V-shaped effect comes
    out up to 0.08 low at 200 candidates). Boosted trees of depth two follow
    such effects within 0.04 there, but render a smooth interaction of two
    continuous hyperparameters in coarse steps; with ``"auto"`` the
    cross-validation picks, case by case, the one that predicts the scores
    better. Scores that no model predicts better than their mean (noise)
    keep the forest, whose spread then shows how little the shares mean.

    References
    ----------
    F. Hutter, H. Hoos and K. Leyton-Brown. "An Efficient Approach for
    Assessing Hyperparameter Importance". ICML 2014.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo.importance import importance_report
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": loguniform(1e-3, 1e3), "gamma": loguniform(1e-4, 1e1)},
    ...     n_iter=30, random_state=0,
    ... ).fit(X, y)
    >>> report = importance_report(search)
    >>> report[["importance", "scale"]].round(2)
                    importance scale
    hyperparameter
    C                     0.60   log
    gamma                 0.17   log
    >>> round(report.attrs["explained"], 2)
    1.0

    ``C`` alone explains most of the variance of the score; the rest is
    their interaction.
    """
    who = "importance_report"
    check_surrogate(surrogate, who)
    check_int(n_trees, "n_trees", 1, who)
    check_int(max_pairs, "max_pairs", 0, who)
    try:
        check_random_state(random_state)
    except ValueError:
        raise ValueError(
            f"{who}: random_state must be an int, a numpy RandomState or None, "
            f"got {random_state!r}"
        ) from None
    finished = read_finished(
        search_or_cv_results, metric=metric, n_resources=n_resources, who=who
    )
    at_edge = warn_at_edges(finished, who)
    axes, d, names = finished.axes, len(finished.axes), finished.names
    model = fit_surrogate(finished, n_trees, random_state, surrogate, who)

    if d > _MAX_INTERACTING:
        first = model.main_effects(random_state)
        top = sorted(np.argsort(-first, kind="stable")[:_MAX_INTERACTING])
    else:
        top = list(range(d))
    pairs = list(combinations(top, 2))
    whole = model.decompose(pairs, random_state)
    main_std, pair_std = whole.main_std, whole.pairs_std

    strongest = np.argsort(-whole.pairs, kind="stable")[:max_pairs]
    interactions = {}
    involved = np.zeros(d)
    for p in strongest:
        i, j = pairs[p]
        interactions[f"{names[i]}:{names[j]}"] = {
            "first": names[i],
            "second": names[j],
            "importance": float(whole.pairs[p]),
            "importance_std": float(pair_std[p]),
        }
        involved[[i, j]] += whole.pairs[p]

    best = finished.params[finished.best]
    report = pd.DataFrame(
        {
            "importance": whole.main,
            "importance_std": main_std,
            "interaction": involved,
            "scale": [a.scale for a in axes],
            "best_value": pd.Series(
                [to_python(best[n]) for n in names], index=names, dtype=object
            ),
            "at_edge": [at_edge.get(n, "") for n in names],
        },
        index=pd.Index(names, name="hyperparameter"),
    ).sort_values("importance", ascending=False, kind="stable")

    marginals = {}
    for i, axis in enumerate(axes):
        mean, std = model.marginal(i, axis.curve_unit)
        marginals[axis.name] = {
            "value": [to_python(v) for v in axis.curve_values],
            "mean": mean.tolist(),
            "std": std.tolist(),
        }
    # Plain Python values only: pandas compares attrs when frames are combined.
    report.attrs.update(
        method=_describe(finished, model),
        metric=f"mean_test_{finished.metric}",
        score_name=score_name(finished.metric, finished.search),
        n_candidates=len(finished.rows),
        n_resources=finished.n_resources,
        left_out=dict(finished.left_out),
        interactions=interactions,
        marginals=marginals,
        surrogate=model.choice.summary(model.kind),
        explained=float(whole.main.sum() + sum(whole.pairs[strongest])),
    )
    return report


def _describe(finished, model) -> str:
    at = (
        ""
        if finished.n_resources is None
        else f" at n_resources={finished.n_resources}"
    )
    scales = ", ".join(f"{a.name}: {a.scale}" for a in finished.axes)
    inferred = [a.name for a in finished.axes if a.scale_inferred]
    text = (
        f"functional ANOVA (Hutter et al., 2014) of {model.describe()} fitted to "
        f"mean_test_{finished.metric} of {len(finished.rows)} finished "
        f"candidates{at}; each hyperparameter integrated over the measure it was "
        f"sampled in ({scales})"
    )
    if inferred:
        text += f"; measure read off the values for {inferred}"
    if np.ptp(finished.scores) == 0:
        text += "; the scores do not vary, so no hyperparameter mattered"
    return text
