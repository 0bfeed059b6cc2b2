"""The scikit-learn internals skhpo relies on, imported in one place.

scikit-learn's searches are built from these helpers; reusing them keeps
skhpo's scoring, splitting, validation and metadata handling identical to
theirs. Should one move between scikit-learn releases, this is the only file
to change: every other module of skhpo imports them from here, under the
names below, and ``tests/test_layout.py`` fails when one imports a private
scikit-learn name or module itself.

The estimator base classes that tell which warm starts continue and which
hyperparameters may change mid-training (``BaseForest``, ``BaseSGD``, ...)
are imported on first use, as their modules are costly to import.
"""

import importlib
import re
import warnings
from contextlib import contextmanager

import sklearn
from sklearn.base import _fit_context as fit_context
from sklearn.metrics._scorer import (
    _check_multimetric_scoring as check_multimetric_scoring,
)
from sklearn.metrics._scorer import _MultimetricScorer as MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._validation import _score as score
from sklearn.utils._metadata_requests import _routing_enabled as routing_enabled
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import _safe_split as safe_split
from sklearn.utils.validation import _check_method_params as check_method_params
from sklearn.utils.validation import _num_samples as num_samples

SKLEARN_VERSION = tuple(
    int(part) for part in re.match(r"(\d+)\.(\d+)", sklearn.__version__).groups()
)

#: scikit-learn's error when ``cv.split`` and ``cv.get_n_splits`` disagree, in
#: the words of the installed release (its tests match them; 1.9 changed them)
INCONSISTENT_SPLITS = (
    "cv.split and cv.get_n_splits "
    + ("return" if SKLEARN_VERSION >= (1, 9) else "returned")
    + " inconsistent results. Expected {n_splits} splits, got {n_found}"
)

#: name here -> (module, name there), imported when first asked for
_LAZY = {
    "BaseDiscreteNB": ("sklearn.naive_bayes", "_BaseDiscreteNB"),
    "BaseForest": ("sklearn.ensemble._forest", "BaseForest"),
    "BaseHistGradientBoosting": (
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting",
        "BaseHistGradientBoosting",
    ),
    "BaseMultilayerPerceptron": (
        "sklearn.neural_network._multilayer_perceptron",
        "BaseMultilayerPerceptron",
    ),
    "BaseSGD": ("sklearn.linear_model._stochastic_gradient", "BaseSGD"),
}


def __getattr__(name):
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


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
    "BaseSearchCV",
    "CallbackSupportMixin",
    "HasMethods",
    "INCONSISTENT_SPLITS",
    "Interval",
    "MultimetricScorer",
    "SKLEARN_VERSION",
    "StrOptions",
    "check_method_params",
    "check_multimetric_scoring",
    "fit_context",
    "num_samples",
    "propagate_callbacks",
    "routing_enabled",
    "safe_split",
    "score",
    *_LAZY,
]
