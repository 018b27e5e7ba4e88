"""Alembic environment: runs migrations on the engine handed over by ``store.database``.

The store knows no dataset, so autogenerate needs the full metadata (with every ``src_*`` table)
handed over in ``config.attributes["target_metadata"]``, as ``scripts/make_migration.py`` does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from tremplin.store.schema import metadata


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=context.config.attributes.get("target_metadata", metadata),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


engine = context.config.attributes.get("engine")
if engine is None:
    engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")
with engine.begin() as conn:
    _run(conn)
