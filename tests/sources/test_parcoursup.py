"""Parcoursup BTS files that publish the MEF STAT 11 without CFD columns load, and the
diagnostic finds the same CFDs for them (the BCN's MEF → CFD) as for the file with CFDs."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tremplin.diagnostic.facts import build_facts
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.database import open_store

SOURCE = Path("parcoursup") / "BTS_attractivite_capacite_2023.csv"
OFFER = ["uai", "mef_stat_11", "statut", "capacite", "voeux_confirmes", "cfd", "niveau"]


def _offers(url: str, paths: list[Path]) -> pl.DataFrame:
    engine = open_store(url)
    try:
        load_paths(engine, paths)
        with engine.connect() as conn:
            stored = conn.execute(
                sa.select(sa.func.count()).select_from(DATASET_TABLES["parcoursup_bts"])
            ).scalar()
            offres = build_facts(conn, Perimeter.load(None)).offres
    finally:
        engine.dispose()
    assert stored
    return offres.filter(pl.col("source") == "parcoursup").select(OFFER).sort(OFFER)


@pytest.mark.parametrize(
    "dropped",
    [("CFD", "CFD rectifié", "Rectif"), ("CFD", "CFD rectifié", "Rectif", "MEFSTAT11_old")],
    ids=["sans-cfd", "mefstat11-seul"],
)
def test_a_file_without_cfd_gives_the_same_cfds(
    sources_dir: Path, tmp_path: Path, dropped: tuple[str, ...]
) -> None:
    raw = pl.read_csv(sources_dir / SOURCE, separator=";", infer_schema=False, n_rows=1500)
    original = tmp_path / "avec" / SOURCE.name
    reduced = tmp_path / "sans" / SOURCE.name
    original.parent.mkdir()
    reduced.parent.mkdir()
    raw.write_csv(original, separator=";")
    raw.drop(dropped).write_csv(reduced, separator=";")
    bcn = sources_dir / "bcn"
    expected = _offers(f"sqlite:///{tmp_path / 'avec.sqlite'}", [original, bcn])
    found = _offers(f"sqlite:///{tmp_path / 'sans.sqlite'}", [reduced, bcn])
    assert found.height == expected.height > 1000
    assert found.equals(expected)
    # The CFD is the BCN's for the offer's MEF STAT 11, recomputed here from the raw nMef. (It
    # is not always the one Parcoursup publishes: the BCN gives 1-year BTS MEFs « 3221203… »
    # their own CFDs « 3233… », where the 2023 file writes « 3203… ».)
    nmef = pl.read_csv(bcn / "nMef.csv", separator=";", infer_schema=False).select(
        pl.col("MEF_STAT_11").alias("mef_stat_11"), pl.col("FORMATION_DIPLOME").alias("bcn")
    )
    compared = found.join(nmef, on="mef_stat_11", how="left")
    assert compared.get_column("cfd").null_count() == 0
    assert compared.filter(pl.col("cfd") != pl.col("bcn")).is_empty()
