"""Any sampler scikit-learn accepts: :class:`Distribution`.

A frozen ``scipy.stats`` distribution maps unit values through its ``cdf`` and
``ppf``; an object that only has ``rvs`` gets an empirical quantile table.
The three cases are three small private strategies behind one public class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from ._base import Dimension
from ._utils import (
    UNIT_EPS,
    check_common_args,
    is_integer_number,
    is_real_number,
    reflect_unit,
    reflect_units,
    safe_equal,
    to_python,
)

#: Size and seed of the empirical quantile table of an ``rvs``-only object.
N_EMPIRICAL_DRAWS = 2048
EMPIRICAL_SEED = 0


def _describe(dist: Any) -> str:
    """``loguniform(0.001, 1000.0)`` for a frozen scipy distribution, else repr."""
    generator = getattr(dist, "dist", None)
    if not isinstance(generator, (stats.rv_continuous, stats.rv_discrete)):
        return repr(dist)
    args = [repr(to_python(a)) for a in getattr(dist, "args", ())]
    args += [f"{k}={to_python(v)!r}" for k, v in getattr(dist, "kwds", {}).items()]
    return f"{generator.name}({', '.join(args)})"


def _plain_number(x: Any) -> int | float:
    x = to_python(x)
    return int(x) if float(x).is_integer() else float(x)


def _closed_form(dist: Any, low: float, high: float):
    """``(cdf, ppf)`` in numpy for ``uniform`` and ``loguniform``, else None.

    scipy's own maps cost about 100 microseconds a call, whatever the size,
    and an acquisition optimiser moves one candidate at a time. The formulas
    are scipy's; they are used only where they agree with scipy's maps at a
    few probe points (a ``loc`` or ``scale`` they do not model falls back).
    """
    name = dist.dist.name
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        return None
    if name == "uniform":
        width = high - low

        def cdf(x):
            return (np.clip(x, low, high) - low) / width

        def ppf(u):
            return low + u * width

    elif name in ("loguniform", "reciprocal") and low > 0:
        log_low, log_width = math.log(low), math.log(high) - math.log(low)

        def cdf(x):
            return (np.log(np.clip(x, low, high)) - log_low) / log_width

        def ppf(u):
            return np.exp(log_low + u * log_width)

    else:
        return None
    probe = np.linspace(0.05, 0.95, 7)
    x = np.asarray(dist.ppf(probe), dtype=float)
    if np.allclose(ppf(probe), x, rtol=1e-9, atol=0) and np.allclose(
        cdf(x), probe, rtol=0, atol=1e-9
    ):
        return cdf, ppf
    return None


class _Continuous:
    """A frozen ``rv_continuous``: unit value <-> value through cdf/ppf."""

    is_numeric = True
    cardinality = None

    def __init__(self, dist: Any) -> None:
        self.dist = dist
        self.low, self.high = (float(b) for b in dist.support())
        self._cdf, self._ppf = _closed_form(dist, self.low, self.high) or (
            dist.cdf,
            dist.ppf,
        )

    def rvs(self, n: int, rng: np.random.Generator) -> list[Any]:
        x = np.asarray(self.dist.rvs(size=n, random_state=rng), dtype=float)
        return x.reshape(-1).tolist()

    def from_unit(self, u: np.ndarray) -> list[Any]:
        x = self._ppf(np.clip(u, UNIT_EPS, 1.0 - UNIT_EPS))
        return np.asarray(x, dtype=float).reshape(-1).tolist()

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        x = np.asarray(values, dtype=float).reshape(-1)
        return np.clip(np.asarray(self._cdf(x), dtype=float), 0.0, 1.0)

    def neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        u = float(self.to_unit([value])[0]) + scale * rng.standard_normal()
        return self.from_unit(np.array([reflect_unit(u)]))[0]

    def neighbors(
        self, value: Any, rng: np.random.Generator, scale: float, n: int
    ) -> list[Any]:
        u = float(self.to_unit([value])[0]) + scale * rng.standard_normal(n)
        return self.from_unit(reflect_units(u))

    def grid(self) -> list[Any]:
        raise ValueError("a continuous distribution has no grid")

    def contains(self, value: Any) -> bool:
        value = to_python(value)
        return is_real_number(value) and self.low <= value <= self.high


#: Largest finite support whose cdf a discrete distribution keeps as a table.
N_DISCRETE_TABLE = 100_000


class _Discrete:
    """A frozen ``rv_discrete``: ppf for unit values, cell centres back.

    A finite support is kept as a ``range`` of integers (or the sorted
    values of ``rv_discrete(values=...)``, or of a support that a ``loc``
    moved off the integers), never as a list of every integer. An integer
    support of up to ``N_DISCRETE_TABLE`` values has its cdf tabulated once,
    on first use, so that mapping a value costs a binary search instead of a
    scipy call; the table is used only if it gives scipy's ppf in every cell.
    """

    is_numeric = True

    def __init__(self, dist: Any) -> None:
        self.dist = dist
        low, high = (float(b) for b in dist.support())
        self.low, self.high = low, high
        self.values = self._support_values(dist, low, high)
        self._maps: tuple[Any, Any] | None = None  # (cdf, ppf), on first use

    @property
    def maps(self) -> tuple[Any, Any]:
        """``(cdf, ppf)``: the table's, or scipy's. Built on first use, so
        that plain sampling never pays for the table."""
        if self._maps is not None:
            return self._maps
        dist, values = self.dist, self.values
        self._maps = dist.cdf, dist.ppf
        if (
            values is not None
            and len(values) <= N_DISCRETE_TABLE
            and (isinstance(values, range) or all(type(v) is int for v in values))
        ):
            self._xs = np.asarray(values, dtype=float)
            self._cum = np.asarray(dist.cdf(self._xs), dtype=float)
            # a cell's middle must map back to its value, as through scipy
            middle = 0.5 * (np.concatenate([[0.0], self._cum[:-1]]) + self._cum)
            middle = np.clip(middle, UNIT_EPS, 1.0 - UNIT_EPS)
            if np.array_equal(self._table_ppf(middle), dist.ppf(middle)):
                self._maps = self._table_cdf, self._table_ppf
        return self._maps

    @staticmethod
    def _support_values(dist: Any, low: float, high: float) -> Sequence[Any] | None:
        """Every value of a finite support, in order; None if unbounded."""
        xk = getattr(dist.dist, "xk", None)  # rv_discrete(values=(xk, pk))
        if xk is not None:
            shift = low - float(np.min(xk))  # a loc moves the support
            return sorted(_plain_number(x + shift) for x in xk)
        if not (math.isfinite(low) and math.isfinite(high)):
            return None
        if low.is_integer():
            return range(int(low), int(high) + 1)
        n = int(round(high - low)) + 1  # a fractional loc: low, low + 1, ...
        return [low + k for k in range(n)] if n <= N_DISCRETE_TABLE else None

    def _table_cdf(self, x: np.ndarray) -> np.ndarray:
        """scipy's cdf at any real ``x``: that of the largest value <= x."""
        x = np.asarray(x, dtype=float)
        i = np.searchsorted(self._xs, np.floor(x), side="right") - 1
        cdf = np.where(i >= 0, self._cum[np.clip(i, 0, None)], 0.0)
        return np.where(np.isnan(x), np.nan, cdf)

    def _table_ppf(self, q: np.ndarray) -> np.ndarray:
        """The smallest value whose cdf reaches ``q``."""
        i = np.searchsorted(self._cum, q, side="left")
        return self._xs[np.clip(i, 0, len(self._xs) - 1)]

    def _index(self, value: Any) -> int | None:
        """Position of ``value`` in :attr:`values`, None if not there."""
        if isinstance(self.values, range):
            if not float(value).is_integer():
                return None
            value = int(value)  # range searches floats one by one
        return self.values.index(value) if value in self.values else None

    @property
    def cardinality(self) -> int | None:
        return None if self.values is None else len(self.values)

    def rvs(self, n: int, rng: np.random.Generator) -> list[Any]:
        x = np.asarray(self.dist.rvs(size=n, random_state=rng)).reshape(-1)
        return [_plain_number(v) for v in x]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        ppf = self.maps[1]
        x = np.asarray(ppf(np.clip(u, UNIT_EPS, 1.0 - UNIT_EPS)))
        return [_plain_number(v) for v in x.reshape(-1)]

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        x = np.asarray(values, dtype=float).reshape(-1)
        cdf = self.maps[0]
        centre = 0.5 * (cdf(x - 1.0) + cdf(x))
        return np.clip(np.asarray(centre, dtype=float), 0.0, 1.0)

    def neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        z = rng.standard_normal()
        u = float(self.to_unit([value])[0]) + scale * z
        new = self.from_unit(np.array([reflect_unit(u)]))[0]
        if new != value:
            return new
        step = 1 if z > 0 else -1 if z < 0 else int(rng.choice([-1, 1]))
        if self.values is not None:
            i = self._index(value) or 0
            j = i + step if 0 <= i + step < len(self.values) else i - step
            return self.values[min(max(j, 0), len(self.values) - 1)]
        new = value + step
        return new if self.low <= new <= self.high else value - step

    def grid(self) -> list[Any]:
        if self.values is None:
            raise ValueError(
                "a discrete distribution with unbounded support has no grid"
            )
        return list(self.values)

    def contains(self, value: Any) -> bool:
        value = to_python(value)
        if not is_real_number(value) or math.isnan(value):
            return False
        if self.values is not None:
            return self._index(value) is not None
        return float(value).is_integer() and self.low <= value <= self.high


