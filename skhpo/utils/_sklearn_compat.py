"""The scikit-learn internals skhpo relies on, imported in one place.

scikit-learn's searches are built from these helpers; reusing them keeps
skhpo's scoring, splitting and metadata handling identical to theirs. Should one
move between scikit-learn releases, this is the only file to change.
"""

from sklearn.metrics._scorer import _MultimetricScorer as MultimetricScorer
from sklearn.model_selection._validation import _score as score
from sklearn.utils.metaestimators import _safe_split as safe_split
from sklearn.utils.validation import _check_method_params as check_method_params

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin  # noqa: F401

    HAS_CALLBACKS = True
except ImportError:  # pragma: no cover - older scikit-learn
    HAS_CALLBACKS = False

__all__ = [
    "HAS_CALLBACKS",
    "MultimetricScorer",
    "check_method_params",
    "safe_split",
    "score",
]
