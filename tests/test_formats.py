"""French number and date formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.formats import (
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_percent,
)

NNBSP = "\u202f"  # narrow no-break space: thousands separator of fr_FR
NBSP = "\u00a0"  # no-break space: before the percent sign


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (12345, f"12{NNBSP}345"),
        (-1234567, f"-1{NNBSP}234{NNBSP}567"),
        (1234.5, f"1{NNBSP}234,5"),
        (0.1, "0,1"),
    ],
)
def test_format_number(value: int | float, expected: str) -> None:
    assert format_number(value) == expected


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_number_keeps_every_digit_of_an_integer(value: int) -> None:
    written = format_number(value)
    assert written.replace(NNBSP, "") == str(value)
    assert all(len(group) == 3 for group in written.lstrip("-").split(NNBSP)[1:])


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (3.14159, 2, "3,14"),
        (2.675, 2, "2,68"),  # as written, not as the nearest binary float (2.67499…)
        (2.5, 0, "3"),  # halves go up, not to the even neighbour
        (1234, 1, f"1{NNBSP}234,0"),
        (0.05, 1, "0,1"),
    ],
)
def test_format_decimal(value: float, digits: int, expected: str) -> None:
    assert format_decimal(value, digits) == expected


def test_format_decimal_rejects_negative_digits() -> None:
    with pytest.raises(ValueError):
        format_decimal(1.0, -1)


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (0.125, f"12,5{NBSP}%"),
        (0.1, f"10{NBSP}%"),
        (1, f"100{NBSP}%"),
        (12.5, f"1{NNBSP}250{NBSP}%"),
        (0.00049, f"0{NBSP}%"),
    ],
)
def test_format_percent(ratio: float, expected: str) -> None:
    assert format_percent(ratio) == expected


def test_format_percent_digits() -> None:
    assert format_percent(0.12345, 2) == f"12,35{NBSP}%"
    assert format_percent(0.125, 0) == f"13{NBSP}%"


def test_format_date() -> None:
    assert format_date(date(2026, 11, 28)) == "28 novembre 2026"
    assert format_date(date(2027, 2, 1)) == "1er février 2027"
    assert format_date(datetime(2026, 8, 15, 23, 0)) == "15 août 2026"


def test_format_datetime_shows_paris_time() -> None:
    # The store keeps UTC; SQLite gives it back naive.
    assert format_datetime(datetime(2026, 11, 28, 14, 46)) == "28 novembre 2026 à 15:46"
    assert format_datetime(datetime(2026, 7, 1, 10, 5, tzinfo=UTC)) == "1er juillet 2026 à 12:05"
    plus_two = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2026, 7, 1, 12, 5, tzinfo=plus_two)) == (
        "1er juillet 2026 à 12:05"
    )
    assert format_datetime(datetime(2026, 7, 1, 10, 5), timezone="UTC") == (
        "1er juillet 2026 à 10:05"
    )


@pytest.mark.parametrize(
    "written",
    [
        format_number(None),
        format_decimal(None, 2),
        format_percent(None),
        format_date(None),
        format_datetime(None),
    ],
)
def test_missing_values_are_a_dash(written: str) -> None:
    assert written == "—"
