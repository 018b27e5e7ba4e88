"""Submitting a job: the quotas, the row in the store, then the queue that will run it.

:class:`JobQueue` is what interfaces use. It refuses a job when the person asking already has
``per_person`` jobs queued or running (:class:`~tremplin.errors.TooManyRequests`, 429) or when
``bound`` jobs are queued or running in all (:class:`~tremplin.errors.Busy`, 503), both with a
French message and a delay to retry; otherwise it writes the job and hands its id to the
runner of the store: a :class:`~tremplin.jobs.local_pool.LocalPool` on SQLite, procrastinate
on PostgreSQL (:func:`open_queue`). A job submitted or cancelled for an ``actor`` is a line of
the audit log (:func:`tremplin.store.audit.record`) in the same transaction as its row.
Counting and writing are not one lock: under concurrent submissions from several web processes
the bound may be passed by at most one job per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import sqlalchemy as sa

from tremplin.errors import Busy, NotFound, TooManyRequests
from tremplin.jobs import records
from tremplin.jobs.local_pool import LocalPool
from tremplin.jobs.runner import JobRunner
from tremplin.jobs.visibility import Viewer, may_read
from tremplin.store.audit import Actor, record

__all__ = ["RETRY_AFTER", "JobQueue", "Runner", "open_queue"]

RETRY_AFTER = 30
"""Seconds a refused client is told to wait (``Retry-After``)."""


class Runner(Protocol):
    """What runs the queued jobs: picks up what was left at start, takes new ids, stops."""

    def start(self) -> int: ...

    def enqueue(self, identifier: str) -> None: ...

    def close(self, wait: bool = False) -> None: ...


class JobQueue:
    """The jobs of one store: submitted within quotas, read as their owner's rule allows."""

    def __init__(self, engine: sa.Engine, runner: Runner, *, per_person: int, bound: int) -> None:
        self.engine = engine
        self.runner = runner
        self.per_person = per_person
        self.bound = bound

    def submit(
        self,
        kind: str,
        parameters: Mapping[str, Any],
        *,
        owner: str | None,
        quota_key: str,
        progress_total: int = 0,
        actor: Actor | None = None,
        audited: Mapping[str, Any] | None = None,
    ) -> records.Job:
        """Write a job and queue it; raises TooManyRequests or Busy when over a quota.

        With an ``actor``, the audit log gets « <kind>.lancer » on « <kind>:<id> » with
        ``audited`` (what the log should say of the job: never a secret) as *after*."""
        with self.engine.begin() as conn:
            mine = records.active_count(conn, quota_key)
            if mine >= self.per_person:
                raise TooManyRequests(
                    f"vous avez déjà {mine} simulation{'s' if mine > 1 else ''} en attente ou "
                    "en cours : réessayer quand l'une d'elles sera terminée",
                    retry_after=RETRY_AFTER,
                )
            everyone = records.active_count(conn)
            if everyone >= self.bound:
                raise Busy(
                    f"la file des simulations est pleine ({everyone} en attente ou en cours) : "
                    "réessayer dans quelques minutes",
                    retry_after=RETRY_AFTER,
                )
            job = records.create(
                conn,
                kind,
                parameters,
                owner=owner,
                quota_key=quota_key,
                progress_total=progress_total,
            )
            if actor is not None:
                record(conn, actor, f"{kind}.lancer", f"{kind}:{job.id}", after=audited or {})
        try:
            self.runner.enqueue(job.id)
        except Exception:
            with self.engine.begin() as conn:  # not queued: say so rather than wait forever
                records.claim(conn, job.id)
                records.finish(
                    conn, job.id, records.ECHEC, error="la simulation n'a pas pu être mise en file"
                )
            raise
        return job

    def get(self, identifier: str, viewer: Viewer) -> records.Job:
        """The job ``identifier`` if ``viewer`` may read it; NotFound otherwise (the same
        answer as for an id that does not exist: ids are not probed one by one)."""
        with self.engine.connect() as conn:
            job = records.get(conn, identifier[:64])
        if job is None or not may_read(job, viewer):
            raise NotFound(f"simulation « {identifier[:64]} » inconnue")
        return job

    def jobs(self, viewer: Viewer, known: Iterable[str] = ()) -> list[records.Job]:
        """The jobs of ``viewer``'s account and those of the ``known`` ids it may read."""
        with self.engine.connect() as conn:
            found = records.jobs_of(conn, owner=viewer.account, ids=known)
        return [job for job in found if may_read(job, viewer)]

    def cancel(
        self,
        identifier: str,
        viewer: Viewer,
        *,
        actor: Actor | None = None,
        audited: Mapping[str, Any] | None = None,
    ) -> records.Job:
        """Cancel a queued or running job ``viewer`` may read; the job as it is then.

        With an ``actor``, a job actually cancelled is « <kind>.annuler » in the audit log, its
        status before and after, with ``audited``; cancelling a finished job writes nothing."""
        found = self.get(identifier, viewer)
        with self.engine.begin() as conn:
            if records.cancel(conn, found.id) and actor is not None:
                said = dict(audited or {})
                record(
                    conn,
                    actor,
                    f"{found.kind}.annuler",
                    f"{found.kind}:{found.id}",
                    before=said | {"statut": found.status},
                    after=said | {"statut": records.ANNULEE},
                )
        return self.get(identifier, viewer)

    def close(self, wait: bool = False) -> None:
        """Stop taking jobs (``wait``: and let the running ones end first)."""
        self.runner.close(wait)


def open_queue(
    engine: sa.Engine,
    database_url: str,
    runner: JobRunner,
    *,
    per_person: int,
    bound: int,
    pool_size: int,
) -> JobQueue:
    """The queue of the store at ``database_url``: procrastinate on PostgreSQL (its tables
    created if needed), a pool of ``pool_size`` threads started at once on SQLite. Jobs
    finished more than :data:`~tremplin.jobs.records.KEPT` ago are deleted first."""
    with engine.begin() as conn:
        records.prune(conn, records.KEPT)
    found: Runner
    if engine.dialect.name == "postgresql":
        from tremplin.jobs.procrastinate_queue import ProcrastinateQueue, ensure_schema

        ensure_schema(engine)
        found = ProcrastinateQueue(database_url)
    else:
        found = LocalPool(runner, pool_size)
    found.start()
    return JobQueue(engine, found, per_person=per_person, bound=bound)
