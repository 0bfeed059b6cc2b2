"""The journal of a search (``storage=``): what it holds, resuming from it, and
the errors it gives. The kill-and-resume tests in other processes are in
``tests/test_faults.py``."""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from skhpo import BayesSearchCV, load_results
from skhpo.space import Real
from skhpo.storage import JournalError, read_journal
from skhpo.storage._codec import decode_params, encode_params
from skhpo.storage._record import Record
from tests.golden.configs import CONFIGS, summary
from tests.golden.record import load
from tests.test_golden import _same

RECORDED = load()
X, Y = load_iris(return_X_y=True)


def _bayes(path, **kwargs):
    space = {"C": Real(1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]}
    kwargs = {"n_iter": 6, "cv": 3, "random_state": 0, **kwargs}
    return BayesSearchCV(SVC(), space, storage=path, **kwargs)


# ------------------------------------------------------------------ resume
class _Stop(BaseException):
    """Raised right after the k-th evaluation is committed: the search stops
    there as a killed process would (its last commit is all that remains).
    Not an Exception: NestedCV scores a fold whose search fails."""


@pytest.fixture
def stop_after(monkeypatch):
    """``stop_after(k)``: the search stops right after its k-th evaluation is
    written to its journal."""
    told = Record.told

    def arm(k):
        count = [0]

        def counting(self, *args, **kwargs):
            told(self, *args, **kwargs)
            count[0] += 1
            if count[0] == k:
                raise _Stop

        monkeypatch.setattr(Record, "told", counting)

    yield arm
    monkeypatch.setattr(Record, "told", told)


def _told_once(path):
    """Every trial of the journal told exactly once, across all runs."""
    with sqlite3.connect(path) as connection:
        tells = connection.execute(
            "SELECT scope, trial, COUNT(*) FROM events WHERE kind = 'tell' "
            "GROUP BY scope, trial"
        ).fetchall()
    assert tells and all(n == 1 for *_, n in tells)
    return len(tells)


# Every configuration whose results do not depend on timing: Bayes, the
# synchronous multi-fidelity searches (every resource kind, continued models
# included), and the asynchronous ones with one worker.
# NestedCV too: one journal, a scope per outer fold and one for the search on
# all the data.
RESUMABLE = sorted(CONFIGS)


