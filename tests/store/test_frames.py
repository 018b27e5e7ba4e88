"""read_query gives frames typed after the query's columns, also empty ones, and sees the
caller's uncommitted rows, on SQLite and on PostgreSQL."""

from __future__ import annotations

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from tremplin.store.frames import read_query

_metadata = sa.MetaData()
_sample = sa.Table(
    "frames_sample",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(32)),
    sa.Column("label", sa.Text),
    sa.Column("count", sa.BigInteger),
    sa.Column("rate", sa.Float),
    sa.Column("flag", sa.Boolean),
)
_SCHEMA = {
    "id": pl.Int64,
    "code": pl.String,
    "label": pl.String,
    "count": pl.Int64,
    "rate": pl.Float64,
    "flag": pl.Boolean,
}
# Nulls first, so that a driver inferring a column's type from its first rows meets them.
_ROWS = [
    {"id": 1, "code": None, "label": None, "count": None, "rate": None, "flag": None},
    {
        "id": 2,
        "code": "01",
        "label": "Ain « é »",
        "count": 5_000_000_000,
        "rate": 0.5,
        "flag": True,
    },
    {"id": 3, "code": "2A", "label": "", "count": -3, "rate": 2.0, "flag": False},
]


@pytest.fixture
def sample_store(any_store: sa.Engine) -> sa.Engine:
    _metadata.create_all(any_store)
    return any_store


def _query() -> sa.Select[tuple[object, ...]]:
    return sa.select(*_sample.c).order_by(_sample.c.id)


def test_empty_table_gives_the_columns_and_their_types(sample_store: sa.Engine) -> None:
    with sample_store.connect() as conn:
        frame = read_query(conn, _query())
    assert frame.is_empty()
    assert frame.schema == pl.Schema(_SCHEMA)


def test_rows_are_typed_after_the_columns(sample_store: sa.Engine) -> None:
    with sample_store.begin() as conn:
        conn.execute(sa.insert(_sample), _ROWS)
    with sample_store.connect() as conn:
        frame = read_query(conn, _query())
        labelled = read_query(
            conn,
            sa.select(_sample.c.code.label("departement"), (_sample.c.count * 2).label("double"))
            .where(_sample.c.rate > 0.1)
            .order_by(_sample.c.id),
        )
    assert_frame_equal(frame, pl.DataFrame(_ROWS, schema=_SCHEMA))
    assert labelled.to_dicts() == [
        {"departement": "01", "double": 10_000_000_000},
        {"departement": "2A", "double": -6},
    ]


def test_uncommitted_rows_of_the_callers_transaction_are_read(sample_store: sa.Engine) -> None:
    with sample_store.begin() as conn:
        conn.execute(sa.insert(_sample), _ROWS[:2])
    with sample_store.begin() as conn:
        conn.execute(sa.insert(_sample), _ROWS[2:])
        inside = read_query(conn, _query())
        conn.rollback()
    with sample_store.connect() as conn:
        after = read_query(conn, _query())
    assert_frame_equal(inside, pl.DataFrame(_ROWS, schema=_SCHEMA))
    assert_frame_equal(after, pl.DataFrame(_ROWS[:2], schema=_SCHEMA))
