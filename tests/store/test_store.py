"""The store behaves the same on SQLite and on PostgreSQL: schema, migrations, provenance."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tremplin.store.database import HEAD, MIGRATIONS, upgrade
from tremplin.store.provenance import list_loaded_files, list_rejected_rows
from tremplin.store.schema import rejected_rows, source_files

# The store writes instants in UTC (SQLite keeps no time zone); PostgreSQL may hand them back in
# its session time zone, so the test compares instants, not wall-clock readings.
_LOADED_AT = datetime(2024, 7, 3, 12, 5, 9, 123456, tzinfo=UTC)


def _head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _schema(engine: sa.Engine) -> dict[str, list[str]]:
    inspector = sa.inspect(engine)
    return {
        table: sorted(column["name"] for column in inspector.get_columns(table))
        for table in inspector.get_table_names()
    }


def _source_file(sha256: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "dataset": "affelnet",
        "variant": "voeux",
        "millesime": "2024",
        "file_name": "affelnet-2024.csv",
        "path": "/data/affelnet/affelnet-2024.csv",
        "sha256": sha256,
        "size_bytes": 5_000_000_000,  # past 2**31: size_bytes is a BIGINT
        "format": "csv",
        "encoding": "cp1252",
        "separator": ";",
        "loaded_at": _LOADED_AT,
        "rows_loaded": 1200,
        "rows_rejected": 3,
        "cells_suppressed": 17,
        "column_map": json.dumps({"UAI": "uai", "Code MEF": "mef"}),
        "ignored_columns": json.dumps(["Commentaire"]),
        "is_demo": True,
    }
    values.update(overrides)
    return values


def _insert_source_file(conn: sa.Connection, values: dict[str, Any]) -> int:
    inserted = conn.execute(sa.insert(source_files).values(values).returning(source_files.c.id))
    return int(inserted.scalar_one())


def _rejected(
    file_id: int, line: int, column: str | None, value: str | None, reason: str
) -> dict[str, Any]:
    return {
        "source_file_id": file_id,
        "line": line,
        "column": column,
        "value": value,
        "reason": reason,
    }


def test_migrations_create_the_provenance_tables(any_store: sa.Engine) -> None:
    tables = set(sa.inspect(any_store).get_table_names())

    assert {"source_files", "rejected_rows", "alembic_version"} <= tables


def test_migrations_stop_at_head(any_store: sa.Engine) -> None:
    head = _head_revision()

    assert head is not None
    assert _current_revision(any_store) == head
    assert head == HEAD, "store.database.HEAD must name the newest migration"


def test_upgrading_twice_is_a_no_op(any_store: sa.Engine) -> None:
    with any_store.begin() as conn:
        _insert_source_file(conn, _source_file("a" * 64))
    schema_before = _schema(any_store)

    upgrade(any_store)

    assert _schema(any_store) == schema_before
    assert _current_revision(any_store) == _head_revision()
    with any_store.connect() as conn:
        assert [f.sha256 for f in list_loaded_files(conn)] == ["a" * 64]


def test_a_loaded_file_reads_back_with_the_same_values(any_store: sa.Engine) -> None:
    written = _source_file("b" * 64)
    with any_store.begin() as conn:
        file_id = _insert_source_file(conn, written)

    with any_store.connect() as conn:
        (loaded,) = list_loaded_files(conn)

    assert loaded.id == file_id
    assert loaded.loaded_at.tzinfo is not None, "loaded_at must come back timezone-aware"
    assert loaded.loaded_at == written["loaded_at"]
    assert loaded.column_map == {"UAI": "uai", "Code MEF": "mef"}
    assert loaded.ignored_columns == ["Commentaire"]
    as_written = {
        name: value
        for name, value in written.items()
        if name not in {"loaded_at", "column_map", "ignored_columns"}
    }
    assert {name: getattr(loaded, name) for name in as_written} == as_written


def test_server_defaults_fill_variant_and_demo_flag(any_store: sa.Engine) -> None:
    written = _source_file("c" * 64)
    del written["variant"], written["is_demo"]
    with any_store.begin() as conn:
        _insert_source_file(conn, written)

    with any_store.connect() as conn:
        (loaded,) = list_loaded_files(conn)

    assert loaded.variant == ""
    assert loaded.is_demo is False


def test_deleting_a_loaded_file_deletes_its_rejected_rows(any_store: sa.Engine) -> None:
    with any_store.begin() as conn:
        dropped = _insert_source_file(conn, _source_file("d" * 64))
        kept = _insert_source_file(conn, _source_file("e" * 64, file_name="affelnet-2023.csv"))
        conn.execute(
            sa.insert(rejected_rows),
            [
                _rejected(dropped, 7, "UAI", "X", "UAI invalide"),
                _rejected(dropped, 9, None, None, "ligne vide"),
                _rejected(kept, 2, "MEF", "?", "MEF inconnu"),
            ],
        )
    with any_store.connect() as conn:
        assert [r.line for r in list_rejected_rows(conn, dropped)] == [7, 9]

    with any_store.begin() as conn:
        conn.execute(sa.delete(source_files).where(source_files.c.id == dropped))

    with any_store.connect() as conn:
        assert list_rejected_rows(conn, dropped) == []
        assert [r.line for r in list_rejected_rows(conn, kept)] == [2]
        remaining = conn.execute(sa.select(sa.func.count()).select_from(rejected_rows)).scalar_one()
    assert remaining == 1
