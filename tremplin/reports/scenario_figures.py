"""A scenario's figures as a reader sees them: means, signed differences, 95 % intervals.

Counts are means over cohorts, written with one decimal (« 9 867,4 »); the first-wish rate as
a percentage with two decimals, and its difference in points (« −0,04 pt »). A difference
carries its sign, never « −0,0 ». Labels of the actions, paliers and groups are here too, so
that every interface names them alike.
"""

from __future__ import annotations

from tremplin.formats import MISSING, format_decimal
from tremplin.scenarios.scenario_comparison import Estimate

__all__ = [
    "ACTION_LABELS",
    "GROUP_LABELS",
    "PALIER_LABELS",
    "RATES",
    "format_difference",
    "format_interval",
    "format_mean",
    "group_name",
]

RATES = frozenset({"taux_premier_voeu"})
"""Indicators that are shares: shown in %, their differences in points."""

ACTION_LABELS = {
    "ouvrir": "Ouvrir",
    "fermer": "Fermer",
    "ajuster": "Ajuster",
    "transferer": "Transférer",
}
PALIER_LABELS = {
    "3e": "entrée en lycée professionnel (après la 3e)",
    "2nde": "1re professionnelle (après la 2nde)",
}
GROUP_LABELS = {
    "perimetre": "Périmètre",
    "boursier": "Statut boursier",
    "academie": "Académie",
    "departement": "Département",
}
"""The Comparison's breakdowns: pupils by their first wish's perimeter, their boursier status,
the académie and département they live in (places by the offer's)."""

_GROUP_NAMES = {
    "industrie": "Industrie",
    "hors industrie": "Hors industrie",
    "boursier": "Boursiers",
    "non boursier": "Non boursiers",
    "?": "Non rattaché",
}


def group_name(code: str, name: str | None = None) -> str:
    """The French name of a group: the territory's name, or « Industrie », « Boursiers »…"""
    if name and name != code:
        return name
    return _GROUP_NAMES.get(code, code)


def _signed(x: float, digits: int, sign: bool) -> str:
    if round(x, digits) == 0:
        x = 0.0
    text = format_decimal(x, digits)
    return "+" + text if sign and x > 0 else text


def format_mean(key: str, value: Estimate | None) -> str:
    """The mean: a rate in %, a count with one decimal."""
    if value is None:
        return MISSING
    if key in RATES:  # two decimals always, so that a column of rates aligns
        return format_decimal(100.0 * value.mean, 2) + "\u00a0%"
    return format_decimal(value.mean, 1)


def _scaled(key: str) -> tuple[float, int, str]:
    return (100.0, 2, "\u00a0pt") if key in RATES else (1.0, 1, "")


def format_difference(key: str, value: Estimate | None, sign: bool = True) -> str:
    """The mean difference, signed: « +4,4 », « −4,3 », « −0,04 pt » for a rate."""
    if value is None:
        return MISSING
    scale, digits, unit = _scaled(key)
    return _signed(scale * value.mean, digits, sign) + unit


def format_interval(key: str, value: Estimate | None) -> str:
    """The 95 % confidence interval: « [−5,4 ; −3,4] »."""
    if value is None:
        return MISSING
    scale, digits, unit = _scaled(key)
    low, high = (_signed(scale * v, digits, False) + unit for v in (value.low, value.high))
    return f"[{low} ; {high}]"
