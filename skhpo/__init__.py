"""Drop-in scikit-learn hyperparameter searches."""

from .search import BayesSearchCV
from .space import Categorical, Integer, Real

__version__ = "0.1.0"

__all__ = ["BayesSearchCV", "Categorical", "Integer", "Real", "__version__"]
