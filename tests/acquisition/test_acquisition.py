import numpy as np
import pytest
from scipy.stats import norm
from threadpoolctl import threadpool_info

from skhpo.acquisition import (
    ACQUISITION_FUNCTIONS,
    ACQUISITION_NAMES,
    expected_improvement,
    get_acquisition,
    probability_of_improvement,
    propose,
    ucb_schedule,
    upper_confidence_bound,
)
from skhpo.acquisition._functions import (
    _Ensemble,
    _log_expected_improvement,
    _log_probability_of_improvement,
)
from skhpo.acquisition._optimize import _warp_scores
from skhpo.space import Categorical, Integer, Real, check_space
from skhpo.utils._threads import single_blas_thread

# ---------------------------------------------------------------- functions


def test_closed_forms_match_scipy_norm():
    rng = np.random.default_rng(0)
    mean, std = rng.normal(size=200), rng.uniform(0.01, 2.0, size=200)
    best, xi = 0.3, 0.05
    z = (mean - best - xi) / std
    ei = (mean - best - xi) * norm.cdf(z) + std * norm.pdf(z)
    assert np.allclose(expected_improvement(mean, std, best, xi), ei, rtol=1e-10)
    assert np.allclose(probability_of_improvement(mean, std, best, xi), norm.cdf(z))
    assert np.allclose(upper_confidence_bound(mean, std, 2.5), mean + 2.5 * std)
    assert np.all(expected_improvement(mean, std, best, xi) >= 0)


def test_zero_std_limits_without_nan():
    mean = np.array([-1.0, 0.0, 0.5, 2.0])
    std = np.zeros(4)
    with np.errstate(all="raise"):
        ei = expected_improvement(mean, std, best=0.2, xi=0.1)
        pi = probability_of_improvement(mean, std, best=0.2, xi=0.1)
    assert np.allclose(ei, [0.0, 0.0, 0.2, 1.7])
    assert np.array_equal(pi, [0.0, 0.0, 1.0, 1.0])
    assert np.array_equal(upper_confidence_bound(mean, std), mean)
    # no improvement at all exactly at best + xi
    assert probability_of_improvement([0.5], [0.0], best=0.25, xi=0.25)[0] == 0.0
    assert expected_improvement([0.5], [0.0], best=0.25, xi=0.25)[0] == 0.0


def test_log_ei_is_log_of_ei_and_finite_far_below_the_incumbent():
    mean = np.linspace(-3, 3, 61)
    std = np.full(61, 0.7)
    assert np.allclose(
        _log_expected_improvement(mean, std, 0.5, 0.01),
        np.log(expected_improvement(mean, std, 0.5, 0.01)),
        rtol=1e-9,
    )
    assert np.allclose(
        _log_probability_of_improvement(mean, std, 0.5, 0.01),
        np.log(probability_of_improvement(mean, std, 0.5, 0.01)),
    )
    # EI underflows to 0 there; its log still ranks the candidates
    far = -np.array([40.0, 1e3, 1e6, 1e9, 1e12])
    assert np.all(expected_improvement(far, np.ones(5), 0.0)[1:] == 0.0)
    log_ei = _log_expected_improvement(far, np.ones(5), 0.0)
    assert np.all(np.isfinite(log_ei)) and np.all(np.diff(log_ei) < 0)
    # and just above the tail's branch, where 1 - |z| Phi(z) / phi(z) rounds
    z = np.linspace(-6.7e7, -5.1e7, 400_001)
    with np.errstate(all="raise"):
        log_ei = _log_expected_improvement(z, np.ones_like(z), 0.0, 0.0)
    assert np.all(np.isfinite(log_ei))
    assert np.allclose(log_ei, -0.5 * z**2, rtol=1e-12)
    # continuity across the branches of the stable formula
    for edge in (-1.0, -1 / np.sqrt(np.finfo(float).eps)):
        z = edge * np.array([1 - 1e-9, 1 + 1e-9])
        log_ei = _log_expected_improvement(z, np.ones(2), 0.0, 0.0)
        assert log_ei[0] == pytest.approx(log_ei[1], rel=1e-6)
    # against the asymptotic series phi(z) / z^2 * (1 - 3/z^2 + 15/z^4 - 105/z^6)
    z = np.array([-20.0, -50.0, -300.0])
    series = (
        norm.logpdf(z) - 2 * np.log(-z) + np.log(1 - 3 / z**2 + 15 / z**4 - 105 / z**6)
    )
    assert np.allclose(
        _log_expected_improvement(z, np.ones(3), 0.0, 0.0), series, rtol=1e-8
    )


