"""Sample efficiency: skhpo's BayesSearchCV against its peers, bayesmark style.

Every method searches the same problems with the same budget on the same CV
folds, side by side in one run:

- ``random``: scikit-learn's ``RandomizedSearchCV`` (the baseline);
- ``skopt``: scikit-optimize's ``BayesSearchCV`` (its defaults: GP, gp_hedge,
  10 initial points, ``n_points=1``);
- ``optuna``: optuna-integration's ``OptunaSearchCV`` with a seeded
  ``TPESampler`` (optuna's default sampler and settings);
- ``optuna-gp``: the same with a seeded ``GPSampler`` (its defaults: 10
  initial points; needs torch);
- ``smac``: SMAC3's hyperparameter-optimisation facade (random forest,
  log-EI), driven by ask/tell (see ``_peers.run_smac`` for its two settings);
- ``hebo``: HEBO (its default GP, a power transform of the losses, MACE
  acquisition portfolio), driven by ask/tell (``_peers.run_hebo``);
- ``skhpo``: ``skhpo.BayesSearchCV`` (its defaults).

``smac``, ``hebo`` and ``optuna-gp`` are optional: a method whose packages do
not import is skipped with the reason printed (``benchmarks/README.md`` says
how to install them). The ask/tell peers evaluate a candidate exactly as the
search classes do: ``cross_validate`` on the task's folds, mean test score.

A *problem* is a model x data set x metric triple built from scikit-learn's
bundled data sets, in the style of the bayesmark suite
(https://github.com/uber/bayesmark): its model families (kNN, SVM, decision
tree, random forest, MLP, AdaBoost, lasso/linear), its metrics (accuracy,
negative log loss, MSE, MAE) and its search spaces (log-uniform where bayesmark
uses ``log``; bayesmark's ``logit`` ranges are searched uniformly here, since
no library compared has that warping), plus a conditional space (an SVC whose
``gamma`` exists for the rbf and poly kernels and ``degree`` for poly only)
and a 10-dimensional one (histogram gradient boosting). Deviations from
bayesmark, to keep a run cheap or meaningful on current scikit-learn, are
noted in ``PROBLEMS``. Features are standardised once on the whole data set,
as bayesmark does.

A conditional space is a list of dicts, told apart by one categorical (the
*switch*, here ``kernel``). scikit-learn's random search and skhpo take the
list as it is; SMAC3 gets ConfigSpace conditions; scikit-optimize's
``BayesSearchCV`` (whose list form splits the budget between sub-spaces run one
after the other), ``OptunaSearchCV`` (a flat dict only) and HEBO (no
conditions) search the flat union: every dimension is always drawn and the
estimator ignores the inactive ones.

A *run* is one (problem, seed, method): ``n_evals`` candidates (default 100),
each scored by ``n_folds``-fold CV (default 5; stratified and shuffled for
classifiers, shuffled otherwise). A problem is one objective: its data and
folds are drawn with ``PROBLEM_SEED``, the same for every seed and method,
and a seed varies the searches only. bayesmark does the same (one split per
problem, "otherwise there would be extra noise in the objective function",
and its launcher gives every run the same split seed). With folds drawn per
seed, each seed would search another function, and a method finding each
seed's own optimum would still score above 0 wherever another seed's folds
allow a lower loss: a floor shared by every method, which pulls the ratios
between methods towards 1. Searches use ``n_jobs=1``; the (problem, seed)
tasks run in ``--n-procs`` processes (default 2), each with BLAS/OpenMP at
one thread. The methods of a task run one after the other in
the same process, so they are measured under the same load.

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

The report prints the mean normalised score per method at 10, 30 and
``n_evals`` candidates (each run is one search of ``n_evals`` candidates read
at those points, so every method plans for the full budget), a per-problem
table, the optimiser's overhead, and for each Bayesian method the number of
candidates needed to reach random search's median best after 30 (median over
seeds; ">N" when the median run does not get there within the budget).

*Overhead* per evaluation is a run's wall time minus the time its fits and
scoring took (as each library reports them: ``cv_results_``'s fit and score
times, OptunaSearchCV's trial attributes, ``cross_validate``'s times for the
ask/tell peers; each fit's time includes taking its fold's rows, as
scikit-learn counts it), divided by ``n_evals``: what the search adds around
the model, its proposals and its own bookkeeping. Where a library times its
proposals apart (skhpo's ``propose_time``; ask + tell for SMAC3 and HEBO)
that time is printed too.

skhpo's targets: mean normalised score at 30 at most 0.80 x the best peer's,
below every peer's at 10 and at ``n_evals``; random search's 30-candidate
median best reached within 12 candidates on the median problem; overhead per
evaluation at most 2 x Optuna TPE's. Raw traces (mean CV score of every
candidate, in evaluation order, and the run's timings, per problem, method and
seed) are written to JSON under ``benchmarks/results/`` and can be re-analysed
with ``--analyse FILE``.

Usage::

    python benchmarks/bench_sample_efficiency.py --n-procs 1  # full run
    python benchmarks/bench_sample_efficiency.py --list       # the problems
    python benchmarks/bench_sample_efficiency.py \
        --problems SVM-wine-nll kNN-digits-nll --seeds 2 --n-evals 30  # check
    python benchmarks/bench_sample_efficiency.py \
        --analyse benchmarks/results/sample_efficiency.json
    python benchmarks/bench_sample_efficiency.py --analyse A.json B.json \
        --only-seeds 0  # B ran costly peers on seed 0 only, with random search
    python benchmarks/bench_sample_efficiency.py --methods random smac hebo \
        --seeds 2 --first-seed 1 --out B.json --resume  # after a stop: the rest
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
from concurrent.futures import as_completed
from dataclasses import dataclass

import _common
import _peers
import numpy as np

METHODS = ("random", "skopt", "optuna", "optuna-gp", "smac", "hebo", "skhpo")
BAYES_METHODS = METHODS[1:]
OPTIONAL_METHODS = ("optuna-gp", "smac", "hebo")  # skipped with the reason if missing
DISTS = (
    *_common.PEERS,
    "smac",
    "ConfigSpace",
    "pyrfr",
    "HEBO",
    "gpytorch",
    "pymoo",
    "torch",
    "greenlet",  # optional for Optuna's GP sampler, which runs otherwise
)
CHECKPOINTS = (10, 30)  # and n_evals
PROBLEM_SEED = 0  # seeds every problem's folds: a seed varies the searches only
# skhpo's targets
REFERENCE_EVALS = 30  # random search's median best after this many ...
TARGET_EVALS = 12  # ... reached within this many candidates (median problem)
TARGET_RATIO_AT_30 = 0.80  # mean normalised score at 30 / the best peer's
TARGET_OVERHEAD_RATIO = 2.0  # overhead per evaluation / Optuna TPE's


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
    """scipy.stats distributions and lists; a list of dicts stays a list."""
    from scipy.stats import loguniform, randint, uniform

    if isinstance(spec, list):
        return [to_sklearn(sub) for sub in spec]
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
    """Flat: skopt's list form runs the sub-spaces one after the other."""
    import skopt.space

    return _to_skopt_like(_peers.flatten(spec), skopt.space)


