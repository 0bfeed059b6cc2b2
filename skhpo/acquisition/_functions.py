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
_TINY = np.finfo(float).tiny


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
    # near the tail, 1 - |z| Phi(z) / phi(z) (about 1 / z^2) can round to 0
    # or below: the smallest float keeps it finite, -z^2 / 2 dominates there
    out[low] = -0.5 * zl * zl - _C1 + np.log(np.maximum(-np.expm1(t), _TINY))
    tail = ~mid & ~low
    zt = z[tail]
    out[tail] = -0.5 * zt * zt - _C1 - 2.0 * np.log(np.abs(zt))
    return out


def _log_expected_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.01
) -> np.ndarray:
    """``log(EI)``, finite wherever ``std > 0`` (same ranking as EI)."""
    return _log_ei_of(*_z_score(mean, std, best, xi))


def _log_probability_of_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.01
) -> np.ndarray:
    """``log(PI)``, finite wherever ``std > 0`` (same ranking as PI)."""
    return _log_pi_of(*_z_score(mean, std, best, xi))


def _log_ei_of(
    u: np.ndarray, safe: np.ndarray, positive: np.ndarray, z: np.ndarray
) -> np.ndarray:
    """``log(EI)`` from :func:`_z_score`'s terms."""
    with np.errstate(divide="ignore"):
        return np.where(positive, _log_h(z) + np.log(safe), np.log(np.maximum(u, 0.0)))


def _log_pi_of(
    u: np.ndarray, safe: np.ndarray, positive: np.ndarray, z: np.ndarray
) -> np.ndarray:
    """``log(PI)`` from :func:`_z_score`'s terms."""
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


#: What ``propose`` takes as ``acq_func``: the three functions and "MACE",
#: their ensemble (see :class:`_Ensemble`).
ACQUISITION_NAMES = (*ACQUISITION_FUNCTIONS, "MACE")

#: The weight of the weighted sum beside the Chebyshev term in augmented
#: Chebyshev scalarisations (ParEGO's, Knowles, IEEE TEC 2006).
CHEBYSHEV_RHO = 0.05


def get_acquisition(name: str) -> Callable[..., np.ndarray]:
    """Return the acquisition function called ``name`` (case-insensitive).

    Parameters
    ----------
    name : {"EI", "PI", "UCB"}
        Also accepted in lower case. ("MACE", which ``propose`` also takes,
        is an ensemble of the three drawn anew at each proposal, not one
        function.)

    Returns
    -------
    function : callable

    Raises
    ------
    ValueError
        If ``name`` is not a known acquisition function.
    """
    if isinstance(name, str) and name.upper() == "MACE":
        raise ValueError(
            "get_acquisition: 'MACE' is an ensemble of 'EI', 'PI' and 'UCB' "
            "drawn anew at each proposal, not one function; ask for one of those."
        )
    return ACQUISITION_FUNCTIONS[_canonical_name(name, tuple(ACQUISITION_FUNCTIONS))]


def _canonical_name(name: str, names: tuple = ACQUISITION_NAMES) -> str:
    key = name.upper() if isinstance(name, str) else None
    if key not in names:
        valid = ", ".join(repr(k) for k in names)
        raise ValueError(
            f"acq_func must be one of {valid} (or lower case), got {name!r}."
        )
    return key


def ucb_schedule(n_observed: int, n_dims: int, delta: float = 0.01) -> float:
    """GP-UCB's exploration weight at half its theoretical square, as HEBO
    uses it: ``sqrt((2 + n_dims / 2) * log(t) + log(pi**2 / delta))`` for
    ``t = max(1, n_observed)`` (Srinivas et al., ICML 2010; Cowen-Rivers et
    al., JAIR 2022). It grows slowly with the observations: 2.6 at 1, 4.3 at
    10 and 5.5 at 100 for 6 parameters."""
    t = max(1, int(n_observed))
    return float(np.sqrt((2.0 + n_dims / 2.0) * np.log(t) + np.log(np.pi**2 / delta)))


class _Ensemble:
    """HEBO's multi-objective acquisition ensemble (MACE), one point of its
    Pareto front per proposal.

    HEBO keeps the Pareto front of log expected improvement, log probability
    of improvement and the upper confidence bound, and picks a point of it
    at random. Here each proposal draws weights ``w`` uniformly from the
    simplex and maximises the augmented Chebyshev scalarisation
    ``-max_i w_i (1 - z_i) + rho * sum_i w_i z_i`` of the three, each
    rescaled on the first points it ranks (the proposal's random pool): its
    median to 0, its best to 1. Every point of the front (convex or not) is
    the maximum for some weights, so the proposals spread along it: some
    exploit (log PI), some explore (UCB with the growing ``kappa`` of
    :func:`ucb_schedule`).

    Called like the ranking functions: ``(mean, std, best, xi)``.
    """

    def __init__(self, rng: np.random.Generator, kappa: float) -> None:
        self.weights = rng.dirichlet(np.ones(3))[:, None]
        self.kappa = kappa
        self._low: np.ndarray | None = None
        self._span: np.ndarray | None = None

    def __call__(
        self, mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.01
    ) -> np.ndarray:
        terms = _z_score(mean, std, best, xi)  # shared by log EI and log PI
        C = np.vstack(
            [
                _log_ei_of(*terms),
                _log_pi_of(*terms),
                upper_confidence_bound(mean, std, self.kappa),
            ]
        )
        if self._low is None:
            self._set_scale(C)
        Z = (C - self._low) / self._span
        Z[~np.isfinite(Z)] = -1e6  # log EI, log PI of -inf
        w = self.weights
        return -(w * (1.0 - Z)).max(axis=0) + CHEBYSHEV_RHO * (w * Z).sum(axis=0)

    def _set_scale(self, C: np.ndarray) -> None:
        low, span = np.zeros((len(C), 1)), np.ones((len(C), 1))
        for i, row in enumerate(C):
            finite = row[np.isfinite(row)]
            if len(finite):
                low[i] = np.median(finite)
                top = finite.max()
                span[i] = top - low[i] if top > low[i] else 1.0
        self._low, self._span = low, span
