"""All dimensions in one place, and :func:`check_dimension`.

Each dimension lives in its own module (``_numeric``, ``_categorical``,
``_distribution``, the base class in ``_base``); this module gathers them
and turns what a user writes for one parameter into a :class:`Dimension`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._base import Dimension
from ._categorical import Categorical
from ._distribution import Distribution
from ._numeric import Integer, Real

__all__ = [
    "Categorical",
    "Dimension",
    "Distribution",
    "Integer",
    "Real",
    "check_dimension",
]


def check_dimension(
    obj: Any, name: str, *, param_name: str = "param_distributions"
) -> Dimension:
    """Turn the specification of one parameter into a :class:`Dimension`.

    Parameters
    ----------
    obj : Dimension, list, tuple, 1-d ndarray or object with ``rvs``
        A dimension is returned as is; a list, tuple or 1-d array of values
        becomes a :class:`Categorical` (a 2-tuple of numbers is two
        categories, as in scikit-learn, not a range); a scipy.stats
        distribution or any object with an ``rvs`` method becomes a
        :class:`Distribution`.
    name : str
        The parameter's name, for error messages.
    param_name : str, default="param_distributions"
        How the searched space is called in error messages: errors read
        ``"{param_name}['{name}']: ..."``.

    Returns
    -------
    dimension : Dimension

    Raises
    ------
    ValueError, TypeError
        If ``obj`` is none of the accepted kinds (e.g. a single value), or the
        dimension is invalid (an empty list, a 2-d array, ``Real(1, 1)``...).
        The message starts with ``"{param_name}['{name}']"``.

    Examples
    --------
    >>> from skhpo.space import check_dimension
    >>> check_dimension(["rbf", "linear"], "kernel")
    Categorical(categories=('rbf', 'linear'))
    """
    where = f"{param_name}[{name!r}]"
    if isinstance(obj, Dimension):
        dimension = obj
    elif callable(getattr(obj, "rvs", None)):
        dimension = Distribution(obj)
    elif isinstance(obj, (Sequence, np.ndarray)) and not isinstance(obj, (str, bytes)):
        dimension = Categorical(obj)
    else:
        raise TypeError(
            f"{where} needs to be a list, a tuple, a numpy array, a scipy.stats "
            "distribution (or any object with an rvs method) or a skhpo.space "
            f"dimension, but got {obj!r} (of type {type(obj).__name__}) instead. "
            "Single values need to be wrapped in a list with one element."
        )
    dimension._check_valid(where)
    return dimension