@pytest.mark.parametrize("name", RESUMABLE)
def test_a_stopped_search_resumes_to_the_uninterrupted_results(
    name, tmp_path, stop_after
):
    path = str(tmp_path / "search.sqlite")
    recorded = RECORDED[name]
    if name.startswith("nested"):  # 3 outer folds and the whole data, 6 each
        n_rows = 4 * 6
    else:
        n_rows = len(recorded["cv_results"]["params"])
    search, X, y = CONFIGS[name]()
    search.set_params(storage=path)
    stop_after(max(1, n_rows // 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(_Stop):
            search.fit(X, y)
    if not name.startswith("nested"):
        assert len(search.cv_results_["params"]) == max(1, n_rows // 2)
    stop_after(10**9)  # never
    resumed, X, y = CONFIGS[name]()
    resumed.set_params(storage=path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resumed.fit(X, y)
    _same(summary(resumed), recorded, f"{name} resumed")
    if name.startswith("nested"):
        assert sorted(read_journal(path)["scopes"]) == [
            "all",
            "outer0",
            "outer1",
            "outer2",
        ]
    assert _told_once(path) == n_rows


def test_a_finished_search_fits_nothing_again(tmp_path, monkeypatch):
    path = str(tmp_path / "search.sqlite")
    first = _bayes(path).fit(X, Y)
    fits = []
    fit = SVC.fit
    monkeypatch.setattr(
        SVC, "fit", lambda self, *a, **k: fits.append(1) or fit(self, *a, **k)
    )
    again = _bayes(path).fit(X, Y)
    assert len(fits) == 1  # the refit only
    assert again.cv_results_["params"] == first.cv_results_["params"]
    np.testing.assert_array_equal(
        again.cv_results_["mean_test_score"], first.cv_results_["mean_test_score"]
    )
    assert read_journal(path)["scopes"][""]["state"] == "done"


def test_resume_with_more_workers(tmp_path, stop_after):
    """n_jobs is not part of what must match: a search stopped with one worker
    resumes with three, to the same results (the batch size it began with,
    which by default depends on the number of workers, is kept)."""
    path = str(tmp_path / "search.sqlite")
    reference = _bayes(None, n_iter=8).fit(X, Y)
    stop_after(3)
    with pytest.raises(_Stop):
        _bayes(path, n_iter=8).fit(X, Y)
    stop_after(10**9)
    resumed = _bayes(path, n_iter=8, n_jobs=3).fit(X, Y)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    assert _bayes(None, n_iter=8, n_jobs=3)._batch_size(3, 3) != 2


def test_a_search_without_random_state_resumes_with_its_first_seed(
    tmp_path, stop_after
):
    path = str(tmp_path / "search.sqlite")
    stop_after(3)
    with pytest.raises(_Stop):
        first = _bayes(path, random_state=None)
        first.fit(X, Y)
    partial = list(first.cv_results_["params"])
    stop_after(10**9)
    resumed = _bayes(path, random_state=None).fit(X, Y)
    assert resumed.cv_results_["params"][:3] == partial
    assert len(resumed.cv_results_["params"]) == 6
    assert _told_once(path) == 6


# ------------------------------------------------------------------ content
def test_the_journal_holds_every_evaluation_and_reads_as_cv_results(tmp_path):
    path = str(tmp_path / "search.sqlite")
    search = _bayes(path, return_train_score=True).fit(X, Y)
    frame = load_results(path)
    expected = pd.DataFrame(search.cv_results_)
    assert len(frame) == len(expected)
    for column in expected:
        if column.endswith("_time"):
            np.testing.assert_allclose(frame[column], expected[column])
        elif column == "params":
            assert list(frame[column]) == list(expected[column])
        else:
            assert list(frame[column]) == list(expected[column]), column
    assert list(frame["trial"]) == list(range(6))
    assert (frame["finished"] >= frame["asked"]).all()


def test_parameters_are_written_as_json_and_listed_objects_by_reference():
    choices = {"clf": [SVC(), LogisticRegression()]}
    params = {
        "clf": choices["clf"][1],
        "layers": (50, 20),
        "alpha": np.float64(0.5),
        "n": np.int64(3),
        "flag": True,
        "none": None,
        "nan": float("nan"),
        "name": "rbf",
    }
    text = encode_params(params, choices)
    data = json.loads(text)  # strict JSON: no pickles, no NaN literals
    assert data["clf"] == {"category": 1, "repr": "LogisticRegression()"}
    back = decode_params(text, choices)
    assert back["clf"] is choices["clf"][1]
    assert back["layers"] == (50, 20) and isinstance(back["layers"], tuple)
    assert back["alpha"] == 0.5 and back["n"] == 3 and back["flag"] is True
    assert back["none"] is None and np.isnan(back["nan"]) and back["name"] == "rbf"
    assert decode_params(text)["clf"] == "LogisticRegression()"  # without a space


def test_a_value_neither_plain_nor_listed_is_refused():
    with pytest.raises(TypeError, match="neither a number"):
        encode_params({"a": object()}, {})


# ------------------------------------------------------------------ errors
def test_another_search_in_the_same_storage_names_what_differs(tmp_path):
    path = str(tmp_path / "search.sqlite")
    _bayes(path).fit(X, Y)
    with pytest.raises(JournalError, match=r"differs in estimator\.") as info:
        _bayes(path).set_params(estimator=SVC(C=2.0)).fit(X, Y)
    assert "pass another path" in str(info.value)
    # the parameter that changed, not the two estimators whole
    assert "estimator.params.C: stored 1.0, now 2.0" in str(info.value)
    assert "kernel" not in str(info.value)
    with pytest.raises(
        JournalError, match=r"param_distributions\.gamma: stored absent"
    ):
        space = {"C": Real(1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]}
        _bayes(path).set_params(param_distributions={**space, "gamma": [1.0, 2.0]}).fit(
            X, Y
        )
    with pytest.raises(JournalError, match="differs in cv, data"):
        _bayes(path).fit(X[:100], Y[:100])
    with pytest.raises(JournalError, match="differs in n_iter"):
        _bayes(path, n_iter=7).fit(X, Y)
    with pytest.raises(JournalError, match="holds a BayesSearchCV, not a"):
        from skhpo import HyperbandSearchCV

        HyperbandSearchCV(SVC(), {"C": [1.0, 2.0]}, storage=path).fit(X, Y)


def test_a_corrupt_storage_is_refused_and_left_as_it_is(tmp_path):
    path = tmp_path / "search.sqlite"
    _bayes(str(path)).fit(X, Y)
    data = bytearray(path.read_bytes())
    data[:100] = b"\0" * 100  # the header gone
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match="not a readable skhpo journal"):
        _bayes(str(path)).fit(X, Y)
    assert path.read_bytes() == bytes(data)
    other = tmp_path / "notes.txt"
    other.write_text("not a database at all\n" * 10)
    with pytest.raises(JournalError, match="not a readable"):
        _bayes(str(other)).fit(X, Y)
    assert other.read_text() == "not a database at all\n" * 10


def test_a_truncated_storage_is_refused_and_left_as_it_is(tmp_path):
    path = tmp_path / "search.sqlite"
    _bayes(str(path)).fit(X, Y)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a copy cut short
    with pytest.raises(JournalError, match="damaged|not a readable"):
        _bayes(str(path)).fit(X, Y)
    with pytest.raises(JournalError):
        load_results(str(path))
    assert path.read_bytes() == data[: len(data) // 2]


def test_an_sqlite_file_of_something_else_is_refused(tmp_path):
    path = str(tmp_path / "other.sqlite")
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(JournalError, match="not an skhpo journal"):
        _bayes(path).fit(X, Y)


def test_a_storage_that_cannot_be_written_is_refused_before_any_fit(tmp_path):
    with pytest.raises(JournalError, match="does not exist"):
        _bayes(str(tmp_path / "missing" / "search.sqlite")).fit(X, Y)
    with pytest.raises(JournalError, match="is a directory"):
        _bayes(str(tmp_path)).fit(X, Y)
    if os.geteuid() != 0:  # root writes anywhere
        folder = tmp_path / "readonly"
        folder.mkdir()
        folder.chmod(0o500)
        with pytest.raises(JournalError, match="cannot be"):
            _bayes(str(folder / "search.sqlite")).fit(X, Y)


def test_storage_must_be_a_path():
    with pytest.raises(ValueError, match="storage"):
        _bayes(3).fit(X, Y)


def test_a_storage_held_by_a_live_process_is_refused(tmp_path):
    path = str(tmp_path / "search.sqlite")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from skhpo.storage import Journal
                Journal.acquire({path!r})
                print("held", flush=True)
                sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(JournalError, match=f"process {holder.pid}"):
            _bayes(path).fit(X, Y)
        assert read_journal(path)["holder"]["pid"] == holder.pid
    finally:
        holder.kill()
        holder.wait()
    # its holder gone (killed: it could not say so), the storage is free
    _bayes(path).fit(X, Y)
    assert read_journal(path)["holder"] is None


def test_show_prints_progress_and_the_best(tmp_path):
    path = str(tmp_path / "search.sqlite")
    search = _bayes(path).fit(X, Y)
    shown = subprocess.run(
        [sys.executable, "-m", "skhpo", "show", path, "--top", "3"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "BayesSearchCV: done; 6 finished, 0 unfinished, 6 planned" in shown
    assert f"best mean_test_score {search.best_score_:.4f}" in shown
    assert len(shown.strip().splitlines()) == 4 + 1 + 3
    missing = subprocess.run(
        [sys.executable, "-m", "skhpo", "show", str(tmp_path / "none.sqlite")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "No skhpo journal" in missing.stderr


def test_show_reads_a_search_running_in_another_process(tmp_path):
    """The search runs in a child process; ``python -m skhpo show`` reads its
    journal meanwhile."""
    from tests.test_faults import _kill, _n_told, _start, _wait_for

    storage, log = str(tmp_path / "search.sqlite"), tmp_path / "fits.log"
    # fits long enough that the search still runs while show starts on a
    # loaded machine (12 candidates of 2 fits of 3 s, 2 at a time: at least
    # 36 s; it is killed once read)
    child = _start(
        "journal", log, "--search", "bayes", "--storage", storage, "--duration", "3"
    )
    try:
        _wait_for(lambda: _n_told(storage) >= 2, 60, "2 evaluations")
        frame = load_results(storage)
        shown = subprocess.run(
            [sys.executable, "-m", "skhpo", "show", storage],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        _kill(child)
    assert f"run by process {child.pid}" in shown
    assert "BayesSearchCV: running; " in shown and " running, 12 planned" in shown
    assert 2 <= len(frame) < 12
    # killed: the journal still says running, show says what happened
    child.wait(timeout=30)
    after = subprocess.run(
        [sys.executable, "-m", "skhpo", "show", storage],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "no process runs it" in after
    assert "BayesSearchCV: stopped unfinished, its process gone; " in after
    assert " unfinished, 12 planned" in after


def test_categories_that_print_alike_are_told_apart():
    """scikit-learn shortens long reprs: two listed Pipelines may print the
    same; each is written as itself."""
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

    pad = [FunctionTransformer() for _ in range(20)]
    a = make_pipeline(*pad, StandardScaler(), *pad[:0], LogisticRegression())
    b = make_pipeline(*pad, MinMaxScaler(), LogisticRegression())
    choices = {"clf": [a, b]}
    copy_of_b = make_pipeline(*pad, MinMaxScaler(), LogisticRegression())
    assert (
        json.loads(encode_params({"clf": copy_of_b}, choices))["clf"]["category"] == 1
    )
    assert decode_params(encode_params({"clf": b}, choices), choices)["clf"] is b
    with pytest.raises(TypeError, match="several values"):
        encode_params({"clf": clone(b)}, {"clf": [b, copy_of_b, a]})


def test_a_finished_search_keeps_no_model_in_its_storage(tmp_path):
    from sklearn.linear_model import SGDClassifier

    from skhpo import HyperbandSearchCV

    path = str(tmp_path / "search.sqlite")
    HyperbandSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": Real(1e-5, 1e-1, "log-uniform")},
        resource="partial_fit",
        max_resources=9,
        cv=2,
        random_state=0,
        storage=path,
    ).fit(X, Y)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM models").fetchone()[0] == 0
        assert connection.execute("SELECT COUNT(*) FROM trials").fetchone()[0] > 9


def test_a_search_with_its_own_storage_is_refused_inside_nested_cv(tmp_path):
    from skhpo import NestedCV

    inner = _bayes(str(tmp_path / "search.sqlite"))
    with pytest.raises(ValueError, match=r"Set NestedCV\(storage=\.\.\.\)"):
        NestedCV(inner, cv=2).fit(X, Y)
    # not replaced without a word either
    nested = NestedCV(inner, cv=2, storage=str(tmp_path / "nested.sqlite"))
    with pytest.raises(ValueError, match="Set it on NestedCV only"):
        nested.fit(X, Y)
    assert not os.path.exists(tmp_path / "nested.sqlite")


def test_a_multi_fidelity_journal_ranks_as_its_search(tmp_path):
    # a row trained on a smaller resource may score higher than the winner;
    # the journal's reader ranks the largest resource first, as the search
    from sklearn.linear_model import SGDClassifier

    from skhpo import HyperbandSearchCV

    path = str(tmp_path / "search.sqlite")
    search = HyperbandSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": Real(1e-6, 1e-1, "log-uniform")},
        resource="partial_fit",
        max_resources=9,
        cv=3,
        random_state=0,
        storage=path,
    ).fit(X, Y)
    frame = load_results(path)  # rows in asking order, not the search's
    results = search.cv_results_

    def ranks(table):
        keys = zip(table["candidate"], table["n_resources"], table["rank_test_score"])
        return {(int(c), int(n)): int(rank) for c, n, rank in keys}

    assert ranks(frame) == ranks(results)
    assert frame["n_resources"].nunique() > 1
    shown = subprocess.run(
        [sys.executable, "-m", "skhpo", "show", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"best mean_test_score {search.best_score_:.4f}" in shown


def test_a_journal_whose_trials_record_other_columns_is_named(tmp_path, stop_after):
    """A journal written before PBT recorded ``continues``: resuming names
    the difference in columns, not a search that does not repeat itself."""
    path = str(tmp_path / "search.sqlite")
    search, X, y = CONFIGS["pbt_partial_fit_jobs1"]()
    search.set_params(storage=path)
    stop_after(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(_Stop):
            search.fit(X, y)
    stop_after(10**9)
    with sqlite3.connect(path) as connection:
        for scope, trial_id, text, extra in connection.execute(
            "SELECT scope, id, trial, extra FROM trials"
        ).fetchall():
            trial = json.loads(text)
            del trial["extra"]["continues"]
            if extra is not None:
                extra = json.loads(extra)
                del extra["continues"]
                extra = json.dumps(extra, sort_keys=True)
            connection.execute(
                "UPDATE trials SET trial = ?, extra = ? WHERE scope = ? AND id = ?",
                (json.dumps(trial, sort_keys=True), extra, scope, trial_id),
            )
    resumed, X, y = CONFIGS["pbt_partial_fit_jobs1"]()
    resumed.set_params(storage=path)
    with pytest.raises(JournalError, match=r"record other columns \(stored: \["):
        resumed.fit(X, y)
    assert "continues" not in load_results(path).columns
