"""Numbers, percentages and dates written the French way (babel, locale ``fr_FR``).

Every function returns ``"—"`` for a missing value, so pages and reports never print ``None``.
Thousands are separated by a narrow no-break space and the percent sign by a no-break space, as
babel gives them for ``fr_FR``; halves are rounded up (``2,5`` → ``3``), as readers expect, not to
the nearest even digit.
"""

from __future__ import annotations

import decimal
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import dates, numbers

LOCALE = "fr_FR"
MISSING = "—"
TIMEZONE = "Europe/Paris"


def _decimal(value: int | float) -> decimal.Decimal:
    # Going through ``str`` keeps the number as it is written: 2.675 stays 2.675, not 2.67499…
    return decimal.Decimal(str(value))


def _pattern(digits: int, optional: bool) -> str:
    """A babel pattern with grouping and ``digits`` fraction digits (``#`` when optional)."""
    if digits < 0:
        raise ValueError(f"digits must be ≥ 0, not {digits}")
    if digits == 0:
        return "#,##0"
    return "#,##0." + ("#" if optional else "0") * digits


def format_number(value: int | float | None) -> str:
    """``12345`` → ``"12 345"``; a float keeps up to three decimals (``1234,5``)."""
    if value is None:
        return MISSING
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return numbers.format_decimal(_decimal(value), locale=LOCALE)


def format_decimal(value: int | float | None, digits: int = 1) -> str:
    """``value`` with exactly ``digits`` decimals: ``format_decimal(3.14159, 2)`` → ``"3,14"``."""
    if value is None:
        return MISSING
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return numbers.format_decimal(
            _decimal(value), format=_pattern(digits, optional=False), locale=LOCALE
        )


def format_percent(ratio: int | float | None, digits: int = 1) -> str:
    """A ratio as a percentage with at most ``digits`` decimals: ``0.125`` → ``"12,5 %"``."""
    if ratio is None:
        return MISSING
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return numbers.format_percent(
            _decimal(ratio), format=_pattern(digits, optional=True) + "\u00a0%", locale=LOCALE
        )


def _day(value: date) -> str:
    # French writes the first day of a month as an ordinal: « 1er novembre ».
    return "d'er'" if value.day == 1 else "d"


def format_date(value: date | None) -> str:
    """``date(2026, 11, 28)`` → ``"28 novembre 2026"``; the first of a month is « 1er »."""
    if value is None:
        return MISSING
    return dates.format_date(value, f"{_day(value)} MMMM y", locale=LOCALE)


def format_datetime(value: datetime | None, timezone: str = TIMEZONE) -> str:
    """A moment as read in France: ``"28 novembre 2026 à 15:46"``.

    An aware datetime is converted to ``timezone``; a naive one is taken as UTC, which is how the
    store keeps times (SQLite gives them back without their offset).
    """
    if value is None:
        return MISSING
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    shown = aware.astimezone(ZoneInfo(timezone))
    return dates.format_datetime(shown, f"{_day(shown)} MMMM y 'à' HH:mm", locale=LOCALE)
