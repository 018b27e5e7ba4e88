"""Declared needs in the optimiser's objective: counted per département × FAP 86 from the needs'
trade chain, capped at BMO's projects; declaring a need moves the proposal towards its trades
(and withdrawing it moves it back); more declared people never lower the places proposed for
their trades."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.planning.test_optimiser import _OFFER, _SETTINGS, _arrays, _value, small_carte
from tremplin.planning.carte import Carte
from tremplin.planning.declared import declared_cells
from tremplin.planning.optimiser import Infeasible, Problem, Settings, optimise, problem

FAMILIES = pl.DataFrame({"fap2021": ["D1X10", "D2X10", "T0X10"], "fap86": ["D1X", "D2X", "T0X"]})
BASSINS = pl.DataFrame({"bassin_bmo": ["8401", "8402"], "bassin": ["Lyon", "Villefranche"]})


def needs_frame(rows: list[tuple[int, str, str, str, int, int]]) -> pl.DataFrame:
    """``declared_needs(conn, per_company=True)``'s frame: (company, fap2021, bassin,
    département, needs, people) per row."""
    return pl.DataFrame(
        [
            {
                "company_id": company,
                "code_rome": "H2913",
                "fap2021": fap,
                "code_bmo": fap,
                "bassin_bmo": bassin,
                "code_departement": dep,
                "besoins": count,
                "personnes": people,
            }
            for company, fap, bassin, dep, count, people in rows
        ],
        schema_overrides={"company_id": pl.Int64, "besoins": pl.Int64, "personnes": pl.Int64},
    )


def test_cells_sum_people_per_departement_and_family() -> None:
    cells = declared_cells(
        needs_frame(
            [
                (1, "D1X10", "8401", "69", 2, 3),
                (2, "D1X10", "8402", "69", 1, 4),
                (2, "D1X10", "8402", "69", 1, 1),
                (3, "ZZZ99", "8401", "69", 5, 50),  # no FAP 86: left out
                (3, "D2X10", "8401", "69", 1, 0),  # filled: nobody wanted any more
            ]
        ),
        FAMILIES,
        BASSINS,
    )
    assert cells.to_dicts() == [
        {
            "code_departement": "69",
            "fap86": "D1X",
            "besoins": 4,
            "personnes": 8,
            "entreprises": [1, 2],
            "bassins": ["Lyon", "Villefranche"],
        }
    ]
    assert declared_cells(None, FAMILIES).is_empty()
    assert declared_cells(needs_frame([]), FAMILIES).is_empty()


def two_trades(projects: float | None = 40.0) -> Carte:
    """Two lycées of the Rhône far apart: an offer training for D1X (12 pupils turned away) and
    one for D2X (10 turned away, 12 places); BMO: ``projects`` in D2X (None: secret)."""
    offers = pl.DataFrame(
        [
            {
                "offre": i,
                "uai": f"069000{i}X",
                "mef_stat_11": f"{i:011d}",
                "statut": "scolaire",
                "source": "affelnet",
                "libelle": f"Formation {i}",
                "etablissement": f"Lycée {i}",
                "commune": "Commune",
                "code_departement": "69",
                "pas": 12,
                "capacite": 12,
                "demande": float(demand),
                "taux_emploi": None,
                "industrie": True,
                "proches": f"Bac pro · {i}",
                "latitude": 45.0 + i,
                "longitude": 4.8,
            }
            for i, demand in ((0, 24), (1, 22))
        ],
        schema_overrides={"taux_emploi": pl.Float64, "offre": pl.Int64},
    )
    metiers = pl.DataFrame(
        {
            "offre": [0, 1],
            "code_departement": ["69", "69"],
            "fap86": ["D1X", "D2X"],
            "poids": [1.0, 1.0],
            "industrie": [True, True],
        },
        schema_overrides={"offre": pl.Int64},
    )
    besoins = pl.DataFrame(
        {"code_departement": ["69"], "fap86": ["D2X"], "projets": [projects], "industrie": [True]},
        schema_overrides={"projets": pl.Float64},
    ).filter(pl.col("projets").is_not_null())
    return Carte("departement:69", offers, metiers, besoins, pl.DataFrame())


RUN = Settings(budget_places=12, sections_max=1, ecart_relatif=0.0)


def _opened(p: Problem) -> list[str]:
    return [c.uai for c in optimise(p).changes]


def test_a_declared_need_moves_the_proposal_to_its_trade_and_back() -> None:
    carte = two_trades()
    # Without declared needs: D1X's 12 pupils turned away beat D2X's 10 (its BMO need is met).
    assert _opened(problem(carte, RUN)) == ["0690000X"]
    need = declared_cells(needs_frame([(7, "D2X10", "8401", "69", 3, 20)]), FAMILIES, BASSINS)
    p = problem(carte, RUN, need)
    # 20 people × 0,5 + 40 projects × 0,25 = 20 wanted, 12 placed: 8 more served in D2X.
    assert p.group_need.tolist() == [8.0] and p.group_declared.tolist() == [20.0]
    solution = optimise(p)
    (change,) = solution.changes
    assert change.uai == "0690001X" and change.places_apres == 24
    assert "3 besoins déclarés (20 personnes) par 1 entreprise en D2X dans le bassin Lyon" in (
        change.raison
    )
    assert "(BMO et besoins déclarés)" in change.raison
    assert solution.declared == {
        "besoins": 3,
        "personnes": 20,
        "entreprises": 1,
        "personnes_comptees": 20,
    }
    assert solution.as_dict()["besoins_declares"]["personnes"] == 20
    # Withdrawn (or weighed 0, or declared in another département): back to D1X.
    assert _opened(problem(carte, RUN, need.head(0))) == ["0690000X"]
    assert _opened(problem(carte, replace(RUN, part_besoins_declares=0.0), need)) == ["0690000X"]
    elsewhere = need.with_columns(pl.lit("01").alias("code_departement"))
    assert problem(carte, RUN, elsewhere).declared.is_empty()


def test_declared_people_are_capped_at_the_projects_of_their_cell() -> None:
    need = declared_cells(needs_frame([(7, "D2X10", "8401", "69", 1, 500)]), FAMILIES, BASSINS)
    assert problem(two_trades(40.0), RUN, need).group_declared.tolist() == [40.0]
    # A cell BMO keeps secret: the declared people count as they are.
    uncapped = problem(two_trades(None), RUN, need)
    assert uncapped.group_keys == (("69", "D2X"),)
    assert uncapped.group_declared.tolist() == [500.0]
    assert uncapped.group_need.tolist() == [250.0 - 12.0]
    with pytest.raises(Exception, match="part_besoins_declares"):
        Settings(part_besoins_declares=-1.0)


def _placed(p: Problem, up: np.ndarray, dn: np.ndarray, group: int) -> float:
    """Σ_i poids_ig Δ_i: the places proposed for the trades of ``group``."""
    delta = p.step * up - p.removable * dn
    sel = p.weight_groups == group
    return float((p.weight_values[sel] * delta[p.weight_rows[sel]]).sum())


@settings(max_examples=25, deadline=None)
@given(
    st.lists(_OFFER, min_size=1, max_size=4),
    st.integers(0, 300),
    _SETTINGS,
    st.integers(0, 200),
    st.integers(1, 200),
)
def test_more_declared_people_never_lower_the_places_for_their_trades(
    rows: list[Any], projects: int, s: Settings, people: int, more: int
) -> None:
    s = replace(s, budget_places=abs(s.budget_places))  # doing nothing stays feasible
    carte = small_carte(rows, projects)
    families = pl.DataFrame({"fap2021": ["D1X10"], "fap86": ["D1X"]})
    few = declared_cells(needs_frame([(1, "D1X10", "8401", "69", 1, people)]), families)
    many = declared_cells(needs_frame([(1, "D1X10", "8401", "69", 1, people + more)]), families)
    low, high = problem(carte, s, few), problem(carte, s, many)
    assert high.group_declared[0] >= low.group_declared[0]
    try:
        before, after = optimise(low), optimise(high)
    except Infeasible:
        pytest.fail("doing nothing is feasible")
    up0, dn0 = _arrays(low, before)
    up1, dn1 = _arrays(high, after)
    if _placed(high, up1, dn1, 0) < _placed(low, up0, dn0, 0) - 1e-9:
        # Only a tie allows it: the earlier proposal is then as good under the larger need.
        value = _value(high, s, up0, dn0)
        assert value is not None and value >= after.objective - 1e-6
