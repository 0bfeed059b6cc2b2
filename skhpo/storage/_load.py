"""Reading a journal from outside the search: :func:`load_results` and the
report of ``python -m skhpo show``."""

from __future__ import annotations

import time

import numpy as np

from .._results import format_results, timing_columns
from ._codec import decode_params
from ._journal import read_journal

__all__ = ["load_results", "show"]


def _scope(journal, path, scope):
    scopes = journal["scopes"]
    if not scopes:
        raise ValueError(f"The journal at {path!r} holds no search yet.")
    if scope is None:
        if len(scopes) == 1:
            return next(iter(scopes.values()))
        raise ValueError(
            f"The journal at {path!r} holds several searches (the outer folds of "
            f"a NestedCV): pass scope= one of {sorted(scopes)!r}."
        )
    if scope not in scopes:
        raise ValueError(
            f"scope={scope!r} is not in the journal at {path!r}; it holds "
            f"{sorted(scopes)!r}."
        )
    return scopes[scope]


def _results(record):
    """``cv_results_`` of the finished trials of one scope (asking order)."""
    trials = [t for t in record["trials"] if t["folds"] is not None]
    if not trials:
        return None, trials
    out = [fold for t in trials for fold in t["folds"]]
    extras = [decode_params(t["extra"]) if t["extra"] else {} for t in trials]
    if record["search"] == "BayesSearchCV":  # its column of the driver's time
        extras = [
            {"batch": e.get("batch"), "propose_time": t["ask_time"], **e}
            for e, t in zip(extras, trials)
        ]
    more = {
        key: [e.get(key) for e in extras]
        for key in dict.fromkeys(k for e in extras for k in e)
    }
    results = format_results(
        [decode_params(t["params"]) for t in trials],
        record["n_splits"],
        out,
        return_train_score="train_scores" in out[0],
        more_results=more,
        # ranked as the multi-fidelity searches rank: the largest resource
        # first, so that rank 1 is the row their best_index_ would name
        rank_first_by=more.get("n_resources"),
    )
    results.update(timing_columns(out, record["n_splits"], record["created"]))
    return results, trials


def load_results(path, *, scope=None):
    """The finished evaluations a search wrote to its ``storage``.

    Readable while the search runs, from any process, and after it stopped.

    Parameters
    ----------
    path : str or path-like
        The ``storage`` file of a search.
    scope : str, default=None
        Which search of the journal: needed only when it holds several (one
        per outer fold of a :class:`~skhpo.NestedCV`, named ``"outer0"``,
        ``"outer1"``, ...).

    Returns
    -------
    results : pandas.DataFrame
        One row per finished candidate, in the order the search asked for
        them, with the columns of the search's ``cv_results_`` (ranks among
        the finished rows) and ``trial`` (the candidate's number in the
        search), ``asked`` and ``finished`` (POSIX times). A parameter value
        that is not a number, a string, a boolean or None (an estimator
        listed in the space) is its ``repr``.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    JournalError
        If the file is not a readable skhpo journal.
    ValueError
        If the journal holds no search yet, or several and ``scope`` is None
        or not one of them.

    See Also
    --------
    skhpo.storage.read_journal : Every scope of a journal, as written.
    skhpo.BayesSearchCV : Its ``prior_results`` may be a storage path.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV, load_results
    >>> import tempfile, os
    >>> X, y = load_iris(return_X_y=True)
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "search.sqlite")
    >>> space = {"C": [0.1, 1.0, 10.0]}
    >>> search = BayesSearchCV(SVC(), space, n_iter=3, storage=path)
    >>> search = search.fit(X, y)
    >>> load_results(path)[["param_C", "mean_test_score"]]
       param_C  mean_test_score
    0      0.1         0.920000
    1      1.0         0.966667
    2     10.0         0.980000
    >>> folder.cleanup()
    """
    import pandas as pd

    path = str(path)
    record = _scope(read_journal(path), path, scope)
    results, trials = _results(record)
    if results is None:
        return pd.DataFrame()
    frame = pd.DataFrame(results)
    frame["trial"] = [t["id"] for t in trials]
    frame["asked"] = [t["asked"] for t in trials]
    frame["finished"] = [t["finished"] for t in trials]
    return frame


def show(path, *, top=10, file=None):
    """Print the progress of the search journaled at ``path``: finished,
    running and planned candidates, the best so far and the ``top`` best."""
    import pandas as pd

    path = str(path)
    journal = read_journal(path)

    def say(text=""):
        print(text, file=file)

    holder = journal["holder"]
    if holder is None:
        status = "no process runs it"
    else:
        where = f" on {holder['host']}" if holder["host"] else ""
        status = f"run by process {holder['pid']}{where}"
    say(f"{path}: {status}")
    if not journal["scopes"]:
        say("no search yet")
        return
    for name, record in journal["scopes"].items():
        results, trials = _results(record)
        running = sum(t["folds"] is None for t in record["trials"])
        planned = record["planned"]
        elapsed = record["updated"] - record["created"]
        title = f"{record['search']}" + (f" [{name}]" if name else "")
        state = record["state"]
        if state == "running" and holder is None:  # its process was killed
            state = "stopped unfinished, its process gone"
        say()
        say(
            f"{title}: {state}; {len(trials)} finished, {running} "
            + ("running" if holder is not None else "unfinished")
            + (f", {planned} planned" if planned else "")
            + f"; {record['n_splits']} folds each; "
            f"{_duration(elapsed)} from first to last record"
        )
        if results is None:
            continue
        metrics = [
            k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
        ]
        metric = metrics[0]
        means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
        if np.isfinite(means).any():
            # rank 1: the best score, at the largest resource for the searches
            # that train on parts of one
            best = int(np.argmin(results[f"rank_test_{metric}"]))
            say(
                f"best mean_test_{metric} {means[best]:.4f} "
                f"(candidate {trials[best]['id']}): {results['params'][best]}"
            )
        else:
            say("no finite score yet")
        frame = pd.DataFrame(
            {
                "rank": results[f"rank_test_{metric}"],
                f"mean_test_{metric}": means,
                f"std_test_{metric}": results[f"std_test_{metric}"],
                "candidate": [t["id"] for t in trials],
                "finished": [
                    time.strftime("%H:%M:%S", time.localtime(t["finished"]))
                    for t in trials
                ],
                "params": [str(p) for p in results["params"]],
            }
        ).sort_values(["rank", "candidate"])
        with pd.option_context("display.max_colwidth", 80, "display.width", 200):
            say(frame.head(top).to_string(index=False))


def _duration(seconds):
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"
