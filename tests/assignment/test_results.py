"""Results per pupil and formation, and aggregates: consistent with the assignment."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assignment.strategies import instances
from tremplin.assignment import Instance, solve
from tremplin.assignment.results import formation_results, summarise


@settings(max_examples=200, deadline=None)
@given(instances(max_pupils=60), st.data())
def test_the_counts_add_up(instance: Instance, data: st.DataObject) -> None:
    outcome = solve(instance)
    territory = data.draw(
        st.lists(st.sampled_from("ABC"), min_size=instance.n_pupils, max_size=instance.n_pupils)
    )
    perimeter = data.draw(
        st.lists(st.booleans(), min_size=instance.n_formations, max_size=instance.n_formations)
    )
    summary = summarise(
        outcome,
        pupil_groups={"territoire": territory, "boursier": instance.boursier},
        formation_groups={"perimetre": perimeter},
    )
    pupils, places = summary.pupils, summary.places
    placed = [p for p in range(instance.n_pupils) if outcome.formation[p] >= 0]
    assert pupils.pupils == instance.n_pupils
    assert pupils.placed == len(placed) == places.filled
    assert pupils.placed + pupils.unplaced == pupils.with_wishes
    assert pupils.first_wish == sum(1 for p in placed if outcome.rank[p] == 0)
    assert pupils.first_wish <= pupils.placed
    assert places.capacity == int(instance.capacities.sum())
    assert places.unfilled == places.capacity - places.filled >= 0
    assert places.first_wishes == pupils.with_wishes
    for name, groups in summary.by_pupil_group.items():
        for field in ("pupils", "with_wishes", "placed", "first_wish"):
            assert sum(getattr(g, field) for g in groups.values()) == getattr(pupils, field), name
    assert sum(g.unfilled for g in summary.by_formation_group["perimetre"].values()) == (
        places.unfilled
    )
    if pupils.with_wishes:
        assert pupils.share_placed == pupils.placed / pupils.with_wishes
    else:
        assert pupils.share_placed is None


@settings(max_examples=200, deadline=None)
@given(instances(max_pupils=60))
def test_the_last_admitted_is_the_weakest_admitted(instance: Instance) -> None:
    outcome = solve(instance)
    results = formation_results(outcome)
    for f in range(instance.n_formations):
        admitted = [
            (float(instance.scores[outcome.wish[p]]), -int(instance.lottery[p]), p)
            for p in range(instance.n_pupils)
            if outcome.formation[p] == f
        ]
        assert results.filled[f] == len(admitted) <= instance.capacities[f]
        if admitted:
            score, _, pupil = min(admitted)
            assert results.last_admitted_wish[f] == outcome.wish[pupil]
            assert results.last_admitted_score[f] == score
        else:
            assert results.last_admitted_wish[f] == -1
            assert math.isnan(results.last_admitted_score[f])


def test_a_small_case_by_hand() -> None:
    # F0: 1 seat, F1: 2 seats, F2: 1 seat that nobody asks for.
    instance = Instance.from_lists(
        [1, 2, 1],
        [[0, 1], [0], [0, 1], [1], []],
        [[12.0, 11.0], [15.0], [9.0, 13.5], [10.0], []],
        boursier=[True, False, True, False, False],
    )
    outcome = solve(instance)
    assert outcome.formation.tolist() == [1, 0, 1, -1, -1]
    assert outcome.rank.tolist() == [1, 0, 1, -1, -1]
    results = formation_results(outcome)
    assert results.filled.tolist() == [1, 2, 0]
    assert results.unfilled.tolist() == [0, 0, 1]
    assert results.first_wishes.tolist() == [3, 1, 0]
    assert results.last_admitted_score[:2].tolist() == [15.0, 11.0]
    summary = summarise(outcome, pupil_groups={"boursier": instance.boursier})
    assert summary.pupils.as_dict() == {
        "pupils": 5,
        "with_wishes": 4,
        "placed": 3,
        "first_wish": 1,
        "unplaced": 1,
        "share_placed": 0.75,
        "share_first_wish": 0.25,
    }
    assert summary.places.as_dict() == {
        "formations": 3,
        "capacity": 4,
        "filled": 3,
        "unfilled": 1,
        "first_wishes": 4,
    }
    boursiers = summary.by_pupil_group["boursier"]
    assert (boursiers["True"].placed, boursiers["False"].placed) == (2, 1)
    assert boursiers["False"].share_first_wish == 0.5
    assert np.isnan(results.last_admitted_score[2])
