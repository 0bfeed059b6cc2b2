"""The public searches, one module each."""

from .bayes import BayesSearchCV
from .hyperband import HyperbandSearchCV

__all__ = ["BayesSearchCV", "HyperbandSearchCV"]
