"""xlsx workbooks (the BMO open-data file): one table per sheet, header on its first full row."""

from __future__ import annotations

import io
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from tremplin.sources.errors import SourceError
from tremplin.sources.rawtable import RawTable


def _cell_text(value: object) -> str:
    """A cell as the text a person reads: ``2024.0`` is ``2024``, an empty cell is ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: Path, raw: bytes) -> list[RawTable]:
    """One table per sheet; the header is the first row with at least two filled cells."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as error:  # calamine raises its own error types for a damaged zip
        raise SourceError(
            path, f"classeur illisible ({error})", expected="un fichier xlsx valide"
        ) from None
    tables: list[RawTable] = []
    for name in workbook.sheet_names:
        try:
            cells = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except CalamineError as error:  # e.g. an XML entity declared in the file (&x;)
            raise SourceError(
                path,
                f"feuille « {name} » illisible : son XML n'est pas celui d'un classeur ordinaire"
                f" (détail technique : {error})",
                expected="un classeur xlsx tel qu'Excel ou LibreOffice l'enregistre",
            ) from None
        header_index = next(
            (i for i, row in enumerate(cells) if sum(1 for c in row if _cell_text(c).strip()) >= 2),
            None,
        )
        if header_index is None:
            continue
        header = [_cell_text(c) for c in cells[header_index]]
        rows, lines = [], []
        for offset, row in enumerate(cells[header_index + 1 :], start=header_index + 2):
            texts = [_cell_text(c) for c in row]
            if any(t.strip() for t in texts):
                rows.append(texts)
                lines.append(offset)
        tables.append(RawTable(path, "xlsx", header, rows, lines, part=name))
    return tables
