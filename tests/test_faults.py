"""Faults a real search meets, survived: Ctrl-C, a killed driver, a full
temporary folder, a worker lost on loky or on a dask cluster, a fit that
hangs.

The driver runs in a child process (``tests/_faults.py``) where it must be
signalled; the log its estimator writes says which fits started and ended,
and when.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import load_iris

from tests import _faults

ROOT = Path(__file__).resolve().parents[1]
X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def _start(scenario, log, *args, env=None):
    environment = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    return subprocess.Popen(
        [sys.executable, "-m", "tests._faults", scenario, str(log), *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lines(log):
    if not os.path.exists(log):
        return []
    with open(log) as file:
        return [line.split() for line in file if line.strip()]


def _wait_for(predicate, timeout, what, process=None, explain=None):
    """Poll ``predicate`` until it holds; on timeout, fail saying what was
    awaited (given the search's ``process``, what it printed; given
    ``explain``, what it returns)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.05)
    message = f"timed out waiting for {what} ({timeout} s)"
    if process is not None:
        if process.poll() is None:
            process.kill()
        else:
            message = f"the search exited ({process.returncode}) before {what}"
        out, err = process.communicate(timeout=30)
        message += f"; stdout: {out[-1000:]!r}; stderr: {err[-3000:]!r}"
    if explain is not None:
        message += f"; {explain()}"
    raise AssertionError(message)


def _loky_processes():
    """What of loky still runs on this machine (its workers, its tracker)."""
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                command = file.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "loky" in command or "resource_tracker" in command:
            alive.append(f"{pid}: {command[:200]}")
    return "loky processes alive: " + ("; ".join(alive) or "none")


def _report(process, timeout=60):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as file:  # a zombie has exited
        return file.read().split()[2] != "Z"


SEARCHES = ["bayes", "hyperband", "hyperband-async", "pbt", "pbt-async"]


@pytest.mark.parametrize("hang", [False, True], ids=["fits", "hanging-fits"])
@pytest.mark.parametrize("search", SEARCHES)
def test_ctrl_c_stops_the_search_and_the_next_one_works(search, hang, tmp_path):
    """SIGINT mid-search, n_jobs=2: KeyboardInterrupt propagates, what
    finished is in cv_results_, no fit of the search starts after fit
    returned, a second search in the same process completes and the process
    exits within 10 s, even when fits hang."""
    log = tmp_path / "fits.log"
    args = ["--search", search] + (["--hang"] if hang else [])
    process = _start("interrupt", log, *args)
    started = time.monotonic()

    def enough():
        n_started = sum(line[0] == "start" for line in _lines(log))
        n_ended = sum(line[0] == "end" for line in _lines(log))
        return n_ended >= 6 or (
            hang and n_started >= 2 and time.monotonic() - started > 3
        )

    _wait_for(enough, 60, "fits to run")
    process.send_signal(signal.SIGINT)
    interrupted_at = time.monotonic()
    report = _report(process)
    assert time.monotonic() - interrupted_at < 10
    assert report["interrupted"]
    if not hang:
        assert report["rows"] >= 1 and report["scores_finite"]
    assert report["second_rows"] == 3
    late = [
        line
        for line in _lines(log)
        if line[0] == "start"
        and line[1] == "first"
        and float(line[3]) > report["returned"]
    ]
    assert late == []


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_a_killed_driver_leaves_nothing_in_the_temporary_folder(how, tmp_path):
    """X over the memory-mapping threshold is written once to joblib's
    temporary folder; when the driver is killed, its workers exit and nothing
    of the search remains there."""
    folder = tmp_path / "joblib"
    folder.mkdir()
    log = tmp_path / "fits.log"
    process = _start("shared", log, env={"JOBLIB_TEMP_FOLDER": str(folder)})

    def workers():
        return {int(line[2]) for line in _lines(log) if line[0] == "start"}

    # Both workers must have shown themselves: one that has not run a fit yet
    # would live on until loky's idle timeout, and the folder with it.
    _wait_for(lambda: len(workers()) >= 2, 120, "fits on both workers", process)
    [shared] = os.listdir(folder)
    assert shared.startswith("skhpo-") and os.listdir(folder / shared) == ["X.npy"]
    workers = workers()
    process.send_signal(how)
    process.wait(timeout=30)
    # The workers see their driver gone and exit (loky's last idle worker
    # would wait for tasks for ever); the tracker then removes the folder.
    try:
        _wait_for(
            lambda: not any(_alive(pid) for pid in workers),
            30,
            "the workers to exit on their own",
            explain=_loky_processes,
        )
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    _wait_for(
        lambda: os.listdir(folder) == [],
        60,
        "the folder to be emptied",
        explain=lambda: f"{os.listdir(folder)} left; {_loky_processes()}",
    )


