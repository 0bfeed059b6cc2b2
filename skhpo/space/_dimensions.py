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
from ._skopt import from_skopt, refuse_range_tuple, skopt_class

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
        A dimension is returned as is; scikit-optimize's ``Real``,
        ``Integer`` and ``Categorical`` become skhpo's (same bounds, prior,
        base and categories); a list, tuple or 1-d array of values becomes a
        :class:`Categorical`, as in scikit-learn; a scipy.stats
        distribution or any object with an ``rvs`` method becomes a
        :class:`Distribution`. A tuple that scikit-optimize reads as a range,
        ``(low, high)`` or ``(low, high, prior)`` with numbers ``low`` and
        ``high``, is refused: write ``Integer(1, 32)`` or
        ``Real(1e-4, 1e-1, prior="log-uniform")`` for a range, a list for
        categories. Other tuples (strings, three numbers, tuples of tuples)
        are categories, for scikit-optimize too.
    name : str
        The parameter's name, for error messages.
    param_name : str, default="param_distributions"
        How the searched space is called in error messages: errors read
        ``"{param_name}['{name}']: ..."``.

    Returns
    -------
    dimension : Dimension
        ``obj`` itself if it is a dimension, else the dimension it stands
        for; checked valid.

    Raises
    ------
    ValueError, TypeError
        If ``obj`` is none of the accepted kinds (e.g. a single value), a
        range tuple, another scikit-optimize object, or the dimension is
        invalid (an empty list, a 2-d array, ``Real(1, 1)``...). The message
        starts with ``"{param_name}['{name}']"``.

    Examples
    --------
    >>> from skhpo.space import check_dimension
    >>> check_dimension(["rbf", "linear"], "kernel")
    Categorical(categories=('rbf', 'linear'))
    >>> check_dimension((1, 32), "n_neighbors")
    Traceback (most recent call last):
    ...
    ValueError: param_distributions['n_neighbors']: (1, 32) is a range for scikit-optimize but 2 categories for scikit-learn, so skhpo does not guess. Write Integer(1, 32) (from skhpo.space) for the range, or the list [1, 32] for the 2 values.
    """  # noqa: E501
    where = f"{param_name}[{name!r}]"
    skopt = None if isinstance(obj, Dimension) else skopt_class(obj)
    if isinstance(obj, Dimension):
        dimension = obj
    elif skopt is not None:
        dimension = from_skopt(obj, skopt, where)
    elif callable(getattr(obj, "rvs", None)):
        dimension = Distribution(obj)
    elif isinstance(obj, (Sequence, np.ndarray)) and not isinstance(obj, (str, bytes)):
        refuse_range_tuple(obj, where)
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
