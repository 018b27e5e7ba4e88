"""Orion's counts on the real files: the places of validated requests over the first-year
intake of AURA's formations in InserJeunes' scope, and the quadrant of a formation, both
recomputed from the raw files with polars (constat_2020.csv, ij_region_data.csv, nMef.csv)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tests.planning.samples import FIELDS
from tremplin.diagnostic.facts import Facts, stored_facts
from tremplin.planning.counts import QUADRANT_MIN_LEAVERS, campaign_counts, intake, quadrants
from tremplin.planning.reconciliation import reconcile
from tremplin.planning.requests import Request
from tremplin.planning.validators import RequestFields, problems
from tremplin.referentials.perimeter import Perimeter

pytestmark = pytest.mark.realdata
NOW = datetime(2026, 11, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def facts(real_engine: sa.Engine) -> Facts:
    with real_engine.connect() as conn:
        return stored_facts(conn, Perimeter.load(None))


def _request(identifier: int, statut: str, fields: RequestFields) -> Request:
    assert problems(fields) == [], problems(fields)
    territories = ("region:84", "academie:10", "departement:01")
    return Request(identifier, 1, statut, fields, territories, "t", None, NOW, NOW, "t", 1)


def _offers(facts: Facts) -> list[dict[str, object]]:
    """Three bac pro offers of the Ain with students at the constat and InserJeunes figures."""
    known = quadrants(facts).filter(
        (pl.col("code_region") == "84") & (pl.col("voie") == "scolaire")
    )
    return (
        facts.offres.filter(
            (pl.col("source") == "affelnet") & pl.col("entree") & (pl.col("niveau") == "Bac pro")
            & (pl.col("code_departement") == "01") & pl.col("effectif").is_not_null()
            & pl.col("capacite").is_between(12, 60) & pl.col("cfd").is_in(known["cfd"].implode())
        )
        .unique(["uai", "mef_stat_11"])
        .sort("uai", "mef_stat_11")
        .head(3)
        .to_dicts()
    )  # fmt: skip


def test_taux_de_transformation_recomputed_from_the_constat(
    facts: Facts, sources_dir: Path
) -> None:
    closed, grown, coloured = _offers(facts)
    requests = [
        _request(1, "validee", RequestFields(
            type="fermeture", uai=closed["uai"], mef_stat_11=closed["mef_stat_11"], rentree=2025,
            capacite_scolaire_avant=closed["capacite"], motifs=("recrutements_baisse",),
        )),
        _request(2, "validee", RequestFields(
            type="augmentation_nette", uai=grown["uai"], mef_stat_11=grown["mef_stat_11"],
            rentree=2025, capacite_scolaire_avant=grown["capacite"],
            capacite_scolaire_apres=grown["capacite"] + 6, motifs=("forte_demande_jeunes",),
        )),
        _request(3, "validee", RequestFields(
            type="coloration", uai=coloured["uai"], mef_stat_11=coloured["mef_stat_11"],
            rentree=2025, capacite_scolaire_avant=coloured["capacite"],
            capacite_scolaire_apres=coloured["capacite"], capacite_scolaire_coloree_apres=5,
            motifs=("besoins_economiques_locaux",),
        )),
        _request(4, "pret_pour_le_vote", FIELDS),  # not validated: not counted
    ]  # fmt: skip
    counts = campaign_counts(requests, facts, "departement")
    total = counts.total
    assert (total["places_ouvertes"], total["places_fermees"], total["places_colorees"]) == (
        6,
        closed["capacite"],
        5,
    )
    assert (total["demandes"], total["demandes_validees"]) == (4, 3)
    # The intake: first-year students at the constat of every offer of AURA in scope, read
    # again from the raw constat for the same establishments × formations.
    keys = intake(facts).filter(pl.col("region") == "84").select("uai", "mef_stat_11")
    constat = pl.read_csv(
        sources_dir / "effectifs" / "constat_2020.csv", separator=";", infer_schema=False
    ).select(
        pl.col("UAI").alias("uai"),
        pl.col("Mef Bcp 11").alias("mef_stat_11"),
        pl.col("Nombre d'élèves : Total").cast(pl.Int64).alias("eleves"),
    )
    students = keys.join(constat, on=["uai", "mef_stat_11"], how="inner")["eleves"].sum()
    assert total["effectif_entree"] == students > 20_000
    assert total["rentree_effectif"] == 2020
    transformed = 6 + closed["capacite"] + 5
    assert total["taux_transformation"] == pytest.approx(transformed / students)
    assert total["ratio_fermeture"] == pytest.approx(closed["capacite"] / (6 + closed["capacite"]))
    ain = counts.rows.filter(pl.col("departement") == "01").row(0, named=True)
    ain_keys = intake(facts).filter(pl.col("departement") == "01").select("uai", "mef_stat_11")
    ain_students = ain_keys.join(constat, on=["uai", "mef_stat_11"])["eleves"].sum()
    assert ain["taux_transformation"] == pytest.approx(transformed / ain_students)
    # The constat of 2025 is not loaded: the follow-up says so, never « done ».
    follow = reconcile(requests, facts)
    assert [f.motif for f in follow] == ["rentree", "rentree", "rentree", "statut"]
    assert "rentrée 2025 n’est pas chargé (constats chargés : 2020)" in follow[0].explication


def test_the_quadrant_of_a_formation_recomputed_from_inserjeunes(
    facts: Facts, sources_dir: Path
) -> None:
    offer = _offers(facts)[0]
    nmef = pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema=False)
    mef_cfd = nmef.select(
        pl.col("MEF_STAT_11").alias("mefstat11"), pl.col("FORMATION_DIPLOME").alias("cfd_mef")
    ).unique("mefstat11")
    raw = (
        pl.read_csv(sources_dir / "inserjeunes" / "ij_region_data.csv", separator=";",
                    infer_schema=False)
        .filter((pl.col("code_region") == "84") & (pl.col("voie") == "scolaire"))
        .filter(pl.col("millesime") == pl.col("millesime").max())
        .join(mef_cfd, on="mefstat11", how="left")
        .with_columns(pl.coalesce(pl.col("cfd").replace("", None), "cfd_mef").alias("cfd"))
        .group_by("cfd")
        .agg(pl.col(c).cast(pl.Int64).sum() for c in
             ("nb_en_emploi_6_mois", "nb_sortant", "nb_poursuite_etudes", "nb_annee_term"))
        .with_columns(
            (pl.col("nb_en_emploi_6_mois") / pl.col("nb_sortant")).alias("emploi"),
            (pl.col("nb_poursuite_etudes") / pl.col("nb_annee_term")).alias("poursuite"),
        )
    )  # fmt: skip
    mine = raw.filter(pl.col("cfd") == offer["cfd"]).row(0, named=True)
    levels = facts.offres.select("cfd", "niveau").drop_nulls("cfd").unique("cfd")
    peers = raw.join(levels, on="cfd").filter(
        (pl.col("niveau") == "Bac pro") & (pl.col("nb_sortant") >= QUADRANT_MIN_LEAVERS)
    )
    found = (
        quadrants(facts)
        .filter(
            (pl.col("code_region") == "84")
            & (pl.col("voie") == "scolaire")
            & (pl.col("cfd") == offer["cfd"])
        )
        .row(0, named=True)
    )
    assert found["taux_emploi_6_mois"] == pytest.approx(mine["emploi"])
    assert found["taux_poursuite"] == pytest.approx(mine["poursuite"])
    assert found["mediane_emploi"] == pytest.approx(peers["emploi"].median())
    assert found["mediane_poursuite"] == pytest.approx(peers["poursuite"].median())
    above = (
        mine["emploi"] >= peers["emploi"].median(),
        mine["poursuite"] >= peers["poursuite"].median(),
    )
    expected = {(True, True): "Q1", (False, True): "Q2", (True, False): "Q3", (False, False): "Q4"}
    assert found["quadrant"] == (
        expected[above] if mine["nb_sortant"] >= QUADRANT_MIN_LEAVERS else "hors quadrant"
    )
