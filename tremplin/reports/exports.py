"""CSV and XLSX exports of a table, with French headers and the sources and years it rests on.

* CSV: UTF-8 with a byte order mark, « ; » between columns and a decimal comma, as French
  spreadsheets open it; the first lines, starting with « # », name the export, its filters and
  its sources (``polars.read_csv(..., separator=";", decimal_comma=True, comment_prefix="#")``
  reads it back).
* XLSX: a first sheet « Sources » (what, filters, each source and its years, the loaded files),
  then the data sheet with shares formatted as percentages.

Values are written as numbers, never as formatted text, so the export can be computed on.

Text is made safe for spreadsheets (:func:`neutralise`): characters XML forbids are removed
(a single ``\x0b`` in a label would otherwise make every XLSX export fail), and a text cell
starting with ``= + - @``, a tab or a carriage return — what a spreadsheet reads as a formula —
gets a leading ``'``; text cells are typed as text in XLSX. In the preamble (filters, sources,
file names) line breaks become spaces and each « ; »-separated part is neutralised, since a
spreadsheet opening the CSV splits those lines into cells too. Numbers stay numbers: a negative
figure is never prefixed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl

from tremplin.formats import format_datetime

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

from tremplin.reports.figures import (
    COLUMN_LABELS,
    DECIMALS,
    PERCENT,
    VALUE_LABELS,
    decimals_of,
    format_value,
)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP « CSV injection »)."""
_FORBIDDEN_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids (so openpyxl refuses them), lone surrogates included."""
_POLARS_FORBIDDEN = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
_POLARS_TRIGGER = r"^[=+\-@\t\r]"
_LINE_BREAKS_RE = re.compile(r"[\r\n]+")


def neutralise(text: str) -> str:
    """``text`` safe in a spreadsheet cell: without the characters XML forbids, and with a
    leading ``'`` when it starts with a formula trigger (:data:`FORMULA_TRIGGERS`)."""
    text = _FORBIDDEN_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def preamble_value(text: str) -> str:
    """A value of the preamble (a filter, a source, a file name) on one line, neutralised."""
    return neutralise(_one_line(text))


def _preamble_line(line: str) -> str:
    # A spreadsheet splits a CSV line on « ; » even after « # », and a part starting with a
    # double quote is read as a quoted cell: a part that would start with a trigger, once its
    # spaces and quotes are read, starts with « ' » instead.
    parts = []
    for part in line.split(";"):
        rest = part.lstrip(" ")
        if rest.lstrip('"').startswith(FORMULA_TRIGGERS):
            rest = "'" + rest
        parts.append(part[: len(part) - len(part.lstrip(" "))] + rest)
    return ";".join(parts)


