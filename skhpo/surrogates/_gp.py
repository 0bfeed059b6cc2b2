"""Exact Gaussian-process regression for Bayesian optimisation.

A small, fast GP written directly on numpy/scipy LAPACK calls. The model is

    y = f(x) + eps,  f ~ GP(0, a * Matern52(x, x'; l)),  eps ~ N(0, s)

on standardised targets, with one length scale per input feature (ARD). The
hyperparameters ``theta = [log a, log l_1, ..., log l_d, log s]`` are fitted by
maximising the log marginal likelihood plus weak log-normal priors (a MAP
estimate) with L-BFGS-B and an analytic gradient.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.linalg import lapack, solve_triangular
from scipy.optimize import minimize

_SQRT5 = np.sqrt(5.0)
_LOG_2PI = np.log(2.0 * np.pi)
_JITTER = 1e-10
# Above this many (n * n * d) entries the per-feature squared distances are not
# cached (memory) and the length-scale gradient is computed feature by feature.
_MAX_CACHE = 4_000_000
_BLOCK = 256  # rows per block in predict
_SHORT_ITER = 10  # L-BFGS-B iterations from each start before polishing the best
_FTOL, _GTOL = 1e-7, 1e-4

# Bounds (natural log) for unit-cube inputs and standardised targets.
_AMP_BOUNDS = (np.log(0.05), np.log(20.0))
_LS_BOUNDS = (np.log(0.01), np.log(20.0))
_NOISE_BOUNDS = (np.log(1e-6), np.log(1.0))

# Weak log-normal priors (mean, std of the natural log). Length scales centre
# on 0.5 * sqrt(d) for d features in the unit cube (the typical distance
# between points grows like sqrt(d)); the signal variance on 1 (the
# standardised scale); the noise variance on 1e-3 with a very wide spread.
_AMP_PRIOR = (0.0, 1.5)
_LS_PRIOR = (np.log(0.5), 1.0)  # the mean gets + 0.5 * log(d)
_NOISE_PRIOR = (np.log(1e-3), 3.0)


def _matern52(r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit-variance Matérn 5/2 correlation and its length-scale factor.

    Parameters
    ----------
    r2 : ndarray
        Squared scaled distances.

    Returns
    -------
    k : ndarray
        ``(1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)``.
    g : ndarray
        ``5/3 (1 + sqrt5 r) exp(-sqrt5 r)``, such that
        ``dk / dlog l_j = g * (x_j - x'_j)^2 / l_j^2``.
    """
    r = np.sqrt(r2)
    e = np.exp(-_SQRT5 * r)
    lin = 1.0 + _SQRT5 * r
    return (lin + (5.0 / 3.0) * r2) * e, (5.0 / 3.0) * lin * e


def _sq_dist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``A`` and ``B``."""
    d2 = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T
    return np.maximum(d2, 0.0, out=d2)


def _cholesky(K: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor, adding jitter if ``K`` is numerically singular."""
    jitter = 0.0
    for _ in range(6):
        L, info = lapack.dpotrf(K, lower=1, clean=1, overwrite_a=0)
        if info == 0:
            return L
        jitter = 1e-8 if jitter == 0.0 else jitter * 100.0
        K = K + jitter * np.eye(K.shape[0])
    raise np.linalg.LinAlgError("GaussianProcess: kernel matrix not positive definite")


