"""What a search says while it runs: log records, and lines at ``verbose``.

Every search and :class:`~skhpo.NestedCV` emits records on Python's
:mod:`logging`, under the ``"skhpo"`` logger (which has only a
``NullHandler``: nothing shows until the application configures logging):

- ``skhpo.search``: INFO per finished candidate (or rung, or member step)
  with its score and the best so far, and per stage of the algorithm (a
  batch, a rung, a generation), and at the start and the end of a search;
  DEBUG per fit and per proposal;
- ``skhpo.nested``: INFO per outer fold and at the end;
- ``skhpo.engine``: INFO for a lost worker's tasks sent again, a trial far
  slower than the others, and evaluations read back from a journal.

``verbose`` prints the same messages on the standard output, as
scikit-learn's searches print theirs: 1 the plan, the stages and the end; 2
one line per candidate with its time, the elapsed time and an estimate of
the time left; 3 one line per fit with its fold and score, in
scikit-learn's format (``[CV 1/3] END ...; score=0.980 total time= 0.0s``).
Each record carries the search's class name as ``record.search``.
"""

from __future__ import annotations

import logging
import sys
import time

import numpy as np
from joblib import logger as joblib_logger

from ._pareto import pareto_front

__all__ = ["RunLog", "Say", "best_of", "duration", "plural"]

logging.getLogger("skhpo").addHandler(logging.NullHandler())

#: verbose level at which a message prints, and its logging level
PLAN, CANDIDATE, FIT = 1, 2, 3
_LEVELS = {PLAN: logging.INFO, CANDIDATE: logging.INFO, FIT: logging.DEBUG}


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 candidate"``, ``"2 candidates"``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def best_of(scores) -> str:
    """``"best 0.9533"`` of a ``{key: score}`` dict, failures left out; with
    one score per objective, how many are on the rung's Pareto front."""
    if any(np.ndim(v) for v in scores.values()):
        front = pareto_front(np.array(list(scores.values()), dtype=float))
        return f"{len(front)} on the Pareto front"
    finite = [v for v in scores.values() if np.isfinite(v)]
    return f"best {max(finite):.4f}" if finite else "no finite score"


def duration(seconds: float) -> str:
    """A short readable duration: ``0.42s``, ``12.3s``, ``4.5min``, ``2.1h``."""
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        return f"{seconds / 60:.1f}min"
    return f"{seconds / 3600:.1f}h"


def params_text(params) -> str:
    """scikit-learn's way of listing a candidate's parameters (numpy scalars
    as plain numbers)."""
    return ", ".join(f"{k}={_plain(params[k])}" for k in sorted(params))


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


class Say:
    """Emit one message as a log record and, at ``verbose``, print it."""

    def __init__(self, logger_name: str, owner: str, verbose: int):
        self.logger = logging.getLogger(logger_name)
        self.owner = owner
        self.verbose = verbose

    def __call__(self, tier: int, message: str) -> None:
        level = _LEVELS[tier]
        if self.logger.isEnabledFor(level):
            self.logger.log(level, message, extra={"search": self.owner})
        if self.verbose >= tier:
            # one write: lines from threads (NestedCV's folds) stay whole
            sys.stdout.write(message + "\n")
            sys.stdout.flush()

    def wanted(self, tier: int) -> bool:
        """Whether a message of ``tier`` goes anywhere (to skip building it)."""
        return self.verbose >= tier or self.logger.isEnabledFor(_LEVELS[tier])