def test_get_acquisition():
    assert get_acquisition("EI") is expected_improvement
    assert get_acquisition("ucb") is upper_confidence_bound
    assert set(ACQUISITION_FUNCTIONS) == {"EI", "PI", "UCB"}
    assert ACQUISITION_NAMES == ("EI", "PI", "UCB", "MACE")
    with pytest.raises(ValueError, match="acq_func.*'EI', 'PI', 'UCB'.*'gp_hedge'"):
        get_acquisition("gp_hedge")
    with pytest.raises(ValueError, match="'MACE' is an ensemble"):
        get_acquisition("mace")


def test_ucb_schedule_is_gp_ucb_at_half_weight():
    # beta_t = 2 log(t^(d/2 + 2) pi^2 / (3 delta)) of Srinivas et al., with
    # kappa^2 = beta_t / 2 and HEBO's delta of 0.01 / 3 in that formula
    for t, d in ((1, 6), (10, 6), (100, 6), (30, 1), (50, 10)):
        beta = 2 * np.log(t ** (d / 2 + 2) * np.pi**2 / (3 * 0.01 / 3))
        assert ucb_schedule(t, d) == pytest.approx(np.sqrt(beta / 2))
    assert ucb_schedule(0, 6) == ucb_schedule(1, 6)  # no observation yet
    assert ucb_schedule(100, 6) > ucb_schedule(10, 6) > ucb_schedule(1, 6) > 2


def test_ensemble_picks_pareto_optimal_points_of_the_three_functions():
    rng = np.random.default_rng(0)
    mean, std = rng.normal(size=500), rng.uniform(0.05, 1.5, size=500)
    best, kappa = 1.0, 3.0
    C = np.vstack(
        [
            _log_expected_improvement(mean, std, best, 0.0),
            _log_probability_of_improvement(mean, std, best, 0.0),
            upper_confidence_bound(mean, std, kappa),
        ]
    )
    picks = set()
    for seed in range(200):
        ens = _Ensemble(np.random.default_rng(seed), kappa)
        i = int(np.argmax(ens(mean, std, best, 0.0)))
        # no point is at least as good on all three and better on one
        dominated = (C >= C[:, [i]]).all(0) & (C > C[:, [i]]).any(0)
        assert not dominated.any()
        picks.add(i)
    assert len(picks) >= 2  # other weights, other points of the front
    # weights all on one function rank as it does
    for j in range(3):
        ens = _Ensemble(np.random.default_rng(0), kappa)
        ens.weights = np.eye(3)[:, [j]]
        ranked = ens(mean, std, best, 0.0)[np.argsort(C[j])]
        assert np.all(np.diff(ranked) >= -1e-12)  # increasing with function j
        assert np.argmax(ens(mean, std, best, 0.0)) == np.argmax(C[j])


def test_single_blas_thread():
    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    for _ in range(2):  # the pools are found once, limited every time
        with single_blas_thread():
            assert blas_threads() and all(n == 1 for n in blas_threads())
        assert blas_threads() == before


def test_warp_scores_is_monotone_and_tames_outliers():
    y = np.array([0.91, 0.93, 0.95, 0.96, 0.9, -1e6, 0.5, 0.94])
    w = _warp_scores(y)
    assert np.array_equal(np.argsort(w), np.argsort(y))
    good = y > 0.8
    # after warping the good scores are not squashed together by the outlier
    assert np.ptp(w[good]) > 0.1 * np.ptp(w)
    assert np.array_equal(_warp_scores(y), w)


# ---------------------------------------------------------------- propose


def _branin(p):
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return -((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10)


BRANIN = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}
BRANIN_MAX = -0.397887

