"""What a dataset is: its columns, how to recognise its header, and how its rows are typed.

A reader is declared as data: a :class:`Dataset` lists :class:`Column` objects, each with a
canonical snake_case name (``uai``, ``mef_stat_11``, ``capacite``…), a :class:`Kind` and the
header names it is known under (normalised by :func:`normalise_header`). The generic machinery in
``sources.detect`` and ``sources.parse`` does the rest, so a dataset module stays small.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from unidecode import unidecode


class Kind(enum.Enum):
    TEXT = "text"
    CODE = "code"  # identifier kept as text; leading zeros restored to ``width``
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    JSON = "json"  # a JSON document kept as text (geometries)


@dataclass(frozen=True)
class Column:
    """One column of a dataset.

    ``aliases`` are normalised header names, tried in order; the first one present in the file
    and not already taken by an earlier column wins. ``width`` left-pads digit-only codes with
    zeros (spreadsheets drop them); ``shape`` is the form a code must have; ``key`` columns
    must be filled. Padding applies to codes that start with a digit. A ``secret`` column
    (a count a producer may suppress, « * ») is stored with a boolean ``<name>_secret`` beside
    it, true where the cell was suppressed: a secret is then told apart from a missing value.
    """

    name: str
    kind: Kind
    aliases: tuple[str, ...]
    required: bool = True
    width: int | None = None
    shape: CodeShape | None = None
    key: bool = False  # a row without this value is rejected
    secret: bool = False  # keep a ``<name>_secret`` flag per suppressed cell

    @property
    def secret_flag(self) -> str:
        return f"{self.name}_secret"


@dataclass(frozen=True)
class CodeShape:
    """The form a code must have, and how to say it to a person."""

    pattern: str
    description: str

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


# Shapes of the codes that tie datasets together.
UAI = CodeShape(r"^[0-9]{7}[A-Z]$", "un code UAI : 7 chiffres et une lettre, par ex. 0690001A")
MEF_STAT_11 = CodeShape(r"^[0-9][0-9A-Z]{10}$", "un code MEF STAT 11 : 11 caractères")
CFD = CodeShape(r"^[0-9A-Z]{8}$", "un code formation diplôme (CFD) : 8 caractères")
ROME = CodeShape(r"^[A-N][0-9]{4}$", "un code ROME : une lettre et 4 chiffres, par ex. H2913")
FAP = CodeShape(
    r"^[A-Z][0-9][A-Z0-9]{1,2}[0-9]{0,2}[a-z]?$", "un code FAP, par ex. D1Z40 ou D1X41a"
)
INSEE = CodeShape(r"^([0-9]{2}|2A|2B)[0-9]{3}$", "un code commune INSEE : 5 caractères")
DEPARTEMENT = CodeShape(r"^([0-9]{2,3}|2A|2B)$", "un code département, par ex. 69 ou 974")


def text(name: str, *aliases: str, required: bool = True, key: bool = False) -> Column:
    return Column(name, Kind.TEXT, aliases or (name,), required=required, key=key)


def code(
    name: str,
    *aliases: str,
    shape: CodeShape | None = None,
    width: int | None = None,
    required: bool = True,
    key: bool = False,
) -> Column:
    return Column(name, Kind.CODE, aliases or (name,), required, width, shape, key)


def integer(name: str, *aliases: str, required: bool = True, secret: bool = False) -> Column:
    return Column(name, Kind.INTEGER, aliases or (name,), required=required, secret=secret)


def decimal(name: str, *aliases: str, required: bool = True) -> Column:
    return Column(name, Kind.DECIMAL, aliases or (name,), required=required)


def boolean(name: str, *aliases: str, required: bool = True) -> Column:
    return Column(name, Kind.BOOLEAN, aliases or (name,), required=required)


def geometry(name: str, *aliases: str, required: bool = True) -> Column:
    return Column(name, Kind.JSON, aliases or (name,), required=required)


Transform = Callable[[pl.DataFrame], pl.DataFrame]


def _identity(frame: pl.DataFrame) -> pl.DataFrame:
    return frame


@dataclass(frozen=True)
class Derived:
    """A column computed after typing (for instance a year out of a label)."""

    name: str
    kind: Kind


@dataclass(frozen=True)
class Dataset:
    """A dataset: a family of files that share a meaning and, give or take renames, a header.

    ``millesime_column`` names a column that carries the year inside the file; otherwise the year
    comes from the file name (``millesime_pattern``) or from the caller. ``variant`` tells apart
    files of one dataset and one year that do not replace each other (e.g. lycées pro and
    apprentissage). ``sheet`` and ``json_layout`` select the part of a workbook or JSON document.
    """

    name: str
    title: str
    producer: str
    columns: tuple[Column, ...]
    millesime_column: str | None = None
    millesime_pattern: str | None = r"(?<![0-9])(20[0-9]{2}(?:[_-]20[0-9]{2})?)(?![0-9])"
    derived: tuple[Derived, ...] = ()
    transform: Transform = _identity
    variant: Callable[[pl.DataFrame], str] = field(default=lambda frame: "")
    json_layout: str | None = None
    min_score: float = 0.6
    # The columns that tell two files of the dataset hold the same rows (the observed figures,
    # not the codes a producer re-codes between publications); empty: every column.
    same_rows_on: tuple[str, ...] = ()

    @property
    def table_name(self) -> str:
        return f"src_{self.name}"

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def stored_columns(self) -> list[tuple[str, Kind]]:
        """Every column of the stored table, in order: read ones, the secret flags of the
        ``secret`` ones, then derived ones."""
        return (
            [(c.name, c.kind) for c in self.columns]
            + [(c.secret_flag, Kind.BOOLEAN) for c in self.columns if c.secret]
            + [(d.name, d.kind) for d in self.derived]
        )

    def rows_sha256(self, frame: pl.DataFrame) -> str:
        """A sha256 of the rows of ``frame`` on :attr:`same_rows_on`, whatever their order: two
        files with the same rows, re-sorted or re-coded elsewhere, get the same one."""
        names = list(self.same_rows_on) or [name for name, _kind in self.stored_columns()]
        rows = frame.select(pl.col(n).cast(pl.String).fill_null("") for n in names)
        return hashlib.sha256(rows.sort(names).write_csv().encode()).hexdigest()


def normalise_header(name: str) -> str:
    """``"Demandes vœux 1"`` → ``"demandes_voeux_1"``: ASCII, lower case, ``_`` between words."""
    ascii_name = unidecode(name.replace("\ufeff", "")).lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")


def name_blank_headers(headers: list[str]) -> list[str]:
    """Give unnamed columns a positional name after the last named one: ``region+1``, ``region+2``.

    Some InserJeunes files leave the header of several columns empty; their meaning is fixed by
    their place after a named column, so aliases can name them that way.
    """
    named: list[str] = []
    anchor, offset = "debut", 0
    for raw in headers:
        norm = normalise_header(raw)
        if norm:
            anchor, offset = norm, 0
            named.append(norm)
        else:
            offset += 1
            named.append(f"{anchor}+{offset}")
    return named
