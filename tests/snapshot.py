"""A comparable picture of everything a store holds, to prove a failed load changed nothing."""

from __future__ import annotations

import sqlalchemy as sa

from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.schema import rejected_rows, source_files


def store_snapshot(engine: sa.Engine) -> dict[str, object]:
    with engine.connect() as conn:
        files = conn.execute(
            sa.select(
                source_files.c.dataset, source_files.c.sha256, source_files.c.rows_loaded
            ).order_by(source_files.c.id)
        ).all()
        counts = {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in DATASET_TABLES.items()
        }
        rejected = conn.execute(sa.select(sa.func.count()).select_from(rejected_rows)).scalar_one()
    return {"files": [tuple(f) for f in files], "rows": counts, "rejected": rejected}