MIXED = {
    "lr": Real(1e-4, 1.0, prior="log-uniform"),
    "b": Real(0.0, 1.0),
    "n": Integer(1, 30),
    "kind": Categorical(["a", "b", "c"]),
}


def _mixed(p):
    return (
        -((np.log10(p["lr"]) + 2) ** 2)
        - 2 * (p["b"] - 0.7) ** 2
        - ((p["n"] - 12) / 10) ** 2
        + {"a": 0.0, "b": 0.5, "c": -0.3}[p["kind"]]
    )


def _run_bo(space, f, n_init, n_iter, seed, **kwargs):
    rng = np.random.default_rng(seed)
    cands = space.rvs(n_init, rng)
    ys = [f(p) for _, p in cands]
    theta = None
    for _ in range(n_iter):
        props, info = propose(
            space,
            cands,
            np.array(ys),
            1,
            rng=rng,
            gp_theta0=theta,
            exclude=cands,
            **kwargs,
        )
        theta = info["theta"]
        cands += props
        ys += [f(p) for _, p in props]
    return cands, np.array(ys)


def test_propose_beats_random_search_on_branin():
    space = check_space(BRANIN)
    for seed in range(3):
        _, ys = _run_bo(space, _branin, 5, 20, seed)
        rand = [_branin(p) for _, p in space.rvs(25, np.random.default_rng(100 + seed))]
        assert ys.max() > max(rand)
        assert BRANIN_MAX - ys.max() < 0.25  # random search: about 1


def test_propose_finds_the_optimum_of_a_mixed_space():
    space = check_space(MIXED)
    for seed in range(2):
        cands, ys = _run_bo(space, _mixed, 6, 19, seed)
        best = cands[int(np.argmax(ys))][1]
        rand = [_mixed(p) for _, p in space.rvs(25, np.random.default_rng(100 + seed))]
        assert ys.max() > max(rand)
        assert best["kind"] == "b"
        assert abs(best["n"] - 12) <= 3
        assert 0.5 - ys.max() < 0.05


def test_mace_finds_the_optimum_of_a_mixed_space_and_takes_a_fixed_kappa():
    space = check_space(MIXED)
    gaps = []
    for seed in range(4):
        cands, ys = _run_bo(space, _mixed, 6, 19, seed, acq_func="MACE")
        best = cands[int(np.argmax(ys))][1]
        assert best["kind"] == "b"
        gaps.append(0.5 - ys.max())
    # the ensemble explores more than EI: a run may end further away
    assert np.median(gaps) < 0.02 and max(gaps) < 0.1
    cands = space.rvs(8, np.random.default_rng(0))
    ys = np.array([_mixed(p) for _, p in cands])

    def one(**kwargs):
        return propose(space, cands, ys, 1, rng=np.random.default_rng(3), **kwargs)

    default = one(acq_func="mace")[0]
    scheduled = one(
        acq_func="MACE", acq_kwargs={"kappa": ucb_schedule(8, space._n_model_dims)}
    )[0]
    assert scheduled == default
    assert one(acq_func="MACE", acq_kwargs={"kappa": 0.0})[0] != default


def test_mace_kappa_counts_the_dimensions_a_model_searches():
    """A conditional space: x shared by both sub-spaces, y in one, and the
    choice of sub-space: 3 searched dimensions where n_dims counts 5."""
    space = check_space(
        [
            {"kind": ["a"], "x": Real(0.0, 1.0)},
            {"kind": ["b"], "x": Real(0.0, 1.0), "y": Real(0.0, 1.0)},
        ]
    )
    assert (space._n_model_dims, space.n_dims) == (3, 5)
    cands = space.rvs(10, np.random.default_rng(0))
    ys = np.array([-((p["x"] - 0.3) ** 2) - p.get("y", 0.0) for _, p in cands])

    def one(seed, **kwargs):
        rng = np.random.default_rng(seed)
        return propose(space, cands, ys, 1, rng=rng, acq_func="MACE", **kwargs)[0]

    def kappa(d):
        return {"acq_kwargs": {"kappa": ucb_schedule(10, d)}}

    seeds = range(8)
    assert [one(s) for s in seeds] == [one(s, **kappa(3)) for s in seeds]
    assert [one(s) for s in seeds] != [one(s, **kappa(5)) for s in seeds]


