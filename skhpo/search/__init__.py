"""The public searches, one module each."""

from .bayes import BayesSearchCV
from .hyperband import HyperbandSearchCV
from .pbt import PBTSearchCV

__all__ = ["BayesSearchCV", "HyperbandSearchCV", "PBTSearchCV"]
