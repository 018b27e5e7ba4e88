"""A file's content as a header and rows of strings, whatever its format.

Each format's reader (``csvfile``, ``workbook``, ``jsondoc``) gives :class:`RawTable` objects,
one per table of the file (one per sheet, one per model of a Django fixture…);
:func:`tremplin.sources.readers.read_tables` picks the reader. Lines are numbered as the person
sees them in the file: the header is line 1 of a CSV, row numbers are Excel's.
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
