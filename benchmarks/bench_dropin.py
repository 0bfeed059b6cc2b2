"""Swapping one class name: ``RandomizedSearchCV`` against ``BayesSearchCV``.

What a scikit-learn user sees when only the class name changes: the same
estimator, the same space (``scipy.stats`` distributions and lists, which
both accept), the same ``n_iter=10`` (the default of both), the same CV
folds and the same ``random_state``. Three problems on scikit-learn's bundled
data (an SVC on breast cancer, a random forest on digits, an SVR on
diabetes), each with 5 seeds; a seed fixes a 75/25 train/test split
(stratified for classifiers), the folds of the 5-fold CV on the training
part and the searches' ``random_state``.

Reported per problem and method, mean and standard deviation over seeds:
the best mean CV score (``best_score_``), the held-out score of the refit
best model on the test part (``search.score``), and the wall time; then the
paired differences (Bayes minus random) and how many seeds Bayes wins. Both
searches fit ``n_iter * 5`` models plus the refit, so "cheaper" can only mean
a better score for the same fits. ``--n-iter-bayes 50`` adds skhpo's former
default, five times the fits.

Usage::

    python benchmarks/bench_dropin.py                  # 3 problems x 5 seeds
    python benchmarks/bench_dropin.py --seeds 2 --problems svc-breast
    python benchmarks/bench_dropin.py --n-iter-bayes 50   # the former default too
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads).
import argparse
import time

import _common
import numpy as np

N_FOLDS = 5


def _problem(name):
    """``(estimator, space, X, y, classifier)`` of a problem."""
    from scipy.stats import loguniform, randint, uniform
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC, SVR

    if name == "svc-breast":
        X, y = load_breast_cancer(return_X_y=True)
        estimator = make_pipeline(StandardScaler(), SVC())
        space = {
            "svc__C": loguniform(1e-3, 1e3),
            "svc__gamma": loguniform(1e-5, 1e0),
        }
        return estimator, space, X, y, True
    if name == "rf-digits":
        X, y = load_digits(return_X_y=True)
        estimator = RandomForestClassifier(n_estimators=50, random_state=0)
        space = {
            "max_depth": randint(2, 30),
            "max_features": uniform(0.02, 0.5),
            "min_samples_leaf": randint(1, 30),
            "criterion": ["gini", "entropy"],
        }
        return estimator, space, X, y, True
    if name == "svr-diabetes":
        X, y = load_diabetes(return_X_y=True)
        estimator = make_pipeline(StandardScaler(), SVR())
        space = {
            "svr__C": loguniform(1e-2, 1e3),
            "svr__gamma": loguniform(1e-4, 1e0),
            "svr__epsilon": loguniform(1e-2, 1e2),
        }
        return estimator, space, X, y, False
    raise ValueError(f"unknown problem {name!r}")


PROBLEMS = ("svc-breast", "rf-digits", "svr-diabetes")


def run_one(name, seed, methods):
    """``{method: (best_score_, held-out score, seconds)}`` for one seed."""
    _common.quiet_warnings()
    from sklearn.model_selection import (
        KFold,
        RandomizedSearchCV,
        StratifiedKFold,
        train_test_split,
    )

    from skhpo import BayesSearchCV

    estimator, space, X, y, classifier = _problem(name)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y if classifier else None
    )
    splitter = StratifiedKFold if classifier else KFold
    cv = splitter(N_FOLDS, shuffle=True, random_state=seed)
    out = {}
    for method, n_iter in methods:
        cls = RandomizedSearchCV if method == "random" else BayesSearchCV
        search = cls(estimator, space, n_iter=n_iter, cv=cv, random_state=seed)
        start = time.perf_counter()
        search.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        out[f"{method}{n_iter}"] = (
            float(search.best_score_),
            float(search.score(X_test, y_test)),
            seconds,
        )
    return name, seed, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-iter-bayes", type=int, nargs="+", default=[10])
    parser.add_argument("--n-procs", type=int, default=2)
    args = parser.parse_args()
    _common.quiet_warnings()
    print(_common.header("skhpo drop-in benchmark", ("scikit-learn", "skhpo")))
    methods = [("random", 10)] + [("bayes", n) for n in args.n_iter_bayes]
    tasks = [(p, s) for p in args.problems for s in range(args.seeds)]
    results = {}
    start = time.perf_counter()
    with _common.process_pool(args.n_procs) as pool:
        futures = [pool.submit(run_one, p, s, methods) for p, s in tasks]
        for future in futures:
            name, seed, out = future.result()
            results[name, seed] = out
    print(f"\nwall time {time.perf_counter() - start:.0f} s; {N_FOLDS}-fold CV")
    labels = [f"{m}{n}" for m, n in methods]
    for name in args.problems:
        seeds = range(args.seeds)
        print(f"\n## {name}: mean (std) over {args.seeds} seeds")
        rows = []
        for label in labels:
            values = np.array([results[name, s][label] for s in seeds])
            mean, std = values.mean(axis=0), values.std(axis=0)
            rows.append(
                (
                    label,
                    f"{mean[0]:.4f} ({std[0]:.4f})",
                    f"{mean[1]:.4f} ({std[1]:.4f})",
                    f"{mean[2]:.1f}",
                )
            )
        print(_common.format_table(rows, ["method", "best CV score", "held-out", "s"]))
        print("per seed, best CV score / held-out score:")
        for s in seeds:
            cells = "  ".join(
                f"{label} {results[name, s][label][0]:.4f}/"
                f"{results[name, s][label][1]:.4f}"
                for label in labels
            )
            print(f"  seed {s}: {cells}")
        for label in labels[1:]:
            diff = np.array(
                [
                    np.subtract(
                        results[name, s][label][:2], results[name, s]["random10"][:2]
                    )
                    for s in seeds
                ]
            )
            print(
                f"{label} - random10: CV {diff[:, 0].mean():+.4f} "
                f"(wins {int((diff[:, 0] > 0).sum())}/{args.seeds}), held-out "
                f"{diff[:, 1].mean():+.4f} (wins {int((diff[:, 1] > 0).sum())}/"
                f"{args.seeds}, ties {int((diff[:, 1] == 0).sum())})"
            )
    print("\n## over all problems and seeds (paired, Bayes minus random)")
    for label in labels[1:]:
        diff = np.array(
            [
                np.subtract(results[k][label][:2], results[k]["random10"][:2])
                for k in results
            ]
        )
        print(
            f"{label}: CV {diff[:, 0].mean():+.4f}, wins "
            f"{int((diff[:, 0] > 0).sum())}/{len(diff)}; held-out "
            f"{diff[:, 1].mean():+.4f}, wins {int((diff[:, 1] > 0).sum())}/"
            f"{len(diff)}, losses {int((diff[:, 1] < 0).sum())}"
        )


if __name__ == "__main__":
    main()