def test_a_temporary_folder_too_small_for_x_gives_the_same_results(tmp_path):
    """With a file-size limit below X's size, X travels with the tasks and the
    search gives what it gives with room."""
    log = tmp_path / "fits.log"
    report = _report(_start("quota", log), timeout=120)
    X, y = _faults._shared_data()
    assert report == _faults.quota_search(str(tmp_path / "reference.log"), X, y)


def test_a_hanging_fit_holds_back_no_other_candidate(tmp_path):
    """One fit of one candidate sleeps for ever, n_jobs=2: every other
    candidate of the Bayesian search finishes before it waits on that one."""
    log = tmp_path / "fits.log"
    n_iter = 16
    process = _start("hang-one", log, "--n-iter", str(n_iter))

    def every_other_fit_ended():  # 2 folds per candidate, one of them hangs
        return sum(line[0] == "end" for line in _lines(log)) == 2 * n_iter - 1

    def every_other_candidate_told():  # the search has their results
        return sum(line[0] == "told" for line in _lines(log)) == n_iter - 1

    _wait_for(every_other_fit_ended, 180, "every other fit to end", process)
    _wait_for(every_other_candidate_told, 60, "the search to have them", process)
    assert sum(line[0] == "hang" for line in _lines(log)) == 1
    process.send_signal(signal.SIGINT)
    report = _report(process, timeout=120)
    assert report["interrupted"] and report["rows"] == n_iter - 1


# ---------------------------------------------------------------- lost workers


class _Killer(threading.Thread):
    """Kills one worker process (by the pid its fits log) once ``after`` fits
    have started."""

    def __init__(self, log, after=8):
        super().__init__(daemon=True)
        self.log, self.after = log, after
        self.killed = None
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            lines = [line for line in _lines(self.log) if line[1] == "first"]
            if sum(line[0] == "start" for line in lines) >= self.after:
                busy = [line for line in lines if line[0] == "start"][-1]
                self.killed = int(busy[2])
                os.kill(self.killed, signal.SIGKILL)
                return
            time.sleep(0.02)


def _killed_mid_search(kind, log):
    killer = _Killer(str(log))
    killer.start()
    try:
        search = _faults._search(kind, _faults.Recorded(log=str(log), duration=0.2))
        search.set_params(random_state=0)
        if kind == "bayes":
            search.set_params(n_iter=12)
        elif kind.startswith("hyperband"):
            search.set_params(max_resources=3)
        elif kind.startswith("pbt"):
            search.set_params(population_size=4, n_steps=4)
        search.fit(X_IRIS, Y_IRIS)
    finally:
        killer.done.set()
    assert killer.killed is not None and killer.killed != os.getpid()
    return search


def _check_complete(search, kind, log):
    results = search.cv_results_
    expected = {"bayes": 12, "pbt": 16}.get(kind)
    if expected is not None:
        assert len(results["params"]) == expected
    else:  # Hyperband: every rung as planned
        budget = search.budget_
        assert (budget["n_candidates"] == budget["n_candidates_planned"]).all()
    assert np.isfinite(results["mean_test_score"]).all()
    fits = [line for line in _lines(log) if line[0] == "start" and line[1] == "first"]
    n_run = len(results["params"]) * search.n_splits_
    assert len(fits) > n_run + (search.refit is not False)  # lost ones again


@pytest.mark.parametrize("kind", ["bayes", "hyperband"])
def test_a_killed_loky_worker_loses_no_candidate(kind, tmp_path):
    log = tmp_path / "fits.log"
    search = _killed_mid_search(kind, log)
    _check_complete(search, kind, log)


@pytest.mark.parametrize("kind", ["bayes", "hyperband", "pbt"])
def test_a_killed_dask_worker_loses_no_candidate(kind, dask_client, tmp_path):
    log = tmp_path / "fits.log"
    with parallel_config(backend="dask"):
        search = _killed_mid_search(kind, log)
    _check_complete(search, kind, log)
    dask_client.wait_for_workers(2, timeout=30)  # the nanny restarts it


