"""Drop-in scikit-learn hyperparameter searches."""

from .nested import NestedCV
from .search import BayesSearchCV, HyperbandSearchCV, PBTSearchCV
from .space import Categorical, Integer, Real

__version__ = "0.1.0"

__all__ = [
    "BayesSearchCV",
    "HyperbandSearchCV",
    "NestedCV",
    "PBTSearchCV",
    "Categorical",
    "Integer",
    "Real",
    "__version__",
]
