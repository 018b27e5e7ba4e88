"""The independent verifier catches what it is meant to catch: a checker that accepts everything
would make the engine's property tests worthless."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.assignment.strategies import instances
from tremplin.assignment import Instance, solve
from tremplin.assignment.verify import (
    Problem,
    blocking_pairs,
    check_validity,
    placements_from_held,
)

# Two formations of one seat; P0 ranks first at F0, P1 second; both ask for F0 then F1.
PROBLEM = Problem(
    capacities=[1, 1], wishes=[[0, 1], [0, 1]], scores=[[5, 5], [3, 3]], lottery=[0, 1]
)


def test_a_stable_assignment_passes() -> None:
    assert check_validity(PROBLEM, [(0, 0), (1, 1)]) == []
    assert blocking_pairs(PROBLEM, [(0, 0), (1, 1)]) == []


def test_a_pupil_preferring_a_seat_held_by_someone_weaker_blocks() -> None:
    assert check_validity(PROBLEM, [(1, 0), (0, 1)]) == []
    assert blocking_pairs(PROBLEM, [(1, 0), (0, 1)]) == [(0, 0)]


def test_a_free_seat_wanted_by_an_unplaced_pupil_blocks() -> None:
    assert blocking_pairs(PROBLEM, [(0, 0)]) == [(1, 1)]


def test_the_lottery_breaks_equal_scores() -> None:
    tied = Problem(capacities=[1], wishes=[[0], [0]], scores=[[4], [4]], lottery=[1, 0])
    assert blocking_pairs(tied, [(1, 0)]) == []
    assert blocking_pairs(tied, [(0, 0)]) == [(1, 0)]


def test_invalid_assignments_are_reported_in_french() -> None:
    assert check_validity(PROBLEM, [(0, 0), (1, 0)]) == ["formation 0 : 2 admis pour 1 places"]
    assert check_validity(PROBLEM, [(0, 0), (0, 1)]) == [
        "élève 0 : deux places (formations 0 et 1)"
    ]
    unlisted = Problem(capacities=[1, 1], wishes=[[0], []], scores=[[1], []], lottery=[0, 1])
    assert check_validity(unlisted, [(1, 1)]) == ["élève 1 : formation 1 non demandée"]
    assert check_validity(PROBLEM, [(2, 0), (0, 5)]) == [
        "élève 2 inexistant",
        "élève 0 : formation 5 inexistante",
    ]


def test_a_capacity_of_zero_never_blocks() -> None:
    closed = Problem(capacities=[0], wishes=[[0]], scores=[[9]], lottery=[0])
    assert blocking_pairs(closed, []) == []


@settings(max_examples=150, deadline=None)
@given(instances(max_pupils=40), st.data())
def test_removing_a_placed_pupil_always_creates_a_blocking_pair(
    instance: Instance, data: st.DataObject
) -> None:
    problem = Problem.from_instance(instance)
    placements = placements_from_held(problem, solve(instance).wish.tolist())
    assume(placements)
    removed = data.draw(st.sampled_from(placements))
    kept = [p for p in placements if p != removed]
    assert check_validity(problem, kept) == []
    assert removed in blocking_pairs(problem, kept)


@settings(max_examples=150, deadline=None)
@given(instances(max_pupils=40), st.data())
def test_overfilling_a_formation_is_invalid(instance: Instance, data: st.DataObject) -> None:
    problem = Problem.from_instance(instance)
    placements = placements_from_held(problem, solve(instance).wish.tolist())
    placed = {p for p, _ in placements}
    # An unplaced pupil forced into a wished formation that is full (or closed) breaks validity.
    candidates = [
        (p, f)
        for p, wishes in enumerate(problem.wishes)
        if p not in placed
        for f in wishes
        if sum(1 for _, g in placements if g == f) == problem.capacities[f]
    ]
    assume(candidates)
    forced = data.draw(st.sampled_from(candidates))
    issues = check_validity(problem, [*placements, forced])
    assert len(issues) == 1
    assert issues[0].startswith(f"formation {forced[1]} :")
