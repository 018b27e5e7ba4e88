"""The ``jobs`` table, read and written: a job's life from queued to finished.

Every change of state is one ``UPDATE … WHERE status = …``, so that two processes racing for
the same job (two pools on one SQLite file, a procrastinate retry) cannot both run it.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tremplin.store.schema import jobs as jobs_table

__all__ = [
    "ACTIVE",
    "ANNULEE",
    "ECHEC",
    "EN_ATTENTE",
    "EN_COURS",
    "FINISHED",
    "KEPT",
    "STATUTS",
    "TERMINEE",
    "Job",
    "active_count",
    "cancel",
    "claim",
    "create",
    "finish",
    "get",
    "jobs_of",
    "new_id",
    "prune",
    "queued_ids",
    "release_orphans",
    "report_progress",
    "this_runner",
]

EN_ATTENTE, EN_COURS, TERMINEE, ECHEC, ANNULEE = (
    "en_attente",
    "en_cours",
    "terminee",
    "echec",
    "annulee",
)
STATUTS = {
    EN_ATTENTE: "En attente",
    EN_COURS: "En cours",
    TERMINEE: "Terminée",
    ECHEC: "Échec",
    ANNULEE: "Annulée",
}
"""Each state of a job (queued, running, done, failed, cancelled) and its French label."""
KEPT = timedelta(days=90)
"""How long a finished job is kept (then :func:`prune` deletes it, at each start of a queue)."""
ACTIVE = (EN_ATTENTE, EN_COURS)
FINISHED = (TERMINEE, ECHEC, ANNULEE)


@dataclass(frozen=True)
class Job:
    """One row of ``jobs``: what was asked, by whom, its state and, once done, its result."""

    id: str
    kind: str
    owner: str | None
    quota_key: str
    status: str
    progress: int
    progress_total: int
    parameters: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    runner: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Job:
        return cls(
            id=row["id"],
            kind=row["kind"],
            owner=row["owner"],
            quota_key=row["quota_key"],
            status=row["status"],
            progress=row["progress"],
            progress_total=row["progress_total"],
            parameters=json.loads(row["parameters"]),
            result=None if row["result"] is None else json.loads(row["result"]),
            error=row["error"],
            runner=row["runner"],
            created_at=_aware(row["created_at"]),
            started_at=_aware(row["started_at"]),
            finished_at=_aware(row["finished_at"]),
        )


def _aware(value: datetime | None) -> Any:
    # SQLite gives back naive datetimes: every stamp written here is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A job id: 128 random bits in hex, neither guessable nor enumerable."""
    return secrets.token_hex(16)


