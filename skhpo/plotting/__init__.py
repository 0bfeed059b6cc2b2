"""Displays in scikit-learn's style; matplotlib (the ``plot`` extra) is imported
only when something is drawn.

- :class:`ImportanceDisplay`: bars of the importance shares.
- :class:`MarginalDisplay`: the score against each hyperparameter.
- :class:`HistoryDisplay`: each candidate's score and the best so far, with
  its data function :func:`search_history`.
"""

from ._history import HistoryDisplay, search_history
from ._importance import ImportanceDisplay, MarginalDisplay

__all__ = ["HistoryDisplay", "ImportanceDisplay", "MarginalDisplay", "search_history"]
