"""When and where each fit ran: one bar per fit, one row per worker."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._log import plural
from ..importance._inputs import _LABELS, read_cv_results
from ._base import (
    check_frame,
    check_matplotlib_support,
    figure_axes,
    label_inches,
)

#: How each status is drawn: (colour, hatch, legend label), in legend order.
_STYLES = {
    "ok": ("C0", None, "ok"),
    "failed": ("C3", "xxx", "failed"),
    "timed_out": ("C1", "///", "timed out"),
    "lost": ("0.6", "...", "lost"),
}
#: The row of the folds that no worker's result came back from.
NO_WORKER = "(no result)"
_COLUMNS = ("start_time", "end_time", "worker", "status")


def _n_splits(results, who: str) -> int:
    k = 0
    while all(f"split{k}_{c}" in results for c in _COLUMNS):
        k += 1
    if k == 0:
        present = sorted(str(c) for c in results if str(c).endswith("_time"))
        raise ValueError(
            f"{who}: the timeline needs skhpo's timing columns in cv_results_ "
            "(split{k}_start_time, split{k}_end_time, split{k}_worker and "
            "split{k}_status, written by skhpo's searches); these results have "
            f"none (their time columns: {present}). scikit-learn's searches "
            "record how long fits took, not when and where they ran."
        )
    return k


def search_timeline(search_or_cv_results):
    """When and on which worker each fit of a search ran.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A fitted skhpo search, or its ``cv_results_``: they hold, per fold
        ``k``, ``split{k}_start_time`` and ``split{k}_end_time`` (seconds
        since the search started), ``split{k}_worker`` and
        ``split{k}_status``.

    Returns
    -------
    timeline : pandas.DataFrame
        One row per fit (candidate and fold), in order of start: ``candidate``
        (the row's label in ``cv_results_``), ``split``, ``worker`` (None when
        no worker's result came back), ``start``, ``end``, ``duration`` and
        ``status`` (``"ok"``, ``"failed"``, ``"timed_out"`` or ``"lost"``).
        ``timeline.attrs`` holds:

        - ``"workers"``: the workers in order of their first fit;
        - ``"busy"``: seconds the workers spent in fits (the fits with a
          worker and both times);
        - ``"span"``: seconds from the search's start to the last fit's end;
        - ``"utilisation"``: ``busy / (n_workers * span)``, the share of the
          workers' time spent in fits (start-up and the driver's own work
          count as idle); NaN when nothing ran.

    Raises
    ------
    ValueError
        If the results have no timing columns, such as the ``cv_results_``
        of scikit-learn's own searches.

    See Also
    --------
    TimelineDisplay : Draws the timeline.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.plotting import search_timeline
    >>> results = {
    ...     "params": [{"C": 1.0}, {"C": 10.0}],
    ...     "mean_test_score": np.array([0.9, np.nan]),
    ...     "split0_start_time": np.array([0.0, 0.0]),
    ...     "split0_end_time": np.array([2.0, 1.0]),
    ...     "split0_worker": np.array(["h:1", "h:2"], dtype=object),
    ...     "split0_status": np.array(["ok", "failed"], dtype=object),
    ... }
    >>> timeline = search_timeline(results)
    >>> timeline[["candidate", "worker", "start", "end", "status"]]
       candidate worker  start  end  status
    0          0    h:1    0.0  2.0      ok
    1          1    h:2    0.0  1.0  failed
    >>> float(timeline.attrs["utilisation"])  # 3 busy seconds of 2 x 2
    0.75
    """
    who = "search_timeline"
    results, _ = read_cv_results(search_or_cv_results, who)
    n_splits = _n_splits(results, who)
    labels = np.asarray(results[_LABELS])
    n = len(labels)
    parts = []
    for k in range(n_splits):
        workers = [
            None if w is None or (isinstance(w, float) and np.isnan(w)) else str(w)
            for w in np.asarray(results[f"split{k}_worker"], dtype=object)
        ]
        parts.append(
            pd.DataFrame(
                {
                    "candidate": labels,
                    "split": np.full(n, k),
                    "worker": pd.Series(workers, dtype=object),
                    "start": np.asarray(results[f"split{k}_start_time"], dtype=float),
                    "end": np.asarray(results[f"split{k}_end_time"], dtype=float),
                    "status": pd.Series(
                        [str(s) for s in results[f"split{k}_status"]], dtype=object
                    ),
                }
            )
        )
    timeline = pd.concat(parts, ignore_index=True)
    timeline["duration"] = timeline["end"] - timeline["start"]
    timeline = timeline.sort_values(
        ["start", "candidate", "split"], kind="stable", na_position="last"
    ).reset_index(drop=True)
    timeline = timeline[
        ["candidate", "split", "worker", "start", "end", "duration", "status"]
    ]
    timed = np.isfinite(timeline["start"]) & np.isfinite(timeline["end"])
    on_worker = timed & timeline["worker"].notna()
    workers = list(dict.fromkeys(timeline.loc[on_worker, "worker"]))
    busy = float(timeline.loc[on_worker, "duration"].sum())
    span = float(timeline.loc[timed, "end"].max()) if timed.any() else 0.0
    utilisation = busy / (len(workers) * span) if workers and span > 0 else np.nan
    timeline.attrs.update(
        workers=workers, busy=busy, span=span, utilisation=float(utilisation)
    )
    return timeline


def _worker_labels(workers: list[str]) -> tuple[list[str], str | None]:
    """Labels of the worker rows, and the host when all share one."""
    hosts = {w.split(":", 1)[0] for w in workers if ":" in w}
    if len(hosts) == 1 and all(":" in w for w in workers):
        host = hosts.pop()
        return [w.split(":", 1)[1] for w in workers], host
    return list(workers), None


class TimelineDisplay:
    """Each fit as a bar on its worker's row, from the search's start.

    Shows whether the workers were kept busy, where they waited (on the
    driver, on a slow fit, on a synchronisation point such as the end of a
    rung or a generation) and which fits failed, timed out or were lost.
    Create it with :meth:`from_search`; the constructor only stores the
    data.

    Parameters
    ----------
    timeline : pandas.DataFrame
        What :func:`search_timeline` returns.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    bars_ : dict of str to matplotlib BarContainer
        The bars of each status drawn, in the order of the timeline's rows of
        that status that have both times.
    rows_ : list of str
        The worker of each row of the plot, from the top; a last row
        ``"(no result)"`` holds the fits no worker's result came back from.
    utilisation_ : float
        ``busy / (n_workers * span)``, as in :func:`search_timeline`.

    See Also
    --------
    search_timeline : The data.
    HistoryDisplay : The scores against the same clock.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV, Real
    >>> from skhpo.plotting import TimelineDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=6, cv=3,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> display = TimelineDisplay.from_search(search)
    >>> len(display.bars_["ok"])  # one bar per fit: 6 candidates x 3 folds
    18
    """

    def __init__(self, timeline):
        self.timeline = timeline

    @classmethod
    def from_search(cls, search_or_cv_results, *, ax=None):
        """Plot the timeline of a fitted skhpo search or of its ``cv_results_``.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A fitted skhpo search, or its ``cv_results_``.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : TimelineDisplay
            The display, drawn (see :meth:`plot`).
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        return cls(search_timeline(search_or_cv_results)).plot(ax=ax)

    def plot(self, ax=None):
        """Draw one bar per fit, coloured (and hatched) by status.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : TimelineDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        t = self.timeline
        needed = {"worker", "start", "end", "status"}
        check_frame(t, needed, "search_timeline", who, ("workers",))
        workers = list(t.attrs["workers"])
        drawn = t[np.isfinite(t["start"]) & np.isfinite(t["end"])]
        rows = workers + ([NO_WORKER] if drawn["worker"].isna().any() else [])
        labels, host = _worker_labels(workers)
        labels += [NO_WORKER] * (len(rows) - len(workers))
        size = (max(6.4, 4.5 + label_inches(labels)), 1.4 + 0.3 * len(rows))
        fig, (ax,) = figure_axes(ax, size=size, who=who)
        y_of = {w: len(rows) - 1 - i for i, w in enumerate(rows)}
        row = drawn["worker"].map(lambda w: y_of[NO_WORKER if w is None else w])
        self.bars_ = {}
        statuses = list(_STYLES) + sorted(set(drawn["status"]) - set(_STYLES))
        for k, status in enumerate(statuses):
            these = drawn[drawn["status"] == status]
            if these.empty:
                continue
            colour, hatch, label = _STYLES.get(
                status, (f"C{4 + k % 6}", "\\\\\\", status)
            )
            self.bars_[status] = ax.barh(
                row[these.index],
                these["duration"],
                left=these["start"],
                height=0.8,
                color=colour,
                hatch=hatch,
                edgecolor="white" if hatch is None else "black",
                linewidth=0.3,
                label=f"{label} ({len(these)})",
            )
        ax.set_yticks([y_of[w] for w in rows], labels)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(left=0)
        ax.set_xlabel("seconds since the search started")
        # one host is not named: on a single machine its name says nothing
        # the reader needs (and a built page would show the build machine's)
        ax.set_ylabel("worker process" if host else "worker")
        self.utilisation_ = float(t.attrs.get("utilisation", np.nan))
        busy = (
            f"busy {self.utilisation_:.0%} of {t.attrs['span']:.3g} s"
            if np.isfinite(self.utilisation_)
            else "no fit timed"
        )
        ax.set_title(f"{plural(len(workers), 'worker')}, {busy}")
        if self.bars_:
            ax.legend(
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                fontsize="small",
                title="fits",
                title_fontsize="small",
            )
        self.ax_, self.figure_, self.rows_ = ax, fig, rows
        return self
