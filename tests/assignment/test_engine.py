"""The deferred acceptance engine: valid, stable, pupil-optimal (identical to ``matching``),
deterministic for a seed; literal cases solved by hand."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assignment.strategies import instances
from tremplin.assignment import Instance, Simulation, solve
from tremplin.assignment.oracle import solve_with_matching
from tremplin.assignment.verify import Problem


def _formations(instance: Instance) -> list[int | None]:
    return [None if f < 0 else f for f in solve(instance).formation.tolist()]


@settings(max_examples=300, deadline=None)
@given(instances(max_pupils=60, max_formations=12))
def test_the_independent_verifier_finds_the_result_valid_and_stable(instance: Instance) -> None:
    simulation = Simulation.from_instance(instance)
    simulation.solve()
    assert simulation.check_validity() == []
    assert simulation.check_stability() == []


@settings(max_examples=300, deadline=None)
@given(instances(max_pupils=60, max_formations=12))
def test_the_result_is_matchings_resident_optimal_solution(instance: Instance) -> None:
    assert _formations(instance) == solve_with_matching(Problem.from_instance(instance))


@settings(max_examples=100, deadline=None)
@given(instances(), st.integers(0, 2**32 - 1))
def test_a_seed_gives_one_result_and_the_lottery_only_breaks_ties(
    instance: Instance, other_seed: int
) -> None:
    assert _formations(instance) == _formations(dataclasses.replace(instance))
    reseeded = dataclasses.replace(instance, seed=other_seed)
    # With strict scores within every formation, the seed cannot change anything.
    pairs = list(zip(instance.wish_formations.tolist(), instance.scores.tolist(), strict=True))
    if len(set(pairs)) == len(pairs):
        assert _formations(reseeded) == _formations(instance)


def test_another_seed_changes_who_wins_a_tie() -> None:
    # Ten pupils with equal scores for one seat: the lottery decides, and seeds differ.
    winners = set()
    for seed in range(20):
        instance = Instance.from_lists([1], [[0]] * 10, [[15.0]] * 10, seed=seed)
        winner = _formations(instance).index(0)
        assert winner == int(np.argmin(instance.lottery))
        winners.add(winner)
    assert len(winners) > 3


def test_a_higher_score_beats_the_lottery() -> None:
    for seed in range(10):
        instance = Instance.from_lists([1], [[0]] * 3, [[10.0], [12.0], [10.0]], seed=seed)
        assert _formations(instance) == [None, 0, None]


def test_the_lottery_is_numpys_permutation_of_the_seed() -> None:
    instance = Instance.from_lists([1], [[0]] * 5, seed=7)
    assert instance.lottery.tolist() == np.random.default_rng(7).permutation(5).tolist()


def test_the_hospitals_residents_example_of_the_matching_documentation() -> None:
    # Residents A, S, D, J, L; hospitals M, C, G of capacity 2 (matching's documented example):
    # resident-optimal, M takes L and S, C takes D and A, G takes J.
    hospitals = ["M", "C", "G"]
    residents = ["A", "S", "D", "J", "L"]
    resident_prefs = {
        "A": ["C"],
        "S": ["C", "M"],
        "D": ["C", "M", "G"],
        "J": ["C", "G", "M"],
        "L": ["M", "C", "G"],
    }
    hospital_prefs = {
        "M": ["D", "L", "S", "J"],
        "C": ["D", "A", "S", "L", "J"],
        "G": ["D", "J", "L"],
    }
    wishes = [[hospitals.index(h) for h in resident_prefs[r]] for r in residents]
    scores = [
        [float(len(residents) - hospital_prefs[h].index(r)) for h in resident_prefs[r]]
        for r in residents
    ]
    instance = Instance.from_lists([2, 2, 2], wishes, scores, seed=1)
    got = {residents[p]: hospitals[f] for p, f in enumerate(solve(instance).formation.tolist())}
    assert got == {"A": "C", "S": "M", "D": "C", "J": "G", "L": "M"}


def test_gale_and_shapleys_rejection_chain() -> None:
    # Each pupil's arrival displaces the previous holder of its first wish, who moves on:
    # P1 holds F1, P2 takes it (P1 → F2), P3 takes F2 from P1 (P1 → F3).
    instance = Instance.from_lists(
        [1, 1, 1],
        [[0, 1, 2], [0, 1], [1, 0]],
        [[1.0, 1.0, 1.0], [2.0, 1.0], [2.0, 0.0]],
    )
    outcome = solve(instance)
    assert outcome.formation.tolist() == [2, 0, 1]
    assert outcome.rank.tolist() == [2, 0, 0]


def test_capacity_zero_no_wishes_and_unwanted_formations() -> None:
    instance = Instance.from_lists([0, 3, 2], [[0, 1], [], [0]], [[5.0, 1.0], [], [9.0]])
    outcome = solve(instance)
    assert outcome.formation.tolist() == [1, -1, -1]
    assert outcome.rank.tolist() == [1, -1, -1]


def test_an_empty_instance() -> None:
    assert solve(Instance.from_lists([], [])).wish.tolist() == []
    assert solve(Instance.from_lists([2], [[], []])).formation.tolist() == [-1, -1]


def test_the_engine_uses_the_priority_it_is_given() -> None:
    instance = Instance.from_lists([1], [[0], [0]], [[1.0], [2.0]])
    assert solve(instance).formation.tolist() == [-1, 0]
    assert solve(instance, np.array([3.0, 2.0])).formation.tolist() == [0, -1]
    with pytest.raises(ValueError, match="priorités"):
        solve(instance, np.array([1.0]))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([1], [0, 1], [3], [1.0]), "formation inexistante"),
        (([-1], [0, 1], [0], [1.0]), "capacité est négative"),
        (([1], [0, 2], [0, 0], [1.0, 2.0]), "deux fois la même formation"),
        (([1], [0, 1], [0], [float("nan")]), "fini"),
        (([1], [0, 2], [0], [1.0]), "wish_offsets"),
        (([1], [0, 1], [0], [1.0, 2.0]), "scores pour"),
    ],
)
def test_bad_arrays_are_refused(arguments: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Instance.from_arrays(*arguments)