def to_skhpo(spec):
    """A list of dicts stays a list: skhpo's conditional sub-spaces."""
    import skhpo.space

    if isinstance(spec, list):
        return [_to_skopt_like(sub, skhpo.space) for sub in spec]
    return _to_skopt_like(spec, skhpo.space)


def to_optuna(spec):
    """Flat: ``OptunaSearchCV`` takes one dict of distributions."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out = {}
    for name, (kind, *args) in _peers.flatten(spec).items():
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
    space: dict | list  # a list of dicts: conditional sub-spaces
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
    Problem(
        "SVC-kernel-digits-nll",
        "SVC",
        "digits",
        "neg_log_loss",
        [
            {"kernel": cat("linear"), "C": real(1e-2, 1e3, log=True)},
            {
                "kernel": cat("rbf"),
                "C": real(1e-2, 1e3, log=True),
                "gamma": real(1e-5, 1e0, log=True),
            },
            {
                "kernel": cat("poly"),
                "C": real(1e-2, 1e3, log=True),
                "gamma": real(1e-5, 1e0, log=True),
                "degree": integer(2, 5),
            },
        ],
        note="conditional: gamma for rbf and poly only, degree for poly only "
        "(not in bayesmark)",
    ),
    Problem(
        "HGB-breast-nll",
        "HGB",
        "breast",
        "neg_log_loss",
        {
            "learning_rate": real(1e-3, 1.0, log=True),
            "max_iter": integer(10, 300, log=True),
            "max_leaf_nodes": integer(2, 64, log=True),
            "max_depth": integer(2, 12),
            "min_samples_leaf": integer(1, 100, log=True),
            "l2_regularization": real(1e-6, 1e1, log=True),
            "max_features": real(0.1, 1.0),
            "max_bins": integer(16, 255),
            "interaction_cst": cat("pairwise", "no_interactions"),
            "early_stopping": cat(True, False),
        },
        note="10-dimensional (not in bayesmark)",
    ),
]
PROBLEM_NAMES = [p.name for p in PROBLEMS]


def _make_model(name):
    from sklearn.ensemble import (
        AdaBoostClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
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
        "HGB": lambda: HistGradientBoostingClassifier(random_state=0),
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
        X, _, y, _ = train_test_split(
            X, y, train_size=500, stratify=y, random_state=PROBLEM_SEED
        )
    return StandardScaler().fit_transform(X), y


# --------------------------------------------------------------------- a run
def _cv(problem, n_folds):
    """The problem's folds: the same for every seed (see ``PROBLEM_SEED``)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    if problem.data == "diabetes":
        return KFold(n_folds, shuffle=True, random_state=PROBLEM_SEED)
    return StratifiedKFold(n_folds, shuffle=True, random_state=PROBLEM_SEED)


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
    if method in ("optuna", "optuna-gp"):
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = (
            optuna.samplers.TPESampler(seed=seed)
            if method == "optuna"
            else optuna.samplers.GPSampler(seed=seed)
        )
        study = optuna.create_study(direction="maximize", sampler=sampler)
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


