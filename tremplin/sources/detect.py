"""Recognising a dataset by its header, not its file name.

Each column of a dataset lists the header names it is known under. A header matches a dataset
when every required column finds its name; the best match is the dataset that explains most of
the header. A column renamed in next year's file is still found when its new name shares most of
its words with a known one (an *approximate* match, recorded as such in the provenance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tremplin.sources.errors import SourceError, UnrecognisedFile
from tremplin.sources.rawtable import RawTable
from tremplin.sources.spec import Dataset, name_blank_headers

# Two names are the same column when they share this share of their words (Jaccard index).
APPROXIMATE_MATCH = 0.75


@dataclass(frozen=True)
class Match:
    """How a table's header maps onto a dataset's columns."""

    dataset: Dataset
    table: RawTable
    positions: dict[str, int]  # column name -> index in the header
    approximate: frozenset[str]  # columns found by approximate name only

    @property
    def missing(self) -> list[str]:
        return [c.name for c in self.dataset.required if c.name not in self.positions]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def nearly_complete(self) -> bool:
        """Most required columns found (at least two): a damaged file of this dataset."""
        found = len(self.dataset.required) - len(self.missing)
        return found >= 2 and found / len(self.dataset.required) >= self.dataset.min_score

    @property
    def score(self) -> tuple[float, int, int]:
        required = self.dataset.required
        found = sum(1 for c in required if c.name in self.positions)
        share = found / len(required) if required else 0.0
        explained = len(self.positions) - len(self.approximate)
        return share, explained, -len(self.table.header)

    @property
    def ignored_columns(self) -> list[str]:
        used = set(self.positions.values())
        return [self.table.column_label(i) for i in range(len(self.table.header)) if i not in used]


def _words(name: str) -> set[str]:
    return {w for w in name.replace("+", "_").split("_") if w}


def _similarity(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def match_header(dataset: Dataset, table: RawTable) -> Match:
    """Map ``table``'s header onto ``dataset``: exact names first, then approximate ones."""
    names = name_blank_headers(table.header)
    taken: set[int] = set()
    positions: dict[str, int] = {}
    for column in dataset.columns:
        for alias in column.aliases:
            index = next((i for i, n in enumerate(names) if n == alias and i not in taken), None)
            if index is not None:
                positions[column.name] = index
                taken.add(index)
                break
    approximate: set[str] = set()
    for column in dataset.columns:
        if column.name in positions:
            continue
        scored = sorted(
            (
                (max(_similarity(alias, n) for alias in column.aliases), i)
                for i, n in enumerate(names)
                if i not in taken and "+" not in n
            ),
            reverse=True,
        )
        if (
            scored
            and scored[0][0] >= APPROXIMATE_MATCH
            and (len(scored) == 1 or scored[1][0] < scored[0][0])
        ):
            positions[column.name] = scored[0][1]
            taken.add(scored[0][1])
            approximate.add(column.name)
    return Match(dataset, table, positions, frozenset(approximate))


def recognise(tables: Sequence[RawTable], datasets: Sequence[Dataset]) -> list[Match]:
    """The dataset of each table that has one; raises when no table of the file is recognised.

    A table that nearly matches a dataset (at least ``min_score`` of its required columns) but
    misses some gets an error that names the missing columns.
    """
    matches: list[Match] = []
    nearest: Match | None = None
    for table in tables:
        candidates = [match_header(d, table) for d in datasets]
        complete = [m for m in candidates if m.complete]
        if complete:
            matches.append(max(complete, key=lambda m: m.score))
            continue
        best = max(candidates, key=lambda m: m.score, default=None)
        if (
            best is not None
            and best.nearly_complete
            and (nearest is None or best.score > nearest.score)
        ):
            nearest = best
    if matches:
        return matches
    path = tables[0].path if tables else None
    if nearest is not None:
        missing = [nearest.dataset.column(name) for name in nearest.missing]
        names = ", ".join(f"« {c.aliases[0]} »" for c in missing)
        raise SourceError(
            nearest.table.path,
            f"colonne(s) manquante(s) pour le jeu « {nearest.dataset.title} » : {names}",
            line=1,
            expected="l'en-tête complet du fichier officiel",
        )
    header = ", ".join(tables[0].header[:6]) if tables else ""
    raise UnrecognisedFile(
        path or "?",
        f"fichier non reconnu : son en-tête ({header}…) ne correspond à aucun jeu de données connu",
        line=1,
        expected="un fichier officiel pris en charge (voir « tremplin sources --formats »)",
    )
