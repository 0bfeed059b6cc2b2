"""The scikit-learn internals skhpo relies on, imported in one place.

scikit-learn's searches are built from these helpers; reusing them keeps
skhpo's scoring, splitting and metadata handling identical to theirs. Should one
move between scikit-learn releases, this is the only file to change.
"""

import warnings
from contextlib import contextmanager

from sklearn.metrics._scorer import _MultimetricScorer as MultimetricScorer
from sklearn.model_selection._validation import _score as score
from sklearn.utils._param_validation import Interval
from sklearn.utils.metaestimators import _safe_split as safe_split
from sklearn.utils.validation import _check_method_params as check_method_params

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin

    HAS_CALLBACKS = True
except ImportError:  # pragma: no cover - older scikit-learn

    class CallbackSupportMixin:
        """Before scikit-learn 1.9: no callbacks."""

    HAS_CALLBACKS = False


@contextmanager
def propagate_callbacks(callback_ctx, estimator):
    """Hand the callbacks of ``callback_ctx`` to ``estimator`` for its fit,
    as scikit-learn's searches do.

    An estimator that does not support callbacks (or a step of a Pipeline
    that does) gets none, without scikit-learn's warning: a search would give
    it at every fit, in every worker. The filter holds inside the fit only
    (before Python 3.14, warning filters are shared by a process's threads:
    with the threading backend it may briefly hide that warning elsewhere).
    """
    if not hasattr(estimator, "set_callbacks"):
        yield
        return
    with callback_ctx.propagate_callback_context(estimator):
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore",
                message=r"The estimator \w+ does not support callbacks",
                category=UserWarning,
            )
            yield


__all__ = [
    "HAS_CALLBACKS",
    "CallbackSupportMixin",
    "Interval",
    "MultimetricScorer",
    "check_method_params",
    "propagate_callbacks",
    "safe_split",
    "score",
]
