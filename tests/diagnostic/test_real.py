"""The diagnostic on the real files, recomputed independently from the raw files with polars."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tremplin.diagnostic.classify import classify
from tremplin.diagnostic.consoles import ConsoleQuery, offers_table
from tremplin.diagnostic.coverage import coverage
from tremplin.diagnostic.facts import Facts, build_facts
from tremplin.diagnostic.indicators import Query, compute
from tremplin.referentials.perimeter import Perimeter
from tremplin.store.database import open_store

pytestmark = pytest.mark.realdata

AURA_DEPARTEMENTS = ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]


@pytest.fixture(scope="module")
def database(real_store_url: str) -> str:
    return real_store_url


@pytest.fixture(scope="module")
def facts(database: str) -> Facts:
    engine = open_store(database)
    with engine.connect() as conn:
        built = build_facts(conn, Perimeter.load(None))
    engine.dispose()
    return built


def _entry_mefs(sources_dir: Path) -> pl.Series:
    nmef = pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema=False)
    return nmef.filter(pl.col("ANNEE_DISPOSITIF") == "1").get_column("MEF_STAT_11").unique()


def _raw_affelnet(sources_dir: Path) -> pl.DataFrame:
    raw = pl.read_csv(
        sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    )
    return raw.filter(
        (pl.col("Statut Offre de formation") == "ST")
        & (pl.col("Voeu de recensement O/N") == "N")
        & pl.col("MEF STAT 11").is_in(_entry_mefs(sources_dir).implode())
    ).with_columns(
        pl.col("Capacité carte scolaire").cast(pl.Int64).alias("capacite"),
        pl.col("Demandes vœux 1").cast(pl.Int64).alias("demandes"),
        # A UAI's département is in its first three characters: « 069… » is the Rhône, « 974… »
        # La Réunion.
        pl.col("Etablissement d'accueil")
        .str.slice(0, 3)
        .str.strip_prefix("0")
        .alias("departement"),
    )


def test_pressure_per_offer_is_first_wishes_over_capacity(facts: Facts, sources_dir: Path) -> None:
    raw = _raw_affelnet(sources_dir).filter(pl.col("capacite").is_between(5, 500))
    # A UAI × MEF STAT 11 can be offered several times (sections): the extract counts them in
    # « nb_apparitions_uai_mefstat »; each is an offer of its own.
    expected = raw.select(
        pl.col("Etablissement d'accueil").alias("uai"),
        pl.col("MEF STAT 11").alias("mef_stat_11"),
        "demandes",
        "capacite",
        (pl.col("demandes") / pl.col("capacite")).alias("attendu"),
    ).sort("uai", "mef_stat_11", "attendu")
    offers = (
        offers_table(facts, ConsoleQuery(perimetre="tout"))
        .filter((pl.col("source") == "affelnet") & pl.col("capacite").is_not_null())
        .select("uai", "mef_stat_11", "demandes_voeux_1", "capacite", "taux_pression")
        .sort("uai", "mef_stat_11", "taux_pression")
    )
    assert offers.height == expected.height
    assert offers.get_column("uai").to_list() == expected.get_column("uai").to_list()
    assert (
        offers.get_column("mef_stat_11").to_list() == expected.get_column("mef_stat_11").to_list()
    )
    difference = (offers.get_column("taux_pression") - expected.get_column("attendu")).abs()
    assert difference.max() < 1e-12  # type: ignore[operator]


def test_aura_capacity_and_first_wishes_add_up(facts: Facts, sources_dir: Path) -> None:
    raw = _raw_affelnet(sources_dir).filter(pl.col("departement").is_in(AURA_DEPARTEMENTS))
    capacity = raw.filter(pl.col("capacite").is_between(5, 500)).get_column("capacite").sum()
    wishes = raw.get_column("demandes").sum()
    for groupement in ("famille_fap", "fap", "famille_metiers", "diplome"):
        rows = compute(
            facts,
            Query(
                maille="region",
                groupement=groupement,
                perimetre="tout",
                territoire="84",
                palier="entree",
            ),
        )
        # Spread over their trades, offers give weighted sums equal up to rounding.
        assert rows.get_column("capacite").sum() == pytest.approx(capacity, abs=1e-6), groupement
        assert rows.get_column("demandes_voeux_1").sum() == pytest.approx(wishes, abs=1e-6)
    by_departement = compute(
        facts, Query(maille="departement", perimetre="tout", dans="region:84", palier="entree")
    )
    assert by_departement.get_column("capacite").sum() == pytest.approx(capacity, abs=1e-6)
    assert set(by_departement.get_column("code_territoire")) == set(AURA_DEPARTEMENTS)


def test_parcoursup_wishes_add_up(facts: Facts, sources_dir: Path) -> None:
    raw = pl.read_csv(
        sources_dir / "parcoursup" / "BTS_attractivite_capacite_2023.csv",
        separator=";",
        infer_schema=False,
    )
    entry = _entry_mefs(sources_dir)
    aura = raw.filter(
        pl.col("UAI").str.contains(r"^[0-9]{7}[A-Z]$")
        & pl.col("UAI").str.slice(0, 3).str.strip_prefix("0").is_in(AURA_DEPARTEMENTS)
        & pl.coalesce(pl.col("MEFSTAT11"), pl.col("MEFSTAT11_old")).is_in(entry.implode())
    )
    rows = compute(facts, Query(maille="region", perimetre="tout", territoire="84"))
    assert rows.get_column("annee_parcoursup").drop_nulls().unique().to_list() == [2023]
    assert rows.get_column("voeux_confirmes").sum() == pytest.approx(
        aura.get_column("NB_VOEUX_CONFIRMES").cast(pl.Int64).sum(), abs=1e-6
    )


def test_bmo_projects_add_up(facts: Facts, sources_dir: Path) -> None:
    sheet = (
        CalamineWorkbook.from_path(str(sources_dir / "bmo" / "Base_open_data_BMO_2024.xlsx"))
        .get_sheet_by_name("BMO_2024_open_data")
        .to_python()
    )
    header = sheet[0]
    reg, met = header.index("REG"), header.index("met")
    expected = sum(int(r[met]) for r in sheet[1:] if r[reg] == "84" and str(r[met]).isdigit())
    rows = compute(facts, Query(maille="region", perimetre="tout", territoire="84"))
    assert rows.get_column("projets_recrutement").sum() == expected
    bassins = compute(facts, Query(maille="bassin", perimetre="tout", dans="region:84"))
    assert bassins.get_column("projets_recrutement").sum() == expected


def test_insertion_rates_follow_the_raw_counts(facts: Facts, sources_dir: Path) -> None:
    raw = pl.read_csv(
        sources_dir / "inserjeunes" / "ij_region_data.csv", separator=";", infer_schema=False
    )
    latest = raw.filter((pl.col("voie") == "apprentissage") & (pl.col("code_region") == "84"))
    latest = latest.filter(pl.col("millesime") == latest.get_column("millesime").max())
    offers = offers_table(
        facts, ConsoleQuery(perimetre="tout", code_region="84", statut="apprentissage")
    )
    checked = 0
    for row in (
        offers.filter(pl.col("taux_devenir_favorable").is_not_null())
        .unique("cfd")
        .head(30)
        .iter_rows(named=True)
    ):
        counts = (
            latest.filter(pl.col("cfd") == row["cfd"])
            .select(
                pl.col(c).cast(pl.Int64).sum()
                for c in ("nb_annee_term", "nb_poursuite_etudes", "nb_en_emploi_6_mois")
            )
            .row(0)
        )
        assert row["taux_devenir_favorable"] == pytest.approx((counts[1] + counts[2]) / counts[0])
        assert counts[0] >= 20
        checked += 1
    assert checked > 5


def test_every_row_is_classified_with_its_reasons(facts: Facts) -> None:
    rows = classify(compute(facts, Query(maille="bassin", dans="region:84")))
    assert rows.height > 50
    labelled = rows.filter(pl.col("objectifs").list.len() > 0)
    assert labelled.height > 0
    for row in labelled.iter_rows(named=True):
        assert len(row["objectifs"]) == len(row["explications"])
        assert all(any(ch.isdigit() for ch in sentence) for sentence in row["explications"])


def test_coverage_is_measured_for_france_and_aura(facts: Facts) -> None:
    rows = coverage(facts)
    assert set(rows.get_column("territoire")) == {"France", "Auvergne-Rhône-Alpes"}
    shares = rows.get_column("part_volume").drop_nulls()
    assert shares.min() >= 0 and shares.max() <= 1  # type: ignore[operator]
    rome = rows.filter(
        (pl.col("source") == "Affelnet")
        & (pl.col("territoire") == "Auvergne-Rhône-Alpes")
        & (pl.col("jointure") == "CFD → ROME (Certif Info)")
        & (pl.col("volume") == "demandes_voeux_1")
    )
    assert 0.5 < rome.item(0, "part_volume") <= 1


def test_the_cli_writes_the_documented_json(database: str) -> None:
    from tremplin.cli import app

    result = CliRunner().invoke(
        app,
        ["diagnostic", "--territoire", "84", "--maille", "academie", "--format", "json"],
        env={"TREMPLIN_DATABASE_URL": database},
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["code_territoire"] for r in rows} <= {"06", "08", "10", "?"}
    first = rows[0]
    for key in (
        "maille",
        "annee_affelnet",
        "code_groupe",
        "capacite",
        "demandes_voeux_1",
        "taux_pression",
        "objectifs",
        "explications",
    ):
        assert key in first
    assert first["maille"] == "academie"
