"""Every policy against the same contract, driven with plain numbers by a
small engine of this file: no estimator, no worker, no clock."""

import math

import numpy as np
import pytest

from skhpo.schedulers import (
    AsyncHyperbandPolicy,
    AsyncPBTPolicy,
    BayesPolicy,
    CandidateSampler,
    ExploitExplore,
    HyperbandPolicy,
    PBTPolicy,
    hyperband_brackets,
)
from skhpo.space import Categorical, Integer, Real, check_space

SPACE = check_space(
    {"x": Real(0.0, 1.0), "n": Integer(1, 20), "kind": Categorical(["a", "b"])}
)


def quality(params):
    """A known score: best at x = 0.3, n = 12, kind = "b"."""
    x = params.get("x", 0.5)
    return (
        -((x - 0.3) ** 2)
        - 0.001 * (params.get("n", 10) - 12) ** 2
        + (0.1 if params.get("kind") == "b" else 0.0)
    )


def drive(policy, *, in_flight=4, seed=0, score=quality, on_trial=None):
    """Run ``policy`` as the engine does: ask while fewer than ``in_flight``
    trials run, finish a random running one, tell it; check the contract.

    Returns the trials in the order they were asked for and the order told.
    """
    rng = np.random.default_rng(seed)
    running, asked, told = [], [], []
    kept, consumed = set(), set()
    while True:
        while len(running) < in_flight:
            trials = policy.ask(1)
            assert len(trials) <= 1 or isinstance(policy, HyperbandPolicy)
            if not trials:
                break
            for trial in trials:
                assert trial.id == len(asked)  # unique, increasing
                if trial.parent is not None:
                    # it continues models that were kept and not released
                    assert trial.parent in kept and trial.parent not in consumed
                    if trial.take:
                        consumed.add(trial.parent)
                asked.append(trial)
                running.append(trial)
                if on_trial is not None:
                    on_trial(trial)
            for trial_id in policy.released:
                assert trial_id in kept and trial_id not in consumed
                consumed.add(trial_id)
            policy.released.clear()
        if not running:
            break
        trial = running.pop(int(rng.integers(len(running))))
        policy.tell(trial, score(trial.params))
        told.append(trial)
        if trial.keep:
            kept.add(trial.id)
        for trial_id in policy.released:
            assert trial_id in kept and trial_id not in consumed
            consumed.add(trial_id)
        policy.released.clear()
    assert sorted(t.id for t in told) == list(range(len(asked)))
    # no kept models are left over: every one was continued or released
    assert kept <= consumed
    return asked, told


def _bayes(lag=3, n_iter=14, **kwargs):
    return BayesPolicy(SPACE, n_iter, lag=lag, seed=0, n_initial_points=4, **kwargs)


def _hyperband(kind="sync", sampler="random", continues=True, n_brackets=None):
    brackets = hyperband_brackets(1, 9, 3, n_brackets)
    cls = HyperbandPolicy if kind == "sync" else AsyncHyperbandPolicy
    kwargs = {} if kind == "sync" else {"factor": 3}
    return cls(
        brackets,
        CandidateSampler(SPACE, sampler),
        seed=0,
        continues=continues,
        **kwargs,
    )


def _pbt(asynchronous=False, selection="truncation"):
    cls = AsyncPBTPolicy if asynchronous else PBTPolicy
    return cls(
        SPACE,
        population_size=6,
        n_steps=5,
        step_resource=2,
        mutable=["x"],
        rules=ExploitExplore(selection=selection),
        seed=0,
    )


POLICIES = {
    "bayes": _bayes,
    "hyperband": _hyperband,
    "hyperband-refit": lambda: _hyperband(continues=False),
    "hyperband-model": lambda: _hyperband(sampler="model"),
    "asha": lambda: _hyperband("async"),
    "asha-model": lambda: _hyperband("async", "model"),
    # two rounds of the three brackets, and one bracket of a third
    "hyperband-rounds": lambda: _hyperband(n_brackets=7),
    "hyperband-model-rounds": lambda: _hyperband(sampler="model", n_brackets=7),
    "asha-rounds": lambda: _hyperband("async", n_brackets=7),
    "pbt": _pbt,
    "pbt-tournament": lambda: _pbt(selection="tournament"),
    "pbt-async": lambda: _pbt(asynchronous=True),
}


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_every_policy_keeps_the_contract(name):
    asked, _ = drive(POLICIES[name]())
    assert asked


