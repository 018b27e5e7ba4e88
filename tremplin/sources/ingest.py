"""Loading official files into the store: all or nothing, traced to their provenance.

``load_paths`` reads every file first (recognise, type, count problems) and writes only when all
of them are sound, in one transaction: after a failure — or a killed process — the store is
exactly as before. A file already loaded (same sha256) is skipped; a file of the same dataset,
variant and millésime as one already loaded replaces it; a new millésime adds to the old ones.

Two loads never write at the same time: the writing transaction first takes the store's load
lock (:func:`take_load_lock`); a second load waits for the first to finish, and gives up with
:class:`~tremplin.errors.Busy` (nothing written) if it does not finish in time.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from tremplin.errors import Busy
from tremplin.sources.detect import Match, recognise
from tremplin.sources.errors import RowProblem, SourceError, UnrecognisedFile
from tremplin.sources.parse import ParsedTable, parse
from tremplin.sources.rawtable import DATA_SUFFIXES
from tremplin.sources.readers import read_tables
from tremplin.sources.registry import DATASETS
from tremplin.sources.spec import Dataset
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.schema import rejected_rows, source_files

DEMO_MARKER = ".tremplin-demo"
DOCUMENT_SUFFIXES = {".md", ".rst", ".txt", ".pdf", ".doc", ".docx", ".odt", ".html", ".htm"}
DOCUMENT_NAMES = ("readme", "lisezmoi", "licence", "license", "changelog")
# A file whose share of rejected rows is above this is not the dataset it seems to be.
MAX_REJECTED_SHARE = 0.10
MAX_REJECTED_FLOOR = 20
INSERT_CHUNK = 5_000
_ALREADY_LOADED = "déjà chargé (même empreinte sha256)"
_OUTSIDE = "lien symbolique vers un fichier hors du dossier chargé : non suivi"
# How long a load waits for another one to finish writing before giving up (seconds).
LOCK_WAIT_SECONDS = 10.0
# The key of the PostgreSQL advisory lock every load takes ("TRMP" in ASCII).
_PG_LOCK_KEY = 0x54524D50

Progress = Callable[[str, int, int], None]


def _no_progress(_message: str, _done: int, _total: int) -> None:
    return None


@dataclass
class FileOutcome:
    """What happened to one file (or one sheet of a workbook)."""

    path: Path
    status: str  # "chargé", "remplacé", "inchangé", "ignoré", "retiré"
    dataset: str | None = None
    millesime: str | None = None
    rows_loaded: int = 0
    rows_rejected: int = 0
    cells_suppressed: int = 0
    note: str = ""
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class LoadReport:
    outcomes: list[FileOutcome]

    @property
    def loaded(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status in ("chargé", "remplacé")]


@dataclass
class _Candidate:
    path: Path
    explicit: bool
    demo: bool


@dataclass
class _Prepared:
    candidate: _Candidate
    raw_size: int
    sha256: str
    parsed: ParsedTable
    millesime: str | None
    variant: str


def _is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES or path.name.lower().startswith(DOCUMENT_NAMES)


def _has_demo_marker(path: Path, root: Path) -> bool:
    for folder in (path.parent, *path.parent.parents):
        if (folder / DEMO_MARKER).exists():
            return True
        if folder == root:
            break
    return False


def collect(paths: Sequence[Path]) -> tuple[list[_Candidate], list[FileOutcome]]:
    """The files to read under ``paths``, and the ones passed over with a note."""
    candidates: list[_Candidate] = []
    skipped: list[FileOutcome] = []
    for given in paths:
        if given.is_file():
            candidates.append(_Candidate(given, True, _has_demo_marker(given, given.parent)))
            continue
        if not given.is_dir():
            raise SourceError(
                given, "fichier ou dossier introuvable", expected="un chemin existant"
            )
        root = given.resolve()
        for path in sorted(p for p in given.rglob("*") if p.is_file()):
            relative = path.relative_to(given)
            if not path.resolve().is_relative_to(root):
                # Never read, so nothing of a file elsewhere on the server is ever shown.
                skipped.append(FileOutcome(path, "ignoré", note=_OUTSIDE))
            elif any(part.startswith(".") for part in relative.parts):
                skipped.append(FileOutcome(path, "ignoré", note="fichier caché"))
            elif _is_document(path):
                skipped.append(
                    FileOutcome(path, "ignoré", note="document (pas un fichier de données)")
                )
            elif path.suffix.lower() not in DATA_SUFFIXES:
                skipped.append(
                    FileOutcome(path, "ignoré", note=f"format « {path.suffix} » non pris en charge")
                )
            else:
                candidates.append(_Candidate(path, False, _has_demo_marker(path, given)))
    return candidates, skipped


def _millesime(match: Match, parsed: ParsedTable, override: str | None) -> str | None:
    if override:
        return override
    dataset = match.dataset
    if dataset.millesime_column:
        values = parsed.frame.get_column(dataset.millesime_column).drop_nulls().cast(pl.String)
        distinct = sorted(set(values.to_list()))
        if distinct:
            years = [v.replace("_", "-") for v in distinct]
            return ", ".join(years) if len(years) <= 3 else f"{years[0]} … {years[-1]}"
    if dataset.millesime_pattern:
        found = re.search(dataset.millesime_pattern, match.table.path.stem)
        if found:
            return found.group(1).replace("_", "-")
    return None


def _check_problems(parsed: ParsedTable, strict: bool) -> None:
    problems = parsed.problems
    if not problems:
        return
    path = parsed.match.table.path
    first = problems[0]
    rejected = len({p.line for p in problems})
    if strict:
        raise SourceError(
            path,
            f"{first.reason} — valeur « {first.value} » ; {rejected} ligne(s) en défaut "
            "refusée(s) en mode strict",
            line=first.line,
            column=first.column,
        )
    limit = max(MAX_REJECTED_FLOOR, int(MAX_REJECTED_SHARE * parsed.rows_read))
    if rejected > limit:
        raise SourceError(
            path,
            f"{rejected} lignes sur {parsed.rows_read} sont invalides : le fichier ne semble pas "
            f"au format attendu ; première erreur : {first.reason}, valeur « {first.value} »",
            line=first.line,
            column=first.column,
        )


def prepare(
    candidates: Iterable[_Candidate],
    known_sha256: set[str],
    *,
    strict: bool,
    millesime: str | None,
    datasets: Sequence[Dataset] = DATASETS,
    progress: Progress = _no_progress,
) -> tuple[list[_Prepared], list[FileOutcome]]:
    """Read, recognise and type every candidate; nothing is written. Raises on a bad file."""
    prepared: list[_Prepared] = []
    outcomes: list[FileOutcome] = []
    todo = list(candidates)
    for done, candidate in enumerate(todo, start=1):
        progress(f"Lecture de {candidate.path.name}", done - 1, len(todo))
        raw = candidate.path.read_bytes()
        sha256 = hashlib.sha256(raw).hexdigest()
        if sha256 in known_sha256:
            outcomes.append(FileOutcome(candidate.path, "inchangé", note=_ALREADY_LOADED))
            continue
        try:
            matches = recognise(read_tables(candidate.path, raw), datasets)
        except UnrecognisedFile as error:
            if candidate.explicit:
                raise
            outcomes.append(FileOutcome(candidate.path, "ignoré", note=str(error)))
            continue
        for match in matches:
            parsed = parse(match)
            _check_problems(parsed, strict)
            prepared.append(
                _Prepared(
                    candidate,
                    len(raw),
                    sha256,
                    parsed,
                    _millesime(match, parsed, millesime),
                    match.dataset.variant(parsed.frame),
                )
            )
    progress("Lecture terminée", len(todo), len(todo))
    seen: dict[tuple[str, str, str | None], Path] = {}
    for item in prepared:
        key = (item.parsed.match.dataset.name, item.variant, item.millesime)
        if key in seen:
            raise SourceError(
                item.candidate.path,
                f"même jeu de données et même millésime ({item.millesime or 'non daté'}) que "
                f"{seen[key].name} : lequel garder ?",
                expected="un seul fichier par jeu et par millésime (précisez --annee si besoin)",
            )
        seen[key] = item.candidate.path
    return prepared, outcomes


def _insert_rows(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    """Insert ``frame`` into ``table`` inside the current transaction: PostgreSQL's COPY when
    the store is PostgreSQL (several times faster than one INSERT per row), else executemany."""
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), frame.to_dicts())
        return
    columns = ", ".join(f'"{name}"' for name in frame.columns)
    driver = conn.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in frame.iter_rows():
            copy.write_row(row)


def _delete_file(conn: sa.Connection, file_id: int, dataset: str) -> None:
    table = DATASET_TABLES[dataset]
    conn.execute(table.delete().where(table.c.source_file_id == file_id))
    conn.execute(rejected_rows.delete().where(rejected_rows.c.source_file_id == file_id))
    conn.execute(source_files.delete().where(source_files.c.id == file_id))


def _keep_demo_apart(conn: sa.Connection, prepared: Sequence[_Prepared]) -> list[FileOutcome]:
    """Fictional and real data never mix: real files push demo data out of the store, and demo
    files are refused by a store that holds real data."""
    if not prepared:
        return []
    demo = {item.candidate.demo for item in prepared}
    if demo == {True, False}:
        raise SourceError(
            prepared[0].candidate.path,
            "ce chargement mêle des fichiers de démonstration (fictifs) et des fichiers réels",
            expected="charger les uns ou les autres, pas les deux",
        )
    stored = conn.execute(
        sa.select(source_files.c.id, source_files.c.dataset, source_files.c.file_name).where(
            source_files.c.is_demo.is_(not demo.pop())
        )
    ).all()
    if not stored:
        return []
    if prepared[0].candidate.demo:
        raise SourceError(
            prepared[0].candidate.path,
            "la base contient des données réelles : les données fictives de démonstration "
            "n'y sont pas chargées",
            expected="une autre base pour la démonstration (TREMPLIN_DATABASE_URL)",
        )
    for file_id, dataset, _name in stored:
        _delete_file(conn, file_id, dataset)
    return [
        FileOutcome(Path(name), "retiré", dataset=dataset, note="données de démonstration")
        for _id, dataset, name in stored
    ]


def _write(conn: sa.Connection, item: _Prepared, progress: Progress) -> FileOutcome:
    parsed = item.parsed
    match = parsed.match
    dataset = match.dataset
    table = DATASET_TABLES[dataset.name]
    previous = (
        conn.execute(
            sa.select(source_files.c.id).where(
                source_files.c.dataset == dataset.name,
                source_files.c.variant == item.variant,
                (source_files.c.millesime == item.millesime)
                if item.millesime is not None
                else source_files.c.millesime.is_(None),
            )
        )
        .scalars()
        .all()
    )
    for old_id in previous:
        _delete_file(conn, old_id, dataset.name)
    rejected_lines = {p.line for p in parsed.problems}
    column_map = {
        name: ("≈ " if name in match.approximate else "") + match.table.column_label(index)
        for name, index in match.positions.items()
    }
    inserted = conn.execute(
        source_files.insert().values(
            dataset=dataset.name,
            variant=item.variant,
            millesime=item.millesime,
            file_name=item.candidate.path.name,
            path=str(item.candidate.path),
            part=match.table.part,
            sha256=item.sha256,
            size_bytes=item.raw_size,
            format=match.table.format,
            encoding=match.table.encoding,
            separator=match.table.separator,
            loaded_at=datetime.now(UTC),
            rows_loaded=parsed.frame.height,
            rows_rejected=len(rejected_lines),
            cells_suppressed=parsed.cells_suppressed,
            column_map=json.dumps(column_map, ensure_ascii=False),
            ignored_columns=json.dumps(match.ignored_columns, ensure_ascii=False),
            is_demo=item.candidate.demo,
            rows_sha256=dataset.rows_sha256(parsed.frame),
        )
    ).inserted_primary_key
    assert inserted is not None
    file_id = int(inserted[0])
    names = [name for name, _kind in dataset.stored_columns()]
    frame = parsed.frame.select("line", *names).with_columns(source_file_id=pl.lit(file_id))
    total = frame.height
    for start in range(0, total, INSERT_CHUNK):
        _insert_rows(conn, table, frame.slice(start, INSERT_CHUNK))
        progress(f"Écriture de {item.candidate.path.name}", min(start + INSERT_CHUNK, total), total)
    if parsed.problems:
        conn.execute(
            rejected_rows.insert(),
            [
                {
                    "source_file_id": file_id,
                    "line": p.line,
                    "column": p.column,
                    "value": p.value,
                    "reason": p.reason,
                }
                for p in parsed.problems
            ],
        )
    return FileOutcome(
        item.candidate.path,
        "remplacé" if previous else "chargé",
        dataset=dataset.name,
        millesime=item.millesime,
        rows_loaded=parsed.frame.height,
        rows_rejected=len(rejected_lines),
        cells_suppressed=parsed.cells_suppressed,
        note=f"feuille « {match.table.part} »" if match.table.format == "xlsx" else "",
        problems=parsed.problems,
    )


def take_load_lock(conn: sa.Connection, wait: float | None = None) -> None:
    """Make the transaction just begun on ``conn`` the only load writing to the store until it
    ends, waiting up to ``wait`` seconds (default :data:`LOCK_WAIT_SECONDS`) for another one.

    SQLite: ``BEGIN IMMEDIATE`` (the database's single write lock, with a busy timeout);
    PostgreSQL: a transaction-scoped advisory lock. Raises :class:`~tremplin.errors.Busy` when
    the other load does not finish in time.
    """
    seconds = LOCK_WAIT_SECONDS if wait is None else wait
    busy = Busy(
        "un autre chargement est en cours sur cette base ; relancez celui-ci quand il sera terminé"
    )
    if conn.dialect.name == "postgresql":
        deadline = time.monotonic() + seconds
        lock = sa.text("SELECT pg_try_advisory_xact_lock(:key)")
        while not conn.execute(lock, {"key": _PG_LOCK_KEY}).scalar_one():
            if time.monotonic() >= deadline:
                raise busy
            time.sleep(0.1)
        return
    if conn.dialect.name != "sqlite":
        return
    previous = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except sa.exc.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
        raise busy from None
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous)}")


def load_paths(
    engine: sa.Engine,
    paths: Sequence[Path],
    *,
    strict: bool = False,
    millesime: str | None = None,
    progress: Progress = _no_progress,
    lock_wait: float | None = None,
) -> LoadReport:
    """Load every official file under ``paths`` into the store, all or nothing.

    Raises :class:`SourceError` (nothing written) when a file cannot be loaded; with ``strict``,
    a single bad row is enough. Raises :class:`~tremplin.errors.Busy` (nothing written) when
    another load keeps writing for more than ``lock_wait`` seconds (see :func:`take_load_lock`).
    Returns what happened to each file.
    """
    candidates, skipped = collect(paths)
    with engine.connect() as conn:
        known = set(conn.execute(sa.select(source_files.c.sha256)).scalars())
    prepared, outcomes = prepare(
        candidates, known, strict=strict, millesime=millesime, progress=progress
    )
    written: list[FileOutcome] = []
    with engine.begin() as conn:
        take_load_lock(conn, lock_wait)
        # A load that ran meanwhile may have stored some of these files already.
        stored = set(conn.execute(sa.select(source_files.c.sha256)).scalars()) - known
        for path in dict.fromkeys(i.candidate.path for i in prepared if i.sha256 in stored):
            outcomes.append(FileOutcome(path, "inchangé", note=_ALREADY_LOADED))
        prepared = [item for item in prepared if item.sha256 not in stored]
        written.extend(_keep_demo_apart(conn, prepared))
        for item in prepared:
            written.append(_write(conn, item, progress))
    return LoadReport(skipped + outcomes + written)
