"""The sample-efficiency benchmark's ask-and-tell peers: SMAC3 and HEBO.

Neither has a scikit-learn search class, so both are driven here by their own
ask/tell interfaces around the evaluation every other method runs: the
estimator with the candidate's parameters, ``cross_validate`` on the task's
folds, the mean test score (NaN when a fold fails, as in scikit-learn's
searches). Both minimise, so they are told the loss ``-score``.

Spaces come in the benchmark's neutral form: a dict ``name -> ("real" | "int",
low, high, "log" | "linear")`` or ``("cat", values)``, or a list of such dicts,
the conditional sub-spaces of scikit-learn's ``param_distributions``. A list
must have one *switch*: a categorical present in every sub-space with
different values in each (the SVC's ``kernel``). SMAC3 gets it as
ConfigSpace conditions; HEBO has no conditional form and searches the flat
union (:func:`flatten`), every dimension always present, the estimator
ignoring the inactive ones.

Optional imports: :func:`missing` says why a peer cannot run, so the
benchmark skips it with that reason instead of failing.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
import time

import numpy as np

INSTALL = {
    "smac": "pip install smac (SMAC3 >= 2.4 uses scikit-learn's random forest; "
    "its pyrfr facades need swig: apt-get install swig, pip install pyrfr)",
    "hebo": "pip install --no-deps HEBO pymoo==0.6.0 gpytorch disjoint-set, "
    "beside pip install torch (HEBO 0.3.6 declares numpy<1.25)",
    "optuna-gp": "pip install torch (GPSampler needs it; greenlet for its "
    "batched L-BFGS-B)",
}


def missing(method: str) -> str | None:
    """Why ``method`` cannot run here, or None if its packages import."""
    try:
        if method == "smac":
            import ConfigSpace  # noqa: F401
            import smac  # noqa: F401
        elif method == "hebo":
            import hebo.optimizers.hebo  # noqa: F401
        elif method == "optuna-gp":
            import optuna
            import torch  # noqa: F401

            if not hasattr(optuna.samplers, "GPSampler"):
                return f"optuna {optuna.__version__} has no GPSampler (>= 3.6)"
        else:
            return None
    except Exception as exc:  # ImportError, or a broken install
        return f"{type(exc).__name__}: {exc}; install: {INSTALL[method]}"
    return None


# --------------------------------------------------------------------- spaces
def subspaces(space) -> list[dict]:
    return list(space) if isinstance(space, list) else [space]


def flatten(space) -> dict:
    """One dict from conditional sub-spaces: the union of their dimensions,
    a categorical's values merged; the same name must otherwise be the same
    dimension in every sub-space."""
    out: dict = {}
    for sub in subspaces(space):
        for name, dim in sub.items():
            if name not in out:
                out[name] = dim
            elif dim != out[name]:
                if dim[0] != "cat" or out[name][0] != "cat":
                    raise ValueError(f"{name!r} differs between sub-spaces")
                values = out[name][1] + [v for v in dim[1] if v not in out[name][1]]
                out[name] = ("cat", values)
    return out


def conditions(space) -> tuple[str | None, dict]:
    """The switch of conditional sub-spaces and, for each dimension missing
    from some of them, the switch values under which it is active."""
    subs = subspaces(space)
    if len(subs) == 1:
        return None, {}
    common = set.intersection(*(set(s) for s in subs))
    switch = next(
        (
            name
            for name in sorted(common)
            if all(s[name][0] == "cat" for s in subs)
            and sum(len(s[name][1]) for s in subs)
            == len({v for s in subs for v in s[name][1]})
        ),
        None,
    )
    if switch is None:
        raise ValueError("conditional sub-spaces need one categorical switch")
    active: dict = {}
    for sub in subs:
        for name in sub:
            if name not in common:
                active.setdefault(name, []).extend(sub[switch][1])
    return switch, active


def _plain(value):
    """Python scalars for the estimator (peers hand out numpy scalars)."""
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------- the evaluation
class CVObjective:
    """Mean CV test score of one candidate on fixed folds, and the seconds
    spent in its fits and scoring (as ``cross_validate`` measures them)."""

    def __init__(self, estimator, X, y, cv, scoring):
        self.estimator, self.X, self.y = estimator, X, y
        self.cv, self.scoring = cv, scoring

    def __call__(self, params):
        from sklearn.base import clone
        from sklearn.model_selection import cross_validate

        estimator = clone(self.estimator).set_params(**params)
        out = cross_validate(
            estimator,
            self.X,
            self.y,
            cv=self.cv,
            scoring=self.scoring,
            error_score=np.nan,
            n_jobs=1,
        )
        seconds = float(np.sum(out["fit_time"]) + np.sum(out["score_time"]))
        return float(np.mean(out["test_score"])), seconds


def _record(scores, fit_s, ask_s, notes=None):
    return {"trace": scores, "fit_s": fit_s, "ask_s": ask_s, "notes": notes or {}}


# ---------------------------------------------------------------------- SMAC3
def to_configspace(space, seed):
    from ConfigSpace import (
        Categorical,
        ConfigurationSpace,
        EqualsCondition,
        Float,
        InCondition,
        Integer,
    )

    cs = ConfigurationSpace(seed=seed)
    for name, (kind, *args) in flatten(space).items():
        if kind == "cat":
            cs.add(Categorical(name, args[0]))
        else:
            low, high, scale = args
            cls = Float if kind == "real" else Integer
            cs.add(cls(name, (low, high), log=scale == "log"))
    switch, active = conditions(space)
    for name, values in active.items():
        if len(values) == 1:
            cs.add(EqualsCondition(cs[name], cs[switch], values[0]))
        else:
            cs.add(InCondition(cs[name], cs[switch], values))
    return cs


def _smac_target(config, seed: int = 0) -> float:  # pragma: no cover
    raise RuntimeError("driven by ask/tell: SMAC never calls its target")


def run_smac(objective, space, n_evals, seed):
    """SMAC3's hyperparameter-optimisation facade, by ask/tell.

    Its defaults (random forest on log-scaled costs, log-EI, a local and
    random search of the acquisition, one configuration in five at random,
    a Sobol initial design of ``min(10 x n_dims, n_trials / 4)``), with two
    settings for this use: ``deterministic=True`` (every method sees the same
    folds, so a configuration's score is a deterministic function and the
    intensifier does not evaluate the incumbent again under other seeds: every
    evaluation is a new configuration) and ``retrain_after=1`` (the black-box
    facade's value; the HPO facade's 8 would propose an eighth of a
    100-evaluation budget from a stale forest).
    """
    from smac import HyperparameterOptimizationFacade as HPO
    from smac import Scenario
    from smac.runhistory.dataclasses import TrialValue
    from smac.runhistory.enumerations import StatusType

    scores, fit_s, ask_s = [], 0.0, 0.0
    with tempfile.TemporaryDirectory(prefix="smac-") as workdir:
        scenario = Scenario(
            to_configspace(space, seed),
            deterministic=True,
            n_trials=n_evals,
            seed=seed,
            output_directory=workdir,
        )
        facade = HPO(
            scenario,
            _smac_target,
            config_selector=HPO.get_config_selector(scenario, retrain_after=1),
            logging_level=40,
            overwrite=True,
        )
        for _ in range(n_evals):
            start = time.perf_counter()
            info = facade.ask()
            ask_s += time.perf_counter() - start
            params = {k: _plain(v) for k, v in dict(info.config).items()}
            score, seconds = objective(params)
            scores.append(score)
            fit_s += seconds
            ok = math.isfinite(score)
            value = TrialValue(
                cost=-score if ok else scenario.crash_cost,
                status=StatusType.SUCCESS if ok else StatusType.CRASHED,
            )
            start = time.perf_counter()
            facade.tell(info, value, save=False)
            ask_s += time.perf_counter() - start
    return _record(scores, fit_s, ask_s)


# ----------------------------------------------------------------------- HEBO
def to_hebo(space):
    """HEBO's parameter list for the flat space, and a decoder of its rows.

    Categories are passed as labels and mapped back, since HEBO keeps them in
    a pandas column (booleans and floats would not come back as themselves).
    """
    params, labels = [], {}
    for name, (kind, *args) in flatten(space).items():
        if kind == "cat":
            labels[name] = {repr(v): v for v in args[0]}
            params.append(
                {"name": name, "type": "cat", "categories": list(labels[name])}
            )
        else:
            low, high, scale = args
            hebo_type = {
                ("real", "linear"): "num",
                ("real", "log"): "pow",
                ("int", "linear"): "int",
                ("int", "log"): "pow_int",
            }[kind, scale]
            params.append({"name": name, "type": hebo_type, "lb": low, "ub": high})

    def decode(row):
        out = {}
        for p in params:
            value = _plain(row[p["name"]])
            if p["type"] == "cat":
                value = labels[p["name"]][str(value)]
            elif p["type"] in ("int", "pow_int"):
                value = int(value)
            else:
                value = float(value)
            out[p["name"]] = value
        return out

    return params, decode


def run_hebo(objective, space, n_evals, seed):
    """HEBO's defaults, one suggestion at a time: ``1 + n_dims`` Sobol
    points first, then its GPyTorch GP (a Matérn 3/2 kernel with a length
    scale per numeric column, times a Matérn 3/2 kernel of learned
    embeddings of the categories; hyperparameters fitted by 100 epochs of
    preconditioned stochastic-gradient Langevin dynamics) of the losses
    after a Box-Cox or Yeo-Johnson power transform, and the MACE portfolio
    of acquisition functions optimised by NSGA-II. (HEBO 0.3.6 also ships an
    input-warped GP on GPy that its model factory does not register.)

    HEBO draws from torch's and numpy's global generators, seeded here. Its
    GP fit prints its jitter retries and falls back to random predictions
    when its hyperparameters turn NaN: those messages are counted into the
    run's notes (``gp_fit_given_up``, ``random_predictions``). A failed
    candidate (NaN score) is told the worst loss seen so far.
    """
    import random

    import torch
    from pymoo.config import Config

    Config.warnings["not_compiled"] = False  # pymoo's pure-Python notice
    from hebo.design_space.design_space import DesignSpace
    from hebo.optimizers.hebo import HEBO

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - HEBO draws from the legacy global
    torch.manual_seed(seed)
    params, decode = to_hebo(space)
    opt = HEBO(DesignSpace().parse(params), scramble_seed=seed)
    log = io.StringIO()
    scores, fit_s, ask_s, worst = [], 0.0, 0.0, None
    for _ in range(n_evals):
        start = time.perf_counter()
        with contextlib.redirect_stdout(log):
            rec = opt.suggest(n_suggestions=1)
        ask_s += time.perf_counter() - start
        score, seconds = objective(decode(rec.iloc[0]))
        scores.append(score)
        fit_s += seconds
        if math.isfinite(score):
            worst = -score if worst is None else max(worst, -score)
            loss = -score
        else:
            loss = worst
        if loss is None:  # nothing finite yet: HEBO stays in its Sobol phase
            continue
        start = time.perf_counter()
        with contextlib.redirect_stdout(log):
            opt.observe(rec, np.array([[loss]]))
        ask_s += time.perf_counter() - start
    text = log.getvalue()
    notes = {
        "gp_fit_given_up": text.count("give up fitting GP"),
        "random_predictions": text.count("output random predictions"),
    }
    return _record(scores, fit_s, ask_s, notes)