def _search_record(method, search, n_folds):
    """Trace (mean CV score of each candidate in evaluation order, NaN if
    failed), seconds in fits and scoring, seconds in proposals (or None)."""
    if method in ("optuna", "optuna-gp"):
        trials = sorted(search.trials_, key=lambda t: t.number)
        trace = [np.nan if t.value is None else float(t.value) for t in trials]
        fit_s = n_folds * sum(
            t.user_attrs.get("mean_fit_time", 0.0)
            + t.user_attrs.get("mean_score_time", 0.0)
            for t in trials
        )
        return {"trace": trace, "fit_s": float(fit_s), "ask_s": None, "notes": {}}
    res = search.cv_results_
    trace = [float(v) for v in res["mean_test_score"]]
    fit_s = n_folds * float(
        np.sum(res["mean_fit_time"]) + np.sum(res["mean_score_time"])
    )
    ask_s = float(np.sum(res["propose_time"])) if "propose_time" in res else None
    return {"trace": trace, "fit_s": fit_s, "ask_s": ask_s, "notes": {}}


def _run(method, problem, n_evals, cv, seed, X, y):
    """One run: a search class fitted, or an ask/tell peer driven."""
    if method in ("smac", "hebo"):
        objective = _peers.CVObjective(
            _make_model(problem.model), X, y, cv, problem.scoring
        )
        driver = _peers.run_smac if method == "smac" else _peers.run_hebo
        return driver(objective, problem.space, n_evals, seed)
    search = _search(method, problem, n_evals, cv, seed)
    search.fit(X, y)
    return _search_record(method, search, cv.get_n_splits())


