"""Paliers and trades as weights on the real files, recomputed from the raw files with polars.

Affelnet's lines are read raw (status ST, no census wish) and placed in a palier with the BCN's
raw ``nMef.csv`` (year of the cycle) and ``nFormationDiplome_.csv`` (level): year 1 → « entree »,
year 2 of a bac pro → « 1re_pro », any other line → « autre ».
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest

from tremplin.diagnostic.facts import Facts, stored_facts
from tremplin.diagnostic.indicators import Query, compute
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store

pytestmark = pytest.mark.realdata

AURA = ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]


@pytest.fixture(scope="module")
def facts(real_store_url: str) -> Facts:
    engine = open_store(real_store_url)
    with engine.connect() as conn:
        found = stored_facts(conn, Perimeter.load(None))
    engine.dispose()
    return found


def _raw_lines(sources_dir: Path, affelnet: Path | None = None) -> pl.DataFrame:
    """Affelnet's counted lines with their palier and département, from the raw files (the
    2021 extract, or ``affelnet``)."""
    raw = pl.read_csv(
        affelnet or sources_dir / "affelnet" / "attractivite_capacite_2021.csv",
        separator=";",
        infer_schema=False,
    ).filter(
        (pl.col("Statut Offre de formation") == "ST") & (pl.col("Voeu de recensement O/N") == "N")
    )
    mef = pl.read_csv(sources_dir / "bcn" / "nMef.csv", separator=";", infer_schema=False)
    cycle = (
        mef.select("MEF_STAT_11", "ANNEE_DISPOSITIF", "FORMATION_DIPLOME", "DATE_FERMETURE")
        .sort(["MEF_STAT_11", pl.col("DATE_FERMETURE").is_null()], descending=[False, True])
        .unique("MEF_STAT_11", keep="first")
    )
    # The standard csv module: some quoted cells of the BCN hold line breaks.
    with (sources_dir / "bcn" / "nFormationDiplome_.csv").open(
        encoding="utf-8-sig", newline=""
    ) as handle:
        levels = [
            (r["FORMATION_DIPLOME"], r["NIVEAU_FORMATION_DIPLOME"])
            for r in csv.DictReader(handle, delimiter=";")
        ]
    diplomas = pl.DataFrame(
        levels, schema=["FORMATION_DIPLOME", "NIVEAU_FORMATION_DIPLOME"], orient="row"
    )
    palier = (
        pl.when(pl.col("ANNEE_DISPOSITIF") == "1")
        .then(pl.lit("entree"))
        .when(
            (pl.col("ANNEE_DISPOSITIF") == "2")
            & pl.col("NIVEAU_FORMATION_DIPLOME").is_in(["400", "403"])
        )
        .then(pl.lit("1re_pro"))
        .otherwise(pl.lit("autre"))
    )
    return (
        raw.join(cycle, left_on="MEF STAT 11", right_on="MEF_STAT_11", how="left")
        .join(diplomas.unique("FORMATION_DIPLOME"), on="FORMATION_DIPLOME", how="left")
        .select(
            palier.alias("palier"),
            pl.col("Etablissement d'accueil").str.slice(0, 3).str.strip_prefix("0").alias("dep"),
            pl.col("Demandes vœux 1").cast(pl.Int64).alias("demandes"),
            pl.col("Capacité carte scolaire").cast(pl.Int64).alias("capacite"),
        )
    )


def test_every_affelnet_line_counts_once_with_palier_tous(facts: Facts, sources_dir: Path) -> None:
    raw = _raw_lines(sources_dir)
    years = facts.offres.filter(pl.col("source") == "affelnet").get_column("annee").unique()
    assert years.to_list() == [2021]
    expected = dict(raw.group_by("dep").agg(pl.col("demandes").sum()).iter_rows())
    for year in years:
        for groupement in ("famille_fap", "diplome"):
            rows = compute(
                facts,
                Query(maille="departement", groupement=groupement, perimetre="tout", annee=year),
            )
            got = dict(
                rows.group_by("code_territoire").agg(pl.col("demandes_voeux_1").sum()).iter_rows()
            )
            for dep in AURA:
                assert got[dep] == pytest.approx(expected[dep], abs=1e-6), (groupement, dep)
            assert sum(got.values()) == pytest.approx(raw.get_column("demandes").sum(), abs=1e-6)


def _later_year(source: Path, target: Path) -> Path:
    """A later extract in the same layout whose figures differ: the 2021 lines without the
    first hundred, each first-wish count raised by its line number modulo 7."""
    lines = source.read_bytes().split(b"\n")
    header, rows = lines[0], [r for r in lines[101:] if r]
    columns = header.decode("utf-8").split(";")
    wishes = columns.index("Demandes vœux 1")
    changed = []
    for number, row in enumerate(rows):
        cells = row.split(b";")
        if cells[wishes].strip().isdigit():
            cells[wishes] = str(int(cells[wishes]) + number % 7).encode()
        changed.append(b";".join(cells))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\n".join([header, *changed]) + b"\n")
    return target


def test_a_year_the_code_was_not_written_against_counts_every_line(
    sources_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "sources"
    for name in ("bcn", "etablissements", "territoires"):
        shutil.copytree(sources_dir / name, folder / name)
    original = sources_dir / "affelnet" / "attractivite_capacite_2021.csv"
    (folder / "affelnet").mkdir(parents=True)
    shutil.copy(original, folder / "affelnet" / original.name)
    later = _later_year(original, folder / "affelnet" / "attractivite_capacite_2027.csv")
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    load_paths(engine, [folder])
    with engine.connect() as conn:
        facts = stored_facts(conn, Perimeter.load(None))
    engine.dispose()
    for year, path in ((2021, original), (2027, later)):
        raw = _raw_lines(sources_dir, path)
        expected = dict(raw.group_by("dep").agg(pl.col("demandes").sum()).iter_rows())
        rows = compute(facts, Query(maille="departement", perimetre="tout", annee=year))
        got = dict(
            rows.group_by("code_territoire").agg(pl.col("demandes_voeux_1").sum()).iter_rows()
        )
        for dep in AURA:
            assert got[dep] == pytest.approx(expected[dep], abs=1e-6), (year, dep)
        assert sum(got.values()) == pytest.approx(raw.get_column("demandes").sum(), abs=1e-6)
    assert expected != dict(
        _raw_lines(sources_dir).group_by("dep").agg(pl.col("demandes").sum()).iter_rows()
    )


def test_sums_per_palier_match_the_raw_files(facts: Facts, sources_dir: Path) -> None:
    raw = _raw_lines(sources_dir).filter(pl.col("dep").is_in(AURA))
    expected = {
        palier: (
            frame.get_column("demandes").sum(),
            frame.get_column("capacite")
            .filter(frame.get_column("capacite").is_between(5, 500))
            .sum(),
        )
        for (palier,), frame in raw.group_by("palier")
    }
    # 1re pro offers of AURA (year 2 of a bac pro for the BCN): 16,520 first wishes.
    assert expected["1re_pro"][0] == 16_520
    total = (0.0, 0.0)
    for palier in ("entree", "1re_pro", "autre"):
        rows = compute(
            facts,
            Query(maille="departement", perimetre="tout", dans="region:84", palier=palier),
        )
        got = (rows.get_column("demandes_voeux_1").sum(), rows.get_column("capacite").sum())
        assert got == pytest.approx(expected[palier], abs=1e-6), palier
        total = (total[0] + got[0], total[1] + got[1])
    every = compute(facts, Query(maille="departement", perimetre="tout", dans="region:84"))
    assert (
        every.get_column("demandes_voeux_1").sum(),
        every.get_column("capacite").sum(),
    ) == pytest.approx(total, abs=1e-6)


def test_an_offer_spread_over_its_trades_keeps_its_weight(facts: Facts) -> None:
    assert facts.metiers is not None
    weights = facts.metiers.group_by("id_offre").agg(pl.col("poids").sum().alias("w"))
    # Every offer is spread, and wholly.
    assert weights.height == facts.offres.height
    assert weights.get_column("w").min() == pytest.approx(1.0)
    assert weights.get_column("w").max() == pytest.approx(1.0)
    assert facts.offres.get_column("part_industrie").is_between(0.0, 1.0 + 1e-9).all()
    # Totals over trades equal totals over diplomas, inside the perimeter too.
    for perimetre in ("tout", "industrie"):
        by_trade = compute(facts, Query(maille="region", perimetre=perimetre, territoire="84"))
        by_diploma = compute(
            facts,
            Query(maille="region", groupement="diplome", perimetre=perimetre, territoire="84"),
        )
        for column in ("places", "demandes_voeux_1", "voeux_confirmes", "nb_offres"):
            assert by_trade.get_column(column).sum() == pytest.approx(
                by_diploma.get_column(column).sum(), rel=1e-9
            ), (perimetre, column)


def test_a_2nde_commune_spreads_over_its_specialities(facts: Facts) -> None:
    # « Transitions numérique et énergétique » in AURA: no longer wholly maintenance; the
    # construction commune no longer inside the perimeter through its generic NSF 200.
    aura = facts.offres.filter((pl.col("code_region") == "84") & pl.col("seconde_commune"))
    tne = aura.filter(pl.col("famille_metiers").str.contains("transitions énergétiques"))
    assert facts.metiers is not None
    groups = facts.metiers.join(tne.select("id_offre"), on="id_offre", how="semi")
    assert groups.get_column("fap86").n_unique() > 2
    # « Pilotage et maintenance d'installations automatisées »: its 1re pro wishes for MSPC
    # (40025012) sit on lines carrying MEI (40025007), which the BCN says MSPC replaces.
    pmia = aura.filter(pl.col("cfd") == "40020104").select("id_offre", "capacite")
    spread = facts.metiers.join(pmia, on="id_offre").unique(["id_offre", "cfd_metier"])
    mspc = spread.filter(pl.col("cfd_metier") == "40025012")
    share = (mspc["part_specialite"] * mspc["capacite"]).sum() / pmia["capacite"].sum()
    assert share > 0.8
    construction = aura.filter(pl.col("famille_metiers").str.contains("construction durable"))
    assert construction.height > 0
    assert construction.get_column("part_industrie").max() < 0.2
