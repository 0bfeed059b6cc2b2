"""ExploitExplore: exploit and explore decisions, pure."""

import math

import numpy as np
import pytest
from scipy.stats import loguniform, randint

from skhpo.schedulers import ExploitExplore, perturb
from skhpo.space import Categorical, Integer, Real, check_dimension


def rng(seed=0):
    return np.random.default_rng(seed)


def test_bottom_fraction_copies_the_top_fraction():
    scores = {m: float(m) for m in range(8)}  # member 7 is best
    policy = ExploitExplore(fraction=0.25)
    assert policy.n_exploiting(8) == 2
    parents = policy.exploit(scores, rng())
    assert set(parents) == {0, 1}
    assert set(parents.values()) <= {6, 7}
    # Over many draws both top members are chosen.
    seen = set()
    for seed in range(20):
        seen |= set(policy.exploit(scores, rng(seed)).values())
    assert seen == {6, 7}


def test_failed_members_always_copy_and_are_never_copied():
    scores = {0: 0.9, 1: np.nan, 2: 0.5, 3: -np.inf, 4: 0.7, 5: 0.8, 6: 0.6, 7: np.nan}
    parents = ExploitExplore(fraction=0.25).exploit(scores, rng())
    assert {1, 3, 7} <= set(parents)
    assert set(parents.values()) <= {0, 5}
    nothing = ExploitExplore().exploit({0: np.nan, 1: np.nan}, rng())
    assert nothing == {}


def test_small_populations():
    policy = ExploitExplore(fraction=0.5)
    assert policy.n_exploiting(1) == 0
    assert policy.exploit({0: 1.0}, rng()) == {}
    assert policy.n_exploiting(2) == 1
    assert policy.exploit({0: 1.0, 1: 2.0}, rng()) == {0: 1}
    assert ExploitExplore(fraction=0.1).n_exploiting(4) == 1


def test_ties_are_broken_by_member_id():
    scores = {m: 1.0 for m in range(4)}
    parents = ExploitExplore(fraction=0.25).exploit(scores, rng())
    assert parents == {3: 0}


def test_tournament_copies_only_a_better_member():
    scores = {m: float(m) for m in range(10)}
    policy = ExploitExplore(selection="tournament")
    for seed in range(10):
        parents = policy.exploit(scores, rng(seed))
        assert 9 not in parents
        assert all(scores[p] > scores[m] for m, p in parents.items())
    # On average, half of the members copy someone.
    n = np.mean([len(policy.exploit(scores, rng(s))) for s in range(200)])
    assert 3.5 < n < 5.5


def test_asynchronous_decision_of_one_member():
    scores = {0: 0.1, 1: 0.9, 2: 0.5, 3: 0.7}
    policy = ExploitExplore(fraction=0.25)
    assert policy.exploit_one(0, scores, rng()) == 1
    assert policy.exploit_one(2, scores, rng()) is None
    assert policy.exploit_one(1, scores, rng()) is None
    assert policy.exploit_one(2, {**scores, 2: np.nan}, rng()) == 1
    assert policy.exploit_one(0, {0: 0.1}, rng()) is None  # alone so far
    with pytest.raises(ValueError, match="member 5 has no score"):
        policy.exploit_one(5, scores, rng())
    tournament = ExploitExplore(selection="tournament")
    for seed in range(10):
        parent = tournament.exploit_one(2, scores, rng(seed))
        assert parent in (None, 1, 3)


def test_perturb_numbers_within_their_range():
    c = Real(1e-3, 1e3, prior="log-uniform")
    assert perturb(c, 10.0, 1.2, rng()) == pytest.approx(12.0)
    assert perturb(c, 10.0, 0.8, rng()) == pytest.approx(8.0)
    assert perturb(c, 999.0, 1.2, rng()) == 1e3
    n = Integer(1, 10)
    assert perturb(n, 5, 1.2, rng()) == 6
    assert perturb(n, 1, 1.2, rng()) == 2  # moves by at least one
    assert perturb(n, 2, 0.8, rng()) == 1
    assert perturb(n, 1, 0.8, rng()) == 1  # at the bound
    assert perturb(n, 10, 1.2, rng()) == 10
    assert isinstance(perturb(n, 5, 1.2, rng()), int)
    dist = check_dimension(loguniform(1e-4, 1e-1), "lr")
    assert perturb(dist, 0.01, 1.2, rng()) == pytest.approx(0.012)
    assert perturb(dist, 0.095, 1.2, rng()) == pytest.approx(0.1)
    integers = check_dimension(randint(16, 257), "batch_size")
    assert perturb(integers, 100, 0.8, rng()) == 80
    assert perturb(integers, 250, 1.2, rng()) == 256


