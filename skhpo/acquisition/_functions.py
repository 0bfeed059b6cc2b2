"""Acquisition functions for maximisation (higher scores are better).

All functions are vectorised over the candidates and take the posterior mean
and standard deviation of the latent score. They are safe at ``std == 0``:
they then reduce to their deterministic limits, never NaN.

``xi`` is an improvement margin in the same units as ``mean`` and ``best``.
:func:`skhpo.acquisition.propose` passes ``xi`` times the standard deviation of
the observed scores, so that the user-facing ``xi`` is scale free.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

_SQRT_2PI = np.sqrt(2.0 * np.pi)
_C1 = 0.5 * np.log(2.0 * np.pi)
_C2 = 0.5 * np.log(0.5 * np.pi)
_INV_SQRT_EPS = 1.0 / np.sqrt(np.finfo(float).eps)


def _z_score(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Improvement ``u = mean - best - xi``, safe std, its mask and ``u/std``."""
    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    u = mean - best - xi
    positive = std > 0
    safe = np.where(positive, std, 1.0)
    return u, safe, positive, u / safe


def expected_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.01
) -> np.ndarray:
    """Expected improvement over ``best + xi``.

    ``EI = u * Phi(z) + std * phi(z)`` with ``u = mean - best - xi`` and
    ``z = u / std``; ``max(u, 0)`` where ``std == 0``.

    Parameters
    ----------
    mean, std : array-like of shape (n,)
        Posterior mean and standard deviation.
    best : float
        Incumbent (best observed) score.
    xi : float, default=0.01
        Improvement margin, in the units of ``mean``.

    Returns
    -------
    ei : ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.acquisition import expected_improvement
    >>> expected_improvement(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5, 0.0)
    array([0.5       , 0.19779656])
    """
    u, safe, positive, z = _z_score(mean, std, best, xi)
    pdf = np.exp(-0.5 * z * z) / _SQRT_2PI
    ei = u * ndtr(z) + safe * pdf
    return np.where(positive, np.maximum(ei, 0.0), np.maximum(u, 0.0))


def probability_of_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.01
) -> np.ndarray:
    """Probability that the score exceeds ``best + xi``: ``Phi((mean-best-xi)/std)``.

    Where ``std == 0`` it is 1 if ``mean > best + xi`` else 0.

    Parameters
    ----------
    mean, std : array-like of shape (n,)
        Posterior mean and standard deviation.
    best : float
        Incumbent (best observed) score.
    xi : float, default=0.01
        Improvement margin, in the units of ``mean``.

    Returns
    -------
    pi : ndarray of shape (n,)
    """
    u, _, positive, z = _z_score(mean, std, best, xi)
    return np.where(positive, ndtr(z), (u > 0).astype(float))


def upper_confidence_bound(
    mean: np.ndarray, std: np.ndarray, kappa: float = 1.96
) -> np.ndarray:
    """Upper confidence bound ``mean + kappa * std``.

    Parameters
    ----------
    mean, std : array-like of shape (n,)
        Posterior mean and standard deviation.
    kappa : float, default=1.96
        Exploration weight.

    Returns
    -------
    ucb : ndarray of shape (n,)
    """
    return np.asarray(mean, dtype=float) + kappa * np.asarray(std, dtype=float)


def _log_h(z: np.ndarray) -> np.ndarray:
    """``log(phi(z) + z * Phi(z))`` without underflow (Ament et al., 2023)."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    mid = z > -1.0
    zm = z[mid]
    out[mid] = np.log(np.exp(-0.5 * zm * zm) / _SQRT_2PI + zm * ndtr(zm))
    low = ~mid & (z > -_INV_SQRT_EPS)
    zl = z[low]
    # phi(z) * (1 - |z| * Phi(z) / phi(z)), the ratio through erfcx
    t = np.log(erfcx(-zl / np.sqrt(2.0)) * np.abs(zl)) + _C2
    out[low] = -0.5 * zl * zl - _C1 + np.log(-np.expm1(t))
    tail = ~mid & ~low
    zt = z[tail]
    out[tail] = -0.5 * zt * zt - _C1 - 2.0 * np.log(np.abs(zt))
    return out


def _log_expected_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.01
) -> np.ndarray:
    """``log(EI)``, finite wherever ``std > 0`` (same ranking as EI)."""
    u, safe, positive, z = _z_score(mean, std, best, xi)
    with np.errstate(divide="ignore"):
        return np.where(positive, _log_h(z) + np.log(safe), np.log(np.maximum(u, 0.0)))


def _log_probability_of_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.01
) -> np.ndarray:
    """``log(PI)``, finite wherever ``std > 0`` (same ranking as PI)."""
    u, _, positive, z = _z_score(mean, std, best, xi)
    return np.where(positive, log_ndtr(z), np.where(u > 0, 0.0, -np.inf))


ACQUISITION_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "EI": expected_improvement,
    "PI": probability_of_improvement,
    "UCB": upper_confidence_bound,
}

# Monotone transforms of the acquisition functions, used to rank candidates:
# log EI / log PI keep a usable signal where EI / PI underflow to 0.
_RANKING_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "EI": _log_expected_improvement,
    "PI": _log_probability_of_improvement,
    "UCB": upper_confidence_bound,
}


def get_acquisition(name: str) -> Callable[..., np.ndarray]:
    """Return the acquisition function called ``name`` (case-insensitive).

    Parameters
    ----------
    name : {"EI", "PI", "UCB"}
        Also accepted in lower case.

    Returns
    -------
    function : callable

    Raises
    ------
    ValueError
        If ``name`` is not a known acquisition function.
    """
    return ACQUISITION_FUNCTIONS[_canonical_name(name)]


def _canonical_name(name: str) -> str:
    key = name.upper() if isinstance(name, str) else None
    if key not in ACQUISITION_FUNCTIONS:
        valid = ", ".join(repr(k) for k in ACQUISITION_FUNCTIONS)
        raise ValueError(
            f"acq_func must be one of {valid} (or lower case), got {name!r}."
        )
    return key
