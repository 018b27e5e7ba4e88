"""The impact of changes on the real AURA carte, recomputed from the official file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tremplin.diagnostic.facts import Facts
from tremplin.errors import InputError
from tremplin.planning.impact import changes_from, impact, prepared


def test_bad_changes_name_the_field() -> None:
    with pytest.raises(InputError) as error:
        changes_from([{"uai": "0010001W", "mef_stat_11": "1", "places_apres": -3}])
    assert error.value.where == ("changements[1].places_apres",)
    with pytest.raises(InputError) as error:
        changes_from([{"uai": "0010001W", "places_apres": 3}])
    assert "mef_stat_11" in str(error.value)
    with pytest.raises(InputError):
        changes_from([])


@pytest.mark.realdata
def test_impact_on_aura(real_facts: Facts, sources_dir: Path) -> None:
    raw = pl.read_csv(
        sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    ).filter(
        (pl.col("Statut Offre de formation") == "ST") & (pl.col("Voeu de recensement O/N") == "N")
    )
    p = prepared(real_facts, "84")
    # An AURA entry offer of the industrial perimeter with more first wishes than places.
    offer = (
        p.carte.offres.filter(
            (pl.col("source") == "affelnet") & pl.col("industrie") & (pl.col("pression") > 1.2)
        )
        .sort("uai", "mef_stat_11")
        .row(0, named=True)
    )
    rows = raw.filter(
        (pl.col("Etablissement d'accueil") == offer["uai"])
        & (pl.col("MEF STAT 11") == offer["mef_stat_11"])
    )
    capacity = int(rows.get_column("Capacité carte scolaire").cast(pl.Int64).sum())
    wishes = int(rows.get_column("Demandes vœux 1").cast(pl.Int64).sum())
    after = capacity + 12
    result = impact(
        p,
        changes_from(
            [{"uai": offer["uai"], "mef_stat_11": offer["mef_stat_11"], "places_apres": after}]
        ),
    )
    (row,) = result["offres"]
    assert (row["places_avant"], row["places_apres"]) == (capacity, after)
    assert row["pression_avant"] == pytest.approx(wishes / capacity)
    assert row["pression_apres"] == pytest.approx(wishes / after)
    assert result["totaux"]["ecart"] == 12
    assert result["totaux"]["places_apres"] - result["totaux"]["places_avant"] == 12
    # The 12 places are spread over the offer's trades: the groups' differences add up to 12.
    moved = sum(g["places_apres"] - g["places_avant"] for g in result["groupes"])
    assert moved == pytest.approx(12, rel=1e-6)
    assert all(g["code_departement"] == offer["code_departement"] for g in result["groupes"])
    with_needs = [g for g in result["groupes"] if g["projets"]]
    assert with_needs and all(
        g["places_pour_100_projets_apres"] == pytest.approx(100 * g["places_apres"] / g["projets"])
        for g in with_needs
    )