@pytest.mark.parametrize(
    "name",
    ["bayes", "hyperband", "hyperband-model", "hyperband-rounds", "pbt"],
)
def test_synchronous_policies_decide_the_same_whatever_the_order(name):
    """Decisions depend on what was told, never on the order it arrived in."""
    runs = [drive(POLICIES[name](), seed=seed)[0] for seed in range(3)]
    runs.append(drive(POLICIES[name](), in_flight=1)[0])

    def decisions(asked):
        # trials' numbers follow the order rungs complete in; what is decided
        # is each row (its columns), its parameters and the row it continues
        def row(t):
            return sorted(t.extra.items())

        return sorted(
            (
                row(t),
                sorted(t.params.items()),
                None if t.parent is None else row(asked[t.parent]),
            )
            for t in asked
        )

    first = decisions(runs[0])
    for other in runs[1:]:
        assert decisions(other) == first


def test_bayes_proposes_k_from_the_scores_of_0_to_k_minus_lag():
    policy = _bayes(lag=3, n_iter=10)
    first = policy.ask(5)
    assert [t.id for t in first] == [0, 1, 2]  # 3 needs the score of 0
    policy.tell(first[2], 0.5)  # 2 done first: still nothing for 3
    assert policy.ask(1) == []
    policy.tell(first[0], 0.1)
    [third] = policy.ask(5)
    assert third.id == 3
    assert [t.extra["batch"] for t in first + [third]] == [0, 0, 0, 1]


def test_bayes_goes_around_a_stalled_candidate():
    policy = _bayes(lag=2, n_iter=8)
    trials = policy.ask(2)
    policy.tell(trials[1], 0.2)
    assert policy.ask(1) == []  # 2 needs 0, which hangs
    assert policy.stall(trials[0])
    assert [t.id for t in policy.ask(1)] == [2]
    assert not policy.stall(trials[1])  # scored: nothing to go around


def test_bayes_finds_the_optimum_and_covers_a_small_space_whole():
    asked, _ = drive(_bayes(lag=2, n_iter=30), in_flight=2)
    best = max(asked, key=lambda t: quality(t.params))
    assert abs(best.params["x"] - 0.3) < 0.1 and best.params["kind"] == "b"
    small = check_space({"a": [1, 2, 3], "b": ["u", "v"]})
    grid = BayesPolicy(small, 10, lag=2, seed=0)
    asked, _ = drive(grid, in_flight=3)
    assert [t.params for t in asked] == [p for _, p in small.grid()]
    assert {t.extra["proposed_by"] for t in asked} == {"grid"}


def test_bayes_refits_its_model_on_a_schedule_of_observations():
    policy = _bayes(lag=2)
    assert policy._refit_due(5)  # no hyperparameters yet
    policy.theta, policy._refit_at = np.zeros(3), 30
    # few in flight: every second new observation
    assert not policy._refit_due(31) and policy._refit_due(32)
    assert policy._refit_due(31, several=True)  # several objectives: every one
    many = _bayes(lag=32)
    many.theta, many._refit_at = np.zeros(3), 30
    assert not many._refit_due(37) and many._refit_due(38)  # every lag / 4
    many._refit_at = 41  # 8 new at 49: due; from 50 on: once grown by a quarter
    assert many._refit_due(49) and not many._refit_due(50)
    many._refit_at = 44
    assert not many._refit_due(54) and many._refit_due(55)
    many._refit_at = 200
    assert not many._refit_due(249) and many._refit_due(250)
    policy._refit_at = 56
    assert not policy._refit_due(69) and policy._refit_due(70)
    # several objectives: every new observation up to 100
    assert policy._refit_due(57, several=True)
    assert not policy._refit_due(57)


def test_hyperband_runs_the_planned_rungs_and_promotes_the_best():
    policy = _hyperband()
    asked, _ = drive(policy)
    per_rung = {}
    for trial in asked:
        key = (trial.extra["bracket"], trial.extra["iter"])
        per_rung[key] = per_rung.get(key, 0) + 1
    planned = {
        (b.index, i): rung.n_candidates
        for b in policy.brackets
        for i, rung in enumerate(b.rungs)
    }
    assert per_rung == planned
    # a survivor continues its own models from the rung below
    for trial in asked:
        if trial.extra["iter"] > 0:
            parent = asked[trial.parent]
            assert parent.extra["candidate"] == trial.extra["candidate"]
            assert parent.extra["iter"] == trial.extra["iter"] - 1
            assert trial.take and trial.start == parent.stop
    # the promoted are the best of their rung
    by_rung = {}
    for t in asked:
        by_rung.setdefault((t.extra["bracket"], t.extra["iter"]), []).append(t)
    for (b, i), trials in by_rung.items():
        if (b, i + 1) in by_rung:
            promoted = {t.extra["candidate"] for t in by_rung[(b, i + 1)]}
            ranked = sorted(trials, key=lambda t: -quality(t.params))
            assert promoted == {t.extra["candidate"] for t in ranked[: len(promoted)]}


