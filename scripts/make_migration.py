"""Write an Alembic migration for the difference between the schema and the migrations so far.

Usage: ``python scripts/make_migration.py "message" REVISION_ID``. Autogenerate runs against a
throwaway SQLite file; review the output, which may need small fixes (for instance boolean
server defaults must be ``sa.false()`` to suit PostgreSQL).
"""

from __future__ import annotations

import sys
import tempfile

from alembic import command

# Declares every src_* table on the store's metadata: the store itself knows no dataset.
from tremplin.sources import tables as _dataset_tables  # noqa: F401
from tremplin.store.database import _alembic_config, create_engine, upgrade
from tremplin.store.schema import metadata


def main() -> None:
    message, revision = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/schema.sqlite")
        upgrade(engine)
        config = _alembic_config(engine)
        config.attributes["target_metadata"] = metadata
        command.revision(config, message=message, autogenerate=True, rev_id=revision)
        engine.dispose()


if __name__ == "__main__":
    main()