# ---------------------------------------------------------------- resume
def _kill(process):
    """SIGKILL the driver; its orphaned workers may keep its pipes open."""
    process.kill()
    process.wait()
    process.stdout.close()
    process.stderr.close()


def _n_told(storage):
    import sqlite3

    if not os.path.exists(storage):
        return 0
    try:
        with sqlite3.connect(f"file:{storage}?mode=ro", uri=True) as connection:
            return connection.execute(
                "SELECT COUNT(*) FROM events WHERE kind = 'tell'"
            ).fetchone()[0]
    except sqlite3.Error:  # being created
        return 0


def _units(identity):
    """Fits (or partial_fit calls) per fold that a trial's task makes."""
    trial = json.loads(identity)
    if trial["stop"] is None:  # a plain fit
        return 1
    return trial["stop"] - trial["start"]


def _fits_of_trials_told_after(storage, n_before, n_splits=2):
    """Fits the trials told after the first ``n_before`` tells made."""
    import sqlite3

    with sqlite3.connect(storage) as connection:
        later = connection.execute(
            "SELECT t.trial FROM events e JOIN trials t ON t.id = e.trial "
            "AND t.scope = e.scope WHERE e.kind = 'tell' AND e.seq >= ("
            "SELECT seq FROM events WHERE kind = 'tell' ORDER BY seq "
            "LIMIT 1 OFFSET ?)",
            (n_before,),
        ).fetchall()
    return n_splits * sum(_units(row[0]) for row in later)


def _killed_and_resumed(kind, at, tmp_path):
    """Run the journal scenario, SIGKILL it once ``at`` evaluations are
    written, run it again to its end: ``(what it printed, storage)``. Checks
    that no evaluation that had finished was fitted again: every fit of the
    second run (in its workers; the refit runs in the driver) belongs to a
    trial told in the second run."""
    storage, log = str(tmp_path / "search.sqlite"), tmp_path / "fits.log"
    first = _start("journal", log, "--search", kind, "--storage", storage)
    try:
        _wait_for(lambda: _n_told(storage) >= at, 60, f"{at} evaluations")
    finally:
        _kill(first)
    n_before = _n_told(storage)
    assert n_before >= at
    second = _start(
        "journal",
        log,
        "--search",
        kind,
        "--storage",
        storage,
        env={"FAULTS_RUN": "second"},
    )
    resumed = _report(second)
    refits = [
        line
        for line in _lines(log)
        if line[:2] == ["start", "second"] and int(line[2]) != second.pid
    ]
    assert len(refits) == _fits_of_trials_told_after(storage, n_before)
    return resumed, storage


@pytest.mark.parametrize(
    "kind, at",
    [
        ("bayes", 1),
        ("bayes", 5),
        ("bayes", 10),
        ("hyperband", 2),
        ("hyperband", 12),
        ("hyperband", 22),
        ("pbt", 2),
        ("pbt", 9),
        ("pbt", 17),
    ],
)
def test_a_killed_search_resumes_to_the_uninterrupted_results(kind, at, tmp_path):
    """SIGKILL once ``at`` evaluations are written, then ``fit`` again: the
    results of an uninterrupted run, and not one fit of an evaluation that
    had finished (each fit of the second run belongs to a trial it told)."""
    X, y = X_IRIS, Y_IRIS
    import skhpo._engine._loop as loop

    stall_min, loop._STALL_MIN = loop._STALL_MIN, 3600.0  # as in the children
    try:
        reference = _faults.journal_search(
            kind, str(tmp_path / "reference.log"), None, 2, duration=0.0
        ).fit(X, y)
    finally:
        loop._STALL_MIN = stall_min
    resumed, storage = _killed_and_resumed(kind, at, tmp_path)
    assert resumed == _faults.journal_summary(reference)


@pytest.mark.parametrize("at", [2, 8, 14])
@pytest.mark.parametrize("kind", ["hyperband-async", "pbt-async"])
def test_a_killed_asynchronous_search_resumes_with_every_evaluation_once(
    kind, at, tmp_path
):
    resumed, storage = _killed_and_resumed(kind, at, tmp_path)
    from skhpo.storage import read_journal

    trials = read_journal(storage)["scopes"][""]["trials"]
    assert all(t["folds"] is not None for t in trials)
    assert len(resumed["params"]) == len(trials) == _n_told(storage)
