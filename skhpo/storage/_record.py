"""What the engine writes to a journal, and reads back to resume.

:class:`Record` is the engine's view of one scope of a journal
(:class:`~._journal.Scope`): trials as the policy made them, results as the
engine made them, encoded with :mod:`._codec` against the search space's
categories.
"""

from __future__ import annotations

from ._codec import decode_params, dumps, encode_mapping, encode_params
from ._journal import JournalError

__all__ = ["Record"]


class Record:
    """One search's scope of a journal, for :class:`skhpo._engine.Evaluator`.

    Parameters
    ----------
    scope : skhpo.storage._journal.Scope
    choices : dict of str to list
        Per parameter name, the values the search space lists (categories), by
        which values that are not plain numbers or strings are written.
    """

    def __init__(self, scope, choices):
        self.scope = scope
        self.choices = choices
        self._trials = None

    # ------------------------------------------------------------ writing
    def identity(self, trial):
        """The JSON text that identifies a trial: what the policy decided."""
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
        self.scope.asked(trial.id, self.identity(trial))

    def stalled(self, trial):
        self.scope.stalled(trial.id)

    def released(self, trial_ids):
        self.scope.released(trial_ids)

    def told(self, trial, result, models=None):
        """``models``: one pickle (``bytes``) per fold, or None."""
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
        """``value``, or the one stored when the search began (see
        :meth:`~._journal.Scope.setting`)."""
        return self.scope.setting(name, value)

    def commit(self):
        self.scope.commit()

    def finish(self, state):
        self.scope.finish(state)

    # ------------------------------------------------------------ reading
    def events(self):
        return self.scope.events()

    def check(self, trial):
        """Raise if the policy now asks, as trial ``trial.id``, another trial
        than the journal recorded."""
        stored = self._stored()[trial.id]["trial"]
        now = self.identity(trial)
        if stored != now:
            raise JournalError(
                f"storage={self.scope.journal.path!r}: the search does not "
                f"repeat its own decisions. Trial {trial.id} was {stored}, "
                f"and is now {now}. A search resumes only when its decisions "
                "depend on its finished results alone (a fixed random_state, "
                "the same estimator and data); pass another path to start a "
                "new search."
            )

    def mismatch(self, trial_id, got):
        """The error when the policy asks for ``got`` (a trial id, or
        "nothing") where the journal's next trial is ``trial_id``."""
        return JournalError(
            f"storage={self.scope.journal.path!r}: the search does not repeat "
            f"its own decisions: the journal's next trial is {trial_id}, the "
            f"search now asks for {got}. A search resumes only when its "
            "decisions depend on its finished results alone; pass another "
            "path to start a new search."
        )

    def result(self, trial_id):
        """``(params, out, extra, ask_time)`` of a finished trial."""
        stored = self._stored()[trial_id]
        params = decode_params(stored["params"], self.choices)
        extra = decode_params(stored["extra"]) if stored["extra"] else None
        out = [dict(fold) for fold in stored["folds"]]
        return params, out, extra, stored["ask_time"]

    def models(self, trial_id):
        return self.scope.models(trial_id)

    def _stored(self):
        if self._trials is None:
            self._trials = self.scope.trials()
        return self._trials

    def forget_reads(self):
        """Drop what was read for the replay."""
        self._trials = None
