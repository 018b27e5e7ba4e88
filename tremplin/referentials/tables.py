"""Reading loaded tables into typed polars frames (:func:`tremplin.store.frames.read_query`).

Every frame gets the types of the store's columns, so an empty table (a dataset not loaded yet)
still gives a frame with the right columns and dtypes, and joins on it keep working.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa

from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.frames import read_query
from tremplin.store.schema import source_files

__all__ = ["read_columns", "read_query", "read_snapshot"]


def read_columns(
    conn: sa.Connection, dataset: str, columns: Sequence[str], *, distinct: bool = False
) -> pl.DataFrame:
    """``columns`` of every loaded row of ``dataset`` (all files, all millésimes)."""
    table = DATASET_TABLES[dataset]
    query = sa.select(*(table.c[c] for c in columns))
    return read_query(conn, query.distinct() if distinct else query)


def read_snapshot(
    conn: sa.Connection, dataset: str, columns: Sequence[str], key: Sequence[str]
) -> pl.DataFrame:
    """``columns`` of ``dataset``, one row per ``key``: the row of the newest millésime.

    Referential tables (communes, départements…) are snapshots: when several millésimes are
    loaded, the newest one describes today's territory, and an older one only fills what the
    newer one lacks. Rows without a key are left out.
    """
    table = DATASET_TABLES[dataset]
    query = sa.select(
        *(table.c[c] for c in columns),
        source_files.c.millesime.label("_millesime"),
        table.c.source_file_id.label("_file"),
    ).join(source_files, source_files.c.id == table.c.source_file_id)
    rows = read_query(conn, query)
    return (
        rows.drop_nulls(list(key))
        .sort(["_millesime", "_file"], nulls_last=False)
        .unique(list(key), keep="last", maintain_order=True)
        .drop("_millesime", "_file")
    )
