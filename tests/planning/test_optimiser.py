"""The optimiser on random small cartes (every constraint holds, the objective equals an
independent brute force, locks are honoured, forbidding a change never helps) and on AURA."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.diagnostic.facts import Facts
from tremplin.planning.carte import Carte
from tremplin.planning.optimiser import (
    Infeasible,
    Lock,
    Problem,
    Settings,
    Solution,
    conflicts,
    optimise,
    problem,
)

_OFFER = st.tuples(
    st.integers(0, 2),  # lycée
    st.sampled_from([12, 15, 24]),  # section
    st.integers(5, 60),  # places
    st.integers(0, 120),  # demand
    st.one_of(st.none(), st.floats(0.3, 0.95)),  # taux d'emploi
    st.sampled_from(["A", "B"]),  # famille
    st.floats(0.0, 1.0),  # weight in the industrial trade
)


def small_carte(
    rows: list[tuple[int, int, int, int, float | None, str, float]], projects: int
) -> Carte:
    """A carte of ``rows`` in one département, with one industrial FAP family needing
    ``projects`` recruitments."""
    offers = pl.DataFrame(
        [
            {
                "offre": i,
                "uai": f"{lycee:07d}X",
                "mef_stat_11": f"{i:011d}",
                "statut": "scolaire",
                "source": "affelnet",
                "libelle": f"Formation {i}",
                "etablissement": f"Lycée {lycee}",
                "commune": "Commune",
                "code_departement": "69",
                "pas": step,
                "capacite": places,
                "demande": float(demand),
                "taux_emploi": rate,
                "industrie": True,
                "proches": f"Bac pro · {famille}",
                "latitude": 45.7 + 0.05 * lycee,
                "longitude": 4.8,
            }
            for i, (lycee, step, places, demand, rate, famille, _) in enumerate(rows)
        ],
        schema_overrides={"taux_emploi": pl.Float64, "offre": pl.Int64},
    )
    metiers = pl.DataFrame(
        {
            "offre": list(range(len(rows))) * 2,
            "code_departement": ["69"] * (2 * len(rows)),
            "fap86": ["D1X"] * len(rows) + ["T0X"] * len(rows),
            "poids": [r[6] for r in rows] + [1 - r[6] for r in rows],
            "industrie": [True] * len(rows) + [False] * len(rows),
        },
        schema_overrides={"offre": pl.Int64},
    )
    besoins = pl.DataFrame(
        {
            "code_departement": ["69"],
            "fap86": ["D1X"],
            "projets": [float(projects)],
            "industrie": [True],
        }
    )
    labels = pl.DataFrame(
        {
            "fap86": ["D1X"],
            "libelle_fap86": ["Mécanique"],
            "fap22": ["D"],
            "libelle_fap22": ["Mécanique"],
        }
    )
    return Carte("departement:69", offers, metiers.filter(pl.col("poids") > 0), besoins, labels)


def _value(p: Problem, s: Settings, up: np.ndarray, dn: np.ndarray) -> float | None:
    """The objective of (up, dn) computed independently, None when a constraint is broken."""
    delta = p.step * up - p.removable * dn
    if delta.sum() > s.budget_places or (up + dn).sum() > s.sections_max:
        return None
    if np.any(up > s.sections_max_par_offre) or np.any(dn.astype(bool) & ~p.may_reduce):
        return None
    for e in np.unique(p.establishment):
        if (up + dn)[p.establishment == e].sum() > s.sections_max_par_etablissement:
            return None
    youth = np.minimum(p.unmet, p.step * up).sum() - (p.lost * dn).sum()
    needs = 0.0
    for g in range(len(p.group_keys)):
        sel = p.weight_groups == g
        added = float((p.weight_values[sel] * delta[p.weight_rows[sel]]).sum())
        needs += min(p.group_need[g], added + p.group_surplus[g])
    insertion = float((p.insertion * delta).sum())
    tie = 0.001 * float((p.step * up + p.removable * dn).sum())
    return float(
        s.poids_jeunes * youth + s.poids_besoins * needs + s.poids_insertion * insertion - tie
    )


def _arrays(p: Problem, solution: Solution) -> tuple[np.ndarray, np.ndarray]:
    changed = {(c.uai, c.mef_stat_11, c.statut): c for c in solution.changes}
    up, dn = np.zeros(p.offers.height, np.int64), np.zeros(p.offers.height, np.int64)
    for k, key in enumerate(p.offers.select("uai", "mef_stat_11", "statut").iter_rows()):
        c = changed.get(key)
        if c is not None:
            delta = c.places_apres - c.places_avant
            if delta > 0:
                up[k] = delta // int(p.step[k])
            else:
                dn[k] = 1
    return up, dn


_SETTINGS = st.builds(
    Settings,
    perimetre=st.just("industrie"),
    budget_places=st.integers(-30, 40),
    sections_max=st.integers(0, 4),
    sections_max_par_etablissement=st.integers(0, 2),
    plancher_pression=st.sampled_from([0.5, 1.0, 9.0]),
    distance_max_km=st.sampled_from([1.0, 30.0]),
    part_besoins_formation=st.sampled_from([0.1, 1.0]),
    poids_jeunes=st.floats(0.0, 2.0),
    poids_besoins=st.floats(0.0, 2.0),
    poids_insertion=st.floats(0.0, 2.0),
    ecart_relatif=st.just(0.0),
    # The brute force changes offers; openings (their shared pupils) have their own tests.
    ouvertures_max_par_lycee=st.just(0),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(_OFFER, min_size=1, max_size=4), st.integers(0, 300), _SETTINGS)
def test_the_solution_respects_every_constraint_and_is_optimal(
    rows: list[Any], projects: int, s: Settings
) -> None:
    p = problem(small_carte(rows, projects), s)
    choices = itertools.product([(0, 0), (1, 0), (0, 1)], repeat=p.offers.height)
    values = [
        _value(p, s, np.array([c[0] for c in choice]), np.array([c[1] for c in choice]))
        for choice in choices
    ]
    feasible = [v for v in values if v is not None]
    try:
        solution = optimise(p)
    except Infeasible as error:
        # Only a budget below zero can rule out doing nothing; the conflict is named.
        assert not feasible and s.budget_places < 0 and "budget" in str(error)
        return
    up, dn = _arrays(p, solution)
    value = _value(p, s, up, dn)
    assert value is not None  # every constraint holds
    assert solution.objective == pytest.approx(value, abs=1e-6)
    assert solution.objective >= max(feasible) - 1e-6  # the brute force finds nothing better
    for change in solution.changes:
        assert (
            change.raison.endswith(".")
            and str(abs(change.places_apres - change.places_avant)) in change.raison
        )


@settings(max_examples=20, deadline=None)
@given(st.lists(_OFFER, min_size=1, max_size=4), st.integers(0, 300), _SETTINGS, st.data())
def test_locks_are_honoured_and_forbidding_never_helps(
    rows: list[Any], projects: int, s: Settings, data: st.DataObject
) -> None:
    s = replace(s, budget_places=abs(s.budget_places))  # doing nothing stays feasible
    p = problem(small_carte(rows, projects), s)
    solution = optimise(p)
    k = data.draw(st.integers(0, p.offers.height - 1))
    uai, mef = p.offers.item(k, "uai"), p.offers.item(k, "mef_stat_11")
    # Forbidding a proposed change never improves the objective.
    for change in solution.changes:
        forbid = replace(s, interdits=(Lock(change.uai, change.mef_stat_11),))
        again = optimise(p, forbid)
        assert again.objective <= solution.objective + 1e-6
        assert all(
            (c.uai, c.mef_stat_11) != (change.uai, change.mef_stat_11) for c in again.changes
        )
    # A lock is honoured, or the conflict is named before solving.
    after = int(p.places[k]) + int(p.step[k])
    locked = replace(s, verrous=(Lock(uai, mef, "scolaire", after),))
    found = conflicts(p, locked)
    if found:
        with pytest.raises(Infeasible) as error:
            optimise(p, locked)
        assert error.value.conflicts == tuple(found)
        return
    result = optimise(p, locked)
    (change,) = [c for c in result.changes if (c.uai, c.mef_stat_11) == (uai, mef)]
    assert change.places_apres == after
    up, dn = _arrays(p, result)
    assert _value(p, locked, up, dn) is not None


def test_a_lock_beyond_the_budget_names_the_conflict() -> None:
    carte = small_carte([(0, 12, 24, 60, 0.8, "A", 1.0), (1, 12, 30, 10, 0.5, "A", 1.0)], 100)
    s = Settings(budget_places=0, plancher_pression=0.1)
    p = problem(carte, s)
    lock = Lock("0000000X", "00000000000", "scolaire", 36)
    with pytest.raises(Infeasible) as error:
        optimise(p, replace(s, verrous=(lock,)))
    assert "budget de places nettes (0)" in str(error.value)
    assert "verrous (12)" in str(error.value)
    # Removing 30 places with one section changed at most cannot be done: said before solving.
    with pytest.raises(Infeasible) as error:
        optimise(
            problem(carte, replace(s, plancher_pression=9.0)),
            replace(s, budget_places=-30, sections_max=1),
        )
    assert "limite de 1 sections modifiées (-12)" in str(error.value)
    # Allowing 12 net places makes it feasible, and the lock is kept.
    result = optimise(p, replace(s, budget_places=12, verrous=(lock,)))
    assert [(c.uai, c.places_apres) for c in result.changes] == [("0000000X", 36)]


@pytest.mark.realdata
def test_aura_industrial_carte(real_facts: Facts, sources_dir: Path) -> None:
    from tremplin.planning.carte import carte

    # Offers only: the independent objective has no openings (tests/planning/test_openings.py).
    s = Settings(budget_places=20, sections_max=25, ouvertures_max_par_lycee=0)
    p = problem(carte(real_facts, "84"), s)
    solution = optimise(p)
    assert solution.gap <= 0.005 and solution.status == "Optimal"
    up, dn = _arrays(p, solution)
    assert _value(p, s, up, dn) == pytest.approx(solution.objective, rel=1e-6)
    assert 0 < len(solution.changes) <= 25
    assert sum(c.places_apres - c.places_avant for c in solution.changes) <= 20
    # Places before are the official file's, for the lycée pro offers changed.
    raw = pl.read_csv(
        sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    ).filter(
        (pl.col("Statut Offre de formation") == "ST") & (pl.col("Voeu de recensement O/N") == "N")
    )
    checked = 0
    for change in solution.changes:
        rows = raw.filter(
            (pl.col("Etablissement d'accueil") == change.uai)
            & (pl.col("MEF STAT 11") == change.mef_stat_11)
        )
        if rows.height:
            assert change.places_avant == int(
                rows.get_column("Capacité carte scolaire").cast(pl.Int64).sum()
            )
            wishes = rows.get_column("Demandes vœux 1").cast(pl.Int64).sum()
            assert f"{wishes} premiers vœux pour {change.places_avant} places" in change.raison
            checked += 1
    assert checked > 0
    # Locking the first proposal and forbidding the second: honoured, and never better.
    first, second = solution.changes[0], solution.changes[1]
    again = optimise(
        p,
        replace(
            s,
            verrous=(Lock(first.uai, first.mef_stat_11, first.statut, first.places_apres),),
            interdits=(Lock(second.uai, second.mef_stat_11, second.statut),),
        ),
    )
    kept = {(c.uai, c.mef_stat_11, c.statut): c.places_apres for c in again.changes}
    assert kept[(first.uai, first.mef_stat_11, first.statut)] == first.places_apres
    assert (second.uai, second.mef_stat_11, second.statut) not in kept
    assert again.objective <= solution.objective * (1 + 0.005) + 1e-6


@pytest.mark.realdata
def test_the_command_prints_the_changes_as_json(real_store_url: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "carte",
            "optimiser",
            "--territoire",
            "84",
            "--perimetre",
            "industrie",
            "--budget-places",
            "10",
            "--json",
        ],
        env={"TREMPLIN_DATABASE_URL": real_store_url},
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) >= {"changes", "objective", "gap", "seconds"}
    assert document["changes"] and document["gap"] <= 0.005
    keys = {"uai", "mef_stat_11", "statut", "places_avant", "places_apres", "raison"}
    assert all(keys <= set(c) for c in document["changes"])
    assert sum(c["places_apres"] - c["places_avant"] for c in document["changes"]) <= 10
    bad = CliRunner().invoke(
        app,
        ["carte", "optimiser", "--territoire", "region:99"],
        env={"TREMPLIN_DATABASE_URL": real_store_url},
    )
    assert bad.exit_code == 1 and "aucune offre" in bad.output


def test_conflicting_constraints_found_by_highs_are_named() -> None:
    # Two closable sections of 12 in one lycée: a budget of −24 needs both, one per lycée is
    # allowed. The checks before solving pass (they ignore the limit per establishment).
    carte = small_carte([(0, 12, 24, 0, 0.5, "A", 1.0), (0, 12, 24, 0, 0.5, "A", 1.0)], 0)
    s = Settings(budget_places=-24, sections_max_par_etablissement=1, plancher_pression=0.5)
    p = problem(carte, s)
    assert conflicts(p, s) == []
    with pytest.raises(Infeasible) as error:
        optimise(p, s)
    (message,) = error.value.conflicts
    assert "HiGHS : infaisable" in message
    assert "le budget de places nettes (-24)" in message
    assert "le maximum de 1 sections modifiées par établissement" in message
    assert "plancher" not in message and "déplacement" not in message
    # Lifting either one makes the request feasible.
    assert optimise(p, replace(s, budget_places=-12)).components["places_nettes"] == -12
    assert (
        optimise(p, replace(s, sections_max_par_etablissement=2)).components["places_nettes"] == -24
    )
    # A floor on every offer: the check before solving names the budget.
    floor = replace(s, sections_max_par_etablissement=2, plancher_pression=0.0)
    with pytest.raises(Infeasible) as error:
        optimise(problem(carte, floor), floor)
    assert "budget" in str(error.value)
