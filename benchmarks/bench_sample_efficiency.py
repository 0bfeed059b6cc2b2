"""Sample efficiency: skhpo's BayesSearchCV against its peers, bayesmark style.

Every method searches the same problems with the same budget on the same CV
folds, side by side in one run:

- ``random``: scikit-learn's ``RandomizedSearchCV`` (the baseline);
- ``skopt``: scikit-optimize's ``BayesSearchCV`` (its defaults: GP, gp_hedge,
  10 initial points, ``n_points=1``);
- ``optuna``: optuna-integration's ``OptunaSearchCV`` with a seeded
  ``TPESampler`` (optuna's default sampler and settings);
- ``skhpo``: ``skhpo.BayesSearchCV`` (its defaults).

A *problem* is a model x data set x metric triple built from scikit-learn's
bundled data sets, in the style of the bayesmark suite
(https://github.com/uber/bayesmark): its model families (kNN, SVM, decision
tree, random forest, MLP, AdaBoost, lasso/linear), its metrics (accuracy,
negative log loss, MSE, MAE) and its search spaces (log-uniform where bayesmark
uses ``log``; bayesmark's ``logit`` ranges are searched uniformly here, since
no library compared has that warping). Deviations from bayesmark, to keep a
run cheap or meaningful on current scikit-learn, are noted in ``PROBLEMS``.
Features are standardised once on the whole data set, as bayesmark does.

A *run* is one (problem, seed, method): ``n_evals`` candidates (default 30),
each scored by ``n_folds``-fold CV (default 5; stratified and shuffled for
classifiers, shuffled otherwise, with the seed as ``random_state``, so every
method sees the same folds for a given seed). Searches use ``n_jobs=1``; the
(problem, seed) tasks run in ``--n-procs`` processes (default 2), each with
BLAS/OpenMP at one thread. The four methods of a task run one after the other
in the same process, so they are measured under the same load.

Score (bayesmark's normalised score, lower is better). With losses (minus the
score, so lower is better) and per problem:

- ``opt``: the lowest loss any method reached in any run;
- ``rand``: the median over the random-search runs of their final best loss
  (after ``n_evals`` candidates);
- the normalised score of a run after ``k`` candidates is
  ``(best loss among its first k - opt) / (rand - opt)``: 0 is the best value
  ever seen, 1 is what random search reaches (in median) with the whole
  budget. Candidates whose score is NaN (failed fits) never improve a run;
  before a run's first finite score its loss counts as the problem's worst.

The report prints the mean normalised score per method at 10, 20 and
``n_evals`` candidates, a per-problem table, and for each Bayesian method the
number of candidates needed to reach ``rand`` (median over seeds; ">N" when the
median run does not get there within the budget). skhpo's target is <= 15 on
the median problem. Raw traces (mean CV score of every candidate, in
evaluation order, per problem, method and seed) are written to JSON under
``benchmarks/results/`` and can be re-analysed with ``--analyse FILE``.

Usage::

    python benchmarks/bench_sample_efficiency.py            # full run
    python benchmarks/bench_sample_efficiency.py --list     # the problems
    python benchmarks/bench_sample_efficiency.py \
        --problems SVM-wine-nll kNN-digits-nll --seeds 2   # a quick check
    python benchmarks/bench_sample_efficiency.py \
        --analyse benchmarks/results/sample_efficiency.json
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads); it sorts
# first among the non-standard-library imports below.
import argparse
import json
import math
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context

import _common
import numpy as np

METHODS = ("random", "skopt", "optuna", "skhpo")
BAYES_METHODS = ("skopt", "optuna", "skhpo")
TARGET_EVALS = 15  # skhpo should reach random search's final median by then


# --------------------------------------------------------------------- spaces
# One neutral description of each dimension, converted for every library so
# that all methods search exactly the same space with the same priors.
def real(low, high, log=False):
    return ("real", low, high, "log" if log else "linear")


def integer(low, high, log=False):
    return ("int", low, high, "log" if log else "linear")


def cat(*values):
    return ("cat", list(values))


class _IntLogUniform:
    """``floor`` of a log-uniform real on ``[low, high + 1)``: an integer
    log-uniform prior for ``RandomizedSearchCV`` (scipy has none). It is the
    same distribution as ``Integer(low, high, prior="log-uniform")`` in skhpo."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def rvs(self, random_state=None):
        from scipy.stats import loguniform

        value = loguniform(self.low, self.high + 1).rvs(random_state=random_state)
        return int(min(math.floor(value), self.high))


