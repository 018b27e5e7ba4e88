"""Openings of a formation in a lycée that does not offer it: one appears where pupils are
turned away nearby and the offer they ask for cannot grow; never beyond the budget, nor where
the lycée offers the same famille already; an opening can be locked or forbidden."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from tests.planning.test_optimiser import small_carte
from tremplin.diagnostic.facts import Facts
from tremplin.formats import format_number
from tremplin.planning.openings import OPENING
from tremplin.planning.optimiser import Lock, Settings, optimise, problem

# Lycée 0: a bac pro of famille A with 36 pupils turned away; lycée 1, 5,5 km away, offers a
# bac pro of famille B with no one turned away.
ROWS = [(0, 12, 24, 60, 0.8, "A", 1.0), (1, 12, 24, 20, 0.6, "B", 0.0)]
FULL = Lock("0000000X", "00000000000")
RUN = Settings(budget_places=12, sections_max=2, ecart_relatif=0.0, interdits=(FULL,))


def test_an_opening_serves_pupils_turned_away_nearby() -> None:
    p = problem(small_carte(ROWS, 0), RUN)
    opened = p.offers.filter(p.offers["statut"] == OPENING)
    # Only famille A's formation, in lycée 1 (lycée 0 offers famille A already).
    assert opened.select("uai", "mef_stat_11", "capacite", "demande").rows() == [
        ("0000001X", "00000000000", 0, 36.0)
    ]
    (change,) = optimise(p).changes
    assert (change.uai, change.statut, change.places_avant, change.places_apres) == (
        "0000001X",
        OPENING,
        0,
        12,
    )
    assert change.raison.startswith("Ouvrir la formation (12 places) : 36 élèves refusés")
    assert "à moins de 30 km" in change.raison
    assert f"offre de cette formation la plus proche à {format_number(6)} km" in change.raison
    assert change.as_dict()["statut"] == "ouverture"


def test_pupils_are_served_once_between_an_opening_and_its_neighbours() -> None:
    # The offer may grow too: 36 pupils, one section there and one opening serve 24 at most.
    free = replace(RUN, interdits=(), budget_places=24)
    solution = optimise(problem(small_carte(ROWS, 0), free))
    assert solution.components["jeunes"] <= 36 + 1e-6
    assert sum(c.places_apres - c.places_avant for c in solution.changes) <= 24


def test_no_opening_beyond_the_budget_or_the_settings() -> None:
    carte = small_carte(ROWS, 0)
    assert optimise(problem(carte, replace(RUN, budget_places=11))).changes == ()
    none = replace(RUN, ouvertures_max_par_lycee=0)
    assert (
        problem(carte, none)
        .offers.filter(problem(carte, none).offers["statut"] == OPENING)
        .is_empty()
    )
    # Nobody turned away: nothing to open.
    calm = small_carte([(0, 12, 24, 20, 0.8, "A", 1.0), (1, 12, 24, 20, 0.6, "B", 0.0)], 0)
    p = problem(calm, RUN)
    assert (p.offers["statut"] == OPENING).sum() == 0


def test_an_opening_is_locked_or_forbidden_like_an_offer() -> None:
    p = problem(small_carte(ROWS, 0), RUN)
    opening = Lock("0000001X", "00000000000", OPENING)
    assert optimise(p, replace(RUN, interdits=(FULL, opening))).changes == ()
    locked = replace(RUN, budget_places=24, verrous=(replace(opening, places_apres=12),))
    kept = {(c.uai, c.statut): c.places_apres for c in optimise(p, locked).changes}
    assert kept[("0000001X", OPENING)] == 12


@pytest.mark.realdata
def test_aura_openings(real_facts: Facts, sources_dir: Path) -> None:
    from tremplin.planning.carte import carte

    s = Settings(budget_places=60, sections_max=30)
    p = problem(carte(real_facts, "84"), s)
    solution = optimise(p)
    assert solution.gap <= 0.005
    opened = [c for c in solution.changes if c.statut == OPENING]
    assert opened and all(c.places_avant == 0 < c.places_apres for c in opened)
    # An opening of a lycée pro formation: offered elsewhere in the official file, not in its
    # lycée (BTS openings come from Parcoursup).
    raw = pl.read_csv(
        sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    )
    checked = 0
    for change in opened:
        same = raw.filter(pl.col("MEF STAT 11") == change.mef_stat_11)
        if same.height:
            checked += 1
            assert change.uai not in same.get_column("Etablissement d'accueil").to_list()
        assert re.match(r"Ouvrir la formation \(\d+ places\) : \d+ élèves refusés", change.raison)
    assert checked > 0
    # Pupils served never exceed those turned away from the candidate offers.
    offers = p.offers["statut"] != OPENING
    assert solution.components["jeunes"] <= float(p.unmet[offers.to_numpy()].sum()) + 1e-6
