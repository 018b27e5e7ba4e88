"""Alembic environment: runs migrations on the engine handed over by ``store.database``."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from tremplin.store.schema import metadata


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
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