def run_task(problem_name, seed, n_evals, n_folds, methods):
    """All methods on one (problem, seed), one after the other."""
    _common.quiet_warnings()
    _common.check_single_threaded()
    problem = PROBLEMS[PROBLEM_NAMES.index(problem_name)]
    X, y = _load_data(problem.data)
    cv = _cv(problem, n_folds)
    out = {}
    for method in methods:
        start = time.perf_counter()
        try:
            record = _run(method, problem, n_evals, cv, seed, X, y)
            seconds = time.perf_counter() - start
            if len(record["trace"]) != n_evals:
                raise RuntimeError(
                    f"{len(record['trace'])} candidates instead of {n_evals}"
                )
            # Torch, loaded by a peer, may have widened a thread pool.
            _common.check_single_threaded()
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
        out[method] = {
            "scores": [_round(v) for v in record["trace"]],
            "seconds": round(seconds, 2),
            "fit_seconds": round(record["fit_s"], 3),
            "ask_seconds": (
                None if record["ask_s"] is None else round(record["ask_s"], 3)
            ),
            **({"notes": record["notes"]} if record["notes"] else {}),
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


def _per_eval(runs, key, n_evals):
    """Mean over runs of a per-evaluation time: ``seconds - fit_seconds``
    for the overhead (``key=None``), else the run's ``key`` (NaN where a run
    lacks it: older result files, or a library that does not time it)."""
    vals = []
    for r in runs:
        if key is None:
            fit = r.get("fit_seconds")
            v = None if fit is None else r["seconds"] - fit
        else:
            v = r.get(key)
        vals.append(np.nan if v is None else v / n_evals)
    return float(np.mean(vals)) if vals else math.nan


def _reached_at(curves, target, never=math.inf):
    """Each run's first count of candidates at or below target (``never``
    where it is not reached): ``curves`` of shape (..., candidates), a
    ``target`` per leading entry or one for all."""
    hit = curves <= np.expand_dims(target, -1)
    return np.where(hit.any(axis=-1), hit.argmax(axis=-1) + 1, never)


def _evals_to(curves, target):
    """Median over runs of the first count of candidates at or below target."""
    return float(np.median(_reached_at(curves, target)))


def _seed_noise(report, method, peer, ref, n_evals, n_resamples=2000):
    """How far seed noise moves two of the targets: the seeds are drawn again
    with replacement (the same draw for every problem, as a seed is one run of
    every problem), random search's median best (the reach target, and the
    ``rand`` of the normalisation) recomputed from the drawn seeds, ``opt``
    held. Returns, per draw, the median problem's candidates to reach (a run
    that never reaches counts ``n_evals + 1``) and the ratio of the mean
    normalised scores at ``ref`` of ``method`` and ``peer``; None without
    seeds common to every problem."""
    entries = [
        e
        for e in report.values()
        if not e["degenerate"] and {"random", method, peer} <= set(e["methods"])
    ]
    if not entries:
        return None
    seeds = sorted(
        set.intersection(
            *(
                set(e["methods"][m]["seeds"])
                for e in entries
                for m in ("random", method, peer)
            )
        )
    )
    if not seeds:
        return None
    rng = np.random.default_rng(0)
    draws = rng.integers(0, len(seeds), size=(n_resamples, len(seeds)))

    def curves(e, m):
        x = e["methods"][m]
        return x["curves"][[x["seeds"].index(s) for s in seeds]]

    reach, ours, theirs = [], [], []
    for e in entries:
        rand_ref = np.median(curves(e, "random")[:, ref - 1][draws], axis=1)
        own = curves(e, method)[draws]  # draws x seeds x candidates
        first = _reached_at(own, rand_ref[:, None], never=n_evals + 1)
        reach.append(np.median(first, axis=1))
        rand = np.median(curves(e, "random")[:, n_evals - 1][draws], axis=1)
        span = np.maximum(rand - e["opt"], 1e-12 * max(1.0, abs(e["opt"])))
        for m, into in ((method, ours), (peer, theirs)):
            at_ref = curves(e, m)[:, ref - 1][draws].mean(axis=1)
            into.append((at_ref - e["opt"]) / span)
    return (
        np.median(np.array(reach), axis=0),
        np.mean(ours, axis=0) / np.mean(theirs, axis=0),
    )


def analyse(results):
    """Normalised scores, candidates to reach random search and timings,
    per problem and method."""
    n_evals = results["settings"]["n_evals"]
    ref = min(REFERENCE_EVALS, n_evals)
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
        rand_ref = float(np.median(curves["random"][:, ref - 1]))
        span = rand - opt
        degenerate = span <= 1e-12 * max(1.0, abs(opt))
        entry = {
            "opt": opt,
            "rand": rand,
            "rand_ref": rand_ref,
            "degenerate": degenerate,
            "methods": {},
        }
        for m in methods:
            c = curves[m]
            runs = list(by_method[m].values())
            notes = {}
            for r in runs:
                for k, v in r.get("notes", {}).items():
                    notes[k] = notes.get(k, 0) + v
            entry["methods"][m] = {
                "normed": (c - opt) / span if not degenerate else np.zeros_like(c),
                "evals_to_rand": _evals_to(c, rand),
                "evals_to_ref": _evals_to(c, rand_ref),
                "curves": c,
                "seeds": list(by_method[m]),
                "n_runs": len(c),
                "seconds": float(np.mean([r["seconds"] for r in runs])),
                "overhead": _per_eval(runs, None, n_evals),
                "ask": _per_eval(runs, "ask_seconds", n_evals),
                "notes": notes,
            }
        report[pname] = entry
    return report


def _spread(values, fmt):
    """The 5th to 95th percentile of ``values``, formatted."""
    low, high = np.percentile(values, (5, 95))
    return f"{low:{fmt}} to {high:{fmt}} (5th to 95th percentile)"


def _fmt_evals(value, n_evals):
    return f">{n_evals}" if not math.isfinite(value) else f"{value:g}"


def _mean_normed(usable, method, k):
    """Mean over problems of the mean over seeds, after k candidates."""
    vals = [
        float(e["methods"][method]["normed"][:, k - 1].mean())
        for e in usable.values()
        if method in e["methods"]
    ]
    return float(np.mean(vals)) if vals else math.nan


def print_report(results, file=sys.stdout):
    settings = results["settings"]
    n_evals = settings["n_evals"]
    ref = min(REFERENCE_EVALS, n_evals)
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
    for m, reason in settings.get("skipped_methods", {}).items():
        say(f"skipped method {m}: {reason}")
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

    checkpoints = sorted({k for k in (*CHECKPOINTS, n_evals) if k <= n_evals})
    say(
        "\nMean normalised score (0 = best seen, 1 = random search's median final "
        "best; lower is better), mean over problems of the mean over seeds; "
        "overhead = (wall - fits and scoring) / candidates, propose = time in "
        "the library's own proposal step where it is timed apart; both means "
        "over problems:"
    )
    means = {m: {k: _mean_normed(usable, m, k) for k in checkpoints} for m in methods}
    overhead, propose = {}, {}
    rows = []
    for m in methods:
        final = [
            float(e["methods"][m]["normed"][:, n_evals - 1].mean())
            for e in usable.values()
            if m in e["methods"]
        ]
        entries = [e["methods"][m] for e in report.values() if m in e["methods"]]
        overhead[m] = float(np.mean([x["overhead"] for x in entries]))
        propose[m] = float(np.mean([x["ask"] for x in entries]))
        rows.append(
            [
                m,
                *[means[m][k] for k in checkpoints],
                float(np.median(final)) if final else math.nan,
                float(np.mean([x["seconds"] for x in entries])),
                1e3 * overhead[m],
                1e3 * propose[m],
            ]
        )
    say(
        _common.format_table(
            rows,
            [
                "method",
                *[f"@{k}" for k in checkpoints],
                f"median@{n_evals}",
                "s/run",
                "overhead ms/cand",
                "propose ms/cand",
            ],
        )
    )
    say(
        f"(median@{n_evals}: median over problems, less sensitive to the problems "
        "where rand - opt is tiny; nan: not measured)"
    )

    for k in sorted({ref, n_evals}):
        say(
            f"\nPer problem: mean normalised score at {k} candidates "
            "(opt and rand are losses = -score):"
        )
        rows = []
        for p, e in report.items():
            row = [p + (" *" if e["degenerate"] else ""), e["opt"], e["rand"]]
            row += [
                float(e["methods"][m]["normed"][:, k - 1].mean())
                if m in e["methods"]
                else math.nan
                for m in methods
            ]
            rows.append(row)
        say(_common.format_table(rows, ["problem", "opt", "rand", *methods], ".4g"))

    bayes = [m for m in BAYES_METHODS if m in methods]
    say(
        f"\nCandidates needed to reach random search's median best after {ref} "
        "(median over seeds):"
    )
    rows, per_method = [], {m: [] for m in bayes}
    for p, e in report.items():
        row = [p]
        for m in bayes:
            v = e["methods"][m]["evals_to_ref"] if m in e["methods"] else math.nan
            per_method[m].append(v)
            row.append(_fmt_evals(v, n_evals))
        rows.append(row)
    to_ref = {m: float(np.median(v)) if v else math.nan for m, v in per_method.items()}
    rows.append(["median problem", *[_fmt_evals(to_ref[m], n_evals) for m in bayes]])
    say(_common.format_table(rows, ["problem", *bayes]))

    notes = {}
    for e in report.values():
        for m, x in e["methods"].items():
            for key, v in x["notes"].items():
                notes[m, key] = notes.get((m, key), 0) + v
    if notes:
        say("\nNotes counted over all runs:")
        for (m, key), v in sorted(notes.items()):
            say(f"  {m}: {key} = {v}")

    if "skhpo" not in methods:
        return
    say("\nskhpo's targets:")
    peers = [m for m in methods if m != "skhpo"]

    def verdict(ok):
        return "met" if ok else "NOT met"

    noise = None  # the seed noise of the targets at ref, read for both
    if ref in means["skhpo"] and peers:
        best = min(peers, key=lambda m: means[m][ref])
        ratio = (
            means["skhpo"][ref] / means[best][ref] if means[best][ref] > 0 else math.inf
        )
        say(
            f"  mean normalised score at {ref} <= {TARGET_RATIO_AT_30:.2f} x the best "
            f"peer's ({best} {means[best][ref]:.3f}): skhpo {means['skhpo'][ref]:.3f}, "
            f"ratio {ratio:.3f}: {verdict(ratio <= TARGET_RATIO_AT_30)}"
        )
        noise = _seed_noise(report, "skhpo", best, ref, n_evals)
        if noise is not None:
            say(
                "    seed noise (seeds drawn again with replacement, the same for "
                "every problem; random search's medians recomputed from them): "
                f"ratio {_spread(noise[1], '.3f')}, at most "
                f"{TARGET_RATIO_AT_30:.2f} in "
                f"{np.mean(noise[1] <= TARGET_RATIO_AT_30):.0%} of the draws"
            )
    for k in sorted({min(CHECKPOINTS), n_evals}):
        behind = [m for m in peers if means[m][k] <= means["skhpo"][k]]
        say(
            f"  ahead of every peer at {k}: skhpo {means['skhpo'][k]:.3f}"
            + (f", not ahead of {', '.join(behind)}" if behind else "")
            + f": {verdict(not behind)}"
        )
    say(
        f"  random search's {ref}-candidate median best within {TARGET_EVALS} "
        f"candidates on the median problem: {_fmt_evals(to_ref['skhpo'], n_evals)}: "
        f"{verdict(to_ref['skhpo'] <= TARGET_EVALS)}"
    )
    if noise is not None:
        low, high = (
            _fmt_evals(v if v <= n_evals else math.inf, n_evals)
            for v in np.percentile(noise[0], (5, 95))
        )
        say(
            f"    seed noise (as above): {low} to {high} "
            f"(5th to 95th percentile), within {TARGET_EVALS} in "
            f"{np.mean(noise[0] <= TARGET_EVALS):.0%} of the draws"
        )
    if "optuna" in methods and np.isfinite(overhead["skhpo"]):
        ratio = overhead["skhpo"] / overhead["optuna"]
        say(
            f"  overhead per candidate <= {TARGET_OVERHEAD_RATIO:g} x Optuna TPE's: "
            f"skhpo {1e3 * overhead['skhpo']:.1f} ms, optuna "
            f"{1e3 * overhead['optuna']:.1f} ms, ratio {ratio:.2f}: "
            f"{verdict(ratio <= TARGET_OVERHEAD_RATIO)}"
        )
        if any(
            "read_from" in run
            for bym in results["problems"].values()
            for m in ("skhpo", "optuna")
            for run in bym.get(m, {}).values()
        ):
            say(
                "    (some of these runs were read at their first candidates: "
                "their times per candidate are those of longer runs)"
            )


def subset(results, *, seeds=None, without=None):
    """The results of some of their seeds only, or without one method's runs
    (noted in the header)."""
    settings = dict(results["settings"])
    keep = None if seeds is None else {str(s) for s in seeds}
    header = results["header"]
    if keep is not None:
        settings["seeds"] = sorted(int(s) for s in keep)
    if without is not None:
        settings["methods"] = [m for m in settings["methods"] if m != without]
        header += f"\nnote: {without}'s runs of this file are not read (--rerun)"
    return _rebuilt(
        results,
        header,
        settings,
        methods=lambda m: m != without,
        seeds=lambda s: keep is None or s in keep,
    )


def only_problems(results, names):
    """The results of the problems ``names`` only (noted in the header)."""
    return _rebuilt(
        results,
        results["header"] + f"\nnote: only {', '.join(names)} read (--problems)",
        results["settings"],
        problems=lambda p: p in names,
    )


def _rebuilt(
    results, header, settings, *, problems=None, methods=None, seeds=None, run=None
):
    """``results`` with a new header and settings, keeping the runs of the
    problems, methods and seeds for which the predicates hold (all where a
    predicate is None), each passed through ``run``."""
    return {
        **results,
        "header": header,
        "settings": settings,
        "problems": {
            pname: {
                m: {
                    s: r if run is None else run(r)
                    for s, r in runs.items()
                    if seeds is None or seeds(s)
                }
                for m, runs in bym.items()
                if methods is None or methods(m)
            }
            for pname, bym in results["problems"].items()
            if problems is None or problems(pname)
        },
    }


def read_at(results, n, path="the file"):
    """Runs of more than ``n`` candidates read at their first ``n``.

    Random search, scikit-optimize, Optuna's samplers, HEBO and skhpo propose
    each candidate from the ones before it whatever the budget, so the first
    ``n`` of a longer run are the run of ``n`` (the saved runs of 100 and of
    30 candidates agree for random search, both Optuna samplers and skhpo on
    every problem and seed they share). SMAC3's is not (its initial design is
    at most a quarter of the budget): its runs are left out. A run's times
    are scaled by ``n / its length`` (per candidate they are the whole
    run's, which overstates a GP's cost at ``n``) and its notes are the
    whole run's; the run keeps its length as ``read_from``, and where the
    same run is also in a file of ``n`` candidates that one is read.
    """
    settings = results["settings"]
    if settings["n_evals"] < n:
        raise SystemExit(
            f"--read-at {n}: {path} has runs of {settings['n_evals']} candidates"
        )
    if settings["n_evals"] == n:
        return results
    share = n / settings["n_evals"]
    timed = ("seconds", "fit_seconds", "ask_seconds")
    dropped = "smac" in settings["methods"]

    def cut(run):
        if run.get("scores") is None:  # a failed run
            return run
        return {
            **run,
            "scores": run["scores"][:n],
            **{k: run[k] * share for k in timed if run.get(k) is not None},
            "read_from": settings["n_evals"],
        }

    return _rebuilt(
        results,
        results["header"]
        + f"\nnote: runs of {settings['n_evals']} candidates read at their first "
        f"{n} (--read-at; their times per candidate and notes those of the whole "
        "run)"
        + (
            "; smac's runs left out (its design depends on the budget)"
            if dropped
            else ""
        ),
        {
            **settings,
            "n_evals": n,
            "methods": [m for m in settings["methods"] if m != "smac"],
        },
        methods=lambda m: m != "smac",
        run=cut,
    )


def merge_results(files, seeds=None, rerun=()):
    """Several result files of the same settings and other seeds, as one
    (only the runs of ``seeds``, if given; the methods of ``rerun`` only from
    the last file that has them, the others dropping theirs).

    The traces of a (problem, method, seed) do not depend on the run they
    come from (every method is seeded), so runs of more seeds can be added to
    an earlier file, as long as the code of every method is the same (the
    header notes where the files' versions differ); timings come from each
    run's own machine state. For the same reason a run may be in two files
    if its traces are the same: random search, which every run needs, beside
    peers run apart.
    """
    if seeds is not None:
        missing = set(seeds).difference(*(f["settings"]["seeds"] for f in files))
        if missing:
            raise SystemExit(f"--only-seeds: no runs of seeds {sorted(missing)}")
        files = [
            subset(f, seeds=set(seeds) & set(f["settings"]["seeds"])) for f in files
        ]
    for m in rerun:
        holders = [i for i, f in enumerate(files) if m in f["settings"]["methods"]]
        if not holders:
            raise SystemExit(f"--rerun: no file has runs of {m}")
        for i in holders[:-1]:
            files[i] = subset(files[i], without=m)
    if len(files) == 1:
        return files[0]
    keys = ("n_evals", "n_folds")
    first = files[0]["settings"]
    for other in files[1:]:
        if any(other["settings"][k] != first[k] for k in keys):
            raise SystemExit(
                "--analyse: the files differ in "
                + ", ".join(k for k in keys if other["settings"][k] != first[k])
            )
    header = "\n\n".join(f["header"] for f in files)
    for key in ("versions:", "skhpo:"):
        lines = {
            line
            for f in files
            for line in f["header"].splitlines()
            if line.startswith(key)
        }
        if len(lines) > 1:
            header += (
                f"\nnote: the files differ in their '{key}' lines: read them as one "
                "only if the methods' proposals are the same in both (rerun a seed "
                "of one file to check)"
            )
    merged = {
        "header": header,
        "settings": {**first, "seeds": [], "methods": [], "skipped_methods": {}},
        "problems": {},
    }
    for f in files:
        settings = merged["settings"]
        settings["seeds"] += [
            s for s in f["settings"]["seeds"] if s not in settings["seeds"]
        ]
        settings["methods"] += [
            m for m in f["settings"]["methods"] if m not in settings["methods"]
        ]
        for m, reason in f["settings"].get("skipped_methods", {}).items():
            settings["skipped_methods"].setdefault(m, reason)
        for pname, by_method in f["problems"].items():
            into = merged["problems"].setdefault(pname, {})
            for m, runs in by_method.items():
                for seed, run in runs.items():
                    known = into.setdefault(m, {}).get(seed)
                    # a seeded method's trace is the same in every run, so
                    # random search (needed in every file) may be in two
                    if known is not None and known["scores"] != run["scores"]:
                        raise SystemExit(
                            f"--analyse: {m} on {pname}, seed {seed} is in two "
                            "files with different traces"
                        )
                    # a run read at its first candidates gives way to the
                    # run of that length (its own times)
                    if known is None or (
                        "read_from" in known and "read_from" not in run
                    ):
                        into[m][seed] = run
    merged["settings"]["seeds"].sort()
    seeds = {str(s) for s in merged["settings"]["seeds"]}
    short = [
        f"{m} on {pname}"
        for pname, by_method in merged["problems"].items()
        for m in merged["settings"]["methods"]
        if set(by_method.get(m, {})) != seeds
    ]
    # a problem missing from a file, a skipped method, an interrupted run,
    # fewer --methods: the median problem would be skewed
    if short:
        raise SystemExit(
            "--analyse: not every seed of the files was run by "
            + ", ".join(short[:5])
            + (f" and {len(short) - 5} more" if len(short) > 5 else "")
            + "; its figures would cover fewer seeds than the others'"
        )
    return merged


# ---------------------------------------------------------------------- main
def _save(results, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, separators=(",", ":"))
    os.replace(tmp, path)


def _resume(results, path):
    """Copy into ``results`` the finished tasks of the earlier run saved at
    ``path`` (every method's run of a problem and seed), after checking that
    it ran the same settings; returns how many tasks it kept."""
    with open(path) as f:
        earlier = json.load(f)
    keys = ("n_evals", "n_folds", "seeds", "methods")
    differ = [k for k in keys if earlier["settings"][k] != results["settings"][k]]
    if differ or set(earlier["problems"]) != set(results["problems"]):
        raise SystemExit(
            f"--resume: {path} was run with other settings "
            f"({', '.join(differ) or 'problems'}); choose another --out"
        )
    kept = 0
    for p, by_method in earlier["problems"].items():
        seeds = set.intersection(*(set(by_method[m]) for m in by_method))
        for m in by_method:
            for seed in seeds:
                results["problems"][p][m][seed] = by_method[m][seed]
        kept += len(seeds)
    # the earlier run's header says which commit and machine made those tasks
    results["header"] = earlier["header"] + "\n" + results["header"]
    return kept


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--problems",
        nargs="+",
        default=PROBLEM_NAMES,
        choices=PROBLEM_NAMES,
        metavar="NAME",
        help="problems to run, or with --analyse to read (default: all; see --list)",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        default=list(METHODS),
        choices=METHODS,
        help="methods to run (default: all; "
        f"{', '.join(OPTIONAL_METHODS)} skipped with the reason if missing)",
    )
    parser.add_argument("--seeds", type=int, default=10, help="N seeds")
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seeds FIRST .. FIRST + N - 1 (default 0), to add seeds to an "
        "earlier run: --analyse reads several result files as one",
    )
    parser.add_argument(
        "--n-evals",
        type=int,
        default=100,
        help="candidates per run; the report reads each run at 10, 30 and N",
    )
    parser.add_argument("--n-folds", type=int, default=5)
    parser.add_argument(
        "--n-procs", type=int, default=2, help="processes running (problem, seed) tasks"
    )
    parser.add_argument(
        "--out", default=os.path.join(_common.RESULTS_DIR, "sample_efficiency.json")
    )
    parser.add_argument(
        "--analyse",
        metavar="FILE",
        nargs="+",
        help="print the report of saved JSON files (runs of other seeds of the "
        "same settings, read as one) and exit",
    )
    parser.add_argument(
        "--only-seeds",
        type=int,
        nargs="+",
        metavar="SEED",
        help="with --analyse: read these seeds of the files only (for instance "
        "the seeds a costly peer was run on)",
    )
    parser.add_argument(
        "--rerun",
        nargs="+",
        metavar="METHOD",
        help="with --analyse: methods run again with new code, read from the "
        "last file that has them only (the earlier files' runs of them dropped)",
    )
    parser.add_argument(
        "--read-at",
        type=int,
        metavar="N",
        help="with --analyse: read runs of more candidates at their first N "
        "(files of runs of 100 and of 30 as one, at 30)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="if --out exists (a run of the same settings stopped before its "
        "end), keep its finished (problem, seed) tasks and run the others",
    )
    parser.add_argument("--list", action="store_true", help="list problems and exit")
    args = parser.parse_args(argv)

    if args.list:
        for p in PROBLEMS:
            flat = _peers.flatten(p.space)
            dims = ", ".join(f"{k}: {v[0]}" for k, v in flat.items())
            switch, active = _peers.conditions(p.space)
            cond = "".join(
                f"\n{'':24s} {k} only if {switch} in {v}" for k, v in active.items()
            )
            print(
                f"{p.name:24s} {len(flat)}-d ({dims})"
                + cond
                + (f"\n{'':24s} note: {p.note}" if p.note else "")
            )
        return
    if args.read_at is not None and not args.analyse:
        parser.error("--read-at reads saved files: it needs --analyse")
    if args.read_at is not None and args.read_at < max(CHECKPOINTS):
        parser.error(f"--read-at must be at least {max(CHECKPOINTS)}")
    if args.analyse:
        files = []
        for path in args.analyse:
            with open(path) as f:
                files.append(json.load(f))
        if args.read_at is not None:
            files = [read_at(f, args.read_at, p) for f, p in zip(files, args.analyse)]
        if set(args.problems) != set(PROBLEM_NAMES):
            files = [only_problems(f, args.problems) for f in files]
        results = merge_results(files, args.only_seeds, args.rerun or ())
        print(results["header"])
        print_report(results)
        return
    if args.seeds < 1 or args.first_seed < 0:
        parser.error("--seeds must be at least 1 and --first-seed at least 0")
    if "random" not in args.methods:
        parser.error("--methods must include random (the normalisation needs it)")

    head = _common.header("skhpo sample-efficiency benchmark", dists=DISTS)
    print(head, flush=True)
    skipped = {m: _peers.missing(m) for m in args.methods}
    skipped = {m: reason for m, reason in skipped.items() if reason}
    for m, reason in skipped.items():
        print(f"skipped method {m}: {reason}", flush=True)
    methods = [m for m in args.methods if m not in skipped]
    results = {
        "header": head,
        "settings": {
            "n_evals": args.n_evals,
            "n_folds": args.n_folds,
            "seeds": list(range(args.first_seed, args.first_seed + args.seeds)),
            "methods": methods,
            "skipped_methods": skipped,
            "n_procs": args.n_procs,
        },
        "problems": {p: {m: {} for m in methods} for p in args.problems},
    }
    if args.resume and os.path.exists(args.out):
        kept = _resume(results, args.out)
        results["header"] += f"\nresumed:  {kept} finished tasks kept from {args.out}"
        print(results["header"].splitlines()[-1], flush=True)
    # costliest problems first, so the two processes finish together
    tasks = [
        (p, s)
        for p in args.problems
        for s in results["settings"]["seeds"]
        if not all(str(s) in results["problems"][p][m] for m in methods)
    ]
    order = {
        "HGB-breast-nll": 0,
        "MLP-adam-iris-nll": 1,
        "ada-breast-acc": 2,
        "RF-wine-nll": 3,
    }
    if "hebo" in methods:
        # HEBO's kNN run takes four times its run on any other problem
        # (26 minutes at 100 candidates against 3 to 5)
        order["kNN-digits-nll"] = -1
    tasks.sort(key=lambda t: (order.get(t[0], 9), t[1]))
    start = time.perf_counter()
    done = 0
    with _common.process_pool(args.n_procs) as pool:
        futures = [
            pool.submit(run_task, p, s, args.n_evals, args.n_folds, methods)
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
