"""What a reader keeps of a table and in which order: thresholds on its figures, several codes
at once, a sort by any column.

The same selection applies to the consoles (a row per formation or offer) and to the
diagnostic's rows (a territory × trade group), on pages, in the API and in exports:

* **thresholds** ``min_<column>`` / ``max_<column>`` (:data:`THRESHOLD_COLUMNS`), e.g.
  ``min_taux_pression=1.3``: a row passes when its value is known and within the bound; a
  missing or secret figure never passes a threshold (it is not read as 0);
* **several codes** of one filter, repeated (``territoire=01&territoire=38``) or separated by
  commas (``territoire=01,38``): the rows of any of them (:func:`codes`);
* **sort** ``tri=<column>&ordre=asc|desc``: missing values last in both orders, ties kept in
  the table's own order (:func:`sort_rows`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from tremplin.errors import InputError
from tremplin.formats import format_decimal

Bound = Literal["min", "max"]
ORDERS = ("asc", "desc")

THRESHOLD_COLUMNS: dict[str, str] = {
    "taux_pression": "Taux de pression (vœux 1 ÷ places)",
    "taux_demande": "Taux de demande (vœux confirmés ÷ places, BTS)",
    "taux_remplissage": "Taux de remplissage (fraction : 0,8 pour 80 %)",
    "projets_par_place": "Projets de recrutement par place",
    "projets_recrutement": "Projets de recrutement (BMO)",
    "part_projets_difficiles": "Part des projets jugés difficiles (fraction)",
    "capacite": "Capacité (CAP, bac pro ; places pour les consoles)",
    "demandes_voeux_1": "Demandes en vœu 1",
    "voeux_confirmes": "Vœux confirmés (BTS)",
    "places": "Places (CAP, bac pro et BTS)",
    "taux_emploi_6_mois": "Taux d'emploi à 6 mois (fraction)",
    "taux_devenir_favorable": "Taux de devenir favorable (fraction)",
    "categorie_tension": "Catégorie de tension DARES (1 à 5)",
    "places_manquantes": "Places manquantes (vœux au-delà des places ; consoles)",
    "places_vacantes": "Places vacantes (capacité − élèves)",
    "taille_attractivite": "Attractivité : places vacantes",
    "taille_acces": "Accès : places manquantes",
    "taille_competences": "Compétences : projets par place",
    "taille_vigilance": "Vigilance : jeunes concernés",
}
"""The columns a threshold can bound (``min_<name>``, ``max_<name>``), with what they measure.
A table without one of them refuses its threshold (:class:`InputError`)."""


@dataclass(frozen=True)
class Threshold:
    """``column`` ≥ ``value`` (``min``) or ≤ ``value`` (``max``)."""

    column: str
    bound: Bound
    value: float

    @property
    def parameter(self) -> str:
        """The query parameter that sets it (``min_taux_pression``)."""
        return f"{self.bound}_{self.column}"

    @property
    def text(self) -> str:
        """The value written the French way, without trailing zeros (« 1,3 »)."""
        return format_decimal(self.value, 3).rstrip("0").rstrip(",")

    @property
    def words(self) -> str:
        """« au moins » or « au plus »."""
        return "au moins" if self.bound == "min" else "au plus"


def threshold_parameters() -> list[str]:
    """Every threshold parameter, ``min_`` then ``max_`` of each column."""
    return [f"{bound}_{name}" for name in THRESHOLD_COLUMNS for bound in ("min", "max")]


def parse_number(name: str, raw: str) -> float:
    """A threshold's value, with a decimal point or a decimal comma (:class:`InputError`)."""
    try:
        value = float(raw.strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        raise InputError(f"{name} « {raw} » : un nombre est attendu (par ex. 1,3)") from None
    if not math.isfinite(value):
        raise InputError(f"{name} « {raw} » : un nombre est attendu (par ex. 1,3)")
    return value


def thresholds(values: Mapping[str, str | None]) -> tuple[Threshold, ...]:
    """The thresholds among ``values`` (query parameters; empty ones are no threshold), in the
    order of :data:`THRESHOLD_COLUMNS`."""
    found = []
    for name in threshold_parameters():
        raw = values.get(name)
        if raw is None or not str(raw).strip():
            continue
        bound, column = name.split("_", 1)
        found.append(Threshold(column, "min" if bound == "min" else "max", parse_number(name, raw)))
    return tuple(found)


def apply_thresholds(frame: pl.DataFrame, kept: Iterable[Threshold]) -> pl.DataFrame:
    """The rows of ``frame`` that pass every threshold of ``kept`` (a missing value passes
    none)."""
    for threshold in kept:
        if threshold.column not in frame.columns:
            raise InputError(
                f"{threshold.parameter} : ce tableau n'a pas la colonne {threshold.column}"
            )
        column = pl.col(threshold.column).cast(pl.Float64)
        test = column >= threshold.value if threshold.bound == "min" else column <= threshold.value
        frame = frame.filter(test.fill_null(False) & column.is_not_nan().fill_null(False))
    return frame


def codes(values: str | Sequence[str] | None) -> tuple[str, ...]:
    """Codes given repeated and/or separated by commas, stripped, once each, in order."""
    if values is None:
        return ()
    listed = [values] if isinstance(values, str) else list(values)
    found: list[str] = []
    for value in listed:
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in found:
                found.append(part)
    return tuple(found)


@dataclass(frozen=True)
class Sort:
    """A sort by ``column`` (``tri``), ``asc`` or ``desc`` (``ordre``)."""

    column: str
    order: str = "asc"

    @property
    def descending(self) -> bool:
        return self.order == "desc"


def sort_of(column: str | None, order: str | None, allowed: Iterable[str]) -> Sort | None:
    """A checked :class:`Sort` (``None`` without ``column``); :class:`InputError` when the
    column is not one of ``allowed`` or the order is not asc / desc."""
    if column is None or not column.strip():
        return None
    column = column.strip()
    names = list(allowed)
    if column not in names:
        raise InputError(f"tri « {column} » inconnu ; colonnes possibles : {', '.join(names)}")
    order = (order or "").strip() or "asc"
    if order not in ORDERS:
        raise InputError(f"ordre « {order} » inconnu ; valeurs possibles : asc, desc")
    return Sort(column, order)


def sort_rows(frame: pl.DataFrame, sort: Sort | None) -> pl.DataFrame:
    """``frame`` sorted by ``sort`` (missing values last; ties in ``frame``'s order); as it is
    without a sort. A list column sorts by its text."""
    if sort is None or frame.is_empty():
        return frame
    dtype = frame.schema[sort.column]
    key = pl.col(sort.column)
    if isinstance(dtype, pl.List):
        key = key.cast(pl.List(pl.String)).list.join(" ")
    elif dtype == pl.Boolean:
        key = key.cast(pl.Int8)
    elif dtype.is_float():
        key = key.fill_nan(None)
    elif dtype == pl.String:
        key = key.str.to_lowercase()
    return (
        frame.with_columns(key.alias("_tri"))
        .sort("_tri", descending=sort.descending, nulls_last=True, maintain_order=True)
        .drop("_tri")
    )


@dataclass(frozen=True)
class Selection:
    """Codes to keep in one column, thresholds and a sort, applied in that order."""

    column: str | None = None
    kept_codes: tuple[str, ...] = ()
    seuils: tuple[Threshold, ...] = ()
    sort: Sort | None = None

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The rows of ``frame`` this selection keeps, in its order."""
        if self.column is not None and self.kept_codes:
            frame = frame.filter(pl.col(self.column).cast(pl.String).is_in(self.kept_codes))
        return sort_rows(apply_thresholds(frame, self.seuils), self.sort)


NO_SELECTION = Selection()
"""Every row, in the table's order."""
