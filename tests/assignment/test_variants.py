"""The two variants: Parcoursup-like call order with quotas, and the Affelnet barème."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from tests.assignment.strategies import instances
from tremplin.assignment import Instance, Simulation
from tremplin.assignment.affelnet import DEFAULT_BAREME, Bareme, bareme_scores
from tremplin.assignment.oracle import solve_with_matching
from tremplin.assignment.parcoursup import call_order
from tremplin.assignment.verify import Problem
from tremplin.errors import InputError


def _ceil(share: float, k: int) -> int:
    # Quotas are read to the hundredth of a percent; the ceiling is then exact.
    return math.ceil(Fraction(round(share * 10_000), 10_000) * k)


def _calls(instance: Instance, formation: int) -> list[int]:
    """The wishes for ``formation``, in the order they are called."""
    position = call_order(instance).position
    wishes = np.flatnonzero(instance.wish_formations == formation)
    return sorted(wishes.tolist(), key=lambda w: position[w])


@settings(max_examples=200, deadline=None)
@given(instances(max_pupils=60, with_variants=True))
def test_the_boursier_quota_holds_at_every_rank_while_boursiers_remain(instance: Instance) -> None:
    position = call_order(instance).position
    for f in range(instance.n_formations):
        called = _calls(instance, f)
        assert sorted(position[called].tolist()) == list(range(1, len(called) + 1))
        boursier = [bool(instance.boursier[instance.wish_pupils[w]]) for w in called]
        total = sum(boursier)
        share = float(instance.quota_boursiers[f])
        for k in range(1, len(called) + 1):
            assert sum(boursier[:k]) >= min(_ceil(share, k), total)


@settings(max_examples=200, deadline=None)
@given(instances(max_pupils=60, with_variants=True))
def test_the_residence_quota_holds_likewise_when_it_is_alone(instance: Instance) -> None:
    alone = Instance.from_arrays(
        instance.capacities,
        instance.wish_offsets,
        instance.wish_formations,
        instance.scores,
        instance.seed,
        boursier=instance.boursier,
        resident=instance.resident,
        quota_residents=instance.quota_residents,
    )
    for f in range(alone.n_formations):
        called = _calls(alone, f)
        resident = [bool(alone.resident[w]) for w in called]
        total = sum(resident)
        share = float(alone.quota_residents[f])
        for k in range(1, len(called) + 1):
            assert sum(resident[:k]) >= min(_ceil(share, k), total)


@settings(max_examples=200, deadline=None)
@given(instances(max_pupils=60, with_variants=True))
def test_the_call_order_only_moves_groups_past_each_other(instance: Instance) -> None:
    # Within boursiers-residents, boursiers-non-residents… the classement order is kept.
    calls = call_order(instance)
    for f in range(instance.n_formations):
        called = _calls(instance, f)
        for kind in range(4):
            ranks = [
                int(calls.ranking[w])
                for w in called
                if 2 * int(instance.boursier[instance.wish_pupils[w]]) + int(instance.resident[w])
                == kind
            ]
            assert ranks == sorted(ranks)


@settings(max_examples=200, deadline=None)
@given(instances(max_pupils=60, with_variants=True))
def test_the_end_state_is_stable_for_the_call_order(instance: Instance) -> None:
    simulation = Simulation.from_call_order(instance)
    outcome = simulation.solve()
    assert simulation.check_validity() == []
    assert simulation.check_stability() == []
    oracle = solve_with_matching(Problem.from_instance(instance, simulation.priority))
    assert [None if f < 0 else f for f in outcome.formation.tolist()] == oracle


@settings(max_examples=100, deadline=None)
@given(instances(max_pupils=40))
def test_without_quotas_the_call_order_is_the_classement(instance: Instance) -> None:
    calls = call_order(instance)
    assert calls.position.tolist() == calls.ranking.tolist()
    assert (calls.solve().wish == Simulation.from_instance(instance).solve().wish).all()


def test_the_published_example_of_a_boursier_quota() -> None:
    # Ten candidates ranked 1 to 10, boursiers at ranks 5, 8 and 9, a quota of 20 %: the first
    # call must be a boursier (ceil(0.2) = 1), the sixth too (ceil(1.2) = 2).
    instance = Instance.from_lists(
        [3],
        [[0]] * 10,
        [[float(10 - i)] for i in range(10)],
        boursier=[i + 1 in (5, 8, 9) for i in range(10)],
        quota_boursiers=[0.2],
    )
    assert [int(instance.wish_pupils[w]) + 1 for w in _calls(instance, 0)] == [
        5, 1, 2, 3, 4, 8, 6, 7, 9, 10,
    ]  # fmt: skip
    outcome = Simulation.from_call_order(instance).solve()
    assert np.flatnonzero(outcome.placed).tolist() == [0, 1, 4]


def test_the_boursier_quota_prevails_over_the_residence_quota() -> None:
    # Candidate 1 (best) is a resident non-boursier, candidate 2 a non-resident boursier: with
    # both quotas binding at the first call and no boursier resident, the boursier is called.
    instance = Instance.from_lists(
        [1],
        [[0], [0]],
        [[20.0], [10.0]],
        boursier=[False, True],
        resident=[True, False],
        quota_boursiers=[0.5],
        quota_residents=[0.5],
    )
    assert _calls(instance, 0) == [1, 0]


# Barème: two champs, "production" weighs mathematics, "services" French.
BAREME = Bareme(
    champs=("francais", "mathematiques"),
    coefficients={"production": (1.0, 3.0), "services": (3.0, 1.0)},
    bonus_secteur=100.0,
    bonus_boursier=5.0,
    bonus_premier_voeu_pro=10.0,
)
# P0 is better in French, P1 in mathematics.
GRADES = [[16.0, 10.0], [10.0, 16.0]]


def _ranked(
    instance: Instance,
    groups: list[str],
    voie_pro: list[bool] | None = None,
    secteur: list[bool] | None = None,
) -> list[list[float]]:
    scores = bareme_scores(instance, BAREME, GRADES, groups, voie_pro, secteur).tolist()
    offsets = instance.wish_offsets.tolist()
    return [scores[offsets[p] : offsets[p + 1]] for p in range(instance.n_pupils)]


def test_the_coefficients_of_the_formations_group_decide() -> None:
    # Both ask for F0 (production) then F1 (services), not voie pro: no first-wish bonus.
    instance = Instance.from_lists([1, 1], [[0, 1], [0, 1]])
    assert _ranked(instance, ["production", "services"]) == [[46.0, 58.0], [58.0, 46.0]]
    outcome = Simulation.from_bareme(instance, BAREME, GRADES, ["production", "services"]).solve()
    assert outcome.formation.tolist() == [1, 0]


def test_the_bonuses() -> None:
    instance = Instance.from_lists([1, 1], [[0, 1], [1, 0]], boursier=[True, False])
    scores = _ranked(
        instance,
        ["production", "production"],
        voie_pro=[True, False],
        secteur=[False, True, False, False],
    )
    # P0: boursier (+5), first wish F0 is voie pro (+10), F1 in its sector (+100).
    # P1: first wish F1 is not voie pro: no first-wish bonus.
    assert scores == [[46.0 + 5 + 10, 46.0 + 5 + 100], [58.0, 58.0]]


def test_the_sector_bonus_outweighs_grades() -> None:
    instance = Instance.from_lists([1], [[0], [0]])
    simulation = Simulation.from_bareme(
        instance, BAREME, GRADES, ["services"], secteur=[False, True]
    )
    assert simulation.solve().formation.tolist() == [-1, 0]
    assert simulation.instance.scores.tolist() == [58.0, 146.0]


def test_a_bareme_is_read_from_a_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "bareme.toml"
    path.write_text(
        'academie = "Grenoble"\nchamps = ["francais", "mathematiques"]\n'
        "bonus_boursier = 5\nbonus_secteur = 100\nbonus_premier_voeu_pro = 10\n"
        "[coefficients]\nproduction = [1, 3]\nservices = [3, 1]\n",
        encoding="utf-8",
    )
    read = Bareme.from_toml(path)
    assert read.academie == "Grenoble"
    assert read.coefficients == BAREME.coefficients
    assert (read.bonus_secteur, read.bonus_boursier, read.bonus_premier_voeu_pro) == (
        100.0,
        5.0,
        10.0,
    )


def test_bad_baremes_are_refused_in_french() -> None:
    with pytest.raises(InputError, match="clé 'champs' manquante"):
        Bareme.from_mapping({"coefficients": {}})
    with pytest.raises(InputError, match="2 coefficients pour 7 champs"):
        Bareme.from_mapping({"champs": DEFAULT_BAREME.champs, "coefficients": {"x": [1, 2]}})
    instance = Instance.from_lists([1], [[0]])
    with pytest.raises(InputError, match="groupe de formations 'inconnu' inconnu"):
        bareme_scores(instance, BAREME, [[1.0, 2.0]], ["inconnu"])
    with pytest.raises(ValueError, match="notes"):
        bareme_scores(instance, BAREME, [[1.0]], ["production"])