def test_perturb_categories_to_a_neighbour():
    kind = Categorical(["constant", "invscaling", "adaptive"])
    assert perturb(kind, "invscaling", 1.2, rng()) == "adaptive"
    assert perturb(kind, "invscaling", 0.8, rng()) == "constant"
    assert perturb(kind, "adaptive", 1.2, rng()) == "invscaling"  # inward
    assert perturb(kind, "constant", 0.8, rng()) == "invscaling"
    assert perturb(Categorical(["only"]), "only", 1.2, rng()) == "only"


def test_explore_changes_only_mutable_hyperparameters():
    dims = {"lr": Real(1e-4, 1e-1, prior="log-uniform"), "layers": Integer(1, 4)}
    params = {"lr": 0.01, "layers": 2, "other": "x"}
    never = ExploitExplore(resample_probability=0.0)
    for seed in range(20):
        new = never.explore(params, dims, ["lr"], rng(seed))
        assert new["layers"] == 2 and new["other"] == "x"
        assert math.isclose(new["lr"], 0.008) or math.isclose(new["lr"], 0.012)
    always = ExploitExplore(resample_probability=1.0)
    drawn = [
        always.explore(params, dims, ["lr"], rng(seed))["lr"] for seed in range(20)
    ]
    assert all(1e-4 <= v <= 1e-1 for v in drawn)
    assert len(set(drawn)) == 20
    # The same generator, the same decisions.
    a = ExploitExplore().explore(params, dims, ["lr", "layers"], rng(3))
    b = ExploitExplore().explore(params, dims, ["lr", "layers"], rng(3))
    assert a == b and a is not params


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fraction": 0.0}, "fraction must be in \\(0, 0.5\\]"),
        ({"fraction": 0.6}, "fraction must be in \\(0, 0.5\\]"),
        ({"selection": "roulette"}, "selection must be one of"),
        ({"factors": (0.8, -1.0)}, "factors must be two positive numbers"),
        ({"factors": (0.8,)}, "factors must be two positive numbers"),
        ({"resample_probability": 1.5}, "resample_probability must be in \\[0, 1\\]"),
    ],
)
def test_bad_settings_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ExploitExplore(**kwargs)


def _drive(policy, seed, workers, schedules=None):
    """Run ``policy`` with ``workers`` trials in flight, finishing in a
    random order with random scores; the trials in the order they ended.
    ``schedules``, a dict, gets each trial's schedule and lineage as the
    population holds them when it asks for the trial (by step and member)."""
    rng = np.random.default_rng(seed)
    running, done = [], []
    while True:
        asked = policy.ask(max(0, workers - len(running)))
        for t in asked if schedules is not None else ():
            m = t.extra["member"]
            schedules[(t.extra["step"], m)] = (
                list(policy.schedule[m]),
                list(policy.lineage[m]),
            )
        running += asked
        if not running:
            return done
        trial = running.pop(int(rng.integers(len(running))))
        policy.tell(trial, float(rng.random()))
        done.append(trial)


@pytest.mark.parametrize("asynchronous", [False, True])
@pytest.mark.parametrize("selection", ["truncation", "tournament"])
def test_every_rows_schedule_is_read_from_its_results(asynchronous, selection):
    """Results ending in any order (several workers): the schedule that
    schedule_of reads from the rows' columns is the one the population
    recorded, row by row; and a member that exploits explores from the
    hyperparameters that trained the models it takes over, also when its
    parent copies in the same generation, or (asynchronously) had just
    copied another member."""
    from skhpo.schedulers import AsyncPBTPolicy, PBTPolicy
    from skhpo.search.pbt import schedule_of
    from skhpo.space import check_space

    space = check_space({"lr": loguniform(1e-3, 1.0)})
    kind = AsyncPBTPolicy if asynchronous else PBTPolicy
    rules = ExploitExplore(0.34, selection=selection, resample_probability=0.0)
    n_checked = n_switched = 0
    for seed in range(30):
        policy = kind(
            space,
            population_size=6,
            n_steps=6,
            step_resource=1,
            mutable=["lr"],
            rules=rules,
            seed=seed,
        )
        recorded_at = {}
        trials = _drive(policy, seed, workers=4, schedules=recorded_at)
        results = {
            key: [t.extra[key] for t in trials]
            for key in ("step", "member", "parent", "continues")
        }
        results["params"] = [dict(t.params) for t in trials]
        for row, t in enumerate(trials):
            recorded = recorded_at[(t.extra["step"], t.extra["member"])]
            assert schedule_of(results, row) == (recorded[0], recorded[1])
            n_checked += 1
            n_switched += t.extra["continues"] not in (-1, t.extra["member"])
            if t.extra["parent"] >= 0:
                # explored from the rate that trained the copied models
                copied = recorded[0][-2]["lr"]
                ratio = t.params["lr"] / copied
                assert (
                    np.isclose(ratio, 0.8)
                    or np.isclose(ratio, 1.2)
                    or (t.params["lr"] in (1e-3, 1.0))
                )
    assert n_checked == 30 * 36 or asynchronous
    assert n_switched > 0
