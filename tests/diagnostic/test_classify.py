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
        # The pooled figures vigilance reads where known, and the routes side by side.
        **{
            f"{measure}_{voie}": share
            for measure in ("taux_devenir_favorable", "taux_emploi_6_mois")
            for voie in ("scolaire", "apprentissage", "ensemble")
        },
        "sortants_ensemble": st.one_of(st.none(), count),
        "cellules_bmo": st.one_of(st.none(), count),
        "part_cellules_bmo_secretes": share,
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


def test_vigilance_reads_both_routes_pooled() -> None:
    # CAP Électricien in AURA: 24 % at school, 43 % with the apprentices (issue 8).
    row = {
        "taux_devenir_favorable": 0.24,
        "taux_devenir_favorable_scolaire": 0.24,
        "taux_devenir_favorable_apprentissage": 0.62,
        "taux_devenir_favorable_ensemble": 0.43,
        "sortants": 150,
        "sortants_ensemble": 400,
        "millesime_insertion": "2021-2022",
    }
    reasons = explain(row)
    text = reasons["vigilance"].replace("\u202f", " ").replace("\xa0", " ")
    assert "43 % toutes voies (voie scolaire 24 %, apprentissage 62 %)" in text
    assert "400 jeunes" in text
    # Pooled above the threshold: no vigilance, though the school route alone is weak.
    assert "vigilance" not in explain({**row, "taux_devenir_favorable_ensemble": 0.65})
    columns = ["places", "projets_recrutement", "part_projets_difficiles", "categorie_tension"]
    columns += ["taux_pression", "taux_demande", "taux_remplissage", "taux_emploi_6_mois"]
    base = {**dict.fromkeys(columns), **row}
    frame = pl.DataFrame(
        [base, {**base, "taux_devenir_favorable_ensemble": 0.65}],
        schema_overrides={c: pl.Float64 for c in columns},
    )
    assert classify(frame, reasons=False).get_column("objectifs").to_list() == [["vigilance"], []]


def test_partly_secret_projects_are_a_minimum() -> None:
    row = {
        "projets_recrutement": 300,
        "part_cellules_bmo_secretes": 0.25,
        "places": 20,
        "part_projets_difficiles": 0.8,
        "taux_pression": 0.5,
        "demandes_voeux_1": 10,
        "capacite": 20,
        "annee_bmo": 2024,
    }
    reasons = explain(row)
    assert "au moins 300 projets de recrutement pour 20 places" in reasons["competences"].replace(
        "\u202f", " "
    )
    assert "projets de recrutement connus (au moins 300)" in reasons["attractivite"]
