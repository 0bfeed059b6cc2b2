"""A finite list of arbitrary objects: :class:`Categorical`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._base import Dimension
from ._utils import check_common_args, safe_equal, to_python


class Categorical(Dimension):
    """A finite list of values of any kind: str, None, numbers, tuples, estimators.

    Values are encoded by their index in the list. A value is found by
    identity first (so the very listed object, e.g. an estimator, is always
    recognised), then by a ``==`` that never raises (numpy arrays compare
    with :func:`numpy.array_equal`; estimators of the same class with equal
    parameters are equal, so a clone is recognised too).

    Parameters
    ----------
    categories : list, tuple or 1-d numpy array
        The values, in order. numpy scalars are stored as plain Python
        scalars (``np.int64(3)`` becomes ``3``, ``np.str_("a")`` becomes
        ``"a"``); every other object is kept as is and returned as the very
        same object.
    prior : array-like of shape (n_categories,), default=None
        Probabilities of the categories for :meth:`rvs`; None means uniform.
        Only sampling uses it: :meth:`from_unit` gives every category an
        equal share of [0, 1].
    transform : str or None, default=None
        The name of a scikit-optimize transform; accepted and ignored.
    name : str or None, default=None
        Informative name (a search space uses its dict keys).

    Attributes
    ----------
    categories : tuple
        The values.

    See Also
    --------
    Real : A range of real numbers.
    Integer : A range of integers.
    check_dimension : A list of values becomes a ``Categorical``.

    Notes
    -----
    The model encoding is one-hot for more than two categories and a single
    0/1 column (the index) for one or two. :meth:`neighbor` returns another
    category, drawn uniformly, with probability ``min(1, 2 * scale)``, else
    the same one.

    Examples
    --------
    >>> from skhpo.space import Categorical
    >>> dim = Categorical(["linear", "rbf", None])
    >>> dim.transform(["rbf", None])
    array([[0., 1., 0.],
           [0., 0., 1.]])
    >>> dim.index("rbf"), dim.contains("poly")
    (1, False)
    >>> dim.grid()
    ['linear', 'rbf', None]
    """

    def __init__(
        self,
        categories: Sequence[Any] | np.ndarray,
        prior: ArrayLike | None = None,
        transform: str | None = None,
        name: str | None = None,
    ) -> None:
        self.categories = categories
        self.prior = prior
        self.name = name
        self._transform_arg = transform
        self._finish_init(self._setup)

    def _setup(self) -> None:
        categories = self.categories
        if isinstance(categories, (str, bytes)) or not isinstance(
            categories, (Sequence, np.ndarray)
        ):
            raise TypeError(
                "categories must be a list, a tuple or a 1-d numpy array, got "
                f"{categories!r} (of type {type(categories).__name__})"
            )
        if isinstance(categories, np.ndarray) and categories.ndim != 1:
            raise ValueError(
                f"a numpy array of categories must be 1-d, got shape {categories.shape}"
            )
        if len(categories) == 0:
            raise ValueError("categories must not be empty")
        check_common_args(self._transform_arg, self.name)
        self.categories = tuple(to_python(c) for c in categories)
        self.prior = self._check_prior(self.prior)
        # Identity lookup table: the listed objects are alive as long as we are.
        ids: dict[int, int] = {}
        for i, c in enumerate(self.categories):
            ids.setdefault(id(c), i)
        self._index_by_id = ids

    def _check_prior(self, prior: ArrayLike | None) -> tuple[float, ...] | None:
        if prior is None:
            return None
        p = np.asarray(prior, dtype=float).reshape(-1)
        k = len(self.categories)
        if p.shape != (k,) or not np.all(np.isfinite(p)) or np.any(p < 0):
            raise ValueError(
                f"prior must be {k} non-negative probabilities, got {prior!r}"
            )
        if not np.isclose(p.sum(), 1.0):
            raise ValueError(f"prior must sum to 1, got sum={p.sum()}")
        return tuple((p / p.sum()).tolist())

    def _get_args(self) -> dict[str, Any]:
        return {
            "categories": self.categories,
            "prior": self.prior,
            "transform": self._transform_arg,
            "name": self.name,
        }

    def _n_features(self) -> int:
        k = len(self.categories)
        return k if k > 2 else 1

    def _cardinality(self) -> int | None:
        return len(self.categories)

    def _is_numeric(self) -> bool:
        return False

    def index(self, value: Any) -> int:
        """Index of ``value`` in ``categories``.

        Parameters
        ----------
        value : object
            A category: the listed object itself, or one equal to it.

        Returns
        -------
        index : int
            Its position in ``categories`` (the first equal one when it
            is not the listed object itself).

        Raises
        ------
        ValueError
            If ``value`` is not one of the categories.
        """
        self._check_valid()
        i = self._index_by_id.get(id(value))
        if i is not None:
            return i
        for i, c in enumerate(self.categories):
            if safe_equal(c, value):
                return i
        raise ValueError(f"{value!r} is not one of the categories of {self!r}")

    def _indices(self, values: Sequence[Any]) -> np.ndarray:
        return np.fromiter((self.index(v) for v in values), dtype=np.intp)

    def _rvs(self, n: int, rng: np.random.Generator) -> list[Any]:
        return self._from_codes(self._rvs_codes(n, rng))

    def _rvs_codes(self, n: int, rng: np.random.Generator) -> np.ndarray:
        k = len(self.categories)
        if self.prior is None:
            return rng.integers(0, k, size=n)
        return rng.choice(k, size=n, p=self.prior)

    def _to_codes(self, values: Sequence[Any]) -> np.ndarray:
        return self._indices(values)

    def _from_codes(self, codes: np.ndarray) -> list[Any]:
        categories = self.categories
        return [categories[i] for i in codes]

    def _from_unit(self, u: np.ndarray) -> list[Any]:
        k = len(self.categories)
        index = np.clip(np.floor(u * k), 0, k - 1).astype(np.intp)
        return [self.categories[i] for i in index]

    def _to_unit(self, values: list[Any]) -> np.ndarray:
        return (self._indices(values) + 0.5) / len(self.categories)

    def _transform(self, values: list[Any]) -> np.ndarray:
        return self._encode_codes(self._indices(values))

    def _encode_codes(self, index: np.ndarray) -> np.ndarray:
        if len(self.categories) <= 2:
            return index.astype(float).reshape(-1, 1)
        X = np.zeros((len(index), len(self.categories)))
        X[np.arange(len(index)), index] = 1.0
        return X

    def _neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        # With probability min(1, 2 * scale) another category, else the same.
        i, k = self.index(value), len(self.categories)
        if k == 1 or rng.random() >= min(1.0, 2.0 * scale):
            return self.categories[i]
        j = int(rng.integers(0, k - 1))
        return self.categories[j + 1 if j >= i else j]

    def _neighbors(
        self, value: Any, rng: np.random.Generator, scale: float, n: int
    ) -> list[Any]:
        codes = np.full(n, self.index(value), dtype=np.intp)
        return self._from_codes(self._neighbors_codes(codes, rng, scale))

    def _neighbors_codes(
        self, codes: np.ndarray, rng: np.random.Generator, scale: float
    ) -> np.ndarray:
        i, k, n = np.asarray(codes, dtype=np.intp), len(self.categories), len(codes)
        if k == 1:
            return i.copy()
        move = rng.random(n) < min(1.0, 2.0 * scale)
        j = rng.integers(0, k - 1, size=n)
        return np.where(move, np.where(j >= i, j + 1, j), i)

    def _grid(self) -> list[Any]:
        return list(self.categories)

    def _contains(self, value: Any) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True