@pytest.mark.parametrize("acq_func", ["EI", "pi", "UCB", "MACE"])
def test_proposals_are_valid_distinct_and_deterministic(acq_func):
    space = check_space(MIXED)
    rng = np.random.default_rng(0)
    cands = space.rvs(8, rng)
    ys = np.array([_mixed(p) for _, p in cands])
    pending = space.rvs(2, rng)
    runs = [
        propose(
            space,
            cands,
            ys,
            4,
            pending=pending,
            acq_func=acq_func,
            rng=np.random.default_rng(7),
        )
        for _ in range(2)
    ]
    props, info = runs[0]
    assert props == runs[1][0]
    assert len(props) == 4
    encoded = space.transform(props + cands + pending)
    assert len(np.unique(encoded.round(9), axis=0)) == len(encoded)
    for k, p in props:
        assert k == 0 and set(p) == set(MIXED)
        assert type(p["n"]) is int and 1 <= p["n"] <= 30
        assert type(p["lr"]) is float and 1e-4 <= p["lr"] <= 1.0
        assert p["kind"] in ("a", "b", "c")
    assert set(info) >= {"theta", "fit_time", "acq_time", "acq_values"}
    assert len(info["theta"]) == space.n_features + 2
    assert len(info["acq_values"]) == 4


def test_pending_candidates_push_proposals_away():
    space = check_space({"x": Real(0.0, 1.0)})
    cands = [(0, {"x": x}) for x in np.linspace(0, 1, 9)]
    ys = np.array([np.sin(12 * p["x"]) for _, p in cands])
    (first,), _ = propose(space, cands, ys, 1, rng=np.random.default_rng(0))
    assert abs(np.sin(12 * first[1]["x"]) - 1) < 0.05  # near one of the two peaks
    (second,), _ = propose(
        space, cands, ys, 1, pending=[first], rng=np.random.default_rng(0)
    )
    assert abs(second[1]["x"] - first[1]["x"]) > 0.1
    # the same as a batch of two
    batch, _ = propose(space, cands, ys, 2, rng=np.random.default_rng(0))
    assert batch[0] == first
    assert abs(batch[1][1]["x"] - first[1]["x"]) > 0.1


def test_excluded_candidates_are_never_proposed_on_a_finite_space():
    space = check_space({"n": Integer(1, 5), "kind": ["a", "b", "c"]})
    assert space.cardinality == 15
    grid = space.grid()
    rng = np.random.default_rng(0)
    observed = grid[:3]
    ys = np.array([float(p["n"]) for _, p in observed])
    excluded = observed + grid[5:9]
    props, _ = propose(space, observed, ys, 20, exclude=excluded, rng=rng)
    assert len(props) == 15 - 7
    assert not any(p in excluded for p in props)
    assert len({(k, p["n"], p["kind"]) for k, p in props}) == len(props)
    # nothing left: an empty list, not an error
    props, _ = propose(space, observed, ys, 3, exclude=grid, rng=rng)
    assert props == []


def test_exclusion_on_a_large_discrete_space():
    space = check_space({"a": Integer(0, 99), "b": Integer(0, 99)})
    assert space.cardinality > 5000
    grid = range(0, 100, 14)
    cands = [(0, {"a": a, "b": b}) for a in grid for b in grid]
    ys = np.array([-((p["a"] - 50) ** 2) - (p["b"] - 50) ** 2 for _, p in cands])
    # the model wants to go to (50, 50), but the 21 x 21 box around it is excluded
    box = [(0, {"a": a, "b": b}) for a in range(40, 61) for b in range(40, 61)]
    props, _ = propose(
        space, cands, ys, 3, exclude=cands + box, rng=np.random.default_rng(0)
    )
    assert len(props) == 3
    assert not any(p in box or p in cands for p in props)
    for _, p in props:  # just outside the box
        assert max(abs(p["a"] - 50), abs(p["b"] - 50)) <= 15


