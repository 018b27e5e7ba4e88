"""Typing a recognised table: codes, numbers, flags; suppressed cells; rows left out and why.

Every cell is read as text, then converted column by column with polars. A cell that does not
convert is a :class:`RowProblem` (the row is left out and the reason kept); a cell holding the
statistical-secret mark ``*`` is null and counted, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tremplin.sources.detect import Match
from tremplin.sources.errors import RowProblem
from tremplin.sources.spec import Column, Kind

SUPPRESSED = ["*", "**", "***", "s", "secret", "nd", "n.d.", "n.d"]
MISSING = ["", "na", "n/a", "nan", "null", "none", "-", "—", "."]
TRUE = ["o", "oui", "y", "yes", "true", "vrai", "1"]
FALSE = ["n", "non", "no", "false", "faux", "0"]


@dataclass
class ParsedTable:
    match: Match
    frame: pl.DataFrame  # ``line`` then the dataset's stored columns, valid rows only
    problems: list[RowProblem]
    rows_read: int
    cells_suppressed: int


def _raw_frame(match: Match) -> tuple[pl.DataFrame, list[RowProblem]]:
    table = match.table
    positions = match.positions
    width = len(table.header)
    needed = max(positions.values(), default=-1) + 1
    data: dict[str, list[str | None]] = {name: [] for name in positions}
    problems: list[RowProblem] = []
    for row, line in zip(table.rows, table.lines, strict=True):
        if len(row) < needed:
            problems.append(
                RowProblem(
                    line,
                    None,
                    None,
                    f"ligne incomplète : {len(row)} champs au lieu de {width}",
                )
            )
        elif len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(
                RowProblem(
                    line, None, None, f"ligne trop longue : {len(row)} champs au lieu de {width}"
                )
            )
        for name, index in positions.items():
            data[name].append(row[index] if index < len(row) else None)
    frame = pl.DataFrame(data, schema={name: pl.String for name in positions})
    return frame.with_columns(pl.Series("line", table.lines, dtype=pl.Int64)), problems


def _number(cell: pl.Expr) -> pl.Expr:
    cleaned = cell.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace(",", ".", literal=True)
    return cleaned.cast(pl.Float64, strict=False)


def _convert(column: Column, cell: pl.Expr) -> tuple[pl.Expr, pl.Expr, str]:
    """(typed value, is-invalid flag, what was expected) for one column."""
    lower = cell.str.to_lowercase()
    if column.kind is Kind.INTEGER:
        value = _number(cell)
        ok = value.is_not_null() & (value.round(0) == value)
        return value.cast(pl.Int64, strict=False), ~ok, "un nombre entier"
    if column.kind is Kind.DECIMAL:
        value = _number(cell)
        return value, value.is_null(), "un nombre"
    if column.kind is Kind.BOOLEAN:
        value = pl.when(lower.is_in(TRUE)).then(True).when(lower.is_in(FALSE)).then(False)
        return value, value.is_null(), "O/N, oui/non ou vrai/faux"
    if column.kind is Kind.CODE:
        # A code a spreadsheet turned into a number: « 84.0 » is « 84 ».
        value = cell.str.to_uppercase().str.replace(r"^([0-9]+)\.0+$", "${1}")
        if column.width:
            value = (
                pl.when(value.str.contains(r"^[0-9]") & (value.str.len_chars() < column.width))
                .then(value.str.zfill(column.width))
                .otherwise(value)
            )
        if column.shape is None:
            return value, pl.lit(False), "un code"
        return value, ~value.str.contains(column.shape.pattern), column.shape.description
    return cell, pl.lit(False), "du texte"


def parse(match: Match) -> ParsedTable:
    """Type every mapped column of ``match``; rows with a bad cell are left out and explained."""
    frame, problems = _raw_frame(match)
    table = match.table
    labels = {name: table.column_label(i) for name, i in match.positions.items()}
    numeric = {Kind.INTEGER, Kind.DECIMAL}
    typed: list[pl.Expr] = []
    flags: list[pl.Expr] = []
    suppressed_flags: list[pl.Expr] = []
    expected: dict[str, str] = {}
    for column in match.dataset.columns:
        if column.name not in match.positions:
            typed.append(pl.lit(None).alias(column.name))
            continue
        raw = pl.col(column.name).str.strip_chars()
        lower = raw.str.to_lowercase()
        is_suppressed = lower.is_in(SUPPRESSED) if column.kind in numeric else pl.lit(False)
        is_missing = raw.is_null() | lower.is_in(MISSING) | is_suppressed
        value, invalid, expected[column.name] = _convert(column, raw)
        typed.append(pl.when(is_missing).then(None).otherwise(value).alias(column.name))
        bad = ~is_missing & invalid
        if column.key:
            bad = bad | (is_missing & ~is_suppressed)
        flags.append(bad.fill_null(False).alias(f"__bad_{column.name}"))
        suppressed_flags.append(is_suppressed.fill_null(False).alias(f"__sup_{column.name}"))
    checked = frame.with_columns(*flags, *suppressed_flags)
    bad_columns = [c for c in checked.columns if c.startswith("__bad_")]
    for name in bad_columns:
        column_name = name.removeprefix("__bad_")
        column = match.dataset.column(column_name)
        for line, value in checked.filter(pl.col(name)).select("line", column_name).iter_rows():
            reason = (
                "valeur obligatoire manquante"
                if column.key and (value is None or not str(value).strip())
                else f"valeur invalide, attendu {expected[column_name]}"
            )
            problems.append(RowProblem(line, labels[column_name], value, reason))
    rejected_lines = {p.line for p in problems}
    suppressed = (
        int(
            checked.select(
                pl.sum_horizontal(c for c in checked.columns if c.startswith("__sup_")).sum()
            ).item()
            or 0
        )
        if suppressed_flags
        else 0
    )
    valid = checked.filter(~pl.col("line").is_in(sorted(rejected_lines)))
    secret_flags = [
        (pl.col(f"__sup_{c.name}") if c.name in match.positions else pl.lit(False)).alias(
            c.secret_flag
        )
        for c in match.dataset.columns
        if c.secret
    ]
    result = valid.select(pl.col("line"), *typed, *secret_flags)
    result = match.dataset.transform(result)
    problems.sort(key=lambda p: (p.line, p.column or ""))
    return ParsedTable(match, result, problems, len(table.rows), suppressed)
