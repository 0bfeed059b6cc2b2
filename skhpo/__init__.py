"""Drop-in scikit-learn hyperparameter searches."""

from ._objectives import best_under, knee_point, weighted
from ._version import __version__
from .importance import diagnose, reevaluate
from .nested import NestedCV
from .search import BayesSearchCV, HyperbandSearchCV, PBTSearchCV
from .space import Categorical, Integer, Real
from .storage import load_results

__all__ = [
    "BayesSearchCV",
    "HyperbandSearchCV",
    "NestedCV",
    "PBTSearchCV",
    "Categorical",
    "Integer",
    "Real",
    "best_under",
    "diagnose",
    "knee_point",
    "load_results",
    "reevaluate",
    "weighted",
    "__version__",
]