class GaussianProcess:
    """Exact GP with a constant * ARD Matérn 5/2 + white-noise kernel.

    Parameters
    ----------
    n_restarts : int, default=1
        Number of extra L-BFGS-B starts drawn at random from the hyperparameter
        priors, besides the default start and ``theta0`` (when given).
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the random restarts.
    optimize : bool, default=True
        If False, ``fit`` uses ``theta0`` (or the default) without optimising.
    mean_quantile : float in [0, 1] or None, default=None
        The constant prior mean: the targets' mean (None) or this quantile of
        them. A low quantile is a pessimistic prior (for targets maximised):
        far from every observation the posterior returns to a score below
        the typical one.

    Attributes
    ----------
    theta_ : ndarray of shape (n_features + 2,)
        Fitted ``[log amplitude, log length scales..., log noise]`` (natural
        logs; amplitude and noise are variances in standardised target units).
    X_train_ : ndarray of shape (n_samples, n_features)
        Training inputs.
    y_train_ : ndarray of shape (n_samples,)
        Training targets in original units.
    log_marginal_likelihood_value_ : float
        Log marginal likelihood (without the prior) of the standardised
        targets at ``theta_``.
    bounds_ : ndarray of shape (n_features + 2, 2)
        Bounds of ``theta`` used by the optimiser.

    Notes
    -----
    Targets are standardised by their mean (or ``mean_quantile``) and standard
    deviation (a standard deviation of 0 is treated as 1). The fit is a MAP
    estimate: the log marginal likelihood plus log-normal priors on amplitude
    (median 1, log-std 1.5), length scales (median ``0.5 * sqrt(n_features)``
    for inputs in the unit cube, log-std 1) and noise (median 1e-3, log-std
    3). Bounds: amplitude in [0.05, 20], length scales in [0.01, 20], noise in
    [1e-6, 1]. The length scale prior was chosen on a benchmark of continuous
    and mixed problems (longer length scales share information between the
    one-hot columns of categorical parameters).

    Optimiser starts: ``theta0`` (warm start), the prior mean, and
    ``n_restarts`` prior draws; every start gets a short L-BFGS-B run and the
    best is then run to convergence.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.surrogates import GaussianProcess
    >>> X = np.linspace(0, 1, 8)[:, None]
    >>> gp = GaussianProcess(random_state=0).fit(X, np.sin(6 * X[:, 0]))
    >>> mean, std = gp.predict(np.array([[0.5]]))
    >>> bool(abs(mean[0] - np.sin(3.0)) < 0.05)
    True
    """

    def __init__(
        self,
        n_restarts: int = 1,
        random_state: int | np.random.Generator | None = None,
        optimize: bool = True,
        mean_quantile: float | None = None,
    ) -> None:
        self.n_restarts = n_restarts
        self.random_state = random_state
        self.optimize = optimize
        self.mean_quantile = mean_quantile

    # ------------------------------------------------------------------ fit
    def fit(
        self, X: np.ndarray, y: np.ndarray, theta0: np.ndarray | None = None
    ) -> GaussianProcess:
        """Fit the hyperparameters and the posterior.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Inputs, ideally in the unit cube.
        y : ndarray of shape (n_samples,)
            Finite targets.
        theta0 : ndarray of shape (n_features + 2,), optional
            Warm start, e.g. the ``theta_`` of a previous fit. Ignored if its
            shape does not match.

        Returns
        -------
        self : GaussianProcess
        """
        X = np.array(X, dtype=float, ndmin=2)
        y = np.asarray(y, dtype=float).ravel()
        if X.shape[0] != y.shape[0] or X.shape[0] == 0:
            raise ValueError("GaussianProcess: X and y need the same, non-zero length")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("GaussianProcess: X and y must be finite")
        q = self.mean_quantile
        if q is not None and not (isinstance(q, numbers.Real) and 0.0 <= q <= 1.0):
            raise ValueError(
                f"GaussianProcess: mean_quantile must be in [0, 1] or None, got {q!r}"
            )
        n, d = X.shape
        self.X_train_, self.y_train_ = X, y
        self._cache = None
        self._set_normalisation()
        self.bounds_ = self._bounds(d)
        self._prior_mean, self._prior_std = self._prior(d)
        default = self._prior_mean.copy()
        if theta0 is not None:
            theta0 = np.asarray(theta0, dtype=float).ravel()
            if theta0.shape != default.shape or not np.all(np.isfinite(theta0)):
                theta0 = None
        if theta0 is not None:
            theta0 = np.clip(theta0, self.bounds_[:, 0], self.bounds_[:, 1])

        if self.optimize:
            starts = [default] if theta0 is None else [theta0, default]
            rng = np.random.default_rng(self.random_state)
            for _ in range(self.n_restarts):
                draw = self._prior_mean + self._prior_std * rng.standard_normal(d + 2)
                starts.append(np.clip(draw, self.bounds_[:, 0], self.bounds_[:, 1]))
            theta = self._optimise(starts)
            self._cache = None
        else:
            theta = default if theta0 is None else theta0
        self.theta_ = theta
        self._factorise()
        return self

    def _set_normalisation(self) -> None:
        y = self.y_train_
        q = self.mean_quantile
        self._y_mean = float(y.mean() if q is None else np.quantile(y, q))
        std = float(y.std())
        self._y_std = std if std > 1e-12 * max(1.0, abs(self._y_mean)) else 1.0
        self._yn = (y - self._y_mean) / self._y_std

    @staticmethod
    def _bounds(d: int) -> np.ndarray:
        return np.array([_AMP_BOUNDS] + [_LS_BOUNDS] * d + [_NOISE_BOUNDS])

    @staticmethod
    def _prior(d: int) -> tuple[np.ndarray, np.ndarray]:
        ls_prior = (_LS_PRIOR[0] + 0.5 * np.log(max(d, 1)), _LS_PRIOR[1])
        stats = np.array([_AMP_PRIOR] + [ls_prior] * d + [_NOISE_PRIOR])
        return stats[:, 0], stats[:, 1]

    def _optimise(self, starts: list[np.ndarray]) -> np.ndarray:
        """Short L-BFGS-B runs from every start, then polish the best."""
        bounds = self.bounds_

        def run(theta: np.ndarray, maxiter: int) -> tuple[np.ndarray, float]:
            res = minimize(
                self._objective,
                theta,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": maxiter, "ftol": _FTOL, "gtol": _GTOL},
            )
            return res.x, float(res.fun)

        results = [run(t, _SHORT_ITER) for t in starts]
        best = min(range(len(results)), key=lambda i: results[i][1])
        theta, fun = run(results[best][0], 200)
        return theta if fun <= results[best][1] else results[best][0]

    def _objective(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log posterior (LML + log prior) and its gradient."""
        try:
            lml, grad = self._lml(theta, eval_gradient=True)
        except np.linalg.LinAlgError:
            return 1e25, np.zeros_like(theta)
        z = (theta - self._prior_mean) / self._prior_std
        lp = -0.5 * float(z @ z)
        return -(lml + lp), -(grad - z / self._prior_std)

    # ------------------------------------------------------------- the LML
    def log_marginal_likelihood(
        self, theta: np.ndarray | None = None, eval_gradient: bool = False
    ) -> float | tuple[float, np.ndarray]:
        """Log marginal likelihood of the standardised training targets.

        Parameters
        ----------
        theta : ndarray of shape (n_features + 2,), optional
            Hyperparameters; defaults to ``theta_``.
        eval_gradient : bool, default=False
            Also return the gradient with respect to ``theta``.

        Returns
        -------
        lml : float
        grad : ndarray of shape (n_features + 2,)
            Only if ``eval_gradient``.
        """
        theta = self.theta_ if theta is None else np.asarray(theta, dtype=float)
        lml, grad = self._lml(theta, eval_gradient)
        return (lml, grad) if eval_gradient else lml

    def _workspace(self) -> tuple:
        """Lower-triangle pairs, their squared differences and an n x n buffer."""
        if getattr(self, "_cache", None) is None:
            X = self.X_train_
            n, d = X.shape
            rows, cols = np.tril_indices(n, -1)
            sq = (X[rows] - X[cols]) ** 2 if n * n * d <= _MAX_CACHE else None
            self._cache = rows, cols, rows * n + cols, sq, np.empty((n, n))
        return self._cache

    def _lml(self, theta: np.ndarray, eval_gradient: bool) -> tuple[float, np.ndarray]:
        """LML and gradient, working on the strictly lower triangle of K.

        ``K`` is assembled in the lower triangle of a C-ordered buffer, which
        LAPACK sees as the upper triangle of a Fortran array, so the Cholesky
        factor and the inverse are computed in place without copies.
        """
        X, y = self.X_train_, self._yn
        n, d = X.shape
        rows, cols, flat, sq, buf = self._workspace()
        amp, noise = np.exp(theta[0]), np.exp(theta[-1])
        inv_l2 = np.exp(-2.0 * theta[1:-1])
        if sq is not None:
            r2 = sq @ inv_l2
        else:
            r2 = np.zeros(len(rows))
            for j in range(d):
                r2 += (X[rows, j] - X[cols, j]) ** 2 * inv_l2[j]
        kf, g = _matern52(r2)
        jitter = _JITTER
        for _ in range(6):
            buf.ravel()[flat] = amp * kf
            buf.flat[:: n + 1] = amp + noise + jitter
            U, info = lapack.dpotrf(buf.T, lower=0, clean=0, overwrite_a=1)
            if info == 0:
                break
            jitter = max(1e-8, jitter * 100.0)
        else:
            raise np.linalg.LinAlgError("kernel matrix not positive definite")
        alpha, _ = lapack.dpotrs(U, y, lower=0)
        log_det = np.log(np.diag(U)).sum()
        lml = -0.5 * y @ alpha - log_det - 0.5 * n * _LOG_2PI
        if not eval_gradient:
            return float(lml), np.empty(0)
        # dLML/dtheta_i = 0.5 * sum(W * dK/dtheta_i), W = alpha alpha^T - K^-1;
        # off-diagonal pairs count twice, dK/dlog l_j has a zero diagonal.
        lapack.dpotri(U, lower=0, overwrite_c=1)  # K^-1 into buf's lower half
        w = alpha[rows] * alpha[cols] - buf.ravel()[flat]
        trace_w = alpha @ alpha - np.trace(buf)
        grad = np.empty(d + 2)
        grad[0] = amp * (w @ kf + 0.5 * trace_w)
        grad[-1] = 0.5 * noise * trace_w
        wg = amp * w * g
        if sq is not None:
            grad[1:-1] = (wg @ sq) * inv_l2
        else:
            for j in range(d):
                grad[1 + j] = wg @ (X[rows, j] - X[cols, j]) ** 2 * inv_l2[j]
        return float(lml), grad

    # ------------------------------------------------------------ posterior
    def _scaled(self, X: np.ndarray) -> np.ndarray:
        return X * np.exp(-self.theta_[1:-1])

    def _factorise(self) -> None:
        """Cholesky factor and weights at ``theta_`` on the training data."""
        Xs = self._scaled(self.X_train_)
        K = np.exp(self.theta_[0]) * _matern52(_sq_dist(Xs, Xs))[0]
        K.flat[:: K.shape[0] + 1] += np.exp(self.theta_[-1]) + _JITTER
        self._L = _cholesky(K)
        self._update_weights()

    def _update_weights(self) -> None:
        self._Linv = None
        self._alpha, _ = lapack.dpotrs(self._L, self._yn, lower=1)
        n = self._yn.shape[0]
        self.log_marginal_likelihood_value_ = float(
            -0.5 * self._yn @ self._alpha
            - np.log(np.diag(self._L)).sum()
            - 0.5 * n * _LOG_2PI
        )

    def _cross_kernel(self, X: np.ndarray) -> np.ndarray:
        """Signal covariance between the rows of ``X`` and the training inputs."""
        inv_l = np.exp(-self.theta_[1:-1])
        r2 = _sq_dist(X * inv_l, self.X_train_ * inv_l)
        # unit Matern 5/2, in place: (1 + s r + 5/3 r^2) exp(-s r), s = sqrt(5)
        r = np.sqrt(r2)
        r *= _SQRT5
        k = np.exp(-r)
        r2 *= 5.0 / 3.0
        r2 += 1.0
        r2 += r
        r2 *= k
        r2 *= np.exp(self.theta_[0])
        return r2

    def predict(
        self, X: np.ndarray, return_std: bool = True
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation in original target units.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_features)
        return_std : bool, default=True

        Returns
        -------
        mean : ndarray of shape (n_points,)
        std : ndarray of shape (n_points,)
            Standard deviation of the latent function ``f`` (observation
            noise excluded). Only if ``return_std``.
        """
        X = np.array(X, dtype=float, ndmin=2)
        if self._Linv is None:
            self._Linv = lapack.dtrtri(self._L, lower=1)[0]
        mean, var = np.empty(len(X)), np.empty(len(X))
        # blocks of rows keep the temporaries small (and in the allocator's heap)
        for start in range(0, len(X), _BLOCK):
            block = slice(start, start + _BLOCK)
            Ks = self._cross_kernel(X[block])
            mean[block] = Ks @ self._alpha
            if return_std:
                V = Ks @ self._Linv.T
                V *= V
                var[block] = V.sum(axis=1)
        mean = self._y_mean + self._y_std * mean
        if not return_std:
            return mean
        var = np.exp(self.theta_[0]) - var
        return mean, self._y_std * np.sqrt(np.maximum(var, 0.0))

    def condition_on(self, X_new: np.ndarray, y_new: np.ndarray) -> GaussianProcess:
        """Return a new GP with extra observations and the same ``theta_``.

        The Cholesky factor is extended by a block update (no refit of the
        hyperparameters); targets are re-standardised on the combined data, so
        the result equals ``fit`` with ``optimize=False, theta0=theta_``.

        Parameters
        ----------
        X_new : ndarray of shape (m, n_features)
        y_new : ndarray of shape (m,)

        Returns
        -------
        gp : GaussianProcess
        """
        X_new = np.array(X_new, dtype=float, ndmin=2)
        y_new = np.asarray(y_new, dtype=float).ravel()
        new = GaussianProcess(
            self.n_restarts,
            self.random_state,
            optimize=False,
            mean_quantile=self.mean_quantile,
        )
        new.theta_, new.bounds_ = self.theta_, self.bounds_
        new.X_train_ = np.vstack([self.X_train_, X_new])
        new.y_train_ = np.concatenate([self.y_train_, y_new])
        new._set_normalisation()
        amp, noise = np.exp(self.theta_[0]), np.exp(self.theta_[-1])
        Xo, Xn = self._scaled(self.X_train_), self._scaled(X_new)
        K12 = amp * _matern52(_sq_dist(Xo, Xn))[0]
        K22 = amp * _matern52(_sq_dist(Xn, Xn))[0]
        K22.flat[:: K22.shape[0] + 1] += noise + _JITTER
        B = solve_triangular(self._L, K12, lower=True, check_finite=False)
        L22 = _cholesky(K22 - B.T @ B)
        n, m = self._L.shape[0], L22.shape[0]
        L = np.zeros((n + m, n + m))
        L[:n, :n], L[n:, :n], L[n:, n:] = self._L, B.T, L22
        new._L = L
        new._update_weights()
        return new