@pytest.mark.parametrize("sampler", ["random", "model"])
def test_hyperband_rounds_run_every_bracket_after_the_one_it_repeats(sampler):
    policy = _hyperband(sampler=sampler, n_brackets=7)
    # a random round's three brackets run side by side; a model's one by one
    step = 3 if sampler == "random" else 1
    started_by = {}  # bracket -> the bracket whose end started it
    tell = policy.tell

    def logged_tell(trial, score):
        before = set(policy.expected)
        tell(trial, score)
        for b, rung in set(policy.expected) - before:
            if rung == 0:
                started_by[b] = trial.extra["bracket"]

    policy.tell = logged_tell
    started_first = {b for b, rung in policy.expected if rung == 0}
    asked, _ = drive(policy)
    assert started_first == set(range(step))
    # each later bracket started at the very tell that ended the one it repeats
    assert started_by == {b: b - step for b in range(step, 7)}
    per_bracket = {}
    for trial in asked:
        b = trial.extra["bracket"]
        per_bracket[b] = per_bracket.get(b, 0) + 1
    assert per_bracket == {
        b.index: sum(r.n_candidates for r in b.rungs) for b in policy.brackets
    }


@pytest.mark.parametrize("sampler", ["random", "model"])
def test_hyperband_rounds_stop_when_a_finite_space_runs_out(sampler):
    small = check_space({"kind": Categorical(["a", "b", "c"])})
    policy = HyperbandPolicy(
        hyperband_brackets(1, 9, 3, n_brackets=3000),
        CandidateSampler(small, sampler),
        seed=0,
        continues=True,
    )
    asked, _ = drive(policy)
    # the first bracket takes the three points; nothing is drawn twice
    assert len(policy.sampler.candidates) == 3
    assert {t.extra["bracket"] for t in asked} == {0}


def test_model_sampler_learns_from_every_rung():
    # n_dims + 2 = 5 scores, none of the rungs holding that many: the model
    # still proposes, from the scores of both rungs
    rng = np.random.default_rng(0)
    sampler = CandidateSampler(SPACE, "model", resources=(1, 9))
    first = sampler.draw(4, rng)
    assert sampler.sources == ["random"] * 4
    for order, c in enumerate(first):
        sampler.record(order, c, 1, quality(sampler.candidates[c][1]) - 0.2)
    assert sampler.draw(3, rng) and set(sampler.sources[4:]) == {"random"}
    sampler.record(4, first[0], 9, quality(sampler.candidates[first[0]][1]))
    drawn = sampler.draw(3, rng)
    assert [sampler.sources[c] for c in drawn] == ["model", "model", "random"]
    seen = [sampler.candidates[c] for c in range(len(sampler.candidates))]
    assert len({repr(c) for c in seen}) == len(seen)  # nothing drawn twice


def test_hyperband_refit_resources_continue_nothing():
    asked, _ = drive(_hyperband(continues=False))
    assert all(t.parent is None and not t.keep for t in asked)


def test_pbt_generations_copy_the_top_and_hand_models_over_once():
    policy = _pbt()
    asked, _ = drive(policy, in_flight=3)
    assert len(asked) == 6 * 5
    for step in range(1, 5):
        trials = [t for t in asked if t.extra["step"] == step]
        parents = [t.parent for t in trials]
        # each models of the step before go on once handed over at most
        taken = [t.parent for t in trials if t.take]
        assert len(taken) == len(set(taken)) == len(set(parents))
        copiers = [t for t in trials if t.extra["parent"] != -1]
        for t in copiers:
            assert asked[t.parent].extra["member"] == t.extra["parent"]
            assert asked[t.parent].extra["step"] == step - 1
    assert policy.n_exploits == sum(t.extra["parent"] != -1 for t in asked)
    assert all(len(lineage) == 5 for lineage in policy.lineage.values())


def test_async_pbt_starts_the_member_furthest_behind_first():
    policy = _pbt(asynchronous=True)
    first = policy.ask(6)
    assert [t.extra["member"] for t in first] == list(range(6))
    for trial in first[:3]:
        policy.tell(trial, quality(trial.params))
    nxt = policy.ask(1)[0]
    # members 0-2 are ready at step 1 (or further, if they copied); none
    # behind them is ready: the first that became ready goes
    assert nxt.extra["member"] in (0, 1, 2)
    assert math.isfinite(quality(nxt.params))
