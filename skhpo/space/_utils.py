"""Small helpers shared by the dimensions: plain values, equality, unit maps, RNGs."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

#: Unit values handed to a distribution's ``ppf`` are clipped to
#: ``[UNIT_EPS, 1 - UNIT_EPS]`` so that unbounded supports give finite values.
UNIT_EPS = 1e-12


def to_python(value: Any) -> Any:
    """Return ``value`` as a plain Python object.

    numpy scalars (``np.int64``, ``np.float64``, ``np.str_``, ``np.bool_``...)
    and 0-d arrays become the matching Python scalar; anything else is
    returned unchanged (the very same object).
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def is_real_number(value: Any) -> bool:
    """Whether ``value`` is a real number (bools excluded)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_integer_number(value: Any) -> bool:
    """Whether ``value`` is an integer (``int`` or numpy integer, bools excluded)."""
    return isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    )


def fmt(value: Any) -> str:
    """``repr`` of the plain Python version of ``value``, for messages."""
    return repr(to_python(value))


def safe_equal(a: Any, b: Any) -> bool:
    """Equality that never raises and never returns an array.

    Identity first; numpy arrays are equal when both are arrays with
    :func:`numpy.array_equal`; lists and tuples element by element with this
    same function; otherwise ``a == b`` when it gives a boolean. Two
    scikit-learn style estimators (objects with ``get_params``) of the same
    class are also equal when their parameters are, so that a clone is
    recognised as the listed estimator.
    """
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        try:
            return bool(np.array_equal(a, b))
        except Exception:
            return False
    if isinstance(a, (list, tuple)) and type(a) is type(b):
        return len(a) == len(b) and all(safe_equal(x, y) for x, y in zip(a, b))
    try:
        result = a == b
    except Exception:
        result = False
    if isinstance(result, (bool, np.bool_)) and result:
        return True
    return _same_estimator(a, b)


def _same_estimator(a: Any, b: Any) -> bool:
    if isinstance(a, type) or type(a) is not type(b) or not hasattr(a, "get_params"):
        return False
    try:
        params_a = a.get_params(deep=False)
        params_b = b.get_params(deep=False)
    except Exception:
        return False
    return params_a.keys() == params_b.keys() and all(
        safe_equal(params_a[key], params_b[key]) for key in params_a
    )


def clip(x: Any, low: Any, high: Any) -> np.ndarray:
    """``np.clip(x, low, high)`` for ``low <= high``, without its dispatch.

    The acquisition optimiser clips tens of thousands of small arrays per
    proposal, where ``np.clip``'s dispatch costs several times the clipping.
    For float arrays the values are the same (NaN stays NaN), except that a
    negative zero at a bound of zero comes out positive. An integer array
    with a bound beyond its dtype raises ``OverflowError`` where ``np.clip``
    does not: callers pass floats.
    """
    return np.minimum(np.maximum(x, low), high)


def as_unit_array(u: ArrayLike) -> np.ndarray:
    """Validate unit-interval values: a finite 1-d float array, clipped to [0, 1]."""
    arr = np.asarray(u, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"unit values must be a 1-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("unit values must be finite")
    return clip(arr, 0.0, 1.0)


def reflect_unit(u: float) -> float:
    """Reflect ``u`` back into [0, 1] at both ends (a mirror at 0 and at 1)."""
    u = math.fmod(abs(u), 2.0)
    return 2.0 - u if u > 1.0 else u


def reflect_units(u: np.ndarray) -> np.ndarray:
    """:func:`reflect_unit` of every element of ``u``."""
    u = np.fmod(np.abs(u), 2.0)
    return np.where(u > 1.0, 2.0 - u, u)


# scikit-optimize's values for ``transform``: accepted and ignored.
_SKOPT_TRANSFORMS = (None, "identity", "normalize", "onehot", "string", "label")


def check_common_args(transform: Any, name: Any) -> None:
    """Validate scikit-optimize's ignored ``transform`` and the ``name``."""
    if transform not in _SKOPT_TRANSFORMS:
        raise ValueError(
            f"transform must be one of {_SKOPT_TRANSFORMS}, got {transform!r}"
        )
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a str or None, got {name!r}")


def check_generator(rng: Any) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from ``rng``.

    A Generator is returned as is; ``None``, an int or a ``SeedSequence`` seed
    a new one; a legacy ``RandomState`` seeds a new Generator from one draw
    of its stream (so it advances, deterministically).
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.RandomState):
        return np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        return np.random.default_rng(rng)
    raise TypeError(
        "rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)), "
        f"an int seed or None, got {rng!r} (of type {type(rng).__name__})"
    )


def check_n(n: Any) -> int:
    """Validate a number of draws: a non-negative integer."""
    if not is_integer_number(n) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return int(n)


def check_scale(scale: Any) -> float:
    """Validate a neighbour step scale: a finite number >= 0."""
    if not is_real_number(scale) or not math.isfinite(scale) or scale < 0:
        raise ValueError(f"scale must be a finite number >= 0, got {scale!r}")
    return float(scale)
