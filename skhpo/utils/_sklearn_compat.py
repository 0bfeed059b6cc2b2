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
import threading
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
    from sklearn.callback import AutoPropagatedCallback, CallbackSupportMixin

    HAS_CALLBACKS = True
except ImportError:  # pragma: no cover - older scikit-learn

    class CallbackSupportMixin:
        """Before scikit-learn 1.9: no callbacks."""

    AutoPropagatedCallback = ()

    HAS_CALLBACKS = False


@contextmanager
def propagate_callbacks(callback_ctx, estimator):
    """Hand the callbacks of ``callback_ctx`` to ``estimator`` for its fit,
    as scikit-learn's searches do.

    An estimator that does not support callbacks (or a step of a Pipeline
    that does) gets none, without scikit-learn's warning: a search would give
    it at every fit, in every worker. The warning is filtered only where
    there are callbacks to hand on, and only in a process's main thread (a
    worker process, or the driver itself): before Python 3.14 a thread
    cannot change warning filters without changing them for all others.
    """
    if not hasattr(estimator, "set_callbacks"):
        yield
        return
    with callback_ctx.propagate_callback_context(estimator):
        if not (_hands_on(callback_ctx) and _in_main_thread()):
            yield
            return
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore",
                message=r"The estimator \w+ does not support callbacks",
                category=UserWarning,
            )
            yield


def _hands_on(callback_ctx):
    """Whether ``callback_ctx`` propagates callbacks to the estimator it fits
    (scikit-learn's rule in ``propagate_callback_context``)."""
    depth = getattr(callback_ctx, "_propagation_depth", 0)
    return any(
        isinstance(callback, AutoPropagatedCallback)
        and (
            callback.max_propagation_depth is None
            or depth < callback.max_propagation_depth
        )
        for callback in getattr(callback_ctx, "_callbacks", ())
    )


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()


def has_callbacks(estimator):
    """Whether ``estimator`` will call any callback in its fit: its own, or
    those of a meta-estimator that handed it its context."""
    if getattr(estimator, "_skl_callbacks", None):
        return True
    parent = getattr(estimator, "_parent_callback_ctx", None)
    return parent is not None and bool(getattr(parent, "_callbacks", None))


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
    "has_callbacks",
    "check_multimetric_scoring",
    "fit_context",
    "num_samples",
    "propagate_callbacks",
    "routing_enabled",
    "safe_split",
    "score",
    *_LAZY,
]
