"""What the engine writes to a journal, and reads back to resume.

:class:`Record` is the engine's view of one scope of a journal
(:class:`~._journal.Scope`): trials as the policy made them, results as the
engine made them, encoded with :mod:`._codec` against the search space's
categories.
"""

from __future__ import annotations

import json

from ._codec import decode_params, dumps, encode_mapping, encode_params
from ._journal import JournalError

__all__ = ["Record"]


class Record:
    """One search's scope of a journal, as the engine writes and reads it.

    The engine (``skhpo._engine.Evaluator``) tells it what the policy
    asked, what finished and which kept models were released; a resumed search
    reads the events back to replay its policy. Parameter values are written
    as JSON (``skhpo.storage._codec``): plain values as themselves, other
    values by their index in the space's categories.

    Parameters
    ----------
    scope : Scope
        The search's scope of the journal, from :meth:`Journal.scope`.
    choices : dict of str to list
        Per parameter name, the values the search space lists (categories), by
        which values that are not plain numbers or strings are written.

    Attributes
    ----------
    scope : Scope
        The scope written to.
    choices : dict of str to list
        The categories of each parameter.

    See Also
    --------
    Journal : The journal the scope belongs to.

    Examples
    --------
    >>> import os, tempfile
    >>> from skhpo.schedulers import Trial
    >>> from skhpo.storage import Journal, Record
    >>> folder = tempfile.TemporaryDirectory()
    >>> journal = Journal.acquire(os.path.join(folder.name, "search.sqlite"))
    >>> scope = journal.scope(
    ...     "", search="BayesSearchCV", fingerprint={}, seed=0, planned=2, n_splits=3
    ... )
    >>> record = Record(scope, {"kernel": ["rbf", "linear"]})
    >>> record.setting("batch_size", 2), record.setting("batch_size", 4)
    (2, 2)
    >>> trial = Trial(0, {"C": 1.0, "kernel": "rbf"})
    >>> print(record.identity(trial))
    {"extra": {}, "params": {"C": 1.0, "kernel": "rbf"}, "parent": null,
     "start": 0, "stop": null}
    >>> record.asked(trial)
    >>> record.commit()
    >>> record.events()
    [('ask', 0)]
    >>> record.finish("stopped")
    >>> journal.release()
    >>> folder.cleanup()
    """

    def __init__(self, scope, choices):
        self.scope = scope
        self.choices = choices
        self._trials = None

    # ------------------------------------------------------------ writing
    def identity(self, trial):
        """The JSON text that identifies a trial: what the policy decided.

        Parameters
        ----------
        trial : skhpo.schedulers.Trial
            A trial of the search's policy.

        Returns
        -------
        text : str
            JSON of the trial's ``params`` (encoded against ``choices``),
            ``extra``, ``parent``, ``start`` and ``stop``, keys sorted.
        """
        return dumps(
            {
                "params": encode_mapping(trial.params, self.choices),
                "extra": encode_mapping(trial.extra or {}),
                "parent": trial.parent,
                "start": trial.start,
                "stop": trial.stop,
            }
        )

    def _extra(self, extra):
        return dumps(encode_mapping(extra or {}))

    def asked(self, trial):
        """Record that the policy asked for ``trial`` (written with the next commit).

        Parameters
        ----------
        trial : skhpo.schedulers.Trial
            The trial asked for.
        """
        self.scope.asked(trial.id, self.identity(trial))

    def stalled(self, trial):
        """Record that the policy was told ``trial`` stalls.

        Written with the next commit.

        Parameters
        ----------
        trial : skhpo.schedulers.Trial
            The trial that runs far longer than the others.
        """
        self.scope.stalled(trial.id)

    def released(self, trial_ids):
        """Record that the policy released these trials' kept models.

        The models are deleted from the journal with the next commit.

        Parameters
        ----------
        trial_ids : iterable of int
            The ids of the trials whose models no trial will continue.
        """
        self.scope.released(trial_ids)

    def told(self, trial, result, models=None):
        """Record that ``trial`` finished, at once, with everything pending.

        Parameters
        ----------
        trial : skhpo.schedulers.Trial
            The finished trial.
        result : CandidateResult
            Its evaluation: ``params``, the folds' outputs ``out`` (written
            without the fitted models), ``extra`` and ``ask_time``.
        models : list of bytes, default=None
            The models the policy keeps for a later trial to continue, one pickle
            per fold, or None.
        """
        folds = [{k: v for k, v in out.items() if k != "state"} for out in result.out]
        self.scope.told(
            trial.id,
            encode_params(result.params, self.choices),
            self._extra(result.extra),
            folds,
            result.ask_time,
            models,
        )

    def setting(self, name, value):
        """A setting the search resolved when it began, as first stored.

        Such as a default that depends on the number of workers: a resumed search
        keeps the value it began with.

        Parameters
        ----------
        name : str
            The setting's name, such as ``"batch_size"``.
        value : object
            Its value in this run (JSON-serialisable).

        Returns
        -------
        value : object
            ``value`` the first time, the stored one when resuming.
        """
        return self.scope.setting(name, value)

    def commit(self):
        """Write what is pending (asks, stalls, releases), in one transaction."""
        self.scope.commit()

    def finish(self, state):
        """Record how the search ended, after writing what is pending.

        Parameters
        ----------
        state : {"done", "stopped", "max_time"}
            ``"done"`` deletes the kept models; ``"stopped"`` (an interrupt or a
            callback) and ``"max_time"`` keep them, to resume.
        """
        self.scope.finish(state)

    # ------------------------------------------------------------ reading
    def events(self):
        """The committed events, in order.

        Returns
        -------
        events : list of (str, int)
            ``(kind, trial id)`` pairs, ``kind`` one of ``"ask"``, ``"tell"`` and
            ``"stall"``.
        """
        return self.scope.events()

    def check(self, trial):
        """Raise if the policy now asks for another trial than the journal recorded.

        Parameters
        ----------
        trial : skhpo.schedulers.Trial
            The trial the policy asks for, as ``trial.id``, while the search
            replays the journal.

        Raises
        ------
        JournalError
            If its :meth:`identity` differs from the recorded one: the search
            does not repeat its own decisions.
        """
        stored = self._stored()[trial.id]["trial"]
        now = self.identity(trial)
        if stored == now:
            return
        columns = [set(json.loads(text).get("extra", {})) for text in (stored, now)]
        if columns[0] != columns[1]:
            raise JournalError(
                f"storage={self.scope.journal.path!r}: the journal was written by "
                "a version of skhpo whose trials record other columns (stored: "
                f"{sorted(columns[0])}; now: {sorted(columns[1])}), so it cannot "
                "be resumed; load_results still reads it. Pass another path to "
                "start a new search."
            )
        raise JournalError(
            f"storage={self.scope.journal.path!r}: the search does not "
            f"repeat its own decisions. Trial {trial.id} was {stored}, "
            f"and is now {now}. A search resumes only when its decisions "
            "depend on its finished results alone (a fixed random_state, "
            "the same estimator and data); pass another path to start a "
            "new search."
        )

    def mismatch(self, trial_id, got):
        """The error for a policy that asks for another trial than the journal's next.

        Parameters
        ----------
        trial_id : int
            The id of the journal's next trial.
        got : int or str
            What the policy asks for instead: a trial id, or ``"nothing"``.

        Returns
        -------
        error : JournalError
            The error to raise, which says that the search does not repeat its
            own decisions.
        """
        return JournalError(
            f"storage={self.scope.journal.path!r}: the search does not repeat "
            f"its own decisions: the journal's next trial is {trial_id}, the "
            f"search now asks for {got}. A search resumes only when its "
            "decisions depend on its finished results alone; pass another "
            "path to start a new search."
        )

    def result(self, trial_id):
        """What a finished trial produced, as the journal holds it.

        Parameters
        ----------
        trial_id : int
            The id of a finished trial.

        Returns
        -------
        params : dict
            Its parameters, decoded against ``choices`` (the very categories
            listed in the space).
        out : list of dict
            Each fold's output: scores, times, error and status.
        extra : dict or None
            Its extra columns of ``cv_results_``.
        ask_time : float
            Seconds the policy took to choose it.
        """
        stored = self._stored()[trial_id]
        params = decode_params(stored["params"], self.choices)
        extra = decode_params(stored["extra"]) if stored["extra"] else None
        out = [dict(fold) for fold in stored["folds"]]
        return params, out, extra, stored["ask_time"]

    def models(self, trial_id):
        """The kept models of a trial.

        Parameters
        ----------
        trial_id : int
            The id of a trial whose models the policy keeps.

        Returns
        -------
        models : list of bytes
            One pickle per fold, in fold order.
        """
        return self.scope.models(trial_id)

    def _stored(self):
        if self._trials is None:
            self._trials = self.scope.trials()
        return self._trials

    def forget_reads(self):
        """Drop what was read for the replay."""
        self._trials = None
