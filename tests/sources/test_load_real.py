"""Every real file of the sources folder loads, and the store holds what the files say.

The figures checked here are recomputed from the raw files with polars, independently of the
project's readers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tests.stores import LoadedStore
from tremplin.sources.ingest import LoadReport, load_paths
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.database import open_store
from tremplin.store.provenance import list_loaded_files, list_rejected_rows

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def loaded(real_store: LoadedStore, real_engine: sa.Engine) -> tuple[sa.Engine, LoadReport]:
    """The session's store of every real file, and its load's report (read-only)."""
    return real_engine, real_store.report


def _raw(path: Path, separator: str = ";", encoding: str = "utf8") -> pl.DataFrame:
    return pl.read_csv(path, separator=separator, infer_schema=False, encoding=encoding)


def _sum(engine: sa.Engine, dataset: str, column: str) -> int:
    table = DATASET_TABLES[dataset]
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.sum(table.c[column]))).scalar_one())


def test_every_data_file_is_recognised(
    loaded: tuple[sa.Engine, LoadReport], sources_dir: Path
) -> None:
    _, report = loaded
    data_files = {
        p
        for p in sources_dir.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix in {".csv", ".json", ".xlsx"}
    }
    loaded_files = {o.path for o in report.loaded}
    assert data_files == loaded_files
    skipped = {o.path.name: o.note for o in report.outcomes if o.status == "ignoré"}
    assert skipped.get("README.md", "").startswith("document")


def test_every_dataset_is_loaded(loaded: tuple[sa.Engine, LoadReport]) -> None:
    engine, _ = loaded
    with engine.connect() as conn:
        datasets = {f.dataset for f in list_loaded_files(conn)}
    assert datasets == set(DATASET_TABLES)


def test_each_file_keeps_or_explains_every_record(loaded: tuple[sa.Engine, LoadReport]) -> None:
    engine, report = loaded
    with engine.connect() as conn:
        for f in list_loaded_files(conn):
            table = DATASET_TABLES[f.dataset]
            stored = conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.source_file_id == f.id)
            ).scalar_one()
            assert stored == f.rows_loaded, f.file_name
            rejected = list_rejected_rows(conn, f.id, limit=100_000)
            assert len({r.line for r in rejected}) == f.rows_rejected, f.file_name
            assert all(r.reason and r.line > 0 for r in rejected)
    csv_outcomes = [o for o in report.loaded if o.path.suffix == ".csv"]
    for outcome in csv_outcomes:
        raw = outcome.path.read_bytes()
        # Independent count: non-blank lines after the header (these files have no line breaks
        # inside quoted fields).
        text_lines = [line for line in raw.splitlines()[1:] if line.strip(b" ;,\t\r")]
        assert outcome.rows_loaded + outcome.rows_rejected == len(text_lines), outcome.path.name


def test_affelnet_first_wishes_and_capacities_match_the_file(
    loaded: tuple[sa.Engine, LoadReport], sources_dir: Path
) -> None:
    engine, _ = loaded
    raw = _raw(sources_dir / "affelnet" / "attractivite_capacite_2021.csv")
    assert (
        _sum(engine, "affelnet_offres", "demandes_voeux_1")
        == raw["Demandes vœux 1"].cast(pl.Int64).sum()
    )
    assert (
        _sum(engine, "affelnet_offres", "capacite_carte_scolaire")
        == raw["Capacité carte scolaire"].cast(pl.Int64).sum()
    )
    detail = _raw(sources_dir / "affelnet" / "affelnet1PROspe.csv")
    assert (
        _sum(engine, "affelnet_1pro", "affectes_tous_voeux")
        == detail["Affectés tous vœux"].cast(pl.Int64).sum()
    )


def test_parcoursup_years_are_kept_apart(
    loaded: tuple[sa.Engine, LoadReport], sources_dir: Path
) -> None:
    engine, _ = loaded
    table = DATASET_TABLES["parcoursup_bts"]
    with engine.connect() as conn:
        files = {f.millesime: f for f in list_loaded_files(conn) if f.dataset == "parcoursup_bts"}
        assert set(files) == {"2021", "2022", "2023"}
        for year, f in files.items():
            raw = _raw(sources_dir / "parcoursup" / f"BTS_attractivite_capacite_{year}.csv")
            valid = raw.filter(pl.col("UAI").str.contains(r"^[0-9]{7}[A-Z]$"))
            stored = conn.execute(
                sa.select(sa.func.sum(table.c.nb_voeux_confirmes)).where(
                    table.c.source_file_id == f.id
                )
            ).scalar_one()
            assert stored == valid["NB_VOEUX_CONFIRMES"].cast(pl.Int64).sum()


def test_bmo_suppressed_cells_are_null_and_counted(loaded: tuple[sa.Engine, LoadReport]) -> None:
    engine, _ = loaded
    table = DATASET_TABLES["bmo"]
    with engine.connect() as conn:
        bmo = next(f for f in list_loaded_files(conn) if f.dataset == "bmo")
        nulls = conn.execute(
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.projets_difficiles.is_(None))
        ).scalar_one()
    assert bmo.millesime == "2024"
    assert bmo.cells_suppressed > 0
    assert nulls > 0


def test_latin1_and_codes_with_leading_zeros(
    loaded: tuple[sa.Engine, LoadReport], sources_dir: Path
) -> None:
    engine, _ = loaded
    with engine.connect() as conn:
        files = {f.file_name: f for f in list_loaded_files(conn)}
        assert files["fap225_rome.csv"].encoding == "cp1252"
        label = conn.execute(
            sa.select(DATASET_TABLES["fap2009_rome"].c.libelle_rome).where(
                DATASET_TABLES["fap2009_rome"].c.code_rome == "A1416",
                DATASET_TABLES["fap2009_rome"].c.fap2009 == "A0Z40",
            )
        ).scalar_one()
        assert label == "Polyculture, élevage"
        communes = DATASET_TABLES["communes"]
        code = conn.execute(
            sa.select(communes.c.code_insee).where(communes.c.nom == "L'Abergement-Clémenciat")
        ).scalar_one()
        assert code == "01001"


def test_a_renamed_file_is_recognised_by_its_header(
    sources_dir: Path, tmp_path: Path, store: sa.Engine
) -> None:
    renamed = tmp_path / "export (3).csv"
    shutil.copy(sources_dir / "effectifs" / "constat_2020.csv", renamed)
    report = load_paths(store, [renamed])
    assert [(o.dataset, o.millesime) for o in report.loaded] == [("constat", "2020")]


def test_postgresql_holds_the_same_rows(
    loaded: tuple[sa.Engine, LoadReport], postgres_url: str, sources_dir: Path
) -> None:
    from tests.snapshot import store_snapshot

    sqlite_engine, sqlite_report = loaded
    engine = open_store(postgres_url)
    try:
        report = load_paths(engine, [sources_dir])
        assert store_snapshot(engine)["rows"] == store_snapshot(sqlite_engine)["rows"]

        def counts(r: LoadReport) -> dict[tuple[str, str | None], tuple[int, int]]:
            return {(o.path.name, o.dataset): (o.rows_loaded, o.rows_rejected) for o in r.loaded}

        assert counts(report) == counts(sqlite_report)
    finally:
        engine.dispose()
