"""What a search says: log records for every search, and lines at verbose."""

import logging
import re

import numpy as np
import pytest
from scipy.stats import uniform
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from skhpo import BayesSearchCV, HyperbandSearchCV, NestedCV, PBTSearchCV
from skhpo.space import Real
from skhpo.utils._testing import EpochClassifier, FailingClassifier

X, Y = load_iris(return_X_y=True)
QUALITY = {"quality": uniform(0, 1)}


def _bayes(**kwargs):
    return BayesSearchCV(
        SVC(),
        {"C": Real(1e-2, 1e2, prior="log-uniform")},
        n_iter=6,
        n_initial_points=2,
        batch_size=2,
        cv=2,
        random_state=0,
        **kwargs,
    )


def _hyperband(**kwargs):
    return HyperbandSearchCV(
        EpochClassifier(),
        QUALITY,
        resource="partial_fit",
        max_resources=9,
        cv=2,
        random_state=0,
        **kwargs,
    )


def _pbt(**kwargs):
    return PBTSearchCV(
        EpochClassifier(),
        QUALITY,
        population_size=4,
        n_steps=3,
        cv=2,
        random_state=0,
        **kwargs,
    )


SEARCHES = {
    "bayes": _bayes,
    "hyperband": _hyperband,
    "asha": lambda **kw: _hyperband(asynchronous=True, **kw),
    "pbt": _pbt,
    "async_pbt": lambda **kw: _pbt(asynchronous=True, **kw),
}

#: a per-candidate line or record: "[Name k/n] END <trial>: <params>; ..."
CANDIDATE = re.compile(r"^\[(\w+) (\d+)(?:/(\d+))?\] END (.+?): (.*); (\w+)=(\S+)")


@pytest.mark.parametrize("kind", sorted(SEARCHES))
def test_one_record_per_finished_candidate_with_the_best_so_far(kind, caplog):
    search = SEARCHES[kind]()
    with caplog.at_level(logging.INFO, logger="skhpo"):
        search.fit(X, Y)
    records = [r for r in caplog.records if r.name == "skhpo.search"]
    assert all(r.search == type(search).__name__ for r in records)
    candidates = [CANDIDATE.match(r.getMessage()) for r in records]
    candidates = [m for m in candidates if m]
    n = len(search.cv_results_["params"])
    assert len(candidates) == n
    # counted in order, out of the planned total
    assert [int(m[2]) for m in candidates] == list(range(1, n + 1))
    assert {int(m[3]) for m in candidates} == {search._max_candidates()}
    # every finished row's score appears once, as the log writes it
    logged = sorted(float(m[7]) for m in candidates)
    scores = np.sort(search.cv_results_["mean_test_score"])
    np.testing.assert_allclose(logged, scores, atol=5e-5)
    # the first and the last record: the plan and the best
    assert records[0].getMessage().startswith("Fitting 2 folds for each of")
    last = records[-1].getMessage()
    assert f"best score={search.best_score_:.4f}" in last
    assert f"{n} evaluations, {2 * n} fits" in last
    # no DEBUG record at INFO
    assert all(r.levelno >= logging.INFO for r in records)


def test_fits_and_proposals_are_debug_records(caplog):
    with caplog.at_level(logging.DEBUG, logger="skhpo"):
        search = _bayes().fit(X, Y)
    fits = [r for r in caplog.records if r.getMessage().startswith("[CV ")]
    assert len(fits) == 2 * len(search.cv_results_["params"])
    assert all(r.levelno == logging.DEBUG for r in fits)
    proposals = [r for r in caplog.records if " proposed by " in r.getMessage()]
    assert [
        r.getMessage().split(" proposed by ")[1].split(":")[0] for r in proposals
    ] == list(search.cv_results_["proposed_by"])


@pytest.mark.parametrize(
    "verbose, n_candidate_lines, n_fit_lines",
    [(0, 0, 0), (1, 0, 0), (2, 6, 0), (3, 6, 12)],
)
def test_verbose_prints_scikit_learns_lines_by_level(
    verbose, n_candidate_lines, n_fit_lines, capsys
):
    _bayes(verbose=verbose).fit(X, Y)
    lines = capsys.readouterr().out.splitlines()
    assert sum(bool(CANDIDATE.match(line)) for line in lines) == n_candidate_lines
    fits = [line for line in lines if line.startswith("[CV ")]
    assert len(fits) == n_fit_lines
    if verbose == 0:
        assert lines == []
        return
    assert lines[0] == "Fitting 2 folds for each of 6 candidates, totalling 12 fits"
    assert lines[-1].startswith("[BayesSearchCV] done in ")
    if fits:
        # scikit-learn's format: right-aligned to 80 characters
        assert re.fullmatch(
            r"\[CV [12]/2\] END \.+C=[\d.e+-]+;, score=0\.\d{3} total time=\s*\d+\.\ds",
            fits[0],
        )
        assert {len(line) for line in fits} == {80}


