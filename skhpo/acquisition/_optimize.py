"""Propose new candidates by maximising an acquisition function over a space.

One Gaussian process is fitted on the encoded observations; candidates are
then chosen one at a time by the *kriging believer* heuristic: each pick (and
each pending candidate) is added to the GP with its posterior mean as a
fantasy observation, without refitting, before the next pick.

The acquisition is maximised over the native mixed space (no relaxation of
integers or categories): a random pool from the prior plus neighbours of the
best observations is scored, and the best few pool points are improved by a
stochastic local search with ``space.neighbor`` at shrinking scales. Small
finite spaces are scored exhaustively instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..space import Integer, Real
from ..surrogates import GaussianProcess
from ..utils._threads import single_blas_thread
from ._functions import (
    _RANKING_FUNCTIONS,
    ACQUISITION_FUNCTIONS,
    _canonical_name,
    _Ensemble,
    ucb_schedule,
)

Candidate = tuple[int, dict]

_GRID_LIMIT = 5000  # finite spaces up to this size are scored exhaustively
_N_TOP_OBSERVED = 5  # observations whose neighbourhoods seed the pool
_OBS_SCALES = (0.02, 0.08, 0.25)
_N_OBS_NEIGHBOURS = 6  # per observation and scale
_N_STARTS = 5  # local searches per proposal
_LOCAL_SCALES = (0.15, 0.08, 0.04, 0.02, 0.01)
_N_LOCAL_NEIGHBOURS = 10  # per start and scale
# Beyond _FULL_POOL_OBS observations (pending included) a proposal's cost is
# kept bounded: the random pool shrinks, the local search is shorter, and the
# GP sees at most _MAX_ACTIVE observations.
_FULL_POOL_OBS = 100
_MIN_POOL = 300
_SHORT_SEARCH = (3, 8)  # local searches and neighbours per scale, then
_MAX_ACTIVE = 200
# Below _EARLY_OBS observations (without fidelities) the GP's prior mean is
# the _EARLY_MEAN_QUANTILE quantile of the modelled scores (see propose).
_EARLY_OBS = 12
_EARLY_MEAN_QUANTILE = 0.25


def propose(
    space: Any,
    X_obs_cands: Sequence[Candidate],
    y_obs: np.ndarray,
    n_proposals: int,
    *,
    pending: Sequence[Candidate] = (),
    acq_func: str = "EI",
    acq_kwargs: dict | None = None,
    rng: np.random.Generator,
    gp_theta0: np.ndarray | None = None,
    exclude: Sequence[Candidate] = (),
    n_samples: int | None = None,
    refit_gp: bool = True,
    fidelity: np.ndarray | None = None,
) -> tuple[list[Candidate], dict]:
    """Propose ``n_proposals`` new candidates by Bayesian optimisation.

    Parameters
    ----------
    space : SearchSpace
        The searched space.
    X_obs_cands : sequence of (int, dict)
        Evaluated candidates ``(subspace index, params)`` with finite scores.
    y_obs : ndarray of shape (n_obs,)
        Their scores (higher is better).
    n_proposals : int
        Number of candidates to propose.
    pending : sequence of (int, dict), default=()
        Candidates being evaluated; added as fantasies before the first pick.
    acq_func : {"EI", "PI", "UCB", "MACE"}, default="EI"
        Acquisition function (lower case accepted). "MACE" is HEBO's ensemble
        of the three: each pick maximises a scalarisation of them with
        weights drawn from ``rng`` (see Notes).
    acq_kwargs : dict, optional
        ``xi`` (EI, PI, MACE; default 0.01) and ``kappa`` (UCB; default 1.96;
        MACE: default :func:`ucb_schedule` of the number of observations and
        of the searched dimensions, see Notes); a key that does not apply to
        ``acq_func`` is ignored. ``xi`` is expressed in units of the standard
        deviation of the modelled scores.
    rng : numpy.random.Generator
        Source of all randomness; the result is deterministic given its state.
    gp_theta0 : ndarray, optional
        Warm start of the GP hyperparameters (``info["theta"]`` of a previous
        call).
    exclude : sequence of (int, dict), default=()
        Candidates that must not be proposed (e.g. all evaluated, failed and
        pending ones). Observed and pending candidates are always excluded;
        candidates are compared by their (rounded) encoded rows.
    n_samples : int, optional
        Size of the random pool; default ``min(2000, 500 + 250 * n_dims)``,
        shrunk beyond 150 observations (see Notes).
    refit_gp : bool, default=True
        Fit the GP's hyperparameters; False uses ``gp_theta0`` as it is (the
        posterior is still computed on every observation).
    fidelity : ndarray of shape (n_obs,), optional
        The fidelity each score was measured at, in [0, 1] (1: the full
        resources). The GP then models the score over the candidate and the
        fidelity, and proposes at full fidelity: scores at every fidelity
        inform it, as far as they agree with the full ones. The incumbent of
        the acquisition is the best posterior mean at full fidelity over the
        observed candidates. The same candidate may appear at several
        fidelities; observed candidates are still never proposed.

    Returns
    -------
    proposals : list of (int, dict)
        At most ``n_proposals`` distinct candidates, none excluded; fewer
        when the space has no candidate left that is not excluded, or (a
        space too large to score whole) when the random pool and its local
        searches found none: callers fall back to random candidates.
    info : dict
        ``theta`` (fitted GP hyperparameters), ``gp`` (the fitted GP, before
        fantasies), ``acq_values`` (acquisition value of each proposal),
        ``fit_time`` and ``acq_time`` (seconds).

    Notes
    -----
    The GP models a monotone warping of the scores: a robust standardisation
    (median, and the spread of the upper half) followed by a Yeo-Johnson power
    transform fitted by maximum likelihood. It tames heavy tails, such as a
    few very poor scores that would otherwise flatten the modelled landscape
    near the optimum; the incumbent is unchanged. On a benchmark of Branin,
    Hartmann-6, Rosenbrock-4 and a mixed 4-d space with and without a heavy
    lower tail, it matched or beat a plain Yeo-Johnson transform and no
    warping (by up to two orders of magnitude in final regret on the heavy
    tailed problem).

    Below 12 observations (without ``fidelity``) the GP's constant prior
    mean is the lower quartile of the modelled scores, not their mean: far
    from every observation a candidate then looks worse than a typical one,
    and the first proposals stay nearer what was seen instead of going to
    the edges of the space, where on log-loss problems the worst scores lie
    (on 60 seeds of the sample-efficiency benchmark this brought random
    search's 30-candidate best within fewer candidates on the median
    problem, scoring as before at 30; see ``docs/benchmarks.md``).

    With "MACE", each pick draws weights from the simplex and maximises the
    augmented Chebyshev scalarisation of log expected improvement, log
    probability of improvement and the upper confidence bound, each rescaled
    on the pick's random pool (see ``skhpo.acquisition._functions._Ensemble``).
    HEBO (Cowen-Rivers et al., JAIR 2022) picks at random from the Pareto
    front of the three; a random Chebyshev scalarisation reaches every point
    of that front too, with the cost of one acquisition optimisation. The
    upper confidence bound's ``kappa`` counts as searched dimensions each
    distinct block of the space's encoding whose dimension has more than one
    value (a parameter that sub-spaces share counts once), and the choice of
    the sub-space when there are several: 4 for an SVC's ``C`` of three
    kernels, ``gamma`` of two and ``degree`` of one, where ``space.n_dims``
    counts 9.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.acquisition import propose
    >>> from skhpo.space import Real, check_space
    >>> space = check_space({"x": Real(0.0, 1.0)})
    >>> observed = [(0, {"x": 0.1}), (0, {"x": 0.5}), (0, {"x": 0.9})]
    >>> scores = np.array([0.2, 1.0, 0.4])
    >>> proposals, info = propose(
    ...     space, observed, scores, 2, rng=np.random.default_rng(0)
    ... )
    >>> len(proposals), sorted(info)[:3]
    (2, ['acq_time', 'acq_values', 'fit_time'])
    """
    name = _canonical_name(acq_func)
    params = check_acq_kwargs(acq_kwargs)
    ensemble = None
    if name == "MACE":  # its weights come first from rng
        if "kappa" not in (acq_kwargs or {}):
            params["kappa"] = ucb_schedule(len(y_obs), space._n_model_dims)
        ensemble = _Ensemble(rng, params["kappa"])
    y_obs = np.asarray(y_obs, dtype=float).ravel()
    if len(X_obs_cands) != len(y_obs):
        raise ValueError("propose: X_obs_cands and y_obs differ in length")
    if not np.all(np.isfinite(y_obs)):
        raise ValueError("propose: y_obs must be finite")
    if fidelity is not None:
        fidelity = np.asarray(fidelity, dtype=float).ravel()
        if fidelity.shape != y_obs.shape or not np.all(
            (fidelity >= 0.0) & (fidelity <= 1.0)
        ):
            raise ValueError("propose: fidelity needs one value in [0, 1] per score")
    info: dict = {"theta": gp_theta0, "gp": None, "acq_values": [], "fit_time": 0.0}
    with single_blas_thread():
        start = time.perf_counter()
        # one call: encoding costs mostly per call, not per candidate
        every = [*X_obs_cands, *pending, *exclude]
        X_every = space.transform(every) if every else np.empty((0, space.n_features))
        X_obs, X_pending = np.split(
            X_every, np.cumsum([len(X_obs_cands), len(pending)])
        )[:2]
        excluded = set(_row_keys(X_every))
        if len(y_obs) == 0:
            proposals = _random_proposals(space, n_proposals, rng, excluded)
            info["acq_time"] = time.perf_counter() - start
            return proposals, info

        active = _active_set(y_obs, rng)
        y_model = _warp_scores(y_obs)[active]
        early = fidelity is None and len(y_model) < _EARLY_OBS
        gp = GaussianProcess(
            n_restarts=1,
            random_state=int(rng.integers(2**31)),
            optimize=refit_gp or gp_theta0 is None,
            mean_quantile=_EARLY_MEAN_QUANTILE if early else None,
        )
        X_model = X_obs if fidelity is None else np.column_stack([X_obs, fidelity])
        gp.fit(X_model[active], y_model, theta0=gp_theta0)
        info.update(theta=gp.theta_, gp=gp, fit_time=time.perf_counter() - start)

        start = time.perf_counter()
        if fidelity is not None:
            gp = _AtFullFidelity(gp)
        if len(pending):
            gp = gp.condition_on(X_pending, gp.predict(X_pending, return_std=False))
        if fidelity is None:
            best = float(y_model.max())
        else:
            best = float(gp.predict(X_obs[active], return_std=False).max())
        xi = params["xi"] * float(y_model.std() or 1.0)
        if ensemble is None:
            acq = ACQUISITION_FUNCTIONS[name]
            rank = _RANKING_FUNCTIONS[name]
        else:  # its value is its ranking: a scalarisation, no other scale
            acq = rank = ensemble
        acq_params = {"kappa": params["kappa"]} if name == "UCB" else {"xi": xi}

        def evaluate(
            fn: Any, mean: np.ndarray, std: np.ndarray, best: float
        ) -> np.ndarray:
            if name == "UCB":
                return fn(mean, std, **acq_params)
            return fn(mean, std, best, **acq_params)

        def score(model: Any, X: np.ndarray, best: float) -> np.ndarray:
            return evaluate(rank, *model.predict(X), best)

        pool = _Pool(space, excluded)
        cardinality = space.cardinality
        if cardinality is not None and cardinality <= _GRID_LIMIT:
            pool.add(space.grid())
            finite = True
        else:
            n_dims = max(len(sub.names) for sub in space.subspaces)
            n_samples = n_samples or _pool_size(n_dims, len(y_model) + len(pending))
            seeds = [
                _start(space, X_obs_cands[i])
                for i in np.argsort(-y_obs)[:_N_TOP_OBSERVED]
            ]
            pool.add_parts(space._rvs_codes(n_samples, rng), n_samples)
            for s in _OBS_SCALES:
                pool.add_parts(*_neighbours(space, seeds, rng, s, _N_OBS_NEIGHBOURS))
            pool.add_parts(*_batches(_at_bounds(pool, k, st) for k, st in seeds))
            finite = False

        proposals: list[Candidate] = []
        for _ in range(n_proposals):
            if finite:
                free = np.flatnonzero(~pool.taken)
                if not len(free):
                    break
                i = free[np.argmax(score(gp, pool.X[free], best))]
                cand, x = pool.candidate(i), pool.X[i]
            else:
                scores = score(gp, pool.X, best)
                scores[pool.taken] = -np.inf
                short = len(y_model) + len(pending) > _FULL_POOL_OBS
                cand, x = _local_search(
                    space, pool, scores, gp, score, best, rng, short=short
                )
                if cand is None:
                    break
            pool.take(x)
            proposals.append(cand)
            mean, std = gp.predict(x[None, :])
            info["acq_values"].append(float(evaluate(acq, mean, std, best)[0]))
            if len(proposals) < n_proposals:  # the next pick sees this one
                gp = gp.condition_on(x[None, :], mean)
                best = max(best, float(mean[0]))
                if ensemble is not None:  # and another point of the front
                    acq = rank = ensemble = _Ensemble(rng, params["kappa"])
        info["acq_time"] = time.perf_counter() - start
    return proposals, info


class _AtFullFidelity:
    """A GP over encoded candidates and their fidelity, seen at fidelity 1:
    ``predict`` and ``condition_on`` take encoded candidates only."""

    def __init__(self, gp: GaussianProcess) -> None:
        self.gp = gp

    @staticmethod
    def _full(X: np.ndarray) -> np.ndarray:
        return np.column_stack([X, np.ones(len(X))])

    def predict(self, X: np.ndarray, return_std: bool = True) -> Any:
        return self.gp.predict(self._full(X), return_std=return_std)

    def condition_on(self, X: np.ndarray, y: np.ndarray) -> _AtFullFidelity:
        return _AtFullFidelity(self.gp.condition_on(self._full(X), y))


def _active_set(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of the observations the GP sees: all of them, or beyond
    ``_MAX_ACTIVE`` the best half of that many and a random rest."""
    n = len(y)
    if n <= _MAX_ACTIVE:
        return np.arange(n)
    order = np.argsort(-y, kind="stable")
    best = order[: _MAX_ACTIVE // 2]
    rest = rng.choice(order[_MAX_ACTIVE // 2 :], _MAX_ACTIVE - len(best), replace=False)
    return np.sort(np.concatenate([best, rest]))


def _pool_size(n_dims: int, n_obs: int) -> int:
    """Random points scored per proposal: fewer as observations accumulate,
    so that scoring them costs about what it costs at ``_FULL_POOL_OBS``."""
    full = min(2000, 500 + 250 * n_dims)
    if n_obs <= _FULL_POOL_OBS:
        return full
    return max(_MIN_POOL, int(full * (_FULL_POOL_OBS / n_obs) ** 2))


def check_acq_kwargs(acq_kwargs: dict | None) -> dict:
    """``acq_kwargs`` with the defaults filled in; raise if a key or value is bad."""
    params = {"xi": 0.01, "kappa": 1.96}
    for key, value in (acq_kwargs or {}).items():
        if key not in params:
            raise ValueError(
                f"acq_func_kwargs: unknown key {key!r}; valid keys are 'xi' (EI, "
                "PI, MACE) and 'kappa' (UCB, MACE)."
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float, np.number))
            or not np.isfinite(value)
            or value < 0
        ):
            raise ValueError(
                f"acq_func_kwargs[{key!r}] must be a finite number >= 0, got {value!r}."
            )
        params[key] = float(value)
    return params


def _yeo_johnson(z: np.ndarray, lmbdas: np.ndarray) -> np.ndarray:
    """Yeo-Johnson transforms of ``z`` (n,) for each power in ``lmbdas`` (m,)."""
    lm = lmbdas[:, None]
    pos = z >= 0
    zp, zn = np.log1p(np.where(pos, z, 0.0)), np.log1p(np.where(pos, 0.0, -z))
    with np.errstate(divide="ignore", invalid="ignore"):
        out_pos = np.where(lm == 0, zp, np.expm1(lm * zp) / lm)
        out_neg = np.where(lm == 2, -zn, -np.expm1((2 - lm) * zn) / (2 - lm))
    return np.where(pos, out_pos, out_neg)


def _warp_scores(y: np.ndarray) -> np.ndarray:
    """Robustly standardise the scores, then Yeo-Johnson transform them.

    The scores are centred on their median and scaled by the root mean square
    deviation of the upper half from the median, so that a few very poor
    scores (diverged fits, say) cannot squash the good ones together. The
    Yeo-Johnson power maximises the Gaussian profile log likelihood over the
    grid ``-2, -1.9, ..., 4`` (deterministic, no optimiser); powers above 2
    compress the lower tail into a bounded range. The map is increasing.
    """
    if len(y) < 3 or np.ptp(y) == 0:
        return y.copy()
    median = np.median(y)
    upper = y[y >= median] - median
    scale = np.sqrt(np.mean(upper**2))
    if not scale > 0:  # the upper half is tied with the median
        median, scale = y.mean(), y.std()
    z = (y - median) / scale
    lmbdas = np.round(np.linspace(-2.0, 4.0, 61), 10)
    W = _yeo_johnson(z, lmbdas)
    var = W.var(axis=1)
    with np.errstate(divide="ignore"):
        jacobian = (np.sign(z) * np.log1p(np.abs(z))).sum()
        llf = -0.5 * len(z) * np.log(var) + (lmbdas - 1) * jacobian
    llf[~np.isfinite(llf) | (var <= 0)] = -np.inf
    return W[int(np.argmax(llf))]


def _row_keys(X: np.ndarray) -> list[bytes]:
    """Hashable keys of encoded rows, equal for (numerically) equal rows."""
    X = np.round(np.asarray(X, dtype=float), 9) + 0.0  # + 0.0 turns -0.0 into 0.0
    if X.ndim != 2 or not X.shape[1]:
        return [row.tobytes() for row in X]
    # each row as one opaque item: its bytes, without a loop over the rows
    rows = np.ascontiguousarray(X).view(np.dtype((np.void, X.itemsize * X.shape[1])))
    return rows.ravel().tolist()


Start = tuple[int, list[np.ndarray]]  # a sub-space and one-element code arrays


def _start(space: Any, cand: Candidate) -> Start:
    """A candidate as the codes its neighbours are drawn from."""
    k, params = cand
    return k, space.subspaces[k]._codes([params])


def _batches(
    batches: Any,
) -> tuple[list[tuple[int, np.ndarray, list[np.ndarray]]], int]:
    """``(k, codes)`` batches laid one after another, as ``_Pool.add_parts``
    takes them."""
    parts, n = [], 0
    for k, columns in batches:
        size = len(columns[0]) if columns else 1
        if columns and not size:
            continue
        parts.append((k, np.arange(n, n + size), columns))
        n += size
    return parts, n


def _neighbours(
    space: Any, starts: list[Start], rng: np.random.Generator, scale: float, m: int
) -> tuple[list[tuple[int, np.ndarray, list[np.ndarray]]], int]:
    """``m`` neighbours of each start, rows ``i * m`` to ``(i + 1) * m - 1``
    for start ``i``, drawn together for the starts of one sub-space."""
    ks = np.array([k for k, _ in starts], dtype=np.intp)
    parts = []
    for k in np.unique(ks):
        idx = np.flatnonzero(ks == k)
        columns = [np.concatenate(c) for c in zip(*(starts[i][1] for i in idx))]
        neighbours = space.subspaces[k]._neighbors_codes(columns, rng, scale, m)
        positions = (idx[:, None] * m + np.arange(m)).ravel()
        parts.append((int(k), positions, neighbours))
    return parts, len(starts) * m


class _Pool:
    """Candidates (held as codes, see ``Dimension``), their encoded rows and
    which ones may not be proposed."""

    def __init__(self, space: Any, excluded: set[bytes]) -> None:
        self.space, self.excluded = space, excluded
        self.batches: list[tuple[int, list[np.ndarray]]] = []
        self.batch = np.empty(0, dtype=np.intp)  # of each pool row
        self.row = np.empty(0, dtype=np.intp)  # in its batch
        self.keys: list[bytes] = []
        self.X = np.empty((0, space.n_features))
        self.taken = np.zeros(0, dtype=bool)
        self._bound_codes: dict[int, list[tuple[int, np.ndarray]]] = {}

    def bound_codes(self, k: int) -> list[tuple[int, np.ndarray]]:
        """:func:`_bound_codes` of sub-space ``k``, computed once."""
        if k not in self._bound_codes:
            self._bound_codes[k] = _bound_codes(self.space, k)
        return self._bound_codes[k]

    def encode(
        self, parts: list[tuple[int, np.ndarray, list[np.ndarray]]], n: int
    ) -> tuple[np.ndarray, list, np.ndarray]:
        """Encoded rows of ``n`` candidates given as ``(k, positions, codes)``
        parts, their keys and whether each one is excluded."""
        X = np.empty((n, self.space.n_features))
        for k, positions, columns in parts:
            X[positions] = self.space._encode_codes(k, columns, len(positions))
        keys = _row_keys(X)
        return X, keys, np.array([k in self.excluded for k in keys], dtype=bool)

    def add_parts(
        self, parts: list[tuple[int, np.ndarray, list[np.ndarray]]], n: int
    ) -> None:
        X, keys, taken = self.encode(parts, n)
        batch, row = np.empty(n, dtype=np.intp), np.empty(n, dtype=np.intp)
        for k, positions, columns in parts:
            batch[positions] = len(self.batches)
            row[positions] = np.arange(len(positions))
            self.batches.append((k, columns))
        self.batch = np.concatenate([self.batch, batch])
        self.row = np.concatenate([self.row, row])
        self.keys.extend(keys)
        self.X = np.vstack([self.X, X])
        self.taken = np.concatenate([self.taken, taken])

    def add(self, cands: list[Candidate]) -> None:
        ks = np.array([k for k, _ in cands], dtype=np.intp)
        parts = []
        for k, sub in enumerate(self.space.subspaces):
            positions = np.flatnonzero(ks == k)
            if len(positions):
                params = [cands[i][1] for i in positions]
                parts.append((k, positions, sub._codes(params)))
        self.add_parts(parts, len(cands))

    def start(self, i: int) -> Start:
        k, columns = self.batches[self.batch[i]]
        r = self.row[i]
        return k, [c[r : r + 1] for c in columns]

    def candidate(self, i: int) -> Candidate:
        k, columns = self.batches[self.batch[i]]
        return k, self.space.subspaces[k]._params_of(columns, [self.row[i]])[0]

    def take(self, x: np.ndarray) -> None:
        """Exclude the encoded row ``x`` (and its copies in the pool)."""
        key = _row_keys(x[None, :])[0]
        self.excluded.add(key)
        self.taken |= np.array([k == key for k in self.keys], dtype=bool)


def _local_search(
    space: Any,
    pool: _Pool,
    scores: np.ndarray,
    gp: Any,
    score: Any,
    best: float,
    rng: np.random.Generator,
    short: bool = False,
) -> tuple[Candidate | None, np.ndarray | None]:
    """Improve the best pool points by neighbour moves at shrinking scales
    (fewer of them and fewer neighbours when ``short``)."""
    n_starts, m = _SHORT_SEARCH if short else (_N_STARTS, _N_LOCAL_NEIGHBOURS)
    order = np.argsort(-scores, kind="stable")[:n_starts]
    order = order[np.isfinite(scores[order])]
    cur = [pool.start(i) for i in order]
    cur_X = pool.X[order]
    cur_s = scores[order]
    for scale in _LOCAL_SCALES if len(cur) else ():
        parts, n = _neighbours(space, cur, rng, scale, m)
        X, _, taken = pool.encode(parts, n)
        s = score(gp, X, best)
        s[taken] = -np.inf
        s = s.reshape(len(cur), m)
        j = np.argmax(s, axis=1)
        by_subspace = {k: (positions, columns) for k, positions, columns in parts}
        for i in np.flatnonzero(s[np.arange(len(cur)), j] > cur_s):
            row = i * m + j[i]
            k = cur[i][0]
            positions, columns = by_subspace[k]
            r = int(np.searchsorted(positions, row))  # its row in k's batch
            cur[i] = k, [c[r : r + 1] for c in columns]
            cur_X[i], cur_s[i] = X[row], s[i, j[i]]
    if not len(cur) or not np.isfinite(cur_s.max()):
        return None, None
    # optima of hyperparameters often lie on a bound, which steps that are
    # reflected at the bounds never reach exactly: try moving one dimension to
    # one of its bounds (one only: moving several at once drives the search
    # into the corners of the space, which cost it the optimum on benchmarks)
    bounds = [_at_bounds(pool, *start) for start in cur]
    owner = [i for i, (_, columns) in enumerate(bounds) if columns and len(columns[0])]
    parts, n = _batches(bounds[i] for i in owner)
    if n:
        X, _, taken = pool.encode(parts, n)
        s = score(gp, X, best)
        s[taken] = -np.inf
        for i, (k, positions, columns) in zip(owner, parts):
            j = int(np.argmax(s[positions]))
            if s[positions[j]] > cur_s[i]:
                cur[i] = k, [c[j : j + 1] for c in columns]
                cur_X[i], cur_s[i] = X[positions[j]], s[positions[j]]
    # keep the local optima in the pool: later picks of a batch re-score them
    first = len(pool.keys)
    pool.add_parts(*_batches(cur))
    i = int(np.argmax(cur_s))
    return pool.candidate(first + i), cur_X[i]


def _bound_codes(space: Any, k: int) -> list[tuple[int, np.ndarray]]:
    """``(j, codes of the two bounds)`` of each bounded numeric dimension of
    sub-space ``k``."""
    return [
        (j, dim._from_unit_codes(np.array([0.0, 1.0])))
        for j, dim in enumerate(space.subspaces[k].dimensions)
        # a distribution's tails are no bounds
        if isinstance(dim, (Real, Integer))
    ]


def _at_bounds(pool: _Pool, k: int, start: list[np.ndarray]) -> tuple[int, list]:
    """Codes of copies of ``start`` with one numeric dimension moved to a
    bound (no rows when there is none to move)."""
    moves = [
        (j, value)
        for j, values in pool.bound_codes(k)
        for value in values
        if value != start[j][0]
    ]
    columns = [np.repeat(c, len(moves)) for c in start]
    for row, (j, value) in enumerate(moves):
        columns[j][row] = value
    return k, columns


def _random_proposals(
    space: Any, n: int, rng: np.random.Generator, excluded: set[bytes]
) -> list[Candidate]:
    """Prior draws (or grid points) that are not excluded, without a model."""
    cardinality = space.cardinality
    if cardinality is not None and cardinality <= _GRID_LIMIT:
        cands = space.grid()
        cands = [cands[i] for i in rng.permutation(len(cands))]
    else:
        cands = space.rvs(max(4 * n, 100), rng)
    out = []
    for cand, key in zip(cands, _row_keys(space.transform(cands))):
        if key not in excluded and len(out) < n:
            excluded.add(key)
            out.append(cand)
    return out