def to_sklearn(spec):
    from scipy.stats import loguniform, randint, uniform

    out = {}
    for name, (kind, *args) in spec.items():
        if kind == "cat":
            out[name] = args[0]
        elif kind == "real":
            low, high, scale = args
            out[name] = (
                loguniform(low, high) if scale == "log" else uniform(low, high - low)
            )
        else:
            low, high, scale = args
            out[name] = (
                _IntLogUniform(low, high) if scale == "log" else randint(low, high + 1)
            )
    return out


def _to_skopt_like(spec, module):
    out = {}
    for name, (kind, *args) in spec.items():
        if kind == "cat":
            out[name] = module.Categorical(args[0])
        else:
            low, high, scale = args
            prior = "log-uniform" if scale == "log" else "uniform"
            cls = module.Real if kind == "real" else module.Integer
            out[name] = cls(low, high, prior=prior)
    return out


def to_skopt(spec):
    import skopt.space

    return _to_skopt_like(spec, skopt.space)


def to_skhpo(spec):
    import skhpo.space

    return _to_skopt_like(spec, skhpo.space)


def to_optuna(spec):
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out = {}
    for name, (kind, *args) in spec.items():
        if kind == "cat":
            out[name] = CategoricalDistribution(args[0])
        else:
            low, high, scale = args
            cls = FloatDistribution if kind == "real" else IntDistribution
            out[name] = cls(low, high, log=scale == "log")
    return out


# ------------------------------------------------------------------- problems
@dataclass(frozen=True)
class Problem:
    name: str
    model: str  # a key of _MODELS
    data: str  # a key of _DATA
    scoring: str
    space: dict
    note: str = ""


# bayesmark's decision-tree space (its "logit" ranges searched uniformly)
_TREE = {
    "max_depth": integer(1, 15),
    "max_features": real(0.01, 0.99),
    "min_samples_split": real(0.01, 0.99),
    "min_samples_leaf": real(0.01, 0.49),
    "min_weight_fraction_leaf": real(0.01, 0.49),
    "min_impurity_decrease": real(0.0, 0.5),
}

