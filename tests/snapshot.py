"""A comparable picture of everything a store holds, to prove a failed load changed nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tremplin.sources.errors import SourceError
from tremplin.sources.ingest import load_paths
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


def refused_load(engine: sa.Engine, path: Path, **options: Any) -> SourceError:
    """Load ``path`` expecting a refusal that names the file and leaves the store as it was."""
    before = store_snapshot(engine)
    with pytest.raises(SourceError) as caught:
        load_paths(engine, [path], **options)
    assert store_snapshot(engine) == before
    assert path.name in str(caught.value)
    return caught.value
