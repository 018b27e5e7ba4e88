"""The impact of changes on the real AURA carte, recomputed from the official file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tests.planning.samples import affelnet_entry_rows
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
    raw = affelnet_entry_rows(sources_dir)
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


def _label_key(column: str) -> pl.Expr:
    """« 1ERPRO LOGISTIQUE (Nouveau) » and « 1ERPRO  LOGISTIQUE » → « 1ERPRO LOGISTIQUE »."""
    return (
        pl.col(column)
        .str.to_uppercase()
        .str.replace(r"\s*\([^)]*\)\s*$", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


@pytest.mark.realdata
def test_a_premiere_pro_change_has_its_places_pressure_and_trades(
    real_facts: Facts, real_engine: sa.Engine, sources_dir: Path
) -> None:
    raw = (
        pl.read_csv(
            sources_dir / "affelnet" / "affelnet1PROspe.csv", separator=";", infer_schema=False
        )
        .filter(
            (pl.col("Statut Offre de formation") == "ST")
            & (pl.col("Voeu de recensement O/N") == "N")
            & (pl.col("Département de l'établissement d'accueil") == "RHONE")
        )
        .with_columns(_label_key("Libellé du MEF national de rattachement").alias("cle"))
    )
    with real_engine.connect() as conn:
        p = prepared(real_facts, "84", conn)
    # A 1re pro offer of the Rhône with more first wishes than places, one row in the file,
    # whose diploma's trades are known.
    once = raw.group_by("Etablissement d'accueil", "cle").len().filter(pl.col("len") == 1)
    spread = (
        p.others.filter(
            (pl.col("source") == "affelnet_1re_pro")
            & pl.col("cfd").is_in(p.diploma_weights.get_column("cfd").implode())
        )
        .select(
            pl.col("uai").alias("Etablissement d'accueil"),
            pl.col("libelle").alias("Libellé du MEF national de rattachement"),
        )
        .unique()
    )
    offer = (
        raw.join(once, on=["Etablissement d'accueil", "cle"])
        .join(spread, on=["Etablissement d'accueil", "Libellé du MEF national de rattachement"])
        .with_columns(
            pl.col("Capacité d'affectation").cast(pl.Int64).alias("places"),
            pl.col("Demandes vœux 1").cast(pl.Int64).alias("voeux"),
        )
        .filter(pl.col("voeux") > pl.col("places"))
        .sort("Etablissement d'accueil", "cle")
        .row(0, named=True)
    )
    # Its MEF STAT 11: the BCN's MEF of the cycle's 2nd year bearing that label.
    mef = (
        pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema=False)
        .filter(
            (pl.col("ANNEE_DISPOSITIF") == "2")
            & (_label_key("LIBELLE_LONG") == offer["cle"])
            & pl.col("MEF_STAT_11").str.starts_with("2")
        )
        .get_column("MEF_STAT_11")
        .unique()
        .to_list()
    )
    assert p.carte.offres.filter(pl.col("mef_stat_11").is_in(mef)).is_empty()  # not entry years
    uai = offer["Etablissement d'accueil"]
    found = p.others.filter(
        (pl.col("uai") == uai)
        & pl.col("mef_stat_11").is_in(mef)
        & (pl.col("source") == "affelnet_1re_pro")
    )
    (code,) = found.get_column("mef_stat_11").to_list()
    result = impact(p, changes_from([{"uai": uai, "mef_stat_11": code, "places_apres": 40}]))
    (row,) = result["offres"]
    places, wishes = offer["places"], offer["voeux"]
    assert row["autre_annee"] and not row["nouvelle"] and not row["pression_sans_objet"]
    assert row["metiers_connus"]
    assert (row["source"], row["fichier"]) == ("affelnet_1re_pro", "affelnet1PROspe.csv")
    assert (row["places_avant"], row["places_apres"]) == (places, 40)
    assert row["demande"] == wishes
    assert row["pression_avant"] == pytest.approx(wishes / places)
    assert row["pression_apres"] == pytest.approx(wishes / 40)
    assert row["libelle"] and row["libelle"].upper().startswith("1ERPRO")
    # Its places move the trade groups of the Rhône by the change, against BMO.
    moved = sum(g["places_apres"] - g["places_avant"] for g in result["groupes"])
    assert result["groupes"] and moved == pytest.approx(40 - places, rel=1e-6)
    assert {g["code_departement"] for g in result["groupes"]} == {"69"}
    assert any(g["projets"] for g in result["groupes"])
    assert result["totaux"]["ecart"] == 40 - places


@pytest.mark.realdata
def test_a_year_without_demand_counts_its_pupils_and_says_pressure_is_moot(
    real_facts: Facts, real_engine: sa.Engine, sources_dir: Path
) -> None:
    constat = pl.read_csv(
        sources_dir / "effectifs" / "constat_2020.csv", separator=";", infer_schema=False
    ).rename(lambda c: c.lstrip("\ufeff"))
    with real_engine.connect() as conn:
        p = prepared(real_facts, "84", conn)
    # A 2nd year of CAP (MEF STAT 11 « 2322… ») of the territory, known by the constat only.
    row = (
        p.others.filter(
            (pl.col("source") == "constat")
            & pl.col("mef_stat_11").str.starts_with("2322")
            & pl.col("cfd").is_in(p.diploma_weights.get_column("cfd").implode())
        )
        .sort("uai", "mef_stat_11")
        .row(0, named=True)
    )
    pupils = (
        constat.filter((pl.col("UAI") == row["uai"]) & (pl.col("Mef Bcp 11") == row["mef_stat_11"]))
        .get_column("Nombre d'élèves : Total")
        .cast(pl.Int64)
        .sum()
    )
    result = impact(
        p, changes_from([{"uai": row["uai"], "mef_stat_11": row["mef_stat_11"], "places_apres": 0}])
    )
    (offer,) = result["offres"]
    assert (offer["places_avant"], offer["millesime"]) == (pupils, "2020")
    assert offer["autre_annee"] and offer["pression_sans_objet"] and offer["metiers_connus"]
    assert offer["pression_avant"] is None and offer["pression_apres"] is None  # never 0
    assert sum(g["places_apres"] - g["places_avant"] for g in result["groupes"]) == pytest.approx(
        -pupils, rel=1e-6
    )