PROBLEMS = [
    Problem(
        "kNN-digits-nll",
        "kNN",
        "digits",
        "neg_log_loss",
        {
            "n_neighbors": integer(1, 25),
            "p": integer(1, 4),
            "weights": cat("uniform", "distance"),
        },
        note="bayesmark's kNN space plus `weights`",
    ),
    Problem(
        "SVM-wine-nll",
        "SVC",
        "wine",
        "neg_log_loss",
        {
            "C": real(1.0, 1e3, log=True),
            "gamma": real(1e-4, 1e-1, log=True),
            "tol": real(1e-5, 1e-1, log=True),
        },
        note="gamma up to 1e-1 (bayesmark: 1e-3, nearly linear on 13 features)",
    ),
    Problem(
        "DT-digits-acc",
        "DT",
        "digits",
        "accuracy",
        dict(_TREE),
    ),
    Problem(
        "RF-wine-nll",
        "RF",
        "wine",
        "neg_log_loss",
        {**_TREE, "n_estimators": integer(5, 30)},
        note="n_estimators searched in [5, 30] (bayesmark: fixed at 10)",
    ),
    Problem(
        "MLP-adam-iris-nll",
        "MLP-adam",
        "iris",
        "neg_log_loss",
        {
            "hidden_layer_sizes": integer(50, 200),
            "alpha": real(1e-5, 1e1, log=True),
            "batch_size": integer(10, 250),
            "learning_rate_init": real(1e-5, 1e-1, log=True),
            "tol": real(1e-5, 1e-1, log=True),
            "beta_1": real(0.5, 0.99),
            "beta_2": real(0.9, 1 - 1e-6),
            "epsilon": real(1e-9, 1e-6, log=True),
        },
        note="max_iter=40 to keep a fit cheap; no early stopping, so bayesmark's "
        "validation_fraction is left out",
    ),
    Problem(
        "ada-breast-acc",
        "ada",
        "breast",
        "accuracy",
        {"n_estimators": integer(10, 100), "learning_rate": real(1e-4, 1e1, log=True)},
    ),
    Problem(
        "lasso-breast-nll",
        "lasso",
        "breast",
        "neg_log_loss",
        {
            "C": real(1e-2, 1e2, log=True),
            "intercept_scaling": real(1e-2, 1e2, log=True),
            "l1_ratio": cat(1.0, 0.0),
        },
        note="bayesmark's lasso and linear classifiers in one space (l1_ratio)",
    ),
    Problem(
        "lasso-diabetes-mse",
        "lasso-reg",
        "diabetes",
        "neg_mean_squared_error",
        {
            "alpha": real(1e-2, 1e2, log=True),
            "fit_intercept": cat(True, False),
            "max_iter": integer(10, 5000, log=True),
            "tol": real(1e-5, 1e-1, log=True),
            "positive": cat(True, False),
            "selection": cat("cyclic", "random"),
        },
    ),
    Problem(
        "ENet-diabetes-mae",
        "enet",
        "diabetes",
        "neg_mean_absolute_error",
        {
            "alpha": real(1e-4, 1e1, log=True),
            "l1_ratio": real(0.0, 1.0),
            "fit_intercept": cat(True, False),
            "tol": real(1e-5, 1e-1, log=True),
        },
    ),
    Problem(
        "SVR-diabetes-mse",
        "SVR",
        "diabetes",
        "neg_mean_squared_error",
        {
            "C": real(1.0, 1e4, log=True),
            "gamma": real(1e-4, 1e0, log=True),
            "epsilon": real(1e-2, 1e2, log=True),
        },
        note="ranges widened for the unscaled target",
    ),
]
PROBLEM_NAMES = [p.name for p in PROBLEMS]


def _make_model(name):
    from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
    from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC, SVR
    from sklearn.tree import DecisionTreeClassifier

    return {
        "kNN": lambda: KNeighborsClassifier(),
        "SVC": lambda: SVC(probability=True, random_state=0),
        "DT": lambda: DecisionTreeClassifier(random_state=0),
        "RF": lambda: RandomForestClassifier(random_state=0, n_jobs=1),
        "MLP-adam": lambda: MLPClassifier(solver="adam", max_iter=40, random_state=0),
        "ada": lambda: AdaBoostClassifier(random_state=0),
        "lasso": lambda: LogisticRegression(solver="liblinear", random_state=0),
        "lasso-reg": lambda: Lasso(random_state=0),
        "enet": lambda: ElasticNet(random_state=0),
        "SVR": lambda: SVR(),
    }[name]()


