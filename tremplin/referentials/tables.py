"""Reading loaded tables into typed polars frames.

Every frame gets the types of the store's columns, so an empty table (a dataset not loaded yet)
still gives a frame with the right columns and dtypes, and joins on it keep working.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa

from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.schema import source_files


def _dtype(column: sa.ColumnElement[object]) -> pl.DataType:
    sql_type = column.type
    if isinstance(sql_type, sa.Boolean):
        return pl.Boolean()
    if isinstance(sql_type, sa.Integer):
        return pl.Int64()
    if isinstance(sql_type, sa.Float):
        return pl.Float64()
    return pl.String()


def read_query(conn: sa.Connection, query: sa.Select[tuple[object, ...]]) -> pl.DataFrame:
    """The rows of ``query``, typed after its columns."""
    schema = {c.name: _dtype(c) for c in query.selected_columns}
    result = conn.execute(query)
    return pl.DataFrame(result.all(), schema=schema, orient="row")


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
