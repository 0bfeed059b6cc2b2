"""Drop-in scikit-learn hyperparameter searches."""

from ._version import __version__
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
    "load_results",
    "__version__",
]