def this_runner() -> str:
    """« host:pid » of this process, written on the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def create(
    conn: sa.Connection,
    kind: str,
    parameters: Mapping[str, Any],
    *,
    owner: str | None,
    quota_key: str,
    progress_total: int = 0,
) -> Job:
    """Write a new queued job and give it back."""
    values = {
        "id": new_id(),
        "kind": kind,
        "owner": owner,
        "quota_key": quota_key,
        "status": EN_ATTENTE,
        "progress": 0,
        "progress_total": progress_total,
        "parameters": json.dumps(parameters, ensure_ascii=False),
        "result": None,
        "error": None,
        "runner": None,
        "created_at": _now(),
        "started_at": None,
        "finished_at": None,
    }
    conn.execute(jobs_table.insert().values(values))
    return Job.from_row(values)


def get(conn: sa.Connection, identifier: str) -> Job | None:
    """The job ``identifier``, or None."""
    row = conn.execute(jobs_table.select().where(jobs_table.c.id == identifier)).mappings().first()
    return None if row is None else Job.from_row(row)


def jobs_of(
    conn: sa.Connection, *, owner: str | None = None, ids: Iterable[str] = (), limit: int = 50
) -> list[Job]:
    """The jobs of ``owner`` and those of ``ids``, the newest first (at most ``limit``)."""
    wanted = list(dict.fromkeys(ids))[:limit]
    conditions = []
    if owner is not None:
        conditions.append(jobs_table.c.owner == owner)
    if wanted:
        conditions.append(jobs_table.c.id.in_(wanted))
    if not conditions:
        return []
    query = (
        jobs_table.select()
        .where(sa.or_(*conditions))
        .order_by(jobs_table.c.created_at.desc())
        .limit(limit)
    )
    return [Job.from_row(row) for row in conn.execute(query).mappings()]


def active_count(conn: sa.Connection, quota_key: str | None = None) -> int:
    """Jobs queued or running (of ``quota_key`` only, when given)."""
    query = sa.select(sa.func.count()).where(jobs_table.c.status.in_(ACTIVE))
    if quota_key is not None:
        query = query.where(jobs_table.c.quota_key == quota_key)
    return int(conn.execute(query).scalar_one())


def queued_ids(conn: sa.Connection) -> list[str]:
    """The queued jobs, the oldest first."""
    query = (
        sa.select(jobs_table.c.id)
        .where(jobs_table.c.status == EN_ATTENTE)
        .order_by(jobs_table.c.created_at)
    )
    return list(conn.execute(query).scalars())


def claim(conn: sa.Connection, identifier: str, *, again: bool = False) -> Job | None:
    """Mark the job running by this process and give it back; None when it is not queued
    (taken by another process, cancelled, finished). With ``again``, a job left running (by a
    worker that died: procrastinate gives it again) may be claimed too."""
    allowed = ACTIVE if again else (EN_ATTENTE,)
    done = conn.execute(
        jobs_table.update()
        .where(jobs_table.c.id == identifier, jobs_table.c.status.in_(allowed))
        .values(status=EN_COURS, started_at=_now(), runner=this_runner(), progress=0)
    )
    return get(conn, identifier) if done.rowcount == 1 else None


def report_progress(conn: sa.Connection, identifier: str, done: int) -> str | None:
    """Write the job's progress; give back its state (« annulee »: the runner stops)."""
    conn.execute(
        jobs_table.update()
        .where(jobs_table.c.id == identifier, jobs_table.c.status == EN_COURS)
        .values(progress=done)
    )
    found = conn.execute(
        sa.select(jobs_table.c.status).where(jobs_table.c.id == identifier)
    ).scalar_one_or_none()
    return None if found is None else str(found)


def finish(
    conn: sa.Connection,
    identifier: str,
    status: str,
    *,
    result: Mapping[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """Write the end of a running job: its result (« terminee ») or its error in French."""
    done = conn.execute(
        jobs_table.update()
        .where(jobs_table.c.id == identifier, jobs_table.c.status == EN_COURS)
        .values(
            status=status,
            finished_at=_now(),
            result=None if result is None else json.dumps(result, ensure_ascii=False),
            error=error,
        )
    )
    return done.rowcount == 1


def cancel(conn: sa.Connection, identifier: str) -> bool:
    """Cancel a queued or running job (a running one stops at its next progress report)."""
    done = conn.execute(
        jobs_table.update()
        .where(jobs_table.c.id == identifier, jobs_table.c.status.in_(ACTIVE))
        .values(status=ANNULEE, finished_at=_now())
    )
    return done.rowcount == 1


def release_orphans(conn: sa.Connection, alive: Sequence[str] = ()) -> int:
    """Queue again the jobs left running by a process of this host that is gone (its pid no
    longer exists), but those of the runners in ``alive``; how many."""
    host = socket.gethostname()
    running = conn.execute(
        sa.select(jobs_table.c.id, jobs_table.c.runner).where(jobs_table.c.status == EN_COURS)
    ).all()
    orphans = []
    for identifier, runner in running:
        name, _, pid = (runner or "").rpartition(":")
        if name == host and runner not in alive and not _process_exists(pid):
            orphans.append(identifier)
    if orphans:
        conn.execute(
            jobs_table.update()
            .where(jobs_table.c.id.in_(orphans), jobs_table.c.status == EN_COURS)
            .values(status=EN_ATTENTE, runner=None, started_at=None, progress=0)
        )
    return len(orphans)


def _process_exists(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def prune(conn: sa.Connection, older_than: timedelta) -> int:
    """Delete the jobs finished more than ``older_than`` ago; how many."""
    done = conn.execute(
        jobs_table.delete().where(
            jobs_table.c.status.in_(FINISHED), jobs_table.c.finished_at < _now() - older_than
        )
    )
    return done.rowcount
