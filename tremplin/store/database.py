"""Opening the store and bringing its schema up to date (Alembic migrations)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0012"
"""The newest migration (``tests/test_store.py`` checks it is the scripts' head): a store already
there is opened without loading Alembic and the migration scripts, which every command would
otherwise pay for."""


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url``; for SQLite, creates the parent folder and enforces foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    if parsed.get_backend_name() == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def _alembic_config(engine: sa.Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: sa.Engine) -> None:
    """Apply every migration not yet applied (creates the schema on an empty database)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def _at_head(engine: sa.Engine) -> bool:
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:  # a new database: no version table yet
        return False
    return version == HEAD


def open_store(url: str) -> sa.Engine:
    """An engine on an up-to-date store."""
    engine = create_engine(url)
    if not _at_head(engine):
        upgrade(engine)
    return engine
