"""Drop-in scikit-learn hyperparameter searches."""

from .importance import diagnose, reevaluate
from .nested import NestedCV
from .search import BayesSearchCV, HyperbandSearchCV, PBTSearchCV
from .space import Categorical, Integer, Real
from .storage import load_results

__version__ = "0.1.0"

__all__ = [
    "BayesSearchCV",
    "HyperbandSearchCV",
    "NestedCV",
    "PBTSearchCV",
    "Categorical",
    "Integer",
    "Real",
    "diagnose",
    "load_results",
    "reevaluate",
    "__version__",
]
