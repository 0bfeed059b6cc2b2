"""The abstract :class:`Dimension`: one searched hyperparameter."""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._utils import (
    as_unit_array,
    check_generator,
    check_n,
    check_scale,
    fmt,
    safe_equal,
)


class Dimension(ABC):
    """Base class of the dimensions of a search space.

    A dimension knows its values three ways: *native* values (what reaches
    the estimator: plain Python ``int``/``float``/``str`` or the listed
    object), *unit* values in [0, 1] (for quasi-random designs; ``from_unit``
    maps them in the measure of the prior) and the *model encoding* of width
    :attr:`n_features` in [0, 1] (what a surrogate model sees).

    Dimensions are immutable after construction; they are picklable (they
    pickle as their constructor arguments), compare equal when their
    constructor arguments are equal, and their ``repr`` shows the arguments
    that differ from the defaults.

    Attributes
    ----------
    name : str or None
        Optional name, kept for scikit-optimize compatibility. A search space
        names its dimensions by their dict keys; this name is informative only.

    See Also
    --------
    Real : A range of real numbers.
    Integer : A range of integers.
    Categorical : A finite list of values of any kind.
    Distribution : A scipy.stats distribution or any object with ``rvs``.
    check_dimension : What a user writes for one parameter, as a dimension.

    Notes
    -----
    The constructor validates its arguments but, as scikit-learn estimators
    do, does not raise: an invalid dimension raises its error (e.g.
    ``ValueError("Real: low=1.0 must be < high=1.0")``) when it is used, and
    :func:`~skhpo.space.check_space` raises it at ``fit`` with the parameter
    named (``"param_distributions['C']: low=1.0 must be < high=1.0"``). So a
    search can be built, cloned and printed with any arguments, and every
    error names the parameter it comes from.

    Subclasses implement ``_setup`` (validate and precompute) and the private
    ``_rvs``, ``_from_unit``, ``_to_unit``, ``_neighbor``, ``_contains`` (and
    ``_grid``, ``_transform`` where needed); the public methods validate the
    inputs once, here.

    Examples
    --------
    Every dimension has the same methods; here on a range of integers:

    >>> import numpy as np
    >>> from skhpo.space import Dimension, Integer
    >>> dim = Integer(1, 10)
    >>> isinstance(dim, Dimension)
    True
    >>> dim.rvs(3, np.random.default_rng(0))
    [7, 3, 1]
    >>> dim.from_unit([0.0, 0.5, 1.0])
    [1, 6, 10]
    >>> dim.to_unit([1, 10])
    array([0.05, 0.95])
    >>> dim.transform([1, 10]).shape
    (2, 1)
    >>> dim.neighbors(5, np.random.default_rng(0), scale=0.1, n=4)
    [6, 4, 6, 6]
    >>> dim.contains(11), dim.cardinality
    (False, 10)
    >>> Integer(1, 3).grid()
    [1, 2, 3]
    """

    name: str | None
    _error: Exception | None = None

    # -- construction, immutability, validity ------------------------------------
    def _finish_init(self, setup: Callable[[], None]) -> None:
        """Run ``setup``, keep its validation error if any, then freeze."""
        try:
            setup()
        except (TypeError, ValueError) as exc:
            object.__setattr__(self, "_error", exc)
        object.__setattr__(self, "_frozen", True)

    def _check_valid(self, where: str | None = None) -> None:
        """Raise the construction error, prefixed by ``where`` or the class name."""
        if self._error is not None:
            prefix = type(self).__name__ if where is None else where
            raise type(self._error)(f"{prefix}: {self._error}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(
                f"{type(self).__name__} is immutable: cannot set {key!r}; "
                "create a new dimension instead"
            )
        object.__setattr__(self, key, value)

    def __delattr__(self, key: str) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} is immutable")
        object.__delattr__(self, key)

    @abstractmethod
    def _get_args(self) -> dict[str, Any]:
        """Constructor arguments, in the constructor's order."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), tuple(self._get_args().values()))

    def __repr__(self) -> str:
        params = inspect.signature(type(self).__init__).parameters
        parts = []
        for key, value in self._get_args().items():
            default = params[key].default
            if default is inspect.Parameter.empty or not safe_equal(value, default):
                parts.append(f"{key}={fmt(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dimension):
            return NotImplemented
        if type(other) is not type(self):
            return False
        mine, theirs = self._get_args(), other._get_args()
        return all(safe_equal(mine[key], theirs[key]) for key in mine)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))

    # -- description ------------------------------------------------------------
    @property
    def n_features(self) -> int:
        """Width of the model encoding returned by :meth:`transform`."""
        self._check_valid()
        return self._n_features()

    @property
    def cardinality(self) -> int | None:
        """Number of distinct values if finite, else None."""
        self._check_valid()
        return self._cardinality()

    @property
    def is_numeric(self) -> bool:
        """Whether the values are numbers on an ordered scale."""
        self._check_valid()
        return self._is_numeric()

    def _n_features(self) -> int:
        return 1

    @abstractmethod
    def _cardinality(self) -> int | None: ...

    @abstractmethod
    def _is_numeric(self) -> bool: ...

    # -- the API used by the searches -------------------------------------------
    def rvs(self, n: int, rng: np.random.Generator) -> list[Any]:
        """Draw ``n`` values from the prior.

        Parameters
        ----------
        n : int
            Number of draws.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is also accepted).

        Returns
        -------
        values : list
            Plain Python values (or the listed objects), length ``n``.
        """
        self._check_valid()
        return self._rvs(check_n(n), check_generator(rng))

    def from_unit(self, u: ArrayLike) -> list[Any]:
        """Map unit-interval values to native values, in the prior's measure.

        Parameters
        ----------
        u : array-like of shape (n,)
            Values in [0, 1] (values outside are clipped).

        Returns
        -------
        values : list
            Native values, length ``n``.
        """
        self._check_valid()
        return self._from_unit(as_unit_array(u))

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        """Map native values to [0, 1]; the inverse of :meth:`from_unit`.

        Finite dimensions return the centre of the value's cell, so that
        ``from_unit(to_unit(v)) == v``.

        Parameters
        ----------
        values : sequence of length n
            Native values.

        Returns
        -------
        u : ndarray of shape (n,)
            The values' positions in [0, 1], in the prior's measure (the
            centre of the value's cell for a finite dimension).
        """
        self._check_valid()
        return self._to_unit(list(values))

    def transform(self, values: Sequence[Any]) -> np.ndarray:
        """Encode native values for a model, in [0, 1].

        Parameters
        ----------
        values : sequence of length n
            Native values.

        Returns
        -------
        X : ndarray of shape (n, n_features)
            The encoding: one column, the unit value (log-warped for a
            log-uniform prior), for every dimension but a
            :class:`Categorical`, whose values are encoded by their index
            (one or two categories) or one-hot.
        """
        self._check_valid()
        return self._transform(list(values))

    def neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        """Return a value near ``value``, for local search.

        Parameters
        ----------
        value : object
            A native value of this dimension.
        rng : numpy.random.Generator
            Source of randomness.
        scale : float
            Size of the move, as a standard deviation in unit space.

        Returns
        -------
        value : object
            The new native value.
        """
        self._check_valid()
        return self._neighbor(value, check_generator(rng), check_scale(scale))

    def neighbors(
        self, value: Any, rng: np.random.Generator, scale: float, n: int
    ) -> list[Any]:
        """``n`` independent draws of :meth:`neighbor`, at once.

        Parameters
        ----------
        value : object
            A native value of this dimension.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is also accepted).
        scale : float
            Size of the moves, as a standard deviation in unit space.
        n : int
            Number of draws.

        Returns
        -------
        values : list
            ``n`` native values near ``value``.
        """
        self._check_valid()
        return self._neighbors(
            value, check_generator(rng), check_scale(scale), check_n(n)
        )

    def _neighbors(
        self, value: Any, rng: np.random.Generator, scale: float, n: int
    ) -> list[Any]:
        # one at a time unless a dimension draws them together
        return [self._neighbor(value, rng, scale) for _ in range(n)]

    def grid(self) -> list[Any]:
        """All values, in order (only when :attr:`cardinality` is finite).

        Returns
        -------
        values : list
            Every value once, in the dimension's order: the integers from
            ``low`` to ``high``, the categories as listed, a discrete
            distribution's support.

        Raises
        ------
        ValueError
            If the dimension has infinitely many values.
        """
        if self.cardinality is None:
            raise ValueError(f"{self!r} has infinitely many values and no grid")
        return self._grid()

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a value of this dimension.

        Parameters
        ----------
        value : object
            Any object.

        Returns
        -------
        contained : bool
            True if ``value`` is a value of this dimension: a number within
            the bounds (an ``int`` for :class:`Integer`, an integer of the
            support for a discrete distribution, any number for a numeric
            ``rvs``-only object), or one of the categories (of the distinct
            draws for a non-numeric ``rvs``-only object).
        """
        self._check_valid()
        return self._contains(value)

    @abstractmethod
    def _rvs(self, n: int, rng: np.random.Generator) -> list[Any]: ...

    @abstractmethod
    def _from_unit(self, u: np.ndarray) -> list[Any]: ...

    @abstractmethod
    def _to_unit(self, values: list[Any]) -> np.ndarray: ...

    def _transform(self, values: list[Any]) -> np.ndarray:
        return self._to_unit(values).reshape(-1, 1)

    @abstractmethod
    def _neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any: ...

    def _grid(self) -> list[Any]:
        raise NotImplementedError

    @abstractmethod
    def _contains(self, value: Any) -> bool: ...

    # Codes: the acquisition optimiser moves many candidates around without
    # building a dict per candidate. A dimension's *codes* are a 1-D array
    # standing for its values (the values themselves in an object array
    # unless a dimension has a cheaper form: floats, integers, category
    # indices). Each ``_*_codes`` method draws from ``rng`` exactly what its
    # value counterpart draws, so both give the same candidates.

    def _to_codes(self, values: Sequence[Any]) -> np.ndarray:
        codes = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):  # no broadcasting of tuple values
            codes[i] = value
        return codes

    def _from_codes(self, codes: np.ndarray) -> list[Any]:
        return list(codes)

    def _encode_codes(self, codes: np.ndarray) -> np.ndarray:
        """:meth:`transform` of the values the codes stand for."""
        return self._transform(self._from_codes(codes))

    def _rvs_codes(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._to_codes(self._rvs(n, rng))

    def _neighbors_codes(
        self, codes: np.ndarray, rng: np.random.Generator, scale: float
    ) -> np.ndarray:
        """One neighbour of each start in ``codes``; a run of one start
        repeated draws as :meth:`neighbors` of that start does."""
        out = np.empty(len(codes), dtype=object)
        i = 0
        while i < len(codes):
            j = i + 1
            while j < len(codes) and codes[j] is codes[i]:
                j += 1
            for t, value in enumerate(self._neighbors(codes[i], rng, scale, j - i)):
                out[i + t] = value
            i = j
        return out
