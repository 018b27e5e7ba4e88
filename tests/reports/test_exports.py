"""CSV and XLSX exports are safe in a spreadsheet: no text cell starts a formula, no character
XML forbids breaks a workbook, numbers stay numbers — and what a person reads is kept."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import openpyxl
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tremplin.reports.exports import (
    FORMULA_TRIGGERS,
    ExportInfo,
    neutralise,
    to_csv,
    to_xlsx,
)

XML_FORBIDDEN = {chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}
XML_FORBIDDEN |= {"\ufffe", "\uffff"}

texts = st.text(
    alphabet=st.one_of(
        st.sampled_from([*FORMULA_TRIGGERS, ";", '"', "'", " ", "\n", "\x0b", "\x00", "#"]),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=30,
)


def _visible(text: str) -> str:
    """What a person reads of ``text`` in a cell: without the characters XML forbids."""
    return "".join(c for c in text if c not in XML_FORBIDDEN)


def _expected_cell(text: str) -> str:
    shown = _visible(text)
    return "'" + shown if shown.startswith(FORMULA_TRIGGERS) else shown


def _info(values: list[str]) -> ExportInfo:
    return ExportInfo(
        title=values[0] if values else "Export",
        filters=[("texte", v) for v in values],
        sources=[(v, "2024") for v in values],
        files=[(v, v) for v in values],
        created=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )


def _csv_cells(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


@given(texts)
def test_neutralised_text_never_starts_a_formula_and_keeps_what_is_read(text: str) -> None:
    shown = neutralise(text)
    assert not shown.startswith(FORMULA_TRIGGERS)
    assert not set(shown) & XML_FORBIDDEN
    assert shown.removeprefix("'") == _visible(text) or shown == _visible(text)
    assert shown == _expected_cell(text)


@given(st.lists(texts, min_size=1, max_size=5))
def test_csv_cells_never_start_a_formula(values: list[str]) -> None:
    frame = pl.DataFrame({"libelle": values, "n": [-float(i) - 0.5 for i in range(len(values))]})
    content = to_csv(frame, ["libelle", "n"], _info(values))
    rows = _csv_cells(content)
    preamble = [row for row in rows if row and row[0].startswith("#")]
    # One preamble line per line of the description: a line break in a value makes none.
    assert len(preamble) == len(_info(values).lines())
    header = rows.index(["libelle", "n"])
    # Every cell of the preamble, and every text cell of the data (a negative number is one).
    text_cells = [cell for row in rows[:header] for cell in row]
    text_cells += [row[0] for row in rows[header + 1 :] if row]
    for cell in text_cells:
        assert not cell.lstrip(" ").startswith(FORMULA_TRIGGERS), cell
    # The data read back: the visible text, with a leading « ' » where it was a trigger, and
    # negative numbers as numbers.
    body = pl.read_csv(
        io.BytesIO(content),
        separator=";",
        decimal_comma=True,
        comment_prefix="#",
        schema={"libelle": pl.String, "n": pl.Float64},
    )
    assert [v or "" for v in body.get_column("libelle").to_list()] == [
        _expected_cell(v) for v in values
    ]
    assert body.get_column("n").to_list() == frame.get_column("n").to_list()


@given(st.lists(texts, min_size=1, max_size=5))
def test_xlsx_text_cells_are_text_and_never_start_a_formula(values: list[str]) -> None:
    frame = pl.DataFrame({"libelle": values, "n": [-float(i) - 0.5 for i in range(len(values))]})
    book = _workbook(to_xlsx(frame, ["libelle", "n"], _info(values), "Données"))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert not cell.value.startswith(FORMULA_TRIGGERS)
                    assert "\n" not in cell.value or sheet.title != "Sources"
    data = book["Données"]
    read = [(row[0].value, row[1].value) for row in data.iter_rows(min_row=2)]
    # XML reads a carriage return in text as a line feed (end-of-line normalisation).
    assert [(label or "") for label, _ in read] == [
        _expected_cell(v).replace("\r\n", "\n").replace("\r", "\n") for v in values
    ]
    assert [n for _, n in read] == frame.get_column("n").to_list()
    filters = [
        row[1].value
        for row in book["Sources"].iter_rows()
        if row[0].value == "texte" and len(row) > 1
    ]
    assert [f or "" for f in filters] == [
        _expected_cell(re.sub(r"[\r\n]+", " ", _visible(v))) for v in values
    ]


def test_the_probe_s_cases() -> None:
    """A formula in ``?texte=`` and in a data label, a « ; » before it in the CSV, a ``\\x0b``
    in a label (which made every XLSX export fail), a file name starting with « = »."""
    frame = pl.DataFrame(
        {"libelle": ["=1+1", "BAC PRO\x0bMÉCANIQUE", "@SUM(A1)", "+33", "-2", "\tx", "\rx"]}
    )
    info = ExportInfo(
        "Offres",
        filters=[("texte", "x;=1+1"), ("uai", '=HYPERLINK("http://x";"y")\r\n')],
        files=[("=cmd.csv", "2024")],
    )
    rows = _csv_cells(to_csv(frame, ["libelle"], info))
    cells = [cell for row in rows for cell in row]
    assert "=1+1" not in cells and "'=1+1" in cells
    assert "BAC PROMÉCANIQUE" in cells
    book = _workbook(to_xlsx(frame, ["libelle"], info, "Offres"))
    sources = [c.value for row in book["Sources"].iter_rows() for c in row if c.value]
    assert "'=cmd.csv" in sources
    assert '\'=HYPERLINK("http://x";"y")' in [s.strip() for s in sources]
    labels = [row[0].value for row in book["Offres"].iter_rows(min_row=2)]
    # (XML reads the carriage return back as a line feed.)
    assert labels == ["'=1+1", "BAC PROMÉCANIQUE", "'@SUM(A1)", "'+33", "'-2", "'\tx", "'\nx"]
