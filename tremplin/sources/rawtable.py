"""A file's content as a header and rows of strings, whatever its format.

``read_tables`` opens a CSV, an xlsx workbook or a JSON document and gives one :class:`RawTable`
per table it holds (one per sheet, one per model of a Django fixture…). Lines are numbered as the
person sees them in the file: the header is line 1 of a CSV, row numbers are Excel's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DATA_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".json", ".geojson"}


@dataclass
class RawTable:
    path: Path
    format: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str | None = None
    separator: str | None = None
    part: str | None = None  # sheet name, JSON model…
    notes: list[str] = field(default_factory=list)

    def column_label(self, index: int) -> str:
        """How the person sees column ``index``: its header, or its position when unnamed."""
        name = self.header[index].strip() if index < len(self.header) else ""
        return name or f"n° {index + 1}"


def read_tables(path: Path, raw: bytes) -> list[RawTable]:
    """Every table of the file at ``path`` whose bytes are ``raw``."""
    # Imported here so that each format's module stays independent of the others.
    from tremplin.sources import csvfile, jsondoc, workbook

    if raw[:4] == b"PK\x03\x04":
        return workbook.read_workbook(path, raw)
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"[", b"{"):
        return jsondoc.read_json(path, raw)
    return [csvfile.read_csv(path, raw)]
