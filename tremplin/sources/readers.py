"""Any data file as raw tables: the reader is chosen by the file's first bytes, not its name."""

from __future__ import annotations

from pathlib import Path

from tremplin.sources.csvfile import read_csv
from tremplin.sources.jsondoc import read_json
from tremplin.sources.rawtable import RawTable
from tremplin.sources.workbook import read_workbook

__all__ = ["read_tables"]


def read_tables(path: Path, raw: bytes) -> list[RawTable]:
    """Every table of the file at ``path`` whose bytes are ``raw``: an xlsx workbook (a zip), a
    JSON document (starts with ``[`` or ``{``), else a CSV."""
    if raw[:4] == b"PK\x03\x04":
        return read_workbook(path, raw)
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"[", b"{"):
        return read_json(path, raw)
    return [read_csv(path, raw)]
