"""Numeric ranges: :class:`Real` and :class:`Integer`, uniform or log-uniform."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._base import Dimension
from ._utils import (
    check_common_args,
    clip,
    fmt,
    is_integer_number,
    is_real_number,
    reflect_unit,
    reflect_units,
    to_python,
)

_PRIORS = ("uniform", "log-uniform")


def _check_number(label: str, value: Any, integer: bool) -> Any:
    value = to_python(value)
    if not is_real_number(value):
        raise TypeError(
            f"{label} must be a number, got {value!r} (of type {type(value).__name__})"
        )
    if not math.isfinite(value):
        raise ValueError(f"{label} must be finite, got {label}={value!r}")
    if integer and not (is_integer_number(value) or float(value).is_integer()):
        raise ValueError(f"{label} must be an integer, got {label}={value!r}")
    return value


class _Numeric(Dimension):
    """Shared validation and repr of :class:`Real` and :class:`Integer`."""

    _integer: bool
    _dtype_kind: type

    def __init__(
        self,
        low: Any,
        high: Any,
        prior: Any,
        base: Any,
        transform: Any,
        name: Any,
        dtype: Any,
    ) -> None:
        self.low, self.high, self.prior, self.base = low, high, prior, base
        self.name, self.dtype = name, dtype
        self._transform_arg = transform
        self._finish_init(self._setup)

    def _setup(self) -> None:
        low = _check_number("low", self.low, self._integer)
        high = _check_number("high", self.high, self._integer)
        if not low < high:
            raise ValueError(f"low={fmt(low)} must be < high={fmt(high)}")
        if self.prior not in _PRIORS:
            raise ValueError(f"prior must be one of {_PRIORS}, got {self.prior!r}")
        base = to_python(self.base)
        if not is_real_number(base) or not base > 0 or base == 1:
            raise ValueError(f"base must be a number > 0 and != 1, got {base!r}")
        try:
            dtype_ok = np.issubdtype(np.dtype(self.dtype), self._dtype_kind)
        except TypeError:
            dtype_ok = False
        if not dtype_ok:
            kind = "an integer" if self._integer else "a float"
            raise ValueError(f"dtype must be {kind} type, got {self.dtype!r}")
        check_common_args(self._transform_arg, self.name)
        self.low = int(low) if self._integer else float(low)
        self.high = int(high) if self._integer else float(high)
        self.base = base

    def _get_args(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "prior": self.prior,
            "base": self.base,
            "transform": self._transform_arg,
            "name": self.name,
            "dtype": self.dtype,
        }

    def _is_numeric(self) -> bool:
        return True

    def _as_floats(self, values: Sequence[Any]) -> np.ndarray:
        try:
            x = np.asarray(values, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise ValueError(
                f"{type(self).__name__}: values must be numbers, got {values!r}"
            ) from None
        if np.any(np.isnan(x)):
            raise ValueError(f"{type(self).__name__}: values must not be NaN")
        return clip(x, self.low, self.high)

    def _rvs(self, n: int, rng: np.random.Generator) -> list[Any]:
        return self._from_unit(rng.random(n))

    # codes (see Dimension): the values in a float or integer array
    def _from_codes(self, codes: np.ndarray) -> list[Any]:
        return codes.tolist()

    def _encode_codes(self, codes: np.ndarray) -> np.ndarray:
        return self._unit_of(codes).reshape(-1, 1)

    def _rvs_codes(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._from_unit_codes(rng.random(n))


class Real(_Numeric):
    """A range of real numbers, bounds included.

    The names and arguments are scikit-optimize's ``Real``. Values reach the
    estimator as plain Python ``float``; in unit space and in the model's
    encoding, a log-uniform range is warped by the logarithm.

    Parameters
    ----------
    low : float
        Lower bound, below ``high``; reachable by :meth:`from_unit`.
    high : float
        Upper bound; reachable by :meth:`from_unit`.
    prior : {"uniform", "log-uniform"}, default="uniform"
        Measure of the range: uniform, or uniform in the logarithm (needs
        ``low > 0``). The log-uniform warping also applies to the model
        encoding.
    base : float, default=10
        Base of the logarithm, kept for scikit-optimize compatibility. The
        log-uniform distribution does not depend on the base, so it is only
        validated and stored.
    transform : str or None, default=None
        The name of a scikit-optimize transform; accepted and ignored (skhpo
        always encodes into [0, 1], log-warped for log-uniform priors).
    name : str or None, default=None
        Informative name (a search space uses its dict keys).
    dtype : type, default=float
        A float type, accepted for scikit-optimize compatibility; values are
        always plain Python ``float``.

    See Also
    --------
    Integer : A range of integers.
    Categorical : A finite list of values of any kind.
    Distribution : Any scipy.stats distribution.

    Notes
    -----
    :meth:`neighbor` takes a Gaussian step of standard deviation ``scale`` in
    unit space (so in log space for a log-uniform prior), reflected at the
    bounds. Invalid arguments raise when the dimension is used or checked by
    :func:`check_space`, not at construction (see :class:`Dimension`).

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import Real
    >>> dim = Real(1e-3, 1e3, prior="log-uniform")
    >>> dim.from_unit(np.array([0.0, 0.5, 1.0]))
    [0.001, 1.0, 1000.0]
    >>> dim.to_unit([0.1, 10.0]).round(3)
    array([0.333, 0.667])
    >>> dim.contains(1e4)
    False
    """

    _integer = False
    _dtype_kind = np.floating

    def __init__(
        self,
        low: float,
        high: float,
        prior: str = "uniform",
        base: float = 10,
        transform: str | None = None,
        name: str | None = None,
        dtype: Any = float,
    ) -> None:
        super().__init__(low, high, prior, base, transform, name, dtype)

    def _setup(self) -> None:
        low = self.low
        super()._setup()
        if self.prior == "log-uniform" and self.low <= 0:
            raise ValueError(f"prior='log-uniform' needs low > 0, got low={fmt(low)}")
        if self.prior == "log-uniform":
            self._log_low = math.log(self.low)
            self._log_span = math.log(self.high) - self._log_low
        # the unit value without fix-ups is exact (see _unit_of) unless the
        # span overflows
        self._plain_unit = self.prior != "log-uniform" and math.isfinite(
            self.high - self.low
        )

    def _cardinality(self) -> int | None:
        return None

    def _from_unit(self, u: np.ndarray) -> list[Any]:
        return self._from_unit_codes(u).tolist()

    def _from_unit_codes(self, u: np.ndarray) -> np.ndarray:
        if self.prior == "log-uniform":
            x = np.exp(self._log_low + u * self._log_span)
        else:
            x = self.low + u * (self.high - self.low)
        x = clip(x, self.low, self.high)
        x[u == 0.0] = self.low
        x[u == 1.0] = self.high
        return x

    def _to_unit(self, values: list[Any]) -> np.ndarray:
        return self._unit_of(self._as_floats(values))

    def _unit_of(self, x: np.ndarray) -> np.ndarray:
        """:meth:`to_unit` of values already checked (floats within the bounds)."""
        if self.prior == "log-uniform":
            u = (np.log(x) - self._log_low) / self._log_span
        else:
            u = (x - self.low) / (self.high - self.low)
        if self._plain_unit:
            # exact at the bounds: x - low is 0 at low, and (high - low) /
            # (high - low) is 1; monotone rounding keeps the rest in [0, 1]
            u += 0.0  # -0.0 (from x = -0.0 at low = 0) becomes 0.0
            return u
        u = clip(u, 0.0, 1.0)
        # the bounds exactly, however the logarithm rounds (numpy's differs
        # from math.log by an ulp on some releases and processors)
        u[x == self.low] = 0.0
        u[x == self.high] = 1.0
        return u

    def _neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        # Gaussian step of std ``scale`` in unit space, reflected at the bounds.
        u = float(self._to_unit([value])[0]) + scale * rng.standard_normal()
        return self._from_unit(np.array([reflect_unit(u)]))[0]

    def _neighbors(
        self, value: Any, rng: np.random.Generator, scale: float, n: int
    ) -> list[Any]:
        codes = np.repeat(self._as_floats([value]), n)
        return self._neighbors_codes(codes, rng, scale).tolist()

    def _neighbors_codes(
        self, codes: np.ndarray, rng: np.random.Generator, scale: float
    ) -> np.ndarray:
        u = self._unit_of(codes) + scale * rng.standard_normal(len(codes))
        return self._from_unit_codes(reflect_units(u))

    def _to_codes(self, values: Sequence[Any]) -> np.ndarray:
        return self._as_floats(values)

    def _contains(self, value: Any) -> bool:
        value = to_python(value)
        return is_real_number(value) and self.low <= value <= self.high


class Integer(_Numeric):
    """A range of integers, bounds included.

    The names and arguments are scikit-optimize's ``Integer``. Values reach
    the estimator as plain Python ``int``. The range is finite: it has a
    :attr:`cardinality` and a :meth:`grid`, so that a space of finite
    dimensions only can be evaluated whole.

    Parameters
    ----------
    low : int
        Lower bound, below ``high`` (a single value belongs in a
        one-element list).
    high : int
        Upper bound.
    prior : {"uniform", "log-uniform"}, default="uniform"
        ``"uniform"``: every integer is equally likely. ``"log-uniform"``
        (needs ``low >= 1``): integer ``v`` has probability
        ``log((v + 1) / v) / log((high + 1) / low)``, i.e. a log-uniform real
        on ``[low, high + 1)`` rounded down, so every integer, ``high``
        included, has a cell of positive width in unit space.
    base : float, default=10
        Base of the logarithm, kept for scikit-optimize compatibility (it
        does not change the distribution).
    transform : str or None, default=None
        The name of a scikit-optimize transform; accepted and ignored.
    name : str or None, default=None
        Informative name (a search space uses its dict keys).
    dtype : type, default=int
        An integer type, accepted for scikit-optimize compatibility; values
        are always plain Python ``int``.

    See Also
    --------
    Real : A range of real numbers.
    Categorical : A finite list of values of any kind.
    Distribution : Any scipy.stats distribution, such as ``randint``.

    Notes
    -----
    :meth:`neighbor` takes a Gaussian step in unit space as :class:`Real`
    does and, if that lands on the same integer, steps one integer in the
    direction of the draw, so it never returns the same value or a
    non-integer.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import Integer
    >>> Integer(1, 4).from_unit(np.array([0.0, 0.3, 0.6, 1.0]))
    [1, 2, 3, 4]
    >>> Integer(1, 4).grid()
    [1, 2, 3, 4]
    >>> Integer(1, 1000, prior="log-uniform").rvs(4, np.random.default_rng(0))
    [81, 6, 1, 1]
    """

    _integer = True
    _dtype_kind = np.integer

    def __init__(
        self,
        low: int,
        high: int,
        prior: str = "uniform",
        base: float = 10,
        transform: str | None = None,
        name: str | None = None,
        dtype: Any = int,
    ) -> None:
        super().__init__(low, high, prior, base, transform, name, dtype)

    def _setup(self) -> None:
        low = self.low
        super()._setup()
        if self.prior == "log-uniform" and self.low < 1:
            raise ValueError(f"prior='log-uniform' needs low >= 1, got low={fmt(low)}")
        self._n_values = self.high - self.low + 1
        if self.prior == "log-uniform":
            self._log_low = math.log(self.low)
            self._log_span = math.log(self.high + 1) - self._log_low

    def _cardinality(self) -> int | None:
        return self._n_values

    def _from_unit(self, u: np.ndarray) -> list[Any]:
        # Python ints, exact beyond numpy's int64 as well
        if self.prior == "log-uniform":
            return [int(v) for v in self._log_values(u)]
        return [self.low + int(i) for i in self._indices_of(u)]

    def _from_unit_codes(self, u: np.ndarray) -> np.ndarray:
        if self.prior == "log-uniform":
            return self._log_values(u).astype(np.int64)
        return self.low + self._indices_of(u).astype(np.int64)

    def _log_values(self, u: np.ndarray) -> np.ndarray:
        x = np.floor(np.exp(self._log_low + u * self._log_span))
        return clip(x, self.low, self.high)

    def _indices_of(self, u: np.ndarray) -> np.ndarray:
        return clip(np.floor(u * self._n_values), 0, self._n_values - 1)

    def _to_unit(self, values: list[Any]) -> np.ndarray:
        return self._unit_of(self._as_floats(values))

    def _unit_of(self, x: np.ndarray) -> np.ndarray:
        """:meth:`to_unit` of values already checked (integers within the
        bounds, as floats or integers)."""
        x = np.asarray(x, dtype=float)
        if self.prior == "log-uniform":
            centre = 0.5 * (np.log(x) + np.log(x + 1.0))
            u = (centre - self._log_low) / self._log_span
        else:
            u = (x - self.low + 0.5) / self._n_values
        return clip(u, 0.0, 1.0)

    def _neighbor(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        # Gaussian step in unit space, then at least one integer away from value.
        value = min(max(round(to_python(value)), self.low), self.high)
        z = rng.standard_normal()
        u = float(self._to_unit([value])[0]) + scale * z
        new = self._from_unit(np.array([reflect_unit(u)]))[0]
        if new == value:
            step = 1 if z > 0 else -1 if z < 0 else int(rng.choice([-1, 1]))
            new = (
                value + step if self.low <= value + step <= self.high else value - step
            )
        return new

    def _neighbors(
        self, value: Any, rng: np.random.Generator, scale: float, n: int
    ) -> list[Any]:
        value = min(max(round(to_python(value)), self.low), self.high)
        codes = np.full(n, value, dtype=np.int64)
        return self._neighbors_codes(codes, rng, scale).tolist()

    def _neighbors_codes(
        self, codes: np.ndarray, rng: np.random.Generator, scale: float
    ) -> np.ndarray:
        value = np.clip(np.asarray(codes, dtype=np.int64), self.low, self.high)
        z = rng.standard_normal(len(value))
        u = self._unit_of(value) + scale * z
        new = self._from_unit_codes(reflect_units(u))
        same = new == value
        if same.any():  # at least one integer away, in the direction of z
            value = value[same]
            step = np.sign(z[same]).astype(np.int64)
            ties = step == 0
            if ties.any():  # a draw of size 0 would draw nothing either
                step[ties] = rng.choice([-1, 1], size=int(ties.sum()))
            inside = (value + step >= self.low) & (value + step <= self.high)
            new[same] = np.where(inside, value + step, value - step)
        return new

    def _to_codes(self, values: Sequence[Any]) -> np.ndarray:
        self._as_floats(values)  # the checks: numbers, not NaN
        # exact, not through floats (integers beyond 2**53)
        low, high = self.low, self.high
        return np.array(
            [min(max(round(to_python(v)), low), high) for v in values], dtype=np.int64
        )

    def _grid(self) -> list[Any]:
        return list(range(self.low, self.high + 1))

    def _contains(self, value: Any) -> bool:
        value = to_python(value)
        return is_integer_number(value) and self.low <= value <= self.high
