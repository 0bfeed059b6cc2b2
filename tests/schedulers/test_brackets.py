"""Hyperband's bracket arithmetic against the paper, and the halving policies."""

import math
from fractions import Fraction

import numpy as np
import pytest

from skhpo.schedulers import (
    AsyncSuccessiveHalving,
    Bracket,
    Rung,
    SuccessiveHalving,
    hyperband_brackets,
    int_log,
)


def paper_algorithm_1(R, eta):
    """Algorithm 1 of Li et al. (JMLR 2018), line by line, in exact fractions.

    Returns ``[(n_i, r_i) for each rung] for each bracket``.
    """
    s_max = 0
    while Fraction(eta) ** (s_max + 1) <= R:  # s_max = floor(log_eta(R))
        s_max += 1
    B = (s_max + 1) * R
    brackets = []
    for s in range(s_max, -1, -1):
        n = math.ceil(Fraction(B, R) * Fraction(eta) ** s / (s + 1))
        r = Fraction(R) / Fraction(eta) ** s
        rungs = []
        for i in range(s + 1):
            n_i = math.floor(n * Fraction(1, eta) ** i)
            r_i = r * Fraction(eta) ** i
            rungs.append((n_i, r_i))
        brackets.append(rungs)
    return brackets


@pytest.mark.parametrize(
    "R, n_brackets, candidates, continued, restarted",
    [
        (9, 3, 17, 69, 78),
        (27, 4, 49, 357, 423),
        (81, 5, 143, 1581, 1902),
        (243, 6, 415, 6831, 8457),
    ],
)
def test_brackets_match_the_paper(R, n_brackets, candidates, continued, restarted):
    brackets = hyperband_brackets(1, R, 3)
    assert len(brackets) == n_brackets
    assert sum(b.n_candidates for b in brackets) == candidates
    assert sum(b.units(continued=True) for b in brackets) == continued
    assert sum(b.units(continued=False) for b in brackets) == restarted
    oracle = paper_algorithm_1(R, 3)
    assert [[(r.n_candidates, r.n_resources) for r in b.rungs] for b in brackets] == [
        [(n, int(r)) for n, r in rungs] for rungs in oracle
    ]


def test_floating_point_logarithm_would_lose_a_bracket():
    assert math.floor(math.log(243, 3)) == 4  # the trap
    assert int_log(243, 3) == 5
    assert [int_log(x, 3) for x in (1, 2, 3, 8, 9, 26, 27)] == [0, 0, 1, 1, 2, 2, 3]
    assert int_log(10**18, 10) == 18


@pytest.mark.parametrize("R, eta", [(16, 2), (64, 4), (125, 5), (100, 10)])
def test_other_factors_match_the_paper(R, eta):
    brackets = hyperband_brackets(1, R, eta)
    oracle = paper_algorithm_1(R, eta)
    assert [[(r.n_candidates, r.n_resources) for r in b.rungs] for b in brackets] == [
        [(n, int(r)) for n, r in rungs] for rungs in oracle
    ]


def test_min_resources_scales_the_paper():
    # R / r_min = 27: the paper's table for R=27, every resource times 2
    scaled = hyperband_brackets(2, 54, 3)
    base = hyperband_brackets(1, 27, 3)
    for a, b in zip(scaled, base):
        assert [r.n_candidates for r in a.rungs] == [r.n_candidates for r in b.rungs]
        assert [r.n_resources for r in a.rungs] == [2 * r.n_resources for r in b.rungs]