def _load_data(name):
    """Bundled data set, features standardised; digits subsampled to 500 rows."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    loader = {
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast": datasets.load_breast_cancer,
        "digits": datasets.load_digits,
        "diabetes": datasets.load_diabetes,
    }[name]
    X, y = loader(return_X_y=True)
    if name == "digits":  # fixed subsample, the same for every seed and method
        X, _, y, _ = train_test_split(X, y, train_size=500, stratify=y, random_state=0)
    return StandardScaler().fit_transform(X), y


# --------------------------------------------------------------------- a run
def _cv(problem, n_folds, seed):
    from sklearn.model_selection import KFold, StratifiedKFold

    if problem.data == "diabetes":
        return KFold(n_folds, shuffle=True, random_state=seed)
    return StratifiedKFold(n_folds, shuffle=True, random_state=seed)


def _search(method, problem, n_evals, cv, seed):
    estimator = _make_model(problem.model)
    common = dict(scoring=problem.scoring, cv=cv, n_jobs=1, refit=False)
    if method == "random":
        from sklearn.model_selection import RandomizedSearchCV

        return RandomizedSearchCV(
            estimator,
            to_sklearn(problem.space),
            n_iter=n_evals,
            random_state=seed,
            **common,
        )
    if method == "skopt":
        _common.skopt_compat()
        from skopt import BayesSearchCV

        return BayesSearchCV(
            estimator,
            to_skopt(problem.space),
            n_iter=n_evals,
            n_points=1,
            random_state=seed,
            **common,
        )
    if method == "optuna":
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(
            direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed)
        )
        return OptunaSearchCV(
            estimator,
            to_optuna(problem.space),
            n_trials=n_evals,
            study=study,
            random_state=seed,
            **common,
        )
    if method == "skhpo":
        from skhpo import BayesSearchCV

        return BayesSearchCV(
            estimator,
            to_skhpo(problem.space),
            n_iter=n_evals,
            random_state=seed,
            **common,
        )
    raise ValueError(method)


def _trace(method, search):
    """Mean CV score of each candidate, in evaluation order (NaN if failed)."""
    if method == "optuna":
        trials = sorted(search.trials_, key=lambda t: t.number)
        return [np.nan if t.value is None else float(t.value) for t in trials]
    return [float(v) for v in search.cv_results_["mean_test_score"]]


def run_task(problem_name, seed, n_evals, n_folds, methods):
    """All methods on one (problem, seed), one after the other."""
    _common.quiet_warnings()
    _common.check_single_threaded()
    problem = PROBLEMS[PROBLEM_NAMES.index(problem_name)]
    X, y = _load_data(problem.data)
    cv = _cv(problem, n_folds, seed)
    out = {}
    for method in methods:
        search = _search(method, problem, n_evals, cv, seed)
        start = time.perf_counter()
        try:
            search.fit(X, y)
            trace = _trace(method, search)
            if len(trace) != n_evals:
                raise RuntimeError(f"{len(trace)} candidates instead of {n_evals}")
        except Exception as exc:
            # A crashing method is a result too: record it, keep the run going.
            lines = traceback.format_exc()
            print(
                f"\n{method} on {problem_name}, seed {seed} failed:\n{lines}",
                file=sys.stderr,
                flush=True,
            )
            out[method] = {
                "scores": None,
                "seconds": round(time.perf_counter() - start, 2),
                "error": f"{type(exc).__name__}: {exc}",
                "where": [
                    ln.strip()
                    for ln in lines.splitlines()
                    if ln.strip().startswith("File")
                ][-3:],
            }
            continue
        seconds = time.perf_counter() - start
        out[method] = {
            "scores": [_round(v) for v in trace],
            "seconds": round(seconds, 2),
        }
    return problem_name, seed, out


def _round(value, digits=7):
    if value is None or not np.isfinite(value):
        return None  # JSON has no NaN
    return float(f"{value:.{digits}g}")


# ------------------------------------------------------------------ analysis
def _best_so_far(scores, worst):
    """Running minimum of the losses (-score); NaN never improves."""
    losses = np.array([np.nan if s is None else -s for s in scores], dtype=float)
    best = np.fmin.accumulate(losses)
    return np.where(np.isnan(best), worst, best)


def analyse(results):
    """Normalised scores and evaluations-to-random, per problem and method."""
    n_evals = results["settings"]["n_evals"]
    report = {}
    for pname, by_method in results["problems"].items():
        by_method = {
            m: {seed: run for seed, run in runs.items() if run.get("scores")}
            for m, runs in by_method.items()
        }
        methods = [m for m in METHODS if m in by_method and by_method[m]]
        if "random" not in methods:
            continue
        finite = [
            -s
            for m in methods
            for run in by_method[m].values()
            for s in run["scores"]
            if s is not None
        ]
        if not finite:
            continue
        opt, worst = min(finite), max(finite)
        curves = {
            m: np.array(
                [_best_so_far(run["scores"], worst) for run in by_method[m].values()]
            )
            for m in methods
        }
        rand = float(np.median(curves["random"][:, n_evals - 1]))
        span = rand - opt
        degenerate = span <= 1e-12 * max(1.0, abs(opt))
        entry = {"opt": opt, "rand": rand, "degenerate": degenerate, "methods": {}}
        for m in methods:
            c = curves[m]
            normed = (c - opt) / span if not degenerate else np.zeros_like(c)
            reached = [
                int(np.argmax(row <= rand)) + 1 if (row <= rand).any() else math.inf
                for row in c
            ]
            entry["methods"][m] = {
                "normed": normed,  # runs x n_evals
                "evals_to_rand": float(np.median(reached)),
                "n_runs": len(c),
                "seconds": float(
                    np.mean([r["seconds"] for r in by_method[m].values()])
                ),
            }
        report[pname] = entry
    return report


def _fmt_evals(value, n_evals):
    return f">{n_evals}" if not math.isfinite(value) else f"{value:g}"


def print_report(results, file=sys.stdout):
    settings = results["settings"]
    n_evals = settings["n_evals"]
    report = analyse(results)
    methods = [m for m in METHODS if any(m in e["methods"] for e in report.values())]
    usable = {p: e for p, e in report.items() if not e["degenerate"]}
    skipped = sorted(set(report) - set(usable))

    def say(*args):
        print(*args, file=file)

    say(
        f"\n{len(report)} problems, seeds {settings['seeds']}, {n_evals} candidates, "
        f"{settings['n_folds']}-fold CV"
    )
    failed = [
        f"{m} on {p} seed {seed}: {run['error']}"
        for p, runs in results["problems"].items()
        for m, by_seed in runs.items()
        for seed, run in by_seed.items()
        if run.get("scores") is None
    ]
    if failed:
        say(f"FAILED runs ({len(failed)}), left out of everything below:")
        for line in failed:
            say(f"  {line}")
    if skipped:
        say(
            f"left out of the means (random search's median already at the best "
            f"value seen, normalisation undefined): {', '.join(skipped)}"
        )

    checkpoints = sorted({k for k in (10, 20, n_evals) if k <= n_evals})
    say(
        "\nMean normalised score (0 = best seen, 1 = random search's median final "
        "best; lower is better), mean over problems of the mean over seeds:"
    )
    rows = []
    for m in methods:
        row = [m]
        for k in checkpoints:
            vals = [
                float(e["methods"][m]["normed"][:, k - 1].mean())
                for e in usable.values()
                if m in e["methods"]
            ]
            row.append(float(np.mean(vals)) if vals else math.nan)
        vals = [
            float(e["methods"][m]["normed"][:, n_evals - 1].mean())
            for e in usable.values()
            if m in e["methods"]
        ]
        row.append(float(np.median(vals)) if vals else math.nan)
        secs = [
            e["methods"][m]["seconds"] for e in report.values() if m in e["methods"]
        ]
        row.append(float(np.mean(secs)))
        rows.append(row)
    say(
        _common.format_table(
            rows,
            ["method", *[f"@{k}" for k in checkpoints], f"median@{n_evals}", "s/run"],
        )
    )
    say(
        f"(median@{n_evals}: median over problems, less sensitive to the problems "
        "where rand - opt is tiny)"
    )
    final = {r[0]: r[len(checkpoints)] for r in rows}  # mean normalised at n_evals
    if "skhpo" in final:
        ratios = [
            f"skhpo / {m}: {final['skhpo'] / v:.3f}"
            for m, v in final.items()
            if m != "skhpo" and v > 0
        ]
        say(f"ratios of the mean normalised score at {n_evals}: " + ", ".join(ratios))

    say(
        f"\nPer problem: mean normalised score at {n_evals} candidates "
        "(opt and rand are losses = -score):"
    )
    rows = []
    for p, e in report.items():
        row = [p + (" *" if e["degenerate"] else ""), e["opt"], e["rand"]]
        row += [
            float(e["methods"][m]["normed"][:, n_evals - 1].mean())
            if m in e["methods"]
            else math.nan
            for m in methods
        ]
        rows.append(row)
    say(_common.format_table(rows, ["problem", "opt", "rand", *methods], ".4g"))

    bayes = [m for m in BAYES_METHODS if m in methods]
    say(
        f"\nCandidates needed to reach random search's median best after {n_evals} "
        "(median over seeds):"
    )
    rows, per_method = [], {m: [] for m in bayes}
    for p, e in report.items():
        row = [p]
        for m in bayes:
            v = e["methods"][m]["evals_to_rand"] if m in e["methods"] else math.nan
            per_method[m].append(v)
            row.append(_fmt_evals(v, n_evals))
        rows.append(row)
    row = ["median problem"]
    for m in bayes:
        v = float(np.median(per_method[m])) if per_method[m] else math.nan
        row.append(_fmt_evals(v, n_evals))
    rows.append(row)
    say(_common.format_table(rows, ["problem", *bayes]))
    if "skhpo" in bayes:
        med = float(np.median(per_method["skhpo"]))
        verdict = "met" if med <= TARGET_EVALS else "NOT met"
        say(
            f"skhpo on the median problem: {_fmt_evals(med, n_evals)} candidates "
            f"(target <= {TARGET_EVALS}: {verdict})"
        )


# ---------------------------------------------------------------------- main
def _save(results, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, separators=(",", ":"))
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--problems",
        nargs="+",
        default=PROBLEM_NAMES,
        choices=PROBLEM_NAMES,
        metavar="NAME",
        help="problems to run (default: all; see --list)",
    )
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument(
        "--seeds",
        type=int,
        default=7,
        help="seeds 0 .. N-1 (odd: random's median is one run)",
    )
    parser.add_argument("--n-evals", type=int, default=30)
    parser.add_argument("--n-folds", type=int, default=5)
    parser.add_argument(
        "--n-procs", type=int, default=2, help="processes running (problem, seed) tasks"
    )
    parser.add_argument(
        "--out", default=os.path.join(_common.RESULTS_DIR, "sample_efficiency.json")
    )
    parser.add_argument(
        "--analyse", metavar="FILE", help="print the report of a saved JSON and exit"
    )
    parser.add_argument("--list", action="store_true", help="list problems and exit")
    args = parser.parse_args(argv)

    if args.list:
        for p in PROBLEMS:
            dims = ", ".join(f"{k}: {v[0]}" for k, v in p.space.items())
            print(
                f"{p.name:22s} {len(p.space)}-d ({dims})"
                + (f"\n{'':22s} note: {p.note}" if p.note else "")
            )
        return
    if args.analyse:
        with open(args.analyse) as f:
            results = json.load(f)
        print(results["header"])
        print_report(results)
        return
    if "random" not in args.methods:
        parser.error("--methods must include random (the normalisation needs it)")

    head = _common.header("skhpo sample-efficiency benchmark")
    print(head, flush=True)
    results = {
        "header": head,
        "settings": {
            "n_evals": args.n_evals,
            "n_folds": args.n_folds,
            "seeds": list(range(args.seeds)),
            "methods": args.methods,
            "n_procs": args.n_procs,
        },
        "problems": {p: {m: {} for m in args.methods} for p in args.problems},
    }
    # costliest problems first, so the two processes finish together
    tasks = [(p, s) for p in args.problems for s in range(args.seeds)]
    order = {"MLP-adam-iris-nll": 0, "ada-breast-acc": 1, "RF-wine-nll": 2}
    tasks.sort(key=lambda t: (order.get(t[0], 9), t[1]))
    start = time.perf_counter()
    done = 0
    with ProcessPoolExecutor(args.n_procs, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(run_task, p, s, args.n_evals, args.n_folds, args.methods)
            for p, s in tasks
        ]
        for future in as_completed(futures):
            pname, seed, out = future.result()
            for m, run in out.items():
                results["problems"][pname][m][str(seed)] = run
            done += 1
            times = " ".join(
                f"{m} {r['seconds']:.1f}s" + (" FAILED" if r["scores"] is None else "")
                for m, r in out.items()
            )
            print(
                f"[{time.perf_counter() - start:7.0f}s] {done}/{len(tasks)} "
                f"{pname} seed {seed}: {times}",
                flush=True,
            )
            _save(results, args.out)
    results["wall_seconds"] = round(time.perf_counter() - start, 1)
    _save(results, args.out)
    print(
        f"\nwall time {results['wall_seconds']:.0f} s; raw traces in {args.out} "
        f"({os.path.getsize(args.out) / 1024:.0f} KB)"
    )
    print_report(results)


if __name__ == "__main__":
    main()
