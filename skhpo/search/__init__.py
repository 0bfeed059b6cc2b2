"""The public searches, one module each."""

from .bayes import BayesSearchCV

__all__ = ["BayesSearchCV"]