def _neutralised_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text column neutralised (as :func:`neutralise`, in polars)."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return frame
    cleaned = [pl.col(name).str.replace_all(_POLARS_FORBIDDEN, "") for name in texts]
    return frame.with_columns(cleaned).with_columns(
        pl.when(pl.col(name).str.contains(_POLARS_TRIGGER))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in texts
    )


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportInfo:
    """What an export says about itself: title, filters, sources and years, loaded files."""

    title: str
    filters: list[tuple[str, str]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    def lines(self) -> list[str]:
        """The description as lines of text (French)."""
        clean = _one_line
        lines = [f"{clean(self.title)} — Tremplin, calculé le {format_datetime(self.created)}"]
        if self.filters:
            lines.append(
                "Filtres : " + " ; ".join(f"{clean(k)} = {clean(v)}" for k, v in self.filters)
            )
        for source, year in self.sources:
            lines.append(f"Source : {clean(source)}, {clean(year)}")
        for name, year in self.files:
            lines.append(f"Fichier chargé : {clean(name)}" + (f" ({clean(year)})" if year else ""))
        return lines


def _one_line(text: object) -> str:
    return _LINE_BREAKS_RE.sub(" ", _FORBIDDEN_RE.sub("", str(text)))


def exported(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``columns`` of ``frame`` (those it has) as an export writes them: headers in French,
    labels rather than codes (:data:`~tremplin.reports.figures.VALUE_LABELS`; « oui » / « non »
    for a yes-or-no column), numbers rounded as the pages show them
    (:func:`~tremplin.reports.figures.rounded`), lists joined into text. Never a formula: a
    text that a spreadsheet would read as one (« = », « + », « - », « @ » first) is written
    after an apostrophe."""
    kept = [c for c in columns if c in frame.columns]
    out = frame.select(kept)
    for name in kept:
        dtype = out.schema[name]
        if name in VALUE_LABELS and dtype == pl.String:
            labels = VALUE_LABELS[name]
            out = out.with_columns(
                pl.col(name).replace_strict(labels, default=pl.col(name), return_dtype=pl.String)
            )
        elif dtype == pl.Boolean:
            yes = pl.col(name)
            out = out.with_columns(
                pl.when(yes).then(pl.lit("oui")).when(~yes).then(pl.lit("non")).alias(name)
            )
        elif dtype.is_float():
            out = out.with_columns(pl.col(name).fill_nan(None).round(decimals_of(name)))
    for name in kept:
        if isinstance(out.schema[name], pl.List):
            separator = ", " if name == "objectifs" else " "
            if name == "objectifs":
                # A list cell comes out of polars as a Series.
                values = [
                    format_value(name, v.to_list() if isinstance(v, pl.Series) else v)
                    for v in out.get_column(name)
                ]
                out = out.with_columns(pl.Series(name, values, dtype=pl.String))
            else:
                out = out.with_columns(pl.col(name).list.join(separator))
    return _neutralised_text(out).rename({c: COLUMN_LABELS.get(c, c) for c in kept})


def to_csv(frame: pl.DataFrame, columns: Sequence[str], info: ExportInfo) -> bytes:
    """The CSV export (see the module's docstring)."""
    preamble = "".join(f"# {_preamble_line(line)}\n" for line in info.lines())
    body = exported(frame, columns).write_csv(separator=";", decimal_comma=True)
    return ("\ufeff" + preamble + body).encode("utf-8")


def _number_format(name: str, dtype: pl.DataType) -> str | None:
    """The XLSX number format of a column: as the page writes it (shares as percentages)."""
    if name in PERCENT:
        return "0.0%"
    if name in DECIMALS:
        return "0." + "0" * DECIMALS[name]
    if dtype.is_integer() and not name.startswith(("annee", "rentree", "millesime")):
        return "#,##0"
    if dtype.is_float():
        return "#,##0." + "0" * decimals_of(name)
    return None


def to_xlsx(frame: pl.DataFrame, columns: Sequence[str], info: ExportInfo, sheet: str) -> bytes:
    """The XLSX export: a sheet « Sources », then ``sheet`` with the data."""
    # openpyxl is imported by the exports that write a workbook, not by every command.
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)

    def text(sheet: object, value: object, font: Font | None = None) -> WriteOnlyCell:
        # Typed as text: never read as a formula, whatever a later edit does.
        cell = WriteOnlyCell(sheet, value=preamble_value(str(value)))
        cell.data_type = "s"
        if font is not None:
            cell.font = font
        return cell

    about = book.create_sheet("Sources")

    def add(*values: object, header: bool = False) -> None:
        about.append([text(about, v, bold if header else None) for v in values])

    add(info.title, header=True)
    add("Calculé le", format_datetime(info.created))
    about.append([])
    if info.filters:
        add("Filtre", "Valeur", header=True)
        for key, value in info.filters:
            add(key, value)
        about.append([])
    add("Source", "Année(s)", header=True)
    for source, year in info.sources:
        add(source, year)
    if info.files:
        about.append([])
        add("Fichier chargé", "Millésime", header=True)
        for name, year in info.files:
            add(name, year)

    data = book.create_sheet(sheet)
    kept = [c for c in columns if c in frame.columns]
    table = exported(frame, kept)
    data.append([text(data, header, bold) for header in table.columns])
    formats = [_number_format(name, frame.schema[name]) for name in kept]
    for row in table.iter_rows():
        cells: list[object] = []
        for value, number_format in zip(row, formats, strict=True):
            if isinstance(value, str):
                # Already neutralised by exported(); typed as text.
                cell = WriteOnlyCell(data, value=value)
                cell.data_type = "s"
                cells.append(cell)
            elif number_format and value is not None:
                cell = WriteOnlyCell(data, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        data.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attachment(name: str) -> dict[str, str]:
    """The header that makes a browser save the response as ``name``."""
    return {"Content-Disposition": f'attachment; filename="{name}"'}