def test_conditional_subspaces_and_no_observations():
    space = check_space(
        [
            {"kernel": ["linear"], "C": Real(0.01, 10.0, prior="log-uniform")},
            {"kernel": ["rbf"], "gamma": Real(1e-3, 1.0, prior="log-uniform")},
        ]
    )
    rng = np.random.default_rng(0)
    props, info = propose(space, [], np.array([]), 3, rng=rng)
    assert len(props) == 3 and info["fit_time"] == 0.0
    cands = space.rvs(10, rng)
    ys = np.array([1.0 if k == 1 else 0.0 for k, _ in cands])
    props, info = propose(space, cands, ys, 2, rng=rng, gp_theta0=np.zeros(3))
    assert [k for k, _ in props] == [1, 1]
    for k, p in props:
        assert space.subspaces[k].contains(p)


def test_invalid_arguments():
    space = check_space({"x": Real(0.0, 1.0)})
    cands = space.rvs(3, np.random.default_rng(0))
    ys = np.array([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="acq_func"):
        propose(space, cands, ys, 1, acq_func="XX", rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="acq_func_kwargs.*'tau'"):
        propose(
            space, cands, ys, 1, acq_kwargs={"tau": 1}, rng=np.random.default_rng(0)
        )
    with pytest.raises(ValueError, match="finite"):
        propose(
            space, cands, np.array([0.0, np.inf, 1.0]), 1, rng=np.random.default_rng(0)
        )
    for fidelity in ([0.0, 1.0], [0.0, 0.5, 1.5]):
        with pytest.raises(ValueError, match="fidelity"):
            propose(
                space, cands, ys, 1, rng=np.random.default_rng(0), fidelity=fidelity
            )


def test_scores_at_lower_fidelity_guide_proposals_at_full_fidelity():
    # f(x) = -(x - 0.7)^2; the first rung sees it shifted down and the full
    # fidelity has only two candidates, both far from the optimum: from
    # those two alone the optimum cannot be found, with the first rung it can
    space = check_space({"x": Real(0.0, 1.0)})
    low_x = [0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0]
    full_x = [0.05, 0.25]
    observed = [(0, {"x": x}) for x in low_x + full_x]
    f = -((np.array(low_x + full_x) - 0.7) ** 2)
    fidelity = np.array([0.0] * len(low_x) + [1.0] * len(full_x))
    scores = f - 0.3 * (1.0 - fidelity)
    for seed in range(3):
        proposals, info = propose(
            space,
            observed,
            scores,
            1,
            rng=np.random.default_rng(seed),
            fidelity=fidelity,
        )
        assert abs(proposals[0][1]["x"] - 0.7) < 0.1
        assert info["gp"].X_train_.shape == (len(observed), 2)
    # the same candidates at full fidelity alone point elsewhere
    alone, _ = propose(
        space, observed[-2:], scores[-2:], 1, rng=np.random.default_rng(0)
    )
    assert abs(alone[0][1]["x"] - 0.7) > 0.1


def test_prior_mean_is_the_lower_quartile_below_twelve_observations():
    # the early, pessimistic prior mean of propose's Notes: fewer than 12
    # observations without fidelities; the mean from 12 on, and always with
    # fidelities (the multi-fidelity model sampler)
    space = check_space(MIXED)
    cands = space.rvs(12, np.random.default_rng(0))
    y = np.array([_mixed(p) for _, p in cands])
    for n, fidelity, expected in [
        (5, None, 0.25),
        (11, None, 0.25),
        (12, None, None),
        (5, np.ones(5), None),
    ]:
        _, info = propose(
            space,
            cands[:n],
            y[:n],
            1,
            rng=np.random.default_rng(1),
            fidelity=fidelity,
        )
        assert info["gp"].mean_quantile == expected


def test_optimum_on_a_bound_is_proposed_exactly():
    # the score grows towards the upper bound of x; steps reflected at the
    # bounds never reach it, the move to a bound does
    space = check_space({"x": Real(0.0, 1.0), "n": Integer(1, 10)})
    rng = np.random.default_rng(0)
    observed = space.rvs(8, rng)
    scores = np.array([p["x"] - 0.2 * abs(p["n"] - 5) for _, p in observed])
    proposals, _ = propose(space, observed, scores, 1, rng=rng)
    assert proposals[0][1]["x"] == 1.0
