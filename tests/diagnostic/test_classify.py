"""The objectives: vectorised rules and their explaining sentences agree, and say their numbers."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.diagnostic.classify import classify, explain

ratio = st.one_of(st.none(), st.floats(0, 40, allow_nan=False))
share = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))
count = st.integers(0, 5_000)

row = st.fixed_dictionaries(
    {
        "capacite": count,
        "demandes_voeux_1": count,
        "capacite_bts": count,
        "voeux_confirmes": count,
        "places": count,
        "taux_pression": ratio,
        "taux_demande": ratio,
        "taux_remplissage": st.one_of(st.none(), st.floats(0, 2, allow_nan=False)),
        "projets_recrutement": st.one_of(st.none(), count),
        "part_projets_difficiles": share,
        "categorie_tension": st.one_of(st.none(), st.floats(1, 5, allow_nan=False)),
        "taux_devenir_favorable": share,
        "taux_emploi_6_mois": share,
        "sortants": count,
        "annee_bmo": st.just(2024),
        "annee_tension": st.just(2019),
        "millesime_insertion": st.just("2021-2022"),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(row, min_size=1, max_size=20))
def test_vectorised_objectives_match_the_explained_ones(rows: list[dict[str, object]]) -> None:
    frame = pl.DataFrame(rows, infer_schema_length=None)
    classified = classify(frame)
    for original, result in zip(rows, classified.iter_rows(named=True), strict=True):
        explained = explain(original)
        assert result["objectifs"] == list(explained)
        assert result["explications"] == list(explained.values())


def test_each_objective_explains_itself_with_its_numbers() -> None:
    row = {
        "capacite": 96,
        "demandes_voeux_1": 48,
        "capacite_bts": 0,
        "voeux_confirmes": 0,
        "places": 96,
        "taux_pression": 0.5,
        "taux_demande": None,
        "taux_remplissage": 0.7,
        "projets_recrutement": 1_250,
        "part_projets_difficiles": 0.82,
        "categorie_tension": 4.5,
        "taux_devenir_favorable": 0.55,
        "taux_emploi_6_mois": 0.35,
        "sortants": 140,
        "annee_bmo": 2024,
        "annee_tension": 2019,
        "millesime_insertion": "2021-2022",
    }
    reasons = explain(row)
    assert list(reasons) == ["attractivite", "competences", "vigilance"]
    assert "82 % des 1 250 projets" in reasons["attractivite"].replace("\u202f", " ").replace(
        "\xa0", " "
    )
    assert "0,50" in reasons["attractivite"]
    assert "13,0 projets par place" in reasons["competences"]
    assert "InserJeunes 2021-2022" in reasons["vigilance"]
    assert "acces" not in reasons
