"""xlsx workbooks (the BMO open-data file): one table per sheet, header on its first full row."""

from __future__ import annotations

import io
import zipfile
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


MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
"""The most a workbook's parts may weigh once decompressed (256 Mio): the BMO file, the largest
official workbook, weighs 28 Mo decompressed; a few megabytes of « zip bomb » would weigh
gigabytes."""


def check_uncompressed_size(path: Path, raw: bytes, limit: int = MAX_UNCOMPRESSED_BYTES) -> None:
    """Refuse (:class:`SourceError`) a workbook whose parts, decompressed, exceed ``limit``
    bytes — by what its zip declares, then by what decompressing it actually gives, stopping at
    the limit (a zip may lie about its sizes)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise SourceError(
            path, f"classeur illisible ({error})", expected="un fichier xlsx valide"
        ) from None
    declared = sum(member.file_size for member in members)
    if declared > limit:
        raise _too_large(path, declared, limit)
    total = 0
    for member in members:
        try:
            with archive.open(member) as part:
                while chunk := part.read(1024 * 1024):
                    total += len(chunk)
                    if total > limit:
                        raise _too_large(path, total, limit)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
            raise SourceError(
                path, f"classeur illisible ({error})", expected="un fichier xlsx valide"
            ) from None


def _too_large(path: Path, size: int, limit: int) -> SourceError:
    mib = 1024 * 1024
    return SourceError(
        path,
        f"classeur refusé : une fois décompressé, il pèserait plus de {size // mib} Mio, "
        f"au-delà de la limite de {limit // mib} Mio (fichier piégé ou endommagé ?)",
        expected=f"un classeur xlsx dont le contenu décompressé pèse au plus {limit // mib} Mio",
    )


def read_workbook(path: Path, raw: bytes) -> list[RawTable]:
    """One table per sheet; the header is the first row with at least two filled cells.
    A workbook that would decompress past :data:`MAX_UNCOMPRESSED_BYTES` is refused first."""
    check_uncompressed_size(path, raw)
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
