"""The Alembic migrations and the declared schema agree: a store brought up to date by the
migrations has exactly the tables, columns, types and indexes of ``metadata``."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tremplin.store.schema import metadata


def _differences(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrations_build_the_declared_schema_on_sqlite(store: sa.Engine) -> None:
    assert _differences(store) == []


def test_migrations_build_the_declared_schema_on_every_backend(any_store: sa.Engine) -> None:
    assert _differences(any_store) == []


def test_an_undeclared_change_is_seen(store: sa.Engine) -> None:
    # The comparison must be able to fail: a table the migrations never created is reported.
    extra = sa.MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extra)
    sa.Table("not_migrated", extra, sa.Column("id", sa.Integer, primary_key=True))
    with store.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, extra)
    assert [d[0] for d in diff] == ["add_table"]  # type: ignore[index]
