"""Reading back what was loaded: files, their provenance, what to be wary of in them, and the
rows they had rejected."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tremplin.store.schema import rejected_rows, source_files


@dataclass(frozen=True)
class LoadedFile:
    """One loaded file and its provenance."""

    id: int
    dataset: str
    variant: str
    millesime: str | None
    file_name: str
    path: str
    sha256: str
    size_bytes: int
    format: str
    encoding: str | None
    separator: str | None
    loaded_at: datetime
    rows_loaded: int
    rows_rejected: int
    cells_suppressed: int
    column_map: dict[str, str]
    ignored_columns: list[str]
    is_demo: bool
    rows_sha256: str | None = None
    # French sentences saying what to be wary of in this file (empty when nothing).
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The public JSON shape (``tremplin sources --json`` and ``/api/v1/sources``)."""
        return {
            "dataset": self.dataset,
            "variant": self.variant,
            "file": self.file_name,
            "path": self.path,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "year": self.millesime,
            "format": self.format,
            "encoding": self.encoding,
            "separator": self.separator,
            "loaded_at": self.loaded_at.isoformat(),
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "cells_suppressed": self.cells_suppressed,
            "columns": self.column_map,
            "ignored_columns": self.ignored_columns,
            "demo": self.is_demo,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class RejectedRow:
    line: int
    column: str | None
    value: str | None
    reason: str


def demo_loaded(conn: sa.Connection) -> bool:
    """Whether a file of the demo territory is loaded (one small query: every page asks)."""
    return bool(conn.execute(sa.select(sa.exists().where(source_files.c.is_demo))).scalar())


def list_loaded_files(conn: sa.Connection) -> list[LoadedFile]:
    """Every loaded file, by dataset, then millésime, then file name, with its warnings."""
    query = sa.select(source_files).order_by(
        source_files.c.dataset, source_files.c.millesime, source_files.c.file_name
    )
    files = [
        LoadedFile(
            id=row.id,
            dataset=row.dataset,
            variant=row.variant,
            millesime=row.millesime,
            file_name=row.file_name,
            path=row.path,
            sha256=row.sha256,
            size_bytes=row.size_bytes,
            format=row.format,
            encoding=row.encoding,
            separator=row.separator,
            # SQLite keeps no time zone: what it stores is UTC (see sources.ingest).
            loaded_at=row.loaded_at if row.loaded_at.tzinfo else row.loaded_at.replace(tzinfo=UTC),
            rows_loaded=row.rows_loaded,
            rows_rejected=row.rows_rejected,
            cells_suppressed=row.cells_suppressed,
            column_map=json.loads(row.column_map),
            ignored_columns=json.loads(row.ignored_columns),
            is_demo=row.is_demo,
            rows_sha256=row.rows_sha256,
        )
        for row in conn.execute(query)
    ]
    return [replace(loaded, warnings=file_warnings(loaded, files)) for loaded in files]


def _year(loaded: LoadedFile) -> str:
    return f"millésime {loaded.millesime}" if loaded.millesime else "non daté"


def file_warnings(loaded: LoadedFile, files: list[LoadedFile]) -> list[str]:
    """What to be wary of in ``loaded``, among all the loaded ``files``: a file without data
    rows, a file whose rows are those of an earlier millésime of the same dataset."""
    warnings: list[str] = []
    if loaded.rows_loaded == 0 and loaded.rows_rejected == 0:
        warnings.append("Aucune ligne de données : le fichier n'a que son en-tête.")
    if loaded.rows_sha256 is None or loaded.rows_loaded == 0:
        return warnings
    # The later millésime is the suspect one: it names the earliest file it repeats.
    earlier = [
        other
        for other in files
        if other.dataset == loaded.dataset
        and other.variant == loaded.variant
        and other.rows_sha256 == loaded.rows_sha256
        and (other.millesime or "") < (loaded.millesime or "")
    ]
    if earlier:
        first = min(earlier, key=lambda other: other.millesime or "")
        warnings.append(
            f"Mêmes lignes que {first.file_name} ({_year(first)}), dans un autre ordre : ce "
            f"{_year(loaded)} reprend sans doute ce fichier au lieu de décrire une autre année."
        )
    return warnings


def list_rejected_rows(
    conn: sa.Connection, source_file_id: int, limit: int = 100
) -> list[RejectedRow]:
    """The rows of one file that were left out, in file order (at most ``limit``)."""
    query = (
        sa.select(rejected_rows)
        .where(rejected_rows.c.source_file_id == source_file_id)
        .order_by(rejected_rows.c.line)
        .limit(limit)
    )
    return [RejectedRow(r.line, r.column, r.value, r.reason) for r in conn.execute(query)]


def year_warnings(files: list[LoadedFile]) -> dict[tuple[str, str], list[str]]:
    """(dataset, millésime) → the warnings of its files, for wherever that year is shown."""
    found: dict[tuple[str, str], list[str]] = {}
    for loaded in files:
        if loaded.warnings and loaded.millesime:
            found.setdefault((loaded.dataset, loaded.millesime), []).extend(loaded.warnings)
    return found