class _Empirical:
    """An object with only ``rvs``: an empirical quantile table of its draws.

    The table (``N_EMPIRICAL_DRAWS`` draws from ``RandomState(EMPIRICAL_SEED)``)
    is built on first use of a unit mapping, so that plain sampling never pays
    for it. Numeric draws are sorted; other draws (strings, objects) are
    grouped in order of first appearance and behave like categories whose
    unit cells are as wide as their frequency.
    """

    cardinality = None

    def __init__(self, dist: Any) -> None:
        self.dist = dist
        self._use_legacy: bool | None = None
        self._table: list[Any] | None = None

    def _draw(self, rng: np.random.Generator) -> Any:
        """One ``rvs`` call; objects written for ``RandomState`` get one."""
        if self._use_legacy is None:
            try:
                value = self.dist.rvs(random_state=rng)
            except (TypeError, ValueError, AttributeError):
                self._use_legacy = True
            else:
                self._use_legacy = False
                return value
        if self._use_legacy:
            legacy = np.random.RandomState(rng.integers(np.iinfo(np.int32).max))
            return self.dist.rvs(random_state=legacy)
        return self.dist.rvs(random_state=rng)

    def rvs(self, n: int, rng: np.random.Generator) -> list[Any]:
        return [to_python(self._draw(rng)) for _ in range(n)]

    @property
    def table(self) -> list[Any]:
        if self._table is None:
            self._build_table()
        return self._table

    def _build_table(self) -> None:
        try:
            legacy = np.random.RandomState(EMPIRICAL_SEED)
            draws = [
                self.dist.rvs(random_state=legacy) for _ in range(N_EMPIRICAL_DRAWS)
            ]
        except (TypeError, ValueError, AttributeError):
            gen = np.random.default_rng(EMPIRICAL_SEED)
            draws = [self.dist.rvs(random_state=gen) for _ in range(N_EMPIRICAL_DRAWS)]
        draws = [to_python(d) for d in draws]
        self.numeric = all(is_real_number(d) for d in draws)
        self.integral = self.numeric and all(is_integer_number(d) for d in draws)
        if self.numeric:
            table = sorted(draws)
            self._array = np.asarray(table, dtype=float)
            self._distinct = sorted(set(table))
        else:
            self._distinct = []
            groups: list[list[Any]] = []
            for d in draws:
                for i, seen in enumerate(self._distinct):
                    if safe_equal(seen, d):
                        groups[i].append(d)
                        break
                else:
                    self._distinct.append(d)
                    groups.append([d])
            table = [d for group in groups for d in group]
            bounds = np.cumsum([0] + [len(g) for g in groups])
            self._centres = 0.5 * (bounds[:-1] + bounds[1:]) / len(table)
        self._table = table

    @property
    def is_numeric(self) -> bool:
        self.table  # noqa: B018 - builds the table, which sets ``numeric``
        return self.numeric

    def from_unit(self, u: np.ndarray) -> list[Any]:
        table = self.table
        index = np.clip(np.floor(u * len(table)), 0, len(table) - 1).astype(np.intp)
        return [table[i] for i in index]

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        m = len(self.table)
        if not self.numeric:
            return np.array([self._unit_of_object(v) for v in values], dtype=float)
        table = self._array
        x = np.asarray(values, dtype=float).reshape(-1)
        above = np.clip(np.searchsorted(table, x), 0, m - 1)
        below = np.clip(above - 1, 0, m - 1)
        closer_below = np.abs(table[below] - x) < np.abs(table[above] - x)
        nearest = np.where(closer_below, table[below], table[above])
        left = np.searchsorted(table, nearest, side="left")
        right = np.searchsorted(table, nearest, side="right")
        return np.clip(0.5 * (left + right) / m, 0.0, 1.0)

    def _unit_of_object(self, value: Any) -> float:
        for i, seen in enumerate(self._distinct):
            if safe_equal(seen, value):
                return float(self._centres[i])
        return 0.5  # never drawn in the table: the middle (documented)

    def neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        z = rng.standard_normal()
        u = float(self.to_unit([value])[0]) + scale * z
        new = self.from_unit(np.array([reflect_unit(u)]))[0]
        if (self.numeric and not self.integral) or not safe_equal(new, value):
            return new
        # Integers and objects: step to the next distinct value in the direction of z.
        distinct = self._distinct
        if len(distinct) == 1:
            return new
        i = next((i for i, d in enumerate(distinct) if safe_equal(d, value)), 0)
        step = 1 if z > 0 else -1 if z < 0 else int(rng.choice([-1, 1]))
        return distinct[i + step if 0 <= i + step < len(distinct) else i - step]

    def grid(self) -> list[Any]:
        raise ValueError("a distribution known only by its rvs method has no grid")

    def contains(self, value: Any) -> bool:
        value = to_python(value)
        if self.is_numeric:
            return is_real_number(value) and not math.isnan(value)
        return any(safe_equal(d, value) for d in self._distinct)


