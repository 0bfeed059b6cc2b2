"""Spaces of candidates: :class:`Space`, :class:`SearchSpace`, :func:`check_space`.

A :class:`Space` is one dict of dimensions. A :class:`SearchSpace` is a list of
them, scikit-learn's "list of dicts": conditional sub-spaces searched jointly
by one model, whose candidates are ``(k, params)`` pairs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._base import Dimension
from ._dimensions import check_dimension
from ._utils import as_unit_array, check_generator, check_n, check_scale

#: Encoding of the features of the sub-spaces a candidate is not in.
INACTIVE_VALUE = 0.5


def _check_names(dimensions: Any, where: str) -> None:
    if not isinstance(dimensions, Mapping):
        raise TypeError(
            f"{where} must be a dict mapping parameter names to values, got "
            f"{dimensions!r} (of type {type(dimensions).__name__})"
        )
    for key in dimensions:
        if not isinstance(key, str):
            raise TypeError(
                f"{where}: parameter names must be str, got {key!r} "
                f"(of type {type(key).__name__})"
            )


def _unit_matrix(U: ArrayLike, n_columns: int, who: str) -> np.ndarray:
    U = np.asarray(U, dtype=float)
    if U.ndim != 2 or U.shape[1] != n_columns:
        raise ValueError(
            f"{who}: expected unit values of shape (n, {n_columns}), got {U.shape}"
        )
    return U


class Space:
    """One dict of dimensions: a sub-space of hyperparameters.

    A candidate of a space is a dict of parameter names to values, the form
    scikit-learn's ``ParameterSampler`` gives and ``set_params`` takes. The
    space maps candidates to and from the unit cube, one column per dimension
    (for quasi-random designs), and encodes them for a model.

    Parameters
    ----------
    dimensions : dict of str to Dimension
        Parameter name to dimension; lists and scipy.stats distributions are
        accepted too (see :func:`check_dimension`). Names are kept in sorted
        order, as scikit-learn's ``ParameterSampler`` and ``ParameterGrid`` do.
        An empty dict is a space of one point, ``{}`` (the estimator as it
        is), as in scikit-learn's searches.

    Attributes
    ----------
    names : list of str
        Sorted parameter names.
    dimensions : list of Dimension
        The dimensions, in the order of :attr:`names`.
    n_dims : int
        Number of dimensions.
    n_features : int
        Width of the model encoding.
    cardinality : int or None
        Number of candidates, or None if infinite.

    See Also
    --------
    SearchSpace : Conditional sub-spaces searched jointly by one model.
    check_space : What a search's ``param_distributions`` becomes.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import Integer, Space
    >>> space = Space({"n_neighbors": Integer(1, 3), "weights": ["uniform", "distance"]})
    >>> space.names, space.cardinality
    (['n_neighbors', 'weights'], 6)
    >>> space.grid()[:3]
    [{'n_neighbors': 1, 'weights': 'uniform'}, {'n_neighbors': 1, 'weights': 'distance'}, {'n_neighbors': 2, 'weights': 'uniform'}]
    >>> space.rvs(2, np.random.default_rng(0))
    [{'n_neighbors': 2, 'weights': 'uniform'}, {'n_neighbors': 1, 'weights': 'uniform'}]
    >>> space.from_unit([[0.5, 0.9]])
    [{'n_neighbors': 2, 'weights': 'distance'}]
    >>> space.to_unit([{"n_neighbors": 3, "weights": "distance"}])
    array([[0.83333333, 0.75      ]])
    >>> space.transform([{"n_neighbors": 3, "weights": "distance"}])
    array([[0.83333333, 1.        ]])
    >>> space.neighbor({"n_neighbors": 2, "weights": "uniform"}, np.random.default_rng(0), 0.2)
    {'n_neighbors': 2, 'weights': 'distance'}
    >>> space.contains({"n_neighbors": 4, "weights": "uniform"})
    False
    """  # noqa: E501

    def __init__(self, dimensions: Mapping[str, Any]) -> None:
        _check_names(dimensions, "Space: dimensions")
        names = sorted(dimensions)
        self._names = tuple(names)
        self._dimensions = tuple(
            check_dimension(dimensions[k], k, param_name="dimensions") for k in names
        )
        widths = [d.n_features for d in self._dimensions]
        self._starts = np.concatenate([[0], np.cumsum(widths)]).astype(int).tolist()

    @property
    def names(self) -> list[str]:
        """Sorted parameter names."""
        return list(self._names)

    @property
    def dimensions(self) -> list[Dimension]:
        """The dimensions, in the order of :attr:`names`."""
        return list(self._dimensions)

    @property
    def n_dims(self) -> int:
        """Number of dimensions."""
        return len(self._names)

    @property
    def n_features(self) -> int:
        """Width of the model encoding: the sum of the dimensions' widths."""
        return self._starts[-1]

    @property
    def cardinality(self) -> int | None:
        """Number of candidates (product of the dimensions'), None if infinite."""
        sizes = [d.cardinality for d in self._dimensions]
        return None if None in sizes else math.prod(sizes)

    def to_dict(self) -> dict[str, Dimension]:
        """The dimensions by name, in sorted order.

        Returns
        -------
        dimensions : dict of str to Dimension
            A new dict, the names sorted.
        """
        return dict(zip(self._names, self._dimensions))

    def __repr__(self) -> str:
        return f"Space({self.to_dict()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Space):
            return NotImplemented
        return self._names == other._names and self._dimensions == other._dimensions

    def __hash__(self) -> int:
        return hash(self._names)

    def _column(self, params: Sequence[Mapping[str, Any]], name: str) -> list[Any]:
        try:
            return [p[name] for p in params]
        except KeyError:
            raise KeyError(f"a candidate has no value for parameter {name!r}") from None

    def rvs(self, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
        """Draw ``n`` candidates from the priors.

        Parameters
        ----------
        n : int
            Number of candidates.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is also accepted).

        Returns
        -------
        params : list of dict
            ``n`` candidates, each dimension drawn independently.
        """
        n, rng = check_n(n), check_generator(rng)
        columns = [d.rvs(n, rng) for d in self._dimensions]
        return self._rows(columns, n)

    def from_unit(self, U: ArrayLike) -> list[dict[str, Any]]:
        """Map a unit-cube design to candidates.

        Parameters
        ----------
        U : array-like of shape (n, n_dims)
            Column ``j`` is for ``names[j]``.

        Returns
        -------
        params : list of dict
            ``n`` candidates, each value mapped by its dimension's
            :meth:`Dimension.from_unit`.
        """
        U = _unit_matrix(U, self.n_dims, "Space.from_unit")
        columns = [d.from_unit(U[:, j]) for j, d in enumerate(self._dimensions)]
        return self._rows(columns, len(U))

    def _rows(self, columns: list[list[Any]], n: int) -> list[dict[str, Any]]:
        """``n`` candidates from one column of values per dimension (``n``
        empty dicts for a space without dimensions)."""
        if not columns:
            return [{} for _ in range(n)]
        return [dict(zip(self._names, row)) for row in zip(*columns)]

    def to_unit(self, params: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Map candidates to the unit cube; the inverse of :meth:`from_unit`.

        Parameters
        ----------
        params : list of dict
            Candidates with a value for every parameter of the space.

        Returns
        -------
        U : ndarray of shape (n, n_dims)
            Column ``j`` holds ``names[j]``'s values mapped by its dimension's
            :meth:`Dimension.to_unit`.
        """
        U = np.empty((len(params), self.n_dims))
        for j, (name, dim) in enumerate(zip(self._names, self._dimensions)):
            U[:, j] = dim.to_unit(self._column(params, name))
        return U

    def transform(self, params: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Encode candidates for a model.

        Parameters
        ----------
        params : list of dict
            Candidates with a value for every parameter of the space.

        Returns
        -------
        X : ndarray of shape (n, n_features)
            Values in [0, 1]; each dimension's block in the order of :attr:`names`.
        """
        X = np.empty((len(params), self.n_features))
        for j, (name, dim) in enumerate(zip(self._names, self._dimensions)):
            block = slice(self._starts[j], self._starts[j + 1])
            X[:, block] = dim.transform(self._column(params, name))
        return X

    def neighbor(
        self, params: Mapping[str, Any], rng: np.random.Generator, scale: float
    ) -> dict[str, Any]:
        """A candidate near ``params``.

        Each dimension that has more than one value moves with probability
        ``1 / n_movable``; if none was picked, one picked uniformly moves.

        Parameters
        ----------
        params : dict
            A candidate of this space.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is also accepted).
        scale : float
            Step size in unit space (see :meth:`Dimension.neighbor`).

        Returns
        -------
        params : dict
            A new dict; keys that are not dimensions are copied unchanged.
        """
        rng, scale = check_generator(rng), check_scale(scale)
        movable = self._movable()
        new = dict(params)
        if not movable:
            return new
        chosen = [j for j in movable if rng.random() < 1.0 / len(movable)]
        if not chosen:
            chosen = [movable[int(rng.integers(len(movable)))]]
        for j in chosen:
            name, dim = self._names[j], self._dimensions[j]
            # rng and scale are checked above: skip the per-call checks of
            # Dimension.neighbor, which the acquisition optimiser calls often
            dim._check_valid(name)
            new[name] = dim._neighbor(params[name], rng, scale)
        return new

    def neighbors(
        self, params: Mapping[str, Any], rng: np.random.Generator, scale: float, n: int
    ) -> list[dict[str, Any]]:
        """``n`` independent draws of :meth:`neighbor`, at once.

        Each dimension draws its moves together.

        Parameters
        ----------
        params : dict
            A candidate of this space.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is also accepted).
        scale : float
            Step size in unit space (see :meth:`Dimension.neighbor`).
        n : int
            Number of draws.

        Returns
        -------
        candidates : list of dict
            ``n`` new dicts; keys that are not dimensions are copied unchanged.
        """
        rng, scale, n = check_generator(rng), check_scale(scale), check_n(n)
        columns = self._neighbors_codes(self._codes([params]), rng, scale, n)
        return [{**params, **moved} for moved in self._params_of(columns, range(n))]

    def _movable(self) -> list[int]:
        """Indices of the dimensions with more than one value (cached)."""
        if not hasattr(self, "_movable_cache"):
            self._movable_cache = [
                j
                for j, d in enumerate(self._dimensions)
                if d.cardinality is None or d.cardinality > 1
            ]
        return self._movable_cache

    # Codes (see Dimension): a batch of candidates is one code array per
    # dimension, in the order of names. They give the acquisition optimiser
    # the candidates of rvs, neighbors and transform without a dict each, and
    # draw from rng what those draw.

    def _codes(self, params: Sequence[Mapping[str, Any]]) -> list[np.ndarray]:
        return [
            d._to_codes(self._column(params, name))
            for name, d in zip(self._names, self._dimensions)
        ]

    def _rvs_codes(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        return [d._rvs_codes(n, rng) for d in self._dimensions]

    def _params_of(self, columns: list[np.ndarray], rows: Any) -> list[dict[str, Any]]:
        """The candidates at ``rows`` of a batch of codes, as dicts."""
        values = [d._from_codes(c[rows]) for d, c in zip(self._dimensions, columns)]
        return self._rows(values, len(rows))

    def _encode_codes(self, columns: list[np.ndarray], n: int) -> np.ndarray:
        """:meth:`transform` of a batch of ``n`` candidates given as codes."""
        X = np.empty((n, self.n_features))
        for j, (d, codes) in enumerate(zip(self._dimensions, columns)):
            X[:, self._starts[j] : self._starts[j + 1]] = d._encode_codes(codes)
        return X

    def _neighbors_codes(
        self,
        starts: list[np.ndarray],
        rng: np.random.Generator,
        scale: float,
        n: int,
    ) -> list[np.ndarray]:
        """``n`` :meth:`neighbors` of each candidate of the batch ``starts``,
        start after start (one start draws what :meth:`neighbors` draws)."""
        columns = [np.repeat(c, n) for c in starts]
        movable = self._movable()
        size = len(columns[0]) if columns else 0
        if not movable or not size:
            return columns
        m = len(movable)
        chosen = rng.random((size, m)) < 1.0 / m
        idle = np.nonzero(~chosen.any(axis=1))[0]
        chosen[idle, rng.integers(m, size=idle.size)] = True
        for column, j in enumerate(movable):
            rows = np.nonzero(chosen[:, column])[0]
            if not rows.size:
                continue
            dim = self._dimensions[j]
            dim._check_valid(self._names[j])
            columns[j][rows] = dim._neighbors_codes(columns[j][rows], rng, scale)
        return columns

    def grid(self) -> list[dict[str, Any]]:
        """All candidates, in scikit-learn's ``ParameterGrid`` order.

        Returns
        -------
        params : list of dict
            Sorted keys, the last key varying fastest.

        Raises
        ------
        ValueError
            If a dimension has infinitely many values.
        """
        infinite = [
            n for n, d in zip(self._names, self._dimensions) if d.cardinality is None
        ]
        if infinite:
            raise ValueError(
                f"no grid: parameters {infinite} have infinitely many values"
            )
        values = [d.grid() for d in self._dimensions]
        return [dict(zip(self._names, v)) for v in itertools.product(*values)]

    def contains(self, params: Mapping[str, Any]) -> bool:
        """Whether every parameter of the space is in ``params`` with a valid value.

        Parameters
        ----------
        params : dict
            A candidate; keys that are not parameters of the space are ignored.

        Returns
        -------
        contained : bool
            True if each dimension contains its parameter's value.
        """
        return all(
            name in params and dim.contains(params[name])
            for name, dim in zip(self._names, self._dimensions)
        )


def _unnamed(dim: Dimension) -> Dimension:
    """``dim`` without its ``name``: a parameter's block is shared by equal
    dimensions whether or not they were named (the parameter's key already
    names the block)."""
    if getattr(dim, "name", None) is None:
        return dim
    return type(dim)(**{**dim._get_args(), "name": None})


class SearchSpace:
    """The searched space: conditional sub-spaces searched jointly by one model.

    Candidates are ``(k, params)`` pairs, ``k`` the index of the sub-space:
    scikit-learn's list of dicts, where each dict is a sub-space and a
    candidate belongs to one of them. One model sees them all through one
    encoding (see the Notes).

    Parameters
    ----------
    subspaces : list of Space
        At least one.

    Attributes
    ----------
    subspaces : list of Space
        The sub-spaces, in the order given.
    n_subspaces : int
        Number of sub-spaces.
    n_features : int
        Width of the model encoding: a one-hot of ``k`` (only when there is
        more than one sub-space), then one block per distinct dimension (see
        the Notes).
    n_unit_dims : int
        Width of the unit designs :meth:`from_unit` takes:
        ``1 + max(sub.n_dims)``.
    n_dims : int
        Number of searched dimensions over all sub-spaces (a name in two
        counts twice).
    cardinality : int or None
        Sum of the sub-spaces' cardinalities, or None if any is infinite.
    param_names : list of str
        Sorted union of the parameter names.

    See Also
    --------
    Space : One sub-space.
    check_space : What a search's ``param_distributions`` becomes.

    Notes
    -----
    In the model encoding, a parameter that several sub-spaces define alike
    (the same name and an equal dimension, such as ``C`` of each kernel of an
    SVC; a dimension's own ``name`` does not count) has one block that all of
    them fill: what the model learns of it in one sub-space informs the
    others, as far as the one-hot of ``k`` lets it (a model with a length
    scale per feature learns how much the sub-spaces have in common). A name
    defined differently in two sub-spaces has a block in each. The blocks
    follow the order in which they first appear, sub-space by sub-space. Every
    block a candidate's sub-space does not fill holds the constant
    ``INACTIVE_VALUE = 0.5``, the middle of the unit interval, so that
    inactive features carry no information and sit at the same distance from
    every active value on average.

    Sharing the blocks was measured on the conditional problem of the
    sample-efficiency benchmark (an SVC's ``C`` for three kernels, ``gamma``
    for two; 100 candidates, 10 seeds): with a block per sub-space, 3 of 10
    searches stayed on a plateau of the polynomial kernel whose log loss is
    0.011 above the best; with shared blocks none did (see
    ``docs/benchmarks.md``).

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import check_space
    >>> space = check_space([{"kernel": ["linear"]}, {"kernel": ["rbf"], "gamma": [1, 2]}])
    >>> space.n_subspaces, space.cardinality, space.param_names
    (2, 3, ['gamma', 'kernel'])
    >>> space.grid()
    [(0, {'kernel': 'linear'}), (1, {'gamma': 1, 'kernel': 'rbf'}), (1, {'gamma': 2, 'kernel': 'rbf'})]
    >>> space.transform([(0, {"kernel": "linear"})])
    array([[1. , 0. , 0. , 0.5, 0.5]])
    >>> space.rvs(2, np.random.default_rng(0))
    [(1, {'gamma': 2, 'kernel': 'rbf'}), (1, {'gamma': 1, 'kernel': 'rbf'})]
    >>> space.from_unit([[0.2, 0.9, 0.5], [0.8, 0.9, 0.5]])
    [(0, {'kernel': 'linear'}), (1, {'gamma': 2, 'kernel': 'rbf'})]
    >>> space.to_unit([(1, {"gamma": 2, "kernel": "rbf"})])
    array([[0.75, 0.75, 0.5 ]])
    >>> space.neighbor((1, {"gamma": 1, "kernel": "rbf"}), np.random.default_rng(0), 0.5)
    (1, {'gamma': 2, 'kernel': 'rbf'})
    >>> space.contains((0, {"kernel": "rbf"}))
    False
    """  # noqa: E501

    def __init__(self, subspaces: Sequence[Space]) -> None:
        if isinstance(subspaces, Space):
            subspaces = [subspaces]
        subspaces = list(subspaces)
        if not subspaces:
            raise ValueError("SearchSpace: subspaces must not be empty")
        for k, sub in enumerate(subspaces):
            if not isinstance(sub, Space):
                raise TypeError(
                    f"SearchSpace: subspaces[{k}] must be a Space, got "
                    f"{type(sub).__name__} (use check_space for dicts)"
                )
        self._subspaces = tuple(subspaces)
        n = len(subspaces) if len(subspaces) > 1 else 0  # the one-hot of k
        blocks: dict[tuple[str, Dimension], np.ndarray] = {}
        self._columns = []  # of the model encoding that each sub-space fills
        for sub in subspaces:
            columns = []
            for name, dim in zip(sub.names, sub.dimensions):
                key = (name, _unnamed(dim))
                if key not in blocks:  # equal dimensions share a block
                    blocks[key] = np.arange(n, n + dim.n_features)
                    n += dim.n_features
                columns.append(blocks[key])
            self._columns.append(np.concatenate([np.empty(0, np.intp), *columns]))
        self._n_features = n
        # what a model searches: each distinct dimension that has more than
        # one value, and the choice of the sub-space
        self._n_model_dims = sum(dim.cardinality != 1 for _, dim in blocks) + (
            len(subspaces) > 1
        )

    @property
    def subspaces(self) -> list[Space]:
        """The sub-spaces, in the order given."""
        return list(self._subspaces)

    @property
    def n_subspaces(self) -> int:
        """Number of sub-spaces."""
        return len(self._subspaces)

    @property
    def n_features(self) -> int:
        """Width of the model encoding (see the class Notes)."""
        return self._n_features

    @property
    def n_unit_dims(self) -> int:
        """Width of the unit designs :meth:`from_unit` takes."""
        return 1 + max(sub.n_dims for sub in self._subspaces)

    @property
    def n_dims(self) -> int:
        """Searched dimensions over all sub-spaces (a name in two counts twice)."""
        return sum(sub.n_dims for sub in self._subspaces)

    @property
    def cardinality(self) -> int | None:
        """Sum of the sub-spaces' cardinalities, or None if any is infinite."""
        sizes = [sub.cardinality for sub in self._subspaces]
        return None if None in sizes else sum(sizes)

    @property
    def param_names(self) -> list[str]:
        """Sorted union of the sub-spaces' parameter names."""
        return sorted(set().union(*(sub.names for sub in self._subspaces)))

    def __repr__(self) -> str:
        return f"SearchSpace({list(self._subspaces)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchSpace):
            return NotImplemented
        return self._subspaces == other._subspaces

    def __hash__(self) -> int:
        return hash(self._subspaces)

    def _group(self, candidates: Sequence[tuple[int, Mapping[str, Any]]]) -> np.ndarray:
        """The sub-space index of each candidate, validated."""
        ks = np.empty(len(candidates), dtype=np.intp)
        for i, cand in enumerate(candidates):
            try:
                k, _ = cand
            except (TypeError, ValueError):
                raise TypeError(
                    f"a candidate must be a (k, params) pair, got {cand!r}"
                ) from None
            if not (isinstance(k, (int, np.integer)) and 0 <= k < self.n_subspaces):
                raise ValueError(
                    f"candidate {i}: sub-space index must be in "
                    f"[0, {self.n_subspaces}), got {k!r}"
                )
            ks[i] = k
        return ks

    def rvs(self, n: int, rng: np.random.Generator) -> list[tuple[int, dict[str, Any]]]:
        """Draw ``n`` candidates: a sub-space uniformly at random, then its priors.

        Parameters
        ----------
        n : int
            Number of candidates.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is also accepted).

        Returns
        -------
        candidates : list of (int, dict)
            ``n`` candidates ``(k, params)``.
        """
        n, rng = check_n(n), check_generator(rng)
        m = self.n_subspaces
        ks = rng.integers(0, m, size=n) if m > 1 else np.zeros(n, dtype=np.intp)
        out: list[Any] = [None] * n
        for k, sub in enumerate(self._subspaces):
            rows = np.flatnonzero(ks == k)
            for i, params in zip(rows, sub.rvs(len(rows), rng)):
                out[i] = (k, params)
        return out

    def from_unit(self, U: ArrayLike) -> list[tuple[int, dict[str, Any]]]:
        """Map a unit-cube design to candidates.

        Parameters
        ----------
        U : array-like of shape (n, n_unit_dims)
            Column 0 picks the sub-space (``floor(u * n_subspaces)``; ignored
            when there is one); the next ``sub.n_dims`` columns map that
            sub-space's dimensions; the rest are ignored.

        Returns
        -------
        candidates : list of (int, dict)
            ``n`` candidates ``(k, params)``, one per row of ``U``.
        """
        U = _unit_matrix(U, self.n_unit_dims, "SearchSpace.from_unit")
        m = self.n_subspaces
        ks = np.clip(np.floor(as_unit_array(U[:, 0]) * m), 0, m - 1).astype(np.intp)
        out: list[Any] = [None] * len(U)
        for k, sub in enumerate(self._subspaces):
            rows = np.flatnonzero(ks == k)
            for i, params in zip(rows, sub.from_unit(U[rows, 1 : 1 + sub.n_dims])):
                out[i] = (k, params)
        return out

    def to_unit(
        self, candidates: Sequence[tuple[int, Mapping[str, Any]]]
    ) -> np.ndarray:
        """Map candidates to the unit cube; the inverse of :meth:`from_unit`.

        Parameters
        ----------
        candidates : list of (int, dict)
            Candidates ``(k, params)`` of this space.

        Returns
        -------
        U : ndarray of shape (n, n_unit_dims)
            Column 0 is the centre of the sub-space's cell; unused columns
            are ``INACTIVE_VALUE``.
        """
        ks = self._group(candidates)
        U = np.full((len(candidates), self.n_unit_dims), INACTIVE_VALUE)
        U[:, 0] = (ks + 0.5) / self.n_subspaces
        for k, sub in enumerate(self._subspaces):
            rows = np.flatnonzero(ks == k)
            if rows.size:
                U[rows, 1 : 1 + sub.n_dims] = sub.to_unit(
                    [candidates[i][1] for i in rows]
                )
        return U

    def _blank(self, ks: np.ndarray) -> np.ndarray:
        """Encodings of rows in sub-spaces ``ks`` before their values: the
        one-hot of ``k`` (with several sub-spaces), every block inactive."""
        X = np.full((len(ks), self.n_features), INACTIVE_VALUE)
        m = self.n_subspaces
        if m > 1:
            X[:, :m] = 0.0
            X[np.arange(len(ks)), ks] = 1.0
        return X

    def transform(
        self, candidates: Sequence[tuple[int, Mapping[str, Any]]]
    ) -> np.ndarray:
        """Encode candidates for a model.

        Parameters
        ----------
        candidates : list of (int, dict)
            Candidates ``(k, params)`` of this space.

        Returns
        -------
        X : ndarray of shape (n, n_features)
            Values in [0, 1]; see the class Notes for the layout.
        """
        ks = self._group(candidates)
        X = self._blank(ks)
        for k, sub in enumerate(self._subspaces):
            rows = np.flatnonzero(ks == k)
            if rows.size:
                X[rows[:, None], self._columns[k]] = sub.transform(
                    [candidates[i][1] for i in rows]
                )
        return X

    def neighbor(
        self,
        candidate: tuple[int, Mapping[str, Any]],
        rng: np.random.Generator,
        scale: float,
    ) -> tuple[int, dict[str, Any]]:
        """A candidate near ``candidate``, in the same sub-space.

        Parameters
        ----------
        candidate : (int, dict)
            A candidate ``(k, params)`` of this space.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is also accepted).
        scale : float
            Step size in unit space (see :meth:`Space.neighbor`).

        Returns
        -------
        candidate : (int, dict)
            The new candidate, ``k`` unchanged.
        """
        (k,) = self._group([candidate])
        return (int(k), self._subspaces[k].neighbor(candidate[1], rng, scale))

    def neighbors(
        self,
        candidate: tuple[int, Mapping[str, Any]],
        rng: np.random.Generator,
        scale: float,
        n: int,
    ) -> list[tuple[int, dict[str, Any]]]:
        """``n`` independent draws of :meth:`neighbor`, at once.

        Parameters
        ----------
        candidate : (int, dict)
            A candidate ``(k, params)`` of this space.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is also accepted).
        scale : float
            Step size in unit space (see :meth:`Space.neighbor`).
        n : int
            Number of draws.

        Returns
        -------
        candidates : list of (int, dict)
            ``n`` new candidates, ``k`` unchanged.
        """
        (k,) = self._group([candidate])
        sub = self._subspaces[k]
        return [(int(k), p) for p in sub.neighbors(candidate[1], rng, scale, n)]

    # Codes (see Space): a batch holds candidates of one sub-space ``k``.

    def _rvs_codes(
        self, n: int, rng: np.random.Generator
    ) -> list[tuple[int, np.ndarray, list[np.ndarray]]]:
        """:meth:`rvs` as ``(k, positions, codes)`` per sub-space."""
        m = self.n_subspaces
        ks = rng.integers(0, m, size=n) if m > 1 else np.zeros(n, dtype=np.intp)
        parts = []
        for k, sub in enumerate(self._subspaces):
            rows = np.flatnonzero(ks == k)
            parts.append((k, rows, sub._rvs_codes(len(rows), rng)))
        return parts

    def _encode_codes(self, k: int, columns: list[np.ndarray], n: int) -> np.ndarray:
        """:meth:`transform` of ``n`` candidates of sub-space ``k`` given as codes."""
        X = self._blank(np.full(n, k, dtype=np.intp))
        X[:, self._columns[k]] = self._subspaces[k]._encode_codes(columns, n)
        return X

    def grid(self) -> list[tuple[int, dict[str, Any]]]:
        """All candidates, in scikit-learn's ``ParameterGrid`` order.

        Returns
        -------
        candidates : list of (int, dict)
            Every candidate once: the first sub-space's grid (see
            :meth:`Space.grid`), then the next one's.

        Raises
        ------
        ValueError
            If a sub-space is infinite.
        """
        return [(k, p) for k, sub in enumerate(self._subspaces) for p in sub.grid()]

    def contains(self, candidate: tuple[int, Mapping[str, Any]]) -> bool:
        """Whether ``candidate`` is a valid ``(k, params)`` of this space.

        Parameters
        ----------
        candidate : (int, dict)
            Any object.

        Returns
        -------
        contained : bool
            True if ``candidate`` is a pair of a sub-space index and a dict that
            sub-space contains.
        """
        try:
            (k,) = self._group([candidate])
        except (TypeError, ValueError):
            return False
        return self._subspaces[k].contains(candidate[1])


def check_space(
    param_distributions: Any, *, param_name: str = "param_distributions"
) -> SearchSpace:
    """Turn what a user gives as the searched space into a :class:`SearchSpace`.

    Parameters
    ----------
    param_distributions : dict, list of dicts, Space or SearchSpace
        A dict (one sub-space), a non-empty list of dicts (conditional
        sub-spaces, as scikit-learn's searches take) or an existing space.
        Each value is what :func:`check_dimension` accepts. An empty dict is
        a sub-space of one point, ``{}``: the estimator's own values, which
        scikit-learn's searches evaluate once.
    param_name : str, default="param_distributions"
        Name of the user's parameter, for error messages, which read
        ``"param_distributions['C']: ..."`` or
        ``"param_distributions[1]['gamma']: ..."``.

    Returns
    -------
    space : SearchSpace
        ``param_distributions`` itself if it is a :class:`SearchSpace`, else
        its sub-spaces (one for a dict or a :class:`Space`), in order, each
        value checked by :func:`check_dimension`.

    Raises
    ------
    ValueError
        If the list of dicts or a list of values is empty, or a tuple is a
        scikit-optimize range (see :func:`check_dimension`).
    TypeError
        If a name is not a str, or a value or the space is of a wrong type.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from skhpo.space import check_space
    >>> space = check_space({"C": loguniform(1e-3, 1e3), "kernel": ["rbf", "linear"]})
    >>> space.param_names, space.n_features
    (['C', 'kernel'], 2)
    """
    if isinstance(param_distributions, SearchSpace):
        return param_distributions
    if isinstance(param_distributions, Space):
        return SearchSpace([param_distributions])
    if isinstance(param_distributions, Mapping):
        entries = [(param_name, param_distributions)]
    elif isinstance(param_distributions, (list, tuple)):
        if len(param_distributions) == 0:
            raise ValueError(f"{param_name} must not be empty")
        entries = [(f"{param_name}[{i}]", d) for i, d in enumerate(param_distributions)]
    else:
        raise TypeError(
            f"{param_name} must be a dict, a list of dicts, a Space or a "
            f"SearchSpace, got {param_distributions!r} "
            f"(of type {type(param_distributions).__name__})"
        )
    subspaces = []
    for where, entry in entries:
        if isinstance(entry, Space):
            subspaces.append(entry)
            continue
        _check_names(entry, where)
        dims = {
            key: check_dimension(v, key, param_name=where) for key, v in entry.items()
        }
        subspaces.append(Space(dims))
    return SearchSpace(subspaces)