def test_verbose_per_candidate_lines_say_time_elapsed_and_time_left(capsys):
    _bayes(verbose=2).fit(X, Y)
    lines = [line for line in capsys.readouterr().out.splitlines() if " END " in line]
    assert all("total time=" in line and " elapsed" in line for line in lines)
    assert all(" left" in line for line in lines[:-1]) and " left" not in lines[-1]


def test_hyperband_counts_candidates_and_rung_evaluations_apart(capsys):
    search = _hyperband(verbose=1).fit(X, Y)
    lines = capsys.readouterr().out.splitlines()
    plan = search.plan()
    n_jobs = int(plan["n_candidates"].sum())
    n_candidates = int(plan.loc[plan["iter"] == 0, "n_candidates"].sum())
    assert lines[0] == (
        f"Fitting 2 folds for each of {n_jobs} evaluations of {n_candidates} "
        f"candidates in 3 brackets (partial_fit from 1 to 9), totalling "
        f"{2 * n_jobs} fits"
    )
    rungs = [line for line in lines if " rung " in line and "done in" not in line]
    assert len(rungs) == len(plan)
    # one candidate goes on, not "1 go on"; one candidate, not "1 candidates"
    text = "\n".join(lines)
    assert "1 candidates" not in text and "1 go on" not in text
    assert "1 goes on" in text


@pytest.mark.parametrize("kind", ["asha", "async_pbt"])
def test_asynchronous_searches_say_more_than_their_plan(kind, capsys):
    search = SEARCHES[kind](verbose=2).fit(X, Y)
    lines = capsys.readouterr().out.splitlines()
    n = len(search.cv_results_["params"])
    assert sum(bool(CANDIDATE.match(line)) for line in lines) == n
    if kind == "asha":  # each bracket's end, at verbose 1 too
        assert sum(" done: " in line for line in lines) == 3


def test_failed_fits_are_counted_at_the_end(capsys):
    search = BayesSearchCV(
        FailingClassifier(),
        {"parameter": [0, 1, 2, 3]},
        n_iter=4,
        cv=2,
        verbose=2,
        random_state=0,
    )
    with pytest.warns(Warning):
        search.fit(X, Y)
    lines = capsys.readouterr().out.splitlines()
    assert "12 fits" not in lines[-1] and "8 fits, 2 failed" in lines[-1]
    assert any(re.search(r"score=failed", line) for line in lines)


def test_nested_cv_says_each_outer_score(caplog, capsys):
    nested = NestedCV(_bayes(), cv=3, verbose=1)
    with caplog.at_level(logging.INFO, logger="skhpo.nested"):
        nested.fit(X, Y)
    folds = [r.getMessage() for r in caplog.records if r.name == "skhpo.nested"]
    out = capsys.readouterr().out
    for k, score in enumerate(nested.cv_results_["test_score"]):
        line = next(m for m in folds if m.startswith(f"[NestedCV {k + 1}/3] END"))
        assert f"outer test score={score:.4f}" in line
        assert line in out
    assert f"nested score={nested.mean_score_:.4f}" in folds[-1]


@pytest.mark.parametrize("asynchronous", [False, True])
def test_pbt_says_each_exploit(asynchronous, capsys):
    search = _pbt(verbose=1, asynchronous=asynchronous).fit(X, Y)
    lines = capsys.readouterr().out.splitlines()
    exploits = [line for line in lines if "'s model after step" in line]
    assert len(exploits) == search.n_exploits_ > 0
    assert lines[0].endswith("(partial_fit=1 each), totalling 24 fits")


def test_several_metrics_and_no_metric_chosen_follow_the_first(capsys):
    BayesSearchCV(
        SVC(),
        {"C": [0.1, 1.0]},
        n_iter=5,
        scoring={"acc": "accuracy", "f1": "f1_macro"},
        refit=False,
        cv=2,
        verbose=2,
    ).fit(X, Y)
    lines = capsys.readouterr().out.splitlines()
    candidates = [CANDIDATE.match(line) for line in lines if CANDIDATE.match(line)]
    assert [m[6] for m in candidates] == ["acc", "acc"]
    assert all(m[7] != "failed" for m in candidates)
    assert "best acc=" in lines[-1]
