"""Errors and row problems, worded for the person who holds the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tremplin.errors import InputError


class SourceError(InputError):
    """A file that cannot be loaded. Says which file, line and column, and what was expected."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        where = [str(self.path)]
        if line is not None:
            where.append(f"ligne {line}")
        if column is not None:
            where.append(f"colonne « {column} »")
        super().__init__(message, where=where, expected=expected)


class UnrecognisedFile(SourceError):
    """A file whose header matches no known dataset (skipped with a note inside a folder)."""


@dataclass(frozen=True)
class RowProblem:
    """A row left out of a load, and why."""

    line: int
    column: str | None
    value: str | None
    reason: str

    def describe(self, path: Path | str) -> str:
        column = f", colonne « {self.column} »" if self.column else ""
        value = f" : valeur « {self.value} »" if self.value is not None else ""
        return f"{path}, ligne {self.line}{column}{value} — {self.reason}"
