"""Warm starts: does a search given an earlier search's results reach its best
in fewer new evaluations than one that starts cold?

For each problem and seed, an earlier ``BayesSearchCV`` runs ``--n-earlier``
candidates; its best mean test score is the target. Then two new searches of
``--n-new`` candidates each, with another seed: one with
``prior_results=earlier`` (its model starts from the earlier results, which
are not evaluated again), one cold. What is compared is the number of new
evaluations each needs to reach the target (a score at least as high); a
search that never does counts ``n_new + 1``. Medians over seeds, and how
many seeds reached it.

Problems:

- ``branin``: the Branin function of two reals, with a 3-way categorical and
  an integer (``skhpo.utils._testing.AnalyticRegressor``; no fitting cost);
- ``svc-digits``: ``SVC`` on scikit-learn's digits (``C``, ``gamma``
  log-uniform, a kernel among rbf and sigmoid), ``cv=3``.

Target: the warm search needs fewer new evaluations than the cold one (median
over seeds) on every problem.

Usage::

    python benchmarks/bench_warm_start.py
    python benchmarks/bench_warm_start.py --problems branin --seeds 10
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads)
import argparse

import _common
import numpy as np


def _problem(name):
    from scipy.stats import loguniform
    from sklearn.datasets import load_digits, load_iris
    from sklearn.svm import SVC

    from skhpo.space import Integer, Real
    from skhpo.utils._testing import AnalyticRegressor

    if name == "branin":
        X, y = load_iris(return_X_y=True)
        space = {
            "x1": Real(-5.0, 10.0),
            "x2": Real(0.0, 15.0),
            "kind": ["good", "bad", "worse"],
            "n": Integer(1, 6),
        }
        return AnalyticRegressor(), space, X, y, 2
    if name == "svc-digits":
        X, y = load_digits(return_X_y=True)
        space = {
            "C": loguniform(1e-2, 1e3),
            "gamma": loguniform(1e-5, 1e-1),
            "kernel": ["rbf", "sigmoid"],
        }
        return SVC(), space, X / 16.0, y, 3
    raise ValueError(name)


def _to_reach(search, target):
    scores = np.asarray(search.cv_results_["mean_test_score"], float)
    best = np.maximum.accumulate(np.where(np.isfinite(scores), scores, -np.inf))
    reached = np.flatnonzero(best >= target)
    return int(reached[0]) + 1 if reached.size else len(scores) + 1


def run(name, seeds, n_earlier, n_new):
    from skhpo import BayesSearchCV

    rows = []
    for seed in range(seeds):
        estimator, space, X, y, cv = _problem(name)
        earlier = BayesSearchCV(
            estimator, space, n_iter=n_earlier, cv=cv, random_state=seed
        ).fit(X, y)
        target = float(np.nanmax(earlier.cv_results_["mean_test_score"]))
        found = {}
        for label, prior in (("warm", earlier), ("cold", None)):
            search = BayesSearchCV(
                estimator,
                space,
                n_iter=n_new,
                cv=cv,
                random_state=1000 + seed,
                prior_results=prior,
            ).fit(X, y)
            found[label] = _to_reach(search, target)
        rows.append((seed, target, found["warm"], found["cold"]))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=["branin", "svc-digits"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-earlier", type=int, default=20)
    parser.add_argument("--n-new", type=int, default=20)
    args = parser.parse_args()
    _common.quiet_warnings()
    print(_common.header("skhpo warm-start benchmark"))
    summary = []
    for name in args.problems:
        rows = run(name, args.seeds, args.n_earlier, args.n_new)
        print(f"\n## {name}: {args.n_earlier} earlier, up to {args.n_new} new")
        print(
            _common.format_table(
                rows,
                ["seed", "earlier best", "warm: new evals", "cold: new evals"],
                floatfmt=".4f",
            )
        )
        warm = np.median([r[2] for r in rows])
        cold = np.median([r[3] for r in rows])
        limit = args.n_new + 1
        summary.append(
            (
                name,
                warm,
                cold,
                sum(r[2] < limit for r in rows),
                sum(r[3] < limit for r in rows),
                cold / warm,
            )
        )
    print(
        "\n## summary (medians over seeds; a search that never reached counts "
        f"{args.n_new + 1})"
    )
    print(
        _common.format_table(
            summary,
            ["problem", "warm", "cold", "warm reached", "cold reached", "cold / warm"],
            floatfmt=".1f",
        )
    )
    met = all(w < c for _, w, c, *_ in summary)
    print(
        f"target: warm needs fewer new evaluations on every problem: "
        f"{'met' if met else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
