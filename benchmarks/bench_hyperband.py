"""HyperbandSearchCV against its peers, side by side in one run.

Four comparisons, each printing ratios and a verdict against its target:

- ``partial-fit``: a ``StandardScaler`` + ``MLPClassifier`` pipeline on the
  digits (adam's learning rate, ``alpha``, batch size). ``RandomizedSearchCV``
  trains every candidate for 81 epochs, one ``partial_fit`` call each
  (:class:`Epochs`, the model HyperbandSearchCV trains); HyperbandSearchCV
  (``resource="partial_fit"``, ``max_resources=81``, as many candidates in all)
  continues its survivors' models epoch by epoch. Measured: the wall time
  HyperbandSearchCV needs to reach random search's best cross-validated score
  at full fidelity (81 epochs), running Hyperband again with new seeds until
  it does, as the paper's outer loop draws new candidates. ``skhpo time``
  counts the earlier runs whole and the last one up to the moment its first
  candidate at 81 epochs with that score was scored (the time each fold is
  scored is read in the worker, by a second scorer); ``skhpo runs time``
  counts every run whole, the last one included. Target: at most one third
  of random search's wall time.
- ``halving-example``: scikit-learn's successive-halving example (``SVC`` on
  ``make_classification(1000)``, 7 values of ``gamma`` x 6 of ``C``).
  ``GridSearchCV`` fits all 42; ``HalvingGridSearchCV(factor=2)`` and
  HyperbandSearchCV (``resource="n_samples"``, the 42 grid points as its
  candidates) subsample. Target: a best score within 0.005 of GridSearchCV's,
  at no more wall time than HalvingGridSearchCV.
- ``n-estimators``: a random forest on the digits with ``n_estimators`` as the
  resource (3 to 81 trees, 27 candidates, ``factor=3``).
  ``HalvingRandomSearchCV`` refits at every rung; HyperbandSearchCV
  (``n_brackets=1``: the same successive-halving schedule) grows its survivors'
  forests with ``warm_start``; Optuna (TPE) gets skhpo's wall time as its
  timeout, with a successive-halving pruner over the same rungs and each
  trial's forests grown with ``warm_start`` (``OptunaSearchCV`` prunes only
  ``partial_fit`` estimators, so the study is written as its users write it).
  Score: accuracy of the refit model on a held-out quarter. Target: at least
  the peers' held-out score, in no more wall time.
- ``utilisation``: the ``partial-fit`` problem with ``asynchronous=True`` and
  ``n_jobs=2``; utilisation = sum of fit and score times / (2 x wall time).
  Target: >= 0.9.

All searches use 5-fold CV on the same folds and ``n_jobs=2`` unless said
otherwise; BLAS/OpenMP use one thread per process.

Usage::

    python benchmarks/bench_hyperband.py
    python benchmarks/bench_hyperband.py --parts halving-example --seeds 1
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads)
import argparse
import time

import _common
import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_digits, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import HyperbandSearchCV

PARTS = ("partial-fit", "halving-example", "n-estimators", "utilisation")
N_JOBS = 2
EPOCHS = 81


def _digits(seed):
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def _cv(seed):
    return StratifiedKFold(5, shuffle=True, random_state=seed)


def _timed_fit(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


# ---------------------------------------------------------------- partial_fit
class Epochs(ClassifierMixin, BaseEstimator):
    """``estimator`` trained by ``epochs`` calls of ``partial_fit`` on the whole
    training set, as ``resource="partial_fit"`` trains it: a Pipeline's steps
    before the last are fitted once, then its last step is trained one call
    per epoch. Random search (and halving, in ``bench_multifidelity.py``)
    trains its candidates with it, so that every method's full fidelity is
    the same model: one ``fit`` with ``max_iter`` epochs draws another sample
    order each epoch, where repeated ``partial_fit`` calls do not."""

    def __init__(self, estimator=None, epochs=1):
        self.estimator = estimator
        self.epochs = epochs

    def fit(self, X, y):
        model = clone(self.estimator)
        if isinstance(model, Pipeline):
            head, final = model[:-1], model[-1]  # the steps themselves
            X = head.fit_transform(X, y)
        else:
            final = model
        self.classes_ = np.unique(y)
        for _ in range(self.epochs):
            final.partial_fit(X, y, classes=self.classes_)
        self.model_ = model
        return self

    def predict(self, X):
        return self.model_.predict(X)


_MLP_SPACE = {
    "mlpclassifier__learning_rate_init": loguniform(1e-4, 1e-1),
    "mlpclassifier__alpha": loguniform(1e-6, 1e-1),
    "mlpclassifier__batch_size": randint(16, 257),
}


def _mlp(**kw):
    return make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(64,), random_state=0, **kw),
    )


def _n_hyperband_candidates():
    search = HyperbandSearchCV(
        _mlp(), _MLP_SPACE, resource="partial_fit", max_resources=EPOCHS
    )
    return int(search.plan().query("iter == 0")["n_candidates"].sum())


def _clock(estimator, X, y):
    """When a fold was scored: a second scorer, read in the worker."""
    return time.time()


def _first_reach(search, target, started, full=EPOCHS):
    """Seconds from ``started`` until ``search`` scored its first candidate at
    full fidelity (``full`` resources) reaching ``target`` (all folds), or
    None."""
    res = search.cv_results_
    hits = (res["n_resources"] == full) & (res["mean_test_score"] >= target)
    if not hits.any():
        return None
    clocks = [res[f"split{k}_test_clock"] for k in range(search.n_splits_)]
    return float(np.max(clocks, axis=0)[hits].min() - started)


def part_partial_fit(seed, max_runs=6):
    from sklearn.model_selection import RandomizedSearchCV

    X, X_test, y, y_test = _digits(seed)
    n_candidates = _n_hyperband_candidates()
    # EPOCHS calls of partial_fit, as HyperbandSearchCV trains a candidate
    random = RandomizedSearchCV(
        Epochs(_mlp(), EPOCHS),
        {f"estimator__{k}": v for k, v in _MLP_SPACE.items()},
        n_iter=n_candidates,
        cv=_cv(seed),
        n_jobs=N_JOBS,
        random_state=seed,
    )
    random_wall = _timed_fit(random, X, y)
    target = random.best_score_
    spent, runs, best, reach = 0.0, 0, -np.inf, None
    while runs < max_runs and reach is None:
        hb = HyperbandSearchCV(
            _mlp(),
            _MLP_SPACE,
            resource="partial_fit",
            max_resources=EPOCHS,
            scoring={"score": "accuracy", "clock": _clock},
            refit="score",
            cv=_cv(seed),
            n_jobs=N_JOBS,
            random_state=1000 * seed + runs,
        )
        started = time.time()
        wall = _timed_fit(hb, X, y)
        found = _first_reach(hb, target, started)
        if found is not None:
            reach = spent + min(found, wall)
        spent += wall
        runs += 1
        if hb.best_score_ > best:
            best, best_search = hb.best_score_, hb
    reach = np.inf if reach is None else reach
    return {
        "candidates": n_candidates,
        "random wall": random_wall,
        "random best": target,
        "random test": random.score(X_test, y_test),
        "skhpo time": reach,
        "skhpo runs": runs,
        "skhpo runs time": spent if np.isfinite(reach) else np.inf,
        "skhpo best": best,
        "skhpo test": best_search.score(X_test, y_test),
        "ratio": reach / random_wall,
    }


# ----------------------------------------------------------- halving example
def part_halving_example(seed):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV

    X, y = make_classification(n_samples=1000, random_state=seed)
    grid = {
        "gamma": [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7],
        "C": [1, 10, 100, 1e3, 1e4, 1e5],
    }
    clf = SVC(random_state=seed)
    searches = {
        "grid": GridSearchCV(clf, grid, n_jobs=N_JOBS),
        "halving": HalvingGridSearchCV(
            clf, grid, factor=2, random_state=seed, n_jobs=N_JOBS
        ),
        "skhpo": HyperbandSearchCV(
            clf, grid, resource="n_samples", random_state=seed, n_jobs=N_JOBS
        ),
    }
    out = {}
    for name, search in searches.items():
        out[f"{name} wall"] = _timed_fit(search, X, y)
        out[f"{name} best"] = search.best_score_
    return out


# -------------------------------------------------------------- n_estimators
_FOREST_SPACE = {
    "max_depth": randint(2, 21),
    "max_features": uniform(0.05, 0.95),
    "min_samples_leaf": randint(1, 21),
}


def part_n_estimators(seed):
    import optuna
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    X, X_test, y, y_test = _digits(seed)
    forest = RandomForestClassifier(random_state=seed)
    common = dict(cv=_cv(seed), n_jobs=N_JOBS)
    out = {}
    skhpo = HyperbandSearchCV(
        forest,
        _FOREST_SPACE,
        resource="n_estimators",
        min_resources=3,
        max_resources=81,
        n_brackets=1,
        random_state=seed,
        **common,
    )
    out["skhpo wall"] = _timed_fit(skhpo, X, y)
    out["skhpo test"] = skhpo.score(X_test, y_test)
    halving = HalvingRandomSearchCV(
        forest,
        _FOREST_SPACE,
        n_candidates=27,
        resource="n_estimators",
        min_resources=3,
        max_resources=81,
        factor=3,
        random_state=seed,
        **common,
    )
    out["halving wall"] = _timed_fit(halving, X, y)
    out["halving test"] = halving.score(X_test, y_test)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = time.perf_counter()
    study = _optuna_forest_study(X, y, seed, timeout=out["skhpo wall"])
    best = RandomForestClassifier(random_state=seed, n_estimators=81)
    best.set_params(**study.best_params).fit(X, y)
    out["optuna wall"] = time.perf_counter() - start
    out["optuna test"] = best.score(X_test, y_test)
    out["optuna trials"] = len(study.trials)
    return out


def _optuna_forest_study(X, y, seed, timeout):
    """Optuna with pruning on a forest, as its users write it.

    ``OptunaSearchCV`` prunes only estimators with ``partial_fit``; for a
    forest the objective grows it with ``warm_start`` over the same rungs as
    the halving searches (3, 9, 27, 81 trees), reports the cross-validated
    score at each and lets a successive-halving pruner stop it. Trials run two
    at a time (``n_jobs=2``), each fitting its folds in turn.
    """
    import optuna

    folds = list(_cv(seed).split(X, y))

    def objective(trial):
        params = {
            "max_depth": trial.suggest_int("max_depth", 2, 20),
            "max_features": trial.suggest_float("max_features", 0.05, 1.0),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20),
        }
        base = RandomForestClassifier(random_state=seed, warm_start=True, **params)
        models = [clone(base) for _ in folds]
        for step, n_trees in enumerate((3, 9, 27, 81)):
            scores = []
            for model, (train, test) in zip(models, folds):
                model.set_params(n_estimators=n_trees).fit(X[train], y[train])
                scores.append(model.score(X[test], y[test]))
            value = float(np.mean(scores))
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.SuccessiveHalvingPruner(reduction_factor=3),
    )
    study.optimize(objective, timeout=timeout, n_jobs=N_JOBS)
    return study


# --------------------------------------------------------------- utilisation
def part_utilisation(seed):
    X, _, y, _ = _digits(seed)
    search = HyperbandSearchCV(
        _mlp(),
        _MLP_SPACE,
        resource="partial_fit",
        max_resources=EPOCHS,
        cv=_cv(seed),
        n_jobs=N_JOBS,
        asynchronous=True,
        random_state=seed,
        refit=False,
    )
    wall = _timed_fit(search, X, y)
    res = search.cv_results_
    busy = float(
        np.sum(res["mean_fit_time"] + res["mean_score_time"]) * search.n_splits_
    )
    return {"wall": wall, "busy": busy, "utilisation": busy / (N_JOBS * wall)}


PART_FUNCTIONS = {
    "partial-fit": part_partial_fit,
    "halving-example": part_halving_example,
    "n-estimators": part_n_estimators,
    "utilisation": part_utilisation,
}


def _import_models():
    import sklearn.ensemble  # noqa: F401
    import sklearn.neural_network  # noqa: F401
    import sklearn.svm  # noqa: F401

    import skhpo  # noqa: F401

    return True


def _warm_up():
    """Start the workers and import the models there, so that no search pays
    for it (about a second with fresh workers)."""
    from joblib import Parallel, delayed

    Parallel(n_jobs=N_JOBS)(delayed(_import_models)() for _ in range(2 * N_JOBS))


def _mean(runs):
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    _common.quiet_warnings()
    print(_common.header("skhpo Hyperband benchmark"), flush=True)
    _common.check_single_threaded()
    _warm_up()
    verdicts = []
    for part in args.parts:
        runs = []
        for seed in range(args.seeds):
            runs.append(PART_FUNCTIONS[part](seed))
            print(f"  done {part} seed {seed}", flush=True)
        m = _mean(runs)
        print(f"\n## {part}: mean over {args.seeds} seeds")
        keys = list(runs[0])
        rows = [[f"seed {i}", *[r[k] for k in keys]] for i, r in enumerate(runs)]
        rows.append(["mean", *[m[k] for k in keys]])
        print(_common.format_table(rows, ["", *keys]))
        verdicts.extend(_verdicts(part, runs, m))
    print()
    for line in verdicts:
        print(line)


def _verdicts(part, runs, m):
    ok = lambda cond: "met" if cond else "NOT met"  # noqa: E731
    if part == "partial-fit":
        worst = max(r["ratio"] for r in runs)
        whole = [r["skhpo runs time"] / r["random wall"] for r in runs]
        return [
            f"partial-fit: time to reach random search's best / its wall time = "
            f"{m['ratio']:.3f} mean, {worst:.3f} worst (target <= 0.333: "
            f"{ok(worst <= 1 / 3)}); counting whole runs {np.mean(whole):.3f} "
            f"mean, {max(whole):.3f} worst"
        ]
    if part == "halving-example":
        gap = max(r["grid best"] - r["skhpo best"] for r in runs)
        slower = max(r["skhpo wall"] / r["halving wall"] for r in runs)
        return [
            f"halving-example: largest gap to GridSearchCV's best {gap:.4f} "
            f"(target <= 0.005: {ok(gap <= 0.005)}); wall / HalvingGridSearchCV's "
            f"at most {slower:.3f} (target <= 1: {ok(slower <= 1)})"
        ]
    if part == "n-estimators":
        lines = []
        for peer in ("halving", "optuna"):
            diff = m["skhpo test"] - m[f"{peer} test"]
            ratio = m["skhpo wall"] / m[f"{peer} wall"]
            lines.append(
                f"n-estimators vs {peer}: held-out accuracy {m['skhpo test']:.4f} "
                f"against {m[f'{peer} test']:.4f} ({diff:+.4f}; target >= 0: "
                f"{ok(diff >= 0)}), wall ratio {ratio:.3f} (target <= 1: "
                f"{ok(ratio <= 1.0 + 1e-9)})"
            )
        return lines
    if part == "utilisation":
        worst = min(r["utilisation"] for r in runs)
        return [
            f"utilisation (asynchronous, n_jobs=2): {m['utilisation']:.3f} mean, "
            f"{worst:.3f} worst (target >= 0.9: {ok(worst >= 0.9)})"
        ]
    return []


if __name__ == "__main__":
    main()