def _ctor_params(generator: Any) -> tuple | None:
    """What a scipy distribution generator was built with (its values or
    histogram included), without its seed, as sorted ``(key, value)`` pairs."""
    params = getattr(generator, "_updated_ctor_param", None)
    if params is None:
        return None
    params = dict(params())
    params.pop("seed", None)
    # NaN (scipy's default badvalue) equals itself here, after a pickle too
    return tuple(
        (key, "nan" if isinstance(value, float) and math.isnan(value) else value)
        for key, value in sorted(params.items())
    )


class Distribution(Dimension):
    """A dimension drawn from a scipy.stats distribution or any ``rvs`` object.

    What scikit-learn's ``RandomizedSearchCV`` samples from, with the maps of
    every dimension: a frozen scipy.stats distribution maps unit values
    through its ``ppf`` and back through its ``cdf``; any other object with
    an ``rvs`` method, through an empirical quantile table of its draws.

    Parameters
    ----------
    dist : object
        A frozen scipy.stats distribution (``scipy.stats.loguniform(1e-3, 1e3)``,
        ``scipy.stats.randint(1, 5)``...) or any object with an
        ``rvs(random_state=...)`` method, as scikit-learn's
        ``RandomizedSearchCV`` accepts.
    name : str or None, default=None
        Informative name (a search space uses its dict keys).

    Attributes
    ----------
    dist : object
        The wrapped distribution.
    kind : {"continuous", "discrete", "empirical"}
        How unit values are mapped: through ``cdf``/``ppf`` (continuous), to
        integers through ``ppf`` (discrete), or through an empirical quantile
        table of 2048 draws (objects with only ``rvs``).

    See Also
    --------
    Real : A range of real numbers, uniform or log-uniform.
    Integer : A range of integers.
    check_dimension : A distribution becomes a ``Distribution``.

    Notes
    -----
    Sampling calls ``dist.rvs(random_state=rng)`` with the numpy Generator
    (scipy accepts Generators; frozen scipy distributions draw all ``n``
    values in one call). An ``rvs``-only object whose ``rvs`` rejects a
    Generator (e.g. it calls ``sklearn.utils.check_random_state``) is given a
    ``RandomState`` seeded from the Generator instead, so draws stay
    reproducible. Discrete distributions give plain Python ``int``,
    continuous ones plain ``float``.

    For an ``rvs``-only object, ``from_unit`` returns table values only (the
    nearest rank) and ``to_unit`` maps a value to the cell of the nearest table
    value. Non-numeric draws make the dimension behave like categories
    (``is_numeric`` is then False) and an object never seen in the table
    is encoded as 0.5.

    Examples
    --------
    >>> from scipy.stats import randint
    >>> from skhpo.space import Distribution
    >>> Distribution(randint(1, 5)).grid()
    [1, 2, 3, 4]
    >>> from scipy.stats import loguniform
    >>> dim = Distribution(loguniform(1e-3, 1e3))
    >>> dim.kind, dim.cardinality
    ('continuous', None)
    >>> [round(v, 6) for v in dim.from_unit([0.25, 0.5, 0.75])]
    [0.031623, 1.0, 31.622777]
    """

    def __init__(self, dist: Any, name: str | None = None) -> None:
        self.dist = dist
        self.name = name
        self.kind = "empirical"
        self._finish_init(self._setup)

    def _setup(self) -> None:
        dist = self.dist
        if not callable(getattr(dist, "rvs", None)):
            raise TypeError(
                "dist must be a scipy.stats distribution or an object with an rvs "
                f"method, got {dist!r} (of type {type(dist).__name__})"
            )
        check_common_args(None, self.name)
        generator = getattr(dist, "dist", None)
        has_maps = callable(getattr(dist, "ppf", None)) and callable(
            getattr(dist, "cdf", None)
        )
        is_scipy = isinstance(generator, (stats.rv_continuous, stats.rv_discrete))
        if is_scipy and has_maps and any(math.isnan(b) for b in dist.support()):
            raise ValueError(
                f"{_describe(dist)} has invalid parameters (its support is "
                "undefined): a range needs low < high, a log range low > 0, a "
                "scale must be > 0"
            )
        if isinstance(generator, stats.rv_continuous) and has_maps:
            self.kind = "continuous"
            self._impl: Any = _Continuous(dist)
        elif isinstance(generator, stats.rv_discrete) and has_maps:
            self.kind = "discrete"
            self._impl = _Discrete(dist)
        else:
            self._impl = _Empirical(dist)

    def _get_args(self) -> dict[str, Any]:
        return {"dist": self.dist, "name": self.name}

    def __repr__(self) -> str:
        name = "" if self.name is None else f", name={self.name!r}"
        return f"Distribution({_describe(self.dist)}{name})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dimension):
            return NotImplemented
        if type(other) is not type(self) or self.name != other.name:
            return False
        a, b = self.dist, other.dist
        if safe_equal(a, b):
            return True
        scipy_kinds = (stats.rv_continuous, stats.rv_discrete)
        gen_a, gen_b = getattr(a, "dist", None), getattr(b, "dist", None)
        return (
            isinstance(gen_a, scipy_kinds)
            and type(gen_a) is type(gen_b)
            and safe_equal(tuple(a.args), tuple(b.args))
            and safe_equal(a.kwds, b.kwds)
            # distributions built from data (rv_discrete(values=...),
            # rv_histogram) hold it in their generators, not in args
            and safe_equal(_ctor_params(gen_a), _ctor_params(gen_b))
        )

    __hash__ = Dimension.__hash__

    def _cardinality(self) -> int | None:
        return self._impl.cardinality

    def _is_numeric(self) -> bool:
        return self._impl.is_numeric

    def _rvs(self, n: int, rng: np.random.Generator) -> list[Any]:
        return self._impl.rvs(n, rng)

    def _from_unit(self, u: np.ndarray) -> list[Any]:
        return self._impl.from_unit(u)

    def _to_unit(self, values: list[Any]) -> np.ndarray:
        return self._impl.to_unit(values)

    def _neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        return self._impl.neighbor(value, rng, scale)

    def _neighbors(
        self, value: Any, rng: np.random.Generator, scale: float, n: int
    ) -> list[Any]:
        batch = getattr(self._impl, "neighbors", None)
        if batch is None:  # one at a time
            return super()._neighbors(value, rng, scale, n)
        return batch(value, rng, scale, n)

    def _grid(self) -> list[Any]:
        return self._impl.grid()

    def _contains(self, value: Any) -> bool:
        return self._impl.contains(value)
