"""Sizes of the objectives, and rows ranked by them (hypothesis over random rows)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.diagnostic.test_classify import row as indicator_row
from tremplin.diagnostic.classify import classify
from tremplin.diagnostic.ranking import SIZE_COLUMNS, rank
from tremplin.diagnostic.rules import THRESHOLDS, UNPLACED

# The rows of test_classify, with a territory and a group (« ? » sometimes) and unfilled places.
row = st.tuples(
    indicator_row,
    st.fixed_dictionaries(
        {
            "code_territoire": st.sampled_from(["01", "38", UNPLACED]),
            "code_groupe": st.sampled_from(["D", "E", UNPLACED]),
            "places_vacantes": st.one_of(st.none(), st.integers(0, 5_000)),
        }
    ),
).map(lambda parts: {**parts[0], **parts[1]})


@settings(max_examples=150, deadline=None)
@given(st.lists(row, min_size=1, max_size=25))
def test_each_called_objective_has_a_size_and_rows_rank_by_it(
    rows: list[dict[str, object]],
) -> None:
    classified = classify(pl.DataFrame(rows, infer_schema_length=None), reasons=False)
    for result in classified.iter_rows(named=True):
        if UNPLACED in (result["code_territoire"], result["code_groupe"]):
            assert result["objectifs"] == []  # « Non rattaché » calls for nothing
        for code, column in SIZE_COLUMNS.items():
            if code not in result["objectifs"]:
                assert result[column] is None
            elif code != "attractivite" or result["places_vacantes"] is not None:
                assert result[column] is not None and result[column] >= 0
    for code, column in SIZE_COLUMNS.items():
        ranked = rank(classified, code)
        assert ranked.height == classified.filter(pl.col("objectifs").list.contains(code)).height
        sizes = ranked.get_column(column).drop_nulls().to_list()
        assert sizes == sorted(sizes, reverse=True)


def _one(values: dict[str, object]) -> dict[str, object]:
    base = {
        "code_territoire": "01",
        "code_groupe": "D",
        "capacite": 0,
        "demandes_voeux_1": 0,
        "capacite_bts": 0,
        "voeux_confirmes": 0,
        "places": 0,
        "places_vacantes": None,
        "taux_pression": None,
        "taux_demande": None,
        "taux_remplissage": None,
        "projets_recrutement": None,
        "part_projets_difficiles": None,
        "categorie_tension": None,
        "taux_devenir_favorable": None,
        "taux_emploi_6_mois": None,
        "sortants": 0,
    }
    frame = pl.DataFrame(
        [{**base, **values}],
        schema_overrides={
            c: pl.Float64
            for c in base
            if c.startswith(("taux", "part", "categorie")) or c == "places_vacantes"
        }
        | {"projets_recrutement": pl.Int64},
    )
    [result] = classify(frame).iter_rows(named=True)
    return result


def test_sizes_count_places_missing_projects_per_place_and_unfilled_places() -> None:
    # 300 first wishes for 200 places, 400 confirmed wishes for 10 BTS places (threshold 15).
    access = _one(
        {
            "capacite": 200,
            "demandes_voeux_1": 300,
            "taux_pression": 1.5,
            "capacite_bts": 10,
            "voeux_confirmes": 400,
            "taux_demande": 40.0,
            "places": 210,
        }
    )
    assert access["taille_acces"] == pytest.approx(100 + round(10 * (40 / 15 - 1)))
    skills = _one({"projets_recrutement": 600, "places": 40})
    assert skills["taille_competences"] == pytest.approx(15.0)
    unfilled = _one(
        {
            "categorie_tension": 4.5,
            "capacite": 120,
            "places": 120,
            "places_vacantes": 45,
            "taux_remplissage": 0.625,
        }
    )
    assert unfilled["objectifs"] == ["attractivite"]
    assert unfilled["taille_attractivite"] == 45
    nobody = _one({"categorie_tension": 4.5, "capacite": 100, "taux_pression": 0.3})
    assert nobody["taille_attractivite"] == 70  # places no first wish asks for
    assert THRESHOLDS.pression_faible > 0.3


def test_pressure_and_bts_demand_that_disagree_are_both_shown_by_level() -> None:
    result = _one(
        {
            "capacite": 100,
            "demandes_voeux_1": 180,
            "taux_pression": 1.8,
            "capacite_bts": 60,
            "voeux_confirmes": 120,
            "taux_demande": 2.0,
            "places": 160,
        }
    )
    assert result["pression_demande_opposees"] is True
    [sentence] = result["explications"]
    assert "taux de pression 1,80" in sentence
    assert "en BTS en revanche, le taux de demande n'est que de 2,0" in sentence
    agree = _one({"capacite": 100, "taux_pression": 1.8, "taux_demande": 20.0, "capacite_bts": 10})
    assert agree["pression_demande_opposees"] is False


def test_an_unplaced_row_calls_for_no_objective() -> None:
    strong = {"capacite": 100, "demandes_voeux_1": 300, "taux_pression": 3.0, "places": 100}
    assert _one(strong)["objectifs"] == ["acces"]
    assert _one({**strong, "code_groupe": UNPLACED})["objectifs"] == []
    assert _one({**strong, "code_territoire": UNPLACED})["explications"] == []