def test_rounding_rule_when_not_a_power_of_factor():
    # the last rung gets exactly max_resources, each one below factor times less
    # rounded down; the lowest rung of the first bracket is in [min, factor*min)
    brackets = hyperband_brackets(2, 100, 3)
    assert [r.n_resources for r in brackets[0].rungs] == [3, 11, 33, 100]
    assert [r.n_candidates for r in brackets[0].rungs] == [27, 9, 3, 1]
    for bracket in brackets:
        assert bracket.rungs[-1].n_resources == 100
        resources = [r.n_resources for r in bracket.rungs]
        assert all(b // 3 == a for a, b in zip(resources, resources[1:]))
    assert 2 <= brackets[0].rungs[0].n_resources < 6
    assert [r.n_resources for r in hyperband_brackets(1, 10, 3)[0].rungs] == [1, 3, 10]


def test_n_brackets_one_is_successive_halving():
    [bracket] = hyperband_brackets(1, 81, 3, n_brackets=1)
    assert [(r.n_candidates, r.n_resources) for r in bracket.rungs] == [
        (81, 1),
        (27, 3),
        (9, 9),
        (3, 27),
        (1, 81),
    ]
    assert len(hyperband_brackets(1, 81, 3, n_brackets=2)) == 2


def test_n_brackets_beyond_one_round_starts_again_from_the_most_aggressive():
    once = hyperband_brackets(1, 27, 3)
    brackets = hyperband_brackets(1, 27, 3, n_brackets=10)
    assert [b.index for b in brackets] == list(range(10))
    assert [b.s for b in brackets] == [3, 2, 1, 0, 3, 2, 1, 0, 3, 2]
    for b in brackets:  # a repeated bracket has its first round's rungs
        assert b.rungs == once[b.index % 4].rungs


@pytest.mark.parametrize(
    "args, match",
    [
        ((1, 9, 1), "factor"),
        ((10, 9, 3), "min_resources"),
        ((0, 9, 3), "min_resources"),
    ],
)
def test_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        hyperband_brackets(*args)


def test_halving_keeps_the_best_finite_and_is_order_free():
    policy = SuccessiveHalving(hyperband_brackets(1, 9, 3)[0])  # 9 -> 3 -> 1
    scores = {i: float(i) for i in range(9)}
    scores[8] = np.nan  # a failure is never promoted
    scores[7] = np.inf
    assert policy.survivors(0, scores) == [4, 5, 6]
    shuffled = dict(reversed(list(scores.items())))
    assert policy.survivors(0, shuffled) == [4, 5, 6]
    assert policy.survivors(1, {4: 1.0, 5: 3.0, 6: 2.0}) == [5]
    assert policy.survivors(2, {5: 1.0}) == []
    # ties go to the first candidate; fewer finite than places: only those
    assert policy.survivors(0, {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}) == [0, 1, 2]
    assert policy.survivors(0, {0: 1.0, 1: np.nan}) == [0]


def test_asha_promotes_the_top_third_as_results_arrive():
    bracket = Bracket(0, 1, (Rung(6, 1), Rung(2, 3)))
    policy = AsyncSuccessiveHalving(bracket, factor=3)
    assert [policy.next_job() for _ in range(2)] == [("new", None, 0)] * 2
    policy.report(0, 0, 0.1)
    policy.report(1, 0, 0.5)
    assert policy.next_job() == ("new", None, 0)  # 2 done: top 0 of them
    policy.report(2, 0, 0.3)
    # 3 done: the best one (candidate 1) is promoted before anything new
    assert policy.next_job() == ("promote", 1, 1)
    assert policy.next_job() == ("new", None, 0)
    assert policy.next_job() == ("new", None, 0)
    assert policy.next_job() == ("new", None, 0)
    assert policy.next_job() is None  # 6 started, nothing to promote
    for candidate, score in [(3, 0.9), (4, np.nan), (5, 0.0)]:
        policy.report(candidate, 0, score)
    assert policy.next_job() == ("promote", 3, 1)
    assert policy.next_job() is None
    assert not policy.finished  # two promotions still run
    policy.report(1, 1, 0.6)
    policy.report(3, 1, 0.95)
    assert policy.finished


def test_asha_with_results_in_order_promotes_as_halving_does():
    bracket = hyperband_brackets(1, 27, 3)[0]  # 27 -> 9 -> 3 -> 1
    policy = AsyncSuccessiveHalving(bracket, factor=3)
    rng = np.random.default_rng(0)
    quality = rng.permutation(27).astype(float)
    counts = [0] * len(bracket.rungs)
    while True:
        job = policy.next_job()
        if job is None:
            break
        kind, cid, rung = job
        if kind == "new":
            cid = policy.started - 1
        counts[rung] += 1
        policy.report(cid, rung, quality[cid])
    assert policy.finished
    assert counts == [27, 9, 3, 1]  # with sequential results: no extra promotion


@pytest.mark.parametrize("seed", range(5))
def test_asha_runs_the_plan_whatever_order_results_arrive_in(seed):
    """Results arriving out of order displace early promotions; the rungs
    still take only the plan's candidates, so the cost is the plan's."""
    bracket = hyperband_brackets(1, 27, 3)[0]  # 27 -> 9 -> 3 -> 1
    policy = AsyncSuccessiveHalving(bracket, factor=3)
    rng = np.random.default_rng(seed)
    quality = rng.random(27)
    counts = [0] * len(bracket.rungs)
    running = []
    while True:
        while len(running) < 4 and (job := policy.next_job()) is not None:
            kind, cid, rung = job
            if kind == "new":
                cid = policy.started - 1
            counts[rung] += 1
            running.append((cid, rung))
        if not running:
            break
        # the worst results first: every early promotion is later displaced
        done = running.pop(int(np.argmin([quality[c] for c, _ in running])))
        policy.report(*done, quality[done[0]])
    assert policy.finished
    assert counts == [27, 9, 3, 1]
