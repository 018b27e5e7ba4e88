"""Loading again: an unchanged file changes nothing, a new year adds, a corrected file replaces;
a process killed in the middle of a load leaves the store as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.derive import head_lines, write_head
from tests.snapshot import store_snapshot
from tremplin.sources.ingest import DEMO_MARKER, load_paths
from tremplin.store.provenance import list_loaded_files

pytestmark = pytest.mark.realdata

BTS = Path("parcoursup")


def _bts(sources_dir: Path, folder: Path, year: int, lines: int = 400) -> Path:
    name = f"BTS_attractivite_capacite_{year}.csv"
    return write_head(sources_dir / BTS / name, folder / name, lines)


def test_loading_the_same_file_twice_changes_nothing(
    any_store: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    path = _bts(sources_dir, tmp_path, 2023)
    first = load_paths(any_store, [path])
    before = store_snapshot(any_store)
    again = load_paths(any_store, [path])
    assert [o.status for o in first.loaded] == ["chargé"]
    assert [o.status for o in again.outcomes] == ["inchangé"]
    assert store_snapshot(any_store) == before


def test_a_new_year_adds_to_the_old(
    any_store: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    load_paths(any_store, [_bts(sources_dir, tmp_path / "a", 2022)])
    load_paths(any_store, [_bts(sources_dir, tmp_path / "b", 2023)])
    with any_store.connect() as conn:
        years = sorted(
            f.millesime or "" for f in list_loaded_files(conn) if f.dataset == "parcoursup_bts"
        )
    assert years == ["2022", "2023"]


def test_a_corrected_file_of_the_same_year_replaces_it(
    any_store: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    load_paths(any_store, [_bts(sources_dir, tmp_path / "v1", 2023, lines=400)])
    report = load_paths(any_store, [_bts(sources_dir, tmp_path / "v2", 2023, lines=300)])
    assert [o.status for o in report.loaded] == ["remplacé"]
    with any_store.connect() as conn:
        files = [f for f in list_loaded_files(conn) if f.dataset == "parcoursup_bts"]
    assert [(f.millesime, f.rows_loaded) for f in files] == [("2023", 299)]
    assert store_snapshot(any_store)["rows"]["parcoursup_bts"] == 299  # type: ignore[index]


def test_files_under_the_demo_marker_are_flagged(
    any_store: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / DEMO_MARKER).write_text("Données fictives", encoding="utf-8")
    load_paths(any_store, [tmp_path])  # only the marker: nothing to load
    with any_store.connect() as conn:
        assert list_loaded_files(conn) == []
    _bts(sources_dir, tmp_path / "parcoursup", 2023)
    load_paths(any_store, [tmp_path])
    with any_store.connect() as conn:
        assert [f.is_demo for f in list_loaded_files(conn)] == [True]


def test_a_killed_load_leaves_the_store_as_it_was(
    database_url: str, sources_dir: Path, tmp_path: Path
) -> None:
    from tremplin.store.database import open_store

    engine = open_store(database_url)
    load_paths(
        engine,
        [
            write_head(
                sources_dir / "effectifs" / "constat_2020.csv", tmp_path / "seed" / "c.csv", 100
            )
        ],
    )
    before = store_snapshot(engine)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tremplin.store.database import open_store\n"
        "from tremplin.sources.ingest import load_paths\n"
        "def progress(message, done, total):\n"
        "    if message.startswith('Écriture') and done >= 10000:\n"
        "        print('WRITING', flush=True)\n"
        "        sys.stdin.readline()\n"  # wait here, inside the transaction, to be killed
        "load_paths(open_store(sys.argv[1]), [Path(sys.argv[2])], progress=progress)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, database_url, str(sources_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "WRITING"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    assert process.stdin is not None
    process.stdin.close()
    engine.dispose()
    reopened = open_store(database_url)
    assert store_snapshot(reopened) == before
    reopened.dispose()


def test_the_cli_loads_and_describes_sources(
    sqlite_url: str, sources_dir: Path, tmp_path: Path
) -> None:
    import json

    from typer.testing import CliRunner

    from tremplin.cli import app

    path = _bts(sources_dir, tmp_path, 2023)
    env = {"TREMPLIN_DATABASE_URL": sqlite_url}
    runner = CliRunner()
    loaded = runner.invoke(app, ["load", str(path)], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "1 fichier(s) chargé(s)" in loaded.output
    described = runner.invoke(app, ["sources", "--json"], env=env)
    assert described.exit_code == 0
    [entry] = json.loads(described.output)
    assert entry["dataset"] == "parcoursup_bts"
    assert entry["file"] == path.name
    assert entry["year"] == "2023"
    assert entry["rows_loaded"] == 399
    assert entry["rows_rejected"] == 0
    assert len(entry["sha256"]) == 64
    unknown = tmp_path / "notes.csv"
    unknown.write_bytes(
        head_lines(sources_dir / "dares" / "tensions.csv", 1).replace(b"fap", b"code")
    )
    refused = runner.invoke(app, ["load", str(unknown)], env=env)
    assert refused.exit_code == 1
    assert "notes.csv" in refused.output
    assert "Rien n'a été enregistré" in refused.output


def test_real_files_push_demo_data_out_and_demo_never_joins_real_data(
    any_store: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    from tremplin.sources.errors import SourceError

    demo = tmp_path / "demo"
    _bts(sources_dir, demo, 2022)
    (demo / DEMO_MARKER).write_text("Données fictives", encoding="utf-8")
    load_paths(any_store, [demo])
    report = load_paths(any_store, [_bts(sources_dir, tmp_path / "reel", 2023)])
    assert sorted(o.status for o in report.outcomes) == ["chargé", "retiré"]
    with any_store.connect() as conn:
        assert [(f.millesime, f.is_demo) for f in list_loaded_files(conn)] == [("2023", False)]
    before = store_snapshot(any_store)
    (demo / "BTS_attractivite_capacite_2022.csv").write_bytes(
        head_lines(sources_dir / BTS / "BTS_attractivite_capacite_2022.csv", 200)
    )
    with pytest.raises(SourceError, match="données réelles"):
        load_paths(any_store, [demo])
    assert store_snapshot(any_store) == before
