"""What is searched: dimensions, sub-spaces and their unit-cube maps.

A user's ``param_distributions`` (a dict or a list of dicts of lists,
scipy.stats distributions or skhpo dimensions) becomes a
:class:`SearchSpace` through :func:`check_space`. Every dimension maps its
values to and from [0, 1] (for quasi-random designs), encodes them for a
model and proposes neighbours for local search.
"""

from ._dimensions import (
    Categorical,
    Dimension,
    Distribution,
    Integer,
    Real,
    check_dimension,
)
from ._space import INACTIVE_VALUE, SearchSpace, Space, check_space

__all__ = [
    "INACTIVE_VALUE",
    "Categorical",
    "Dimension",
    "Distribution",
    "Integer",
    "Real",
    "SearchSpace",
    "Space",
    "check_dimension",
    "check_space",
]
