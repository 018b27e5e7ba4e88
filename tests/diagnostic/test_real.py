"""The diagnostic on the real files, recomputed independently from the raw files with polars."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tests.derive import entry_mefs, raw_affelnet_entries
from tremplin.diagnostic.classify import classify
from tremplin.diagnostic.consoles import ConsoleQuery, formations_table, offers_table
from tremplin.diagnostic.coverage import coverage
from tremplin.diagnostic.facts import Facts
from tremplin.diagnostic.indicators import Query, compute
from tremplin.reports.figures import format_cell

pytestmark = pytest.mark.realdata

AURA_DEPARTEMENTS = ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]


@pytest.fixture(scope="module")
def database(real_store_url: str) -> str:
    return real_store_url


def test_pressure_per_offer_is_first_wishes_over_capacity(facts: Facts, sources_dir: Path) -> None:
    raw = raw_affelnet_entries(sources_dir).filter(pl.col("capacite").is_between(5, 500))
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
    raw = raw_affelnet_entries(sources_dir).filter(pl.col("departement").is_in(AURA_DEPARTEMENTS))
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
    entry = entry_mefs(sources_dir)
    aura = raw.filter(
        pl.col("UAI").str.contains(r"^[0-9]{7}[A-Z]$")
        & pl.col("UAI").str.slice(0, 3).str.strip_prefix("0").is_in(AURA_DEPARTEMENTS)
        & pl.coalesce(pl.col("MEFSTAT11"), pl.col("MEFSTAT11_old")).is_in(entry.implode())
    )
    rows = compute(facts, Query(maille="region", perimetre="tout", territoire="84"))
    assert rows.get_column("annee_parcoursup").drop_nulls().unique().to_list() == [2023]
    # Formations taught wholly at a distance are counted apart from the territory's (issue 8);
    # counts spread over trades are weighted sums, equal up to rounding.
    distance = pl.col("LIBELLÉFORMATION").str.ends_with("Entièrement en distanciel")
    wishes = pl.col("NB_VOEUX_CONFIRMES").cast(pl.Int64)
    assert rows.get_column("voeux_confirmes").sum() == pytest.approx(
        aura.filter(~distance).select(wishes).to_series().sum(), abs=1e-6
    )
    assert rows.get_column("voeux_confirmes").sum() + rows.get_column(
        "voeux_confirmes_distance"
    ).sum() == pytest.approx(aura.select(wishes).to_series().sum(), abs=1e-6)


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


def _raw_bmo_aura(sources_dir: Path) -> pl.DataFrame:
    sheet = (
        CalamineWorkbook.from_path(str(sources_dir / "bmo" / "Base_open_data_BMO_2024.xlsx"))
        .get_sheet_by_name("BMO_2024_open_data")
        .to_python()
    )
    frame = pl.DataFrame([[str(c) for c in r] for r in sheet[1:]], schema=sheet[0], orient="row")
    # The FAP 22 family of a FAP 2021 code is its first letter (Intitules_FAP2021.csv).
    return frame.filter(pl.col("REG") == "84").select(
        # The workbook stores bassin codes as numbers: « 8401.0 » is bassin 8401.
        pl.col("BE24").str.replace(r"\.0$", "").alias("code_territoire"),
        pl.col("Code métier BMO").str.slice(0, 1).alias("code_groupe"),
        (pl.col("met") == "*").alias("secret"),
        pl.col("met").cast(pl.Int64, strict=False).alias("projets"),
    )


def test_secret_bmo_cells_are_said_not_read_as_zero(facts: Facts, sources_dir: Path) -> None:
    raw = (
        _raw_bmo_aura(sources_dir)
        .group_by("code_territoire", "code_groupe")
        .agg(
            pl.len().alias("cells"),
            pl.col("secret").sum().alias("hidden"),
            pl.col("projets").sum().alias("known"),
        )
    )
    all_secret = raw.filter(pl.col("hidden") == pl.col("cells"))
    partly = raw.filter((pl.col("hidden") > 0) & (pl.col("hidden") < pl.col("cells")))
    assert all_secret.height == 57  # the count: 57 bassin × FAP family groups of AURA
    rows = classify(
        compute(facts, Query(maille="bassin", perimetre="tout", dans="region:84")), reasons=False
    )
    shown = rows.join(all_secret, on=["code_territoire", "code_groupe"], how="inner")
    assert shown.height == 57
    assert shown.get_column("projets_recrutement").null_count() == 57
    assert shown.get_column("projets_recrutement_secret").all()
    assert shown.get_column("projets_par_place").null_count() == 57
    assert not shown.filter(pl.col("objectifs").list.contains("competences")).height
    assert {format_cell(r, "projets_recrutement") for r in shown.iter_rows(named=True)} == {
        "secret"
    }
    both = rows.join(partly, on=["code_territoire", "code_groupe"], how="inner")
    assert both.height == partly.height > 500
    assert (both.get_column("projets_recrutement") == both.get_column("known")).all()
    assert (both.get_column("cellules_bmo_secretes") == both.get_column("hidden")).all()
    assert not both.get_column("projets_recrutement_secret").any()
    assert all(
        format_cell(r, "projets_recrutement").startswith("au moins ")
        for r in both.iter_rows(named=True)
    )


def test_insertion_by_voie_side_by_side(facts: Facts, sources_dir: Path) -> None:
    raw = pl.read_csv(
        sources_dir / "inserjeunes" / "ij_region_data.csv", separator=";", infer_schema=False
    )
    # School rows name their formation by MEF STAT 11 only: the BCN gives its CFD.
    nmef = pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema=False)
    mef_cfd = nmef.select(
        pl.col("MEF_STAT_11").alias("mefstat11"), pl.col("FORMATION_DIPLOME").alias("cfd_mef")
    ).unique("mefstat11")
    raw = raw.join(mef_cfd, on="mefstat11", how="left").with_columns(
        pl.coalesce("cfd", "cfd_mef").alias("cfd")
    )
    counts = ("nb_sortant", "nb_en_emploi_6_mois")
    latest = raw.filter(pl.col("millesime") == pl.col("millesime").max().over("voie"))
    electricien = latest.filter((pl.col("code_region") == "84") & (pl.col("cfd") == "50025524"))
    by_voie = {
        voie: electricien.filter(pl.col("voie") == voie)
        .select(pl.col(c).cast(pl.Int64).sum() for c in counts)
        .row(0)
        for voie in ("scolaire", "apprentissage")
    }
    pooled = [sum(v[i] for v in by_voie.values()) for i in range(2)]
    rows = classify(
        compute(
            facts, Query(groupement="diplome", perimetre="tout", territoire="84", groupe="50025524")
        )
    )
    [row] = rows.iter_rows(named=True)
    for voie, (leavers, employed) in by_voie.items():
        assert row[f"taux_emploi_6_mois_{voie}"] == pytest.approx(employed / leavers)
    assert row["taux_emploi_6_mois_ensemble"] == pytest.approx(pooled[1] / pooled[0])
    # CAP Électricien in AURA: 24 % at school, 43 % with its apprentices (issue 8); the offers
    # are school ones, and vigilance reads the pooled figure.
    assert round(row["taux_emploi_6_mois"], 2) == 0.24
    assert round(row["taux_emploi_6_mois_ensemble"], 2) == 0.43
    assert "vigilance" not in row["objectifs"]
    # The formations console gives the same routes side by side on the formation's row.
    console = formations_table(
        facts, ConsoleQuery(perimetre="tout", code_region="84", cfd="50025524")
    )
    for line in console.iter_rows(named=True):
        assert line["taux_emploi_6_mois_ensemble"] == pytest.approx(pooled[1] / pooled[0])
        for voie, (leavers, employed) in by_voie.items():
            assert line[f"taux_emploi_6_mois_{voie}"] == pytest.approx(employed / leavers)
    assert console.height >= 1
