"""What a loaded file warns of (``store/provenance.py``): a millésime that repeats another, a
file reduced to its header; shown by ``tremplin sources`` and its ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.derive import write_head
from tremplin.sources.ingest import load_paths
from tremplin.store.provenance import list_loaded_files, year_warnings

BTS = "BTS_attractivite_capacite_{}.csv"


def _observed(path: Path, mef: str) -> pl.DataFrame:
    """The rows Parcoursup observed (offer, wishes, places), sorted, as the raw file has them."""
    raw = pl.read_csv(path, separator=";", infer_schema=False)
    columns = ["UAI", "LIBELLÉFORMATION", mef, "STATUT", "NB_VOEUX_CONFIRMES", "CAPACITEPSUP"]
    return raw.select(columns).rename({mef: "MEF"}).sort(pl.all())


def test_a_millesime_that_repeats_another_is_flagged(
    store: sa.Engine, sqlite_url: str, sources_dir: Path
) -> None:
    folder = sources_dir / "parcoursup"
    # Recomputed from the raw files: the 2022 file holds the 2021 rows, re-sorted (its CFDs
    # re-coded in places), the 2023 file others.
    first = _observed(folder / BTS.format(2021), "MEFSTAT11")
    assert _observed(folder / BTS.format(2022), "MEFSTAT11_old").equals(first)
    assert not _observed(folder / BTS.format(2023), "MEFSTAT11_old").equals(first)
    load_paths(store, [folder / BTS.format(year) for year in (2021, 2022, 2023)])
    with store.connect() as conn:
        files = {f.millesime: f for f in list_loaded_files(conn)}
    assert files["2021"].warnings == [] and files["2023"].warnings == []
    [warning] = files["2022"].warnings
    assert "Mêmes lignes que BTS_attractivite_capacite_2021.csv (millésime 2021)" in warning
    assert year_warnings(list(files.values())) == {("parcoursup_bts", "2022"): [warning]}

    from tremplin.cli import app

    env = {"TREMPLIN_DATABASE_URL": sqlite_url}
    result = CliRunner().invoke(app, ["sources", "--json"], env=env)
    assert result.exit_code == 0, result.output
    shown = {f["year"]: f["warnings"] for f in json.loads(result.output)}
    assert shown == {"2021": [], "2022": [warning], "2023": []}
    table = CliRunner().invoke(app, ["sources"], env=env)
    assert "Attention" in table.output and "BTS_attractivite_capacite_2021.csv" in table.output


def test_a_header_only_file_is_flagged(store: sa.Engine, sources_dir: Path, tmp_path: Path) -> None:
    source = sources_dir / "parcoursup" / BTS.format(2023)
    empty = write_head(source, tmp_path / BTS.format(2024), 1)
    load_paths(store, [empty, write_head(source, tmp_path / BTS.format(2023), 50)])
    with store.connect() as conn:
        files = {f.millesime: f for f in list_loaded_files(conn)}
    assert files["2024"].rows_loaded == 0
    assert files["2024"].warnings == ["Aucune ligne de données : le fichier n'a que son en-tête."]
    assert files["2023"].warnings == []


def test_warnings_are_empty_lists_when_nothing_is_wrong(
    store: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    # Two files of one dataset and different rows (the later without CFD columns): no warning,
    # and the JSON says so.
    source = sources_dir / "parcoursup" / BTS.format(2023)
    raw = pl.read_csv(source, separator=";", infer_schema=False, n_rows=40)
    raw.head(20).write_csv(tmp_path / BTS.format(2023), separator=";")
    raw.tail(20).drop("CFD", "CFD rectifié", "Rectif").write_csv(
        tmp_path / BTS.format(2024), separator=";"
    )
    load_paths(store, [tmp_path])
    with store.connect() as conn:
        files = list_loaded_files(conn)
    assert [f.as_json()["warnings"] for f in files] == [[], []]
