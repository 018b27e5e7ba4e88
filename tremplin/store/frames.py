"""Reading a query of the store into a typed polars frame.

:func:`read_query` is the one way the layers above turn a ``SELECT`` into a frame. Every frame
gets the types of the query's columns (text → String, integer → Int64, float → Float64,
boolean → Boolean), so an empty table (a dataset not loaded yet) still gives a frame with the
right columns and dtypes, and joins on it keep working.

On PostgreSQL the rows travel as Arrow columns, not as Python row objects: the query is
compiled to SQL and run by the ADBC driver (``adbc-driver-postgresql``) on its own connection to
the same database. That connection only sees committed rows, so when the caller's transaction
holds writes not yet committed (inside a load) the query runs on the caller's connection.

On SQLite the rows come from Python's own ``sqlite3`` cursor, without SQLAlchemy's row objects.
ADBC's SQLite driver is not used, although it reads 3–5× faster: it carries its own copy of
SQLite, and two copies of SQLite in one process release each other's POSIX locks (SQLite's
« How to corrupt » §2.2.1) — with the web app's connections open, reads failed with « disk I/O
error ».
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["read_query"]


def _dtype(column: sa.ColumnElement[Any]) -> pl.DataType:
    sql_type = column.type
    if isinstance(sql_type, sa.Boolean):
        return pl.Boolean()
    if isinstance(sql_type, sa.Integer):
        return pl.Int64()
    if isinstance(sql_type, sa.Float):
        return pl.Float64()
    return pl.String()


def _postgresql_arrow(conn: sa.Connection, sql: str) -> pa.Table | None:
    # A transaction gets an id when it first writes: none yet, nothing uncommitted to miss.
    if conn.exec_driver_sql("SELECT pg_current_xact_id_if_assigned()").scalar() is not None:
        return None
    import adbc_driver_postgresql.dbapi as adbc_postgresql

    url = conn.engine.url.set(drivername="postgresql", query={})
    with (
        adbc_postgresql.connect(url.render_as_string(hide_password=False)) as adbc,
        adbc.cursor() as cursor,
    ):
        cursor.execute(sql)
        return cursor.fetch_arrow_table()


_ARROW_READERS = {"postgresql": _postgresql_arrow}


def _arrow(conn: sa.Connection, query: sa.Select[Any]) -> pa.Table | None:
    """The rows of ``query`` as an Arrow table read by ADBC, or None when it cannot be used."""
    reader = _ARROW_READERS.get(conn.dialect.name)
    if reader is None:
        return None
    try:
        sql = str(query.compile(conn.engine, compile_kwargs={"literal_binds": True}))
    except sa.exc.CompileError:
        return None  # a parameter without a literal form: the caller's connection binds it
    from adbc_driver_manager import Error as AdbcError

    try:
        return reader(conn, sql)
    except AdbcError:
        return None  # read through the caller's connection, which reports a real failure


def _from_rows(
    conn: sa.Connection, query: sa.Select[Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """The rows of ``query`` read through the caller's connection, typed after ``schema``."""
    result = conn.execute(query)
    if conn.dialect.name != "sqlite":
        return pl.DataFrame(result.all(), schema=schema, orient="row")
    # The driver's tuples, without SQLAlchemy's row objects (about 20 % faster); SQLite keeps
    # booleans as 0 and 1, which SQLAlchemy would have turned into bool: the cast does it.
    raw = {name: pl.Int64() if dtype == pl.Boolean() else dtype for name, dtype in schema.items()}
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return pl.DataFrame(rows, schema=raw, orient="row").cast(pl.Schema(schema))


def read_query(conn: sa.Connection, query: sa.Select[Any]) -> pl.DataFrame:
    """The rows of ``query``, typed after its columns (also when there are none)."""
    schema = {c.name: _dtype(c) for c in query.selected_columns}
    table = _arrow(conn, query)
    if table is None:
        return _from_rows(conn, query, schema)
    frame = pl.from_arrow(table, rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    frame.columns = list(schema)
    return frame.cast(schema)
