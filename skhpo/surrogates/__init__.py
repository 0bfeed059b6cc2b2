"""Surrogate models of the score as a function of the encoded hyperparameters."""

from ._gp import GaussianProcess

__all__ = ["GaussianProcess"]