class RunLog:
    """What one ``fit`` of a search says, for the engine's loop.

    Parameters
    ----------
    search : BaseSearch
        Describes its plan, trials and policy events (``_describe_plan``,
        ``_describe_trial``, ``_describe_event``) and names the metric whose
        best is followed (``_log_metric``).
    n_splits : int
    planned : int or None
        Trials planned (None: not known in advance).
    """

    def __init__(self, search, n_splits, planned):
        self.search = search
        self.name = type(search).__name__
        self.say = Say("skhpo.search", self.name, search.verbose)
        self.engine = Say("skhpo.engine", self.name, 0)
        self.n_splits = n_splits
        self.planned = planned
        self.started = time.monotonic()
        self.done = self.n_replayed = 0
        self.n_fits = self.n_failed = 0
        self.best = None  # (resource, score, row description)

    # ------------------------------------------------------------ stages
    def begin(self):
        self.say(PLAN, self.search._describe_plan(self.n_splits, self.planned))

    def resumed(self, n):
        if n:
            self.say(
                PLAN,
                f"[{self.name}] resumed: {plural(n, 'evaluation')} read back "
                "from storage",
            )

    def event(self, event):
        message = self.search._describe_event(event)
        if message:
            self.say(PLAN, f"[{self.name}] {message}")

    def end(self, results, stopped=False, expired=False):
        elapsed = duration(time.monotonic() - self.started)
        how = (
            " (a callback asked it to stop)"
            if stopped
            else " (max_time ended it)"
            if expired
            else ""
        )
        failed = f", {self.n_failed} failed" if self.n_failed else ""
        best = (
            "no finite score"
            if self.best is None
            else f"best {self._metric()}={self.best[1]:.4f}: {self.best[2]}"
        )
        self.say(
            PLAN,
            f"[{self.name}] done in {elapsed}{how}: "
            f"{plural(len(results), 'evaluation')}, {plural(self.n_fits, 'fit')}"
            f"{failed}; {best}",
        )

    # ---------------------------------------------------------- events
    def asked(self, trial):
        if self.say.wanted(FIT):
            source = (trial.extra or {}).get("proposed_by")
            by = f" by {source}" if source else ""
            self.say(
                FIT,
                f"[{self.name}] {self.search._describe_trial(trial)} "
                f"proposed{by}: {params_text(trial.params)}",
            )

    def fold(self, trial, fold, output, params):
        """One fit finished: scikit-learn's ``[CV k/n] END`` line."""
        self.n_fits += 1
        if output["fit_error"] is not None:
            self.n_failed += 1
        if not self.say.wanted(FIT):
            return
        total = output["fit_time"] + output["score_time"]
        start = f"[CV {fold + 1}/{self.n_splits}] END "
        result = params_text(params)
        result += ";" if result else ""
        test, train = output["test_scores"], output.get("train_scores")
        if isinstance(test, dict):
            for name in sorted(test):
                result += f" {name}: ("
                if train is not None:
                    result += f"train={train[name]:.3f}, "
                result += f"test={test[name]:.3f})"
        else:
            result += ", score="
            if train is not None:
                result += f"(train={train:.3f}, test={test:.3f})"
            else:
                result += f"{test:.3f}"
        if output.get("status") not in (None, "ok"):
            result += f" [{output['status'].replace('_', ' ')}]"
        result += f" total time={joblib_logger.short_format_time(total)}"
        self.say(FIT, start + "." * (80 - len(start) - len(result)) + result)

    def told(self, trial, result, replayed=False):
        """A trial finished (or was read back from a journal: ``replayed``):
        its score and the best so far."""
        self.done += 1
        score = self._score(result)
        resource = (trial.extra or {}).get("n_resources", 0)
        what = self.search._describe_trial(trial)
        if np.isfinite(score) and (
            self.best is None or (resource, score) > self.best[:2]
        ):
            self.best = (resource, score, what)
        if replayed:
            self.n_replayed += 1
            self.n_fits += len(result.out)
            self.n_failed += sum(o["fit_error"] is not None for o in result.out)
            return
        if not self.say.wanted(CANDIDATE):
            return
        elapsed = time.monotonic() - self.started
        count = f"{self.done}" + ("" if self.planned is None else f"/{self.planned}")
        # the candidate's compute: its folds' fits and scores, summed
        took = sum(o["fit_time"] + o["score_time"] for o in result.out)
        if np.isfinite(score):
            text = f"{score:.4f}"
        else:  # a failure, or a metric a callable scoring does not return
            text = "failed" if result.failed else "n/a"
        best = "" if self.best is None else f" (best {self.best[1]:.4f})"
        left = ""
        ran = self.done - self.n_replayed  # this run's pace
        if self.planned is not None and self.done < self.planned and ran:
            rest = elapsed / ran * (self.planned - self.done)
            left = f", ~{duration(rest)} left"
        self.say(
            CANDIDATE,
            f"[{self.name} {count}] END {what}: {params_text(result.params)}; "
            f"{self._metric()}={text}{best} total time={duration(took)}; "
            f"{duration(elapsed)} elapsed{left}",
        )

    def lost(self, trial, fold):
        self.engine(
            PLAN,
            f"[{self.name}] the worker running trial {trial.id}, fold {fold} was "
            "lost: the fit is sent again",
        )

    def stalled(self, trial):
        self.engine(
            PLAN,
            f"[{self.name}] trial {trial.id} runs far longer than the others; "
            "the search goes on around it where it can",
        )

    # ------------------------------------------------------------ scores
    def _metric(self):
        return self.search._log_metric() or "score"

    def _score(self, result):
        scores = result.test_scores()
        metric = self._metric()
        if isinstance(scores, dict) and metric not in scores:
            return np.nan  # a callable scoring's metrics, not yet known
        return result.mean_test(metric)
