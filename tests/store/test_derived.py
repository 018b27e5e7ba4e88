"""Derived data built once: referentials and facts kept in the store, under the fingerprint of
the loaded files, read by every process; a new or corrected file rebuilds them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from tremplin.cli import app
from tremplin.diagnostic.facts import (
    FactsCache,
    build_derived,
    build_facts,
    store_fingerprint,
    stored_facts,
)
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths
from tremplin.store import derived
from tremplin.store.database import open_store
from tremplin.store.schema import derived_frames, metadata

FACT_FRAMES = ("offres", "recrutement", "tension", "insertion", "territoires", "etablissements")
LATE_FILE = Path("dares") / "tensions.csv"


@pytest.fixture(scope="module")
def demo_files(demo_dir: Path) -> Path:
    """The session's demo files (read-only: each test loads a copy)."""
    return demo_dir


def _copy(demo_files: Path, tmp_path: Path, *, without: Path | None = None) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(demo_files, folder)
    if without is not None:
        (folder / without).rename(tmp_path / without.name)
    return folder


def _stored(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(derived_frames.c.name, derived_frames.c.fingerprint))
        return {name: key for name, key in rows}


def test_facts_are_built_once_and_read_by_another_engine(
    demo_files: Path, tmp_path: Path, sqlite_url: str
) -> None:
    engine = open_store(sqlite_url)
    load_paths(engine, [_copy(demo_files, tmp_path)])
    before = derived.builds.copy()
    first = FactsCache(engine, Perimeter.load(None)).get()
    assert derived.builds["faits.offres"] == before["faits.offres"] + 1
    assert derived.builds["referentiels.bridge.frame"] == before["referentiels.bridge.frame"] + 1
    stored = _stored(engine)
    assert {"faits.offres", "referentiels.etablissements", "referentiels.cfd_trades"} <= set(stored)
    engine.dispose()

    # A fresh engine, as another process would open: it reads, it does not build.
    again = open_store(sqlite_url)
    built = derived.builds.copy()
    second = FactsCache(again, Perimeter.load(None)).get()
    assert derived.builds == built
    assert second.fingerprint == first.fingerprint
    assert second.passerelle == first.passerelle
    for name in FACT_FRAMES:
        assert_frame_equal(getattr(second, name), getattr(first, name))
    again.dispose()


def test_stored_facts_equal_freshly_built_ones(
    demo_files: Path, tmp_path: Path, sqlite_url: str
) -> None:
    engine = open_store(sqlite_url)
    load_paths(engine, [_copy(demo_files, tmp_path)])
    perimeter = Perimeter.load(None)
    build_derived(engine, perimeter)
    with engine.connect() as conn:
        stored = stored_facts(conn, perimeter)
        fresh = build_facts(conn, perimeter, store_fingerprint(conn))
    engine.dispose()
    assert stored.fingerprint == fresh.fingerprint
    assert stored.passerelle == fresh.passerelle
    for name in FACT_FRAMES:
        # Group-bys do not keep an order: the same rows, in any order.
        assert_frame_equal(getattr(stored, name), getattr(fresh, name), check_row_order=False)


def test_a_new_or_corrected_file_changes_the_fingerprint_and_rebuilds(
    demo_files: Path, tmp_path: Path, sqlite_url: str
) -> None:
    folder = _copy(demo_files, tmp_path, without=LATE_FILE)
    engine = open_store(sqlite_url)
    perimeter = Perimeter.load(None)
    load_paths(engine, [folder])
    with engine.connect() as conn:
        empty_tension = stored_facts(conn, perimeter).tension
    first = _stored(engine)

    # A new file: the fingerprint of the files changes, the facts are built again.
    shutil.move(tmp_path / LATE_FILE.name, folder / LATE_FILE)
    load_paths(engine, [folder])
    built = derived.builds.copy()
    with engine.connect() as conn:
        facts = stored_facts(conn, perimeter)
    assert derived.builds["faits.tension"] == built["faits.tension"] + 1
    assert facts.tension.height > empty_tension.height
    second = _stored(engine)
    assert second["faits.offres"] != first["faits.offres"]
    assert second["referentiels.formations"] != first["referentiels.formations"]

    # A corrected file (same dataset and millésime, other bytes) replaces the old one.
    with (folder / LATE_FILE).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    report = load_paths(engine, [folder])
    assert [o.status for o in report.outcomes if o.path.name == LATE_FILE.name] == ["remplacé"]
    with engine.connect() as conn:
        stored_facts(conn, perimeter)
    assert _stored(engine)["faits.offres"] != second["faits.offres"]
    engine.dispose()


def test_another_perimeter_has_its_own_facts(
    demo_files: Path, tmp_path: Path, sqlite_url: str
) -> None:
    engine = open_store(sqlite_url)
    load_paths(engine, [_copy(demo_files, tmp_path)])
    default = Perimeter.load(None)
    narrow = Perimeter(default.nom, default.libelle, default.groupes[:1], "test")
    with engine.connect() as conn:
        wide = stored_facts(conn, default)
        built = derived.builds.copy()
        facts = stored_facts(conn, narrow)
        referentials_built = derived.builds["referentiels.formations"]
    assert derived.builds["faits.offres"] == built["faits.offres"] + 1
    # The referentials do not depend on the perimeter: read, not built again.
    assert referentials_built == built["referentiels.formations"]
    industrie = facts.offres.get_column("industrie").sum()
    assert industrie < wide.offres.get_column("industrie").sum()
    engine.dispose()


def test_the_load_command_stores_the_derived_data_after_its_commit(
    demo_files: Path, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREMPLIN_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["load", str(_copy(demo_files, tmp_path))])
    assert result.exit_code == 0, result.output
    engine = open_store(sqlite_url)
    stored = _stored(engine)
    assert {"faits.offres", "referentiels.bridge.frame", "scenarios.origines"} <= set(stored)
    built = derived.builds.copy()
    with engine.connect() as conn:
        facts = stored_facts(conn, Perimeter.load(None))
    assert derived.builds == built
    assert facts.fingerprint == _files_fingerprint(engine)
    engine.dispose()


def _files_fingerprint(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return store_fingerprint(conn)


def test_the_derived_frames_migration_matches_the_schema(any_store: sa.Engine) -> None:
    with any_store.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert [d for d in differences if "derived_frames" in repr(d)] == []


def test_derived_frames_round_trip_on_sqlite_and_postgresql(any_store: sa.Engine) -> None:
    frame = pl.DataFrame(
        {"code": ["01", "69", None], "places": [15, None, 3], "codes": [["a"], [], ["b", "c"]]}
    )
    assert derived.write_frames(any_store, {"test.frame": frame}, "k1")
    with any_store.connect() as conn:
        assert derived.read_frames(conn, ["test.frame"], "k2") is None
        found = derived.read_frames(conn, ["test.frame"], "k1")
    assert found is not None
    assert_frame_equal(found["test.frame"], frame)
    # Stored again under another key: replaced, not added.
    assert derived.write_frames(any_store, {"test.frame": frame.head(1)}, "k2")
    with any_store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(derived_frames)).scalar() == 1
        assert store_fingerprint(conn).startswith("0:")


def test_the_command_line_starts_without_heavy_libraries() -> None:
    heavy = ["polars", "numpy", "numba", "sqlalchemy", "fastapi", "openpyxl", "alembic"]
    code = f"import sys, tremplin.cli\nprint(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert loaded == ""
