"""On PostgreSQL: jobs run on ``procrastinate`` workers, as many as wanted, on any machine.

The web process writes the job in the ``jobs`` table, then defers one procrastinate task,
``tremplin.jobs.run``, with the job's id (:class:`ProcrastinateQueue`); a ``tremplin worker``
(:func:`run_worker`) takes it from procrastinate's queue (its own tables, in the same database,
created by :func:`ensure_schema`) and runs it with the :class:`~tremplin.jobs.runner.JobRunner`.
A job deferred while no worker runs stays in the queue until one starts; a job whose worker died
(no heartbeat for 30 s) is handed again to the next worker that starts.
"""

from __future__ import annotations

import asyncio
import logging
import socket

import procrastinate
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tremplin.jobs.runner import JobRunner

__all__ = ["QUEUE", "TASK", "ProcrastinateQueue", "ensure_schema", "libpq_url", "run_worker"]

_log = logging.getLogger(__name__)

QUEUE = "tremplin"
TASK = "tremplin.jobs.run"
_SCHEMA_LOCK = 0x7472656D  # pg_advisory_xact_lock key: two processes starting do not race


def libpq_url(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def ensure_schema(engine: sa.Engine) -> None:
    """Create procrastinate's tables in the store's database if they are not there."""
    schema = procrastinate.App(
        connector=procrastinate.SyncPsycopgConnector()
    ).schema_manager.get_schema()
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        present = conn.execute(sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar()
        if present is None:
            # The schema is many statements with « % » in it: the driver's own execute, with
            # no parameters, runs it as written.
            conn.connection.driver_connection.execute(schema)  # type: ignore[union-attr]


class ProcrastinateQueue:
    """Defers the store's jobs to procrastinate's queue (the web side)."""

    def __init__(self, database_url: str) -> None:
        # A web process only defers: one connection kept, two at most.
        connector = procrastinate.SyncPsycopgConnector(
            conninfo=libpq_url(database_url), min_size=1, max_size=2
        )
        self._app = procrastinate.App(connector=connector)
        self._app.open()

    def start(self) -> int:
        """Nothing to pick up: procrastinate's queue keeps what was deferred."""
        return 0

    def enqueue(self, identifier: str) -> None:
        self._app.configure_task(TASK, queue=QUEUE).defer(job_id=identifier)

    def close(self, wait: bool = False) -> None:
        self._app.close()


def worker_app(database_url: str, runner: JobRunner) -> procrastinate.App:
    """The procrastinate application of a worker: one task, which runs a job of the store."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_url(database_url))
    )

    @app.task(name=TASK, queue=QUEUE)
    def run(job_id: str) -> None:
        # « again »: a job whose worker died is left « en cours »; procrastinate hands it to
        # one worker at a time, so taking it again is safe.
        runner.run(job_id, again=True)

    return app


STALLED_AFTER = 30.0
"""Seconds without a heartbeat after which a worker is taken for dead (procrastinate's default;
a live worker beats every 10 s)."""


def run_worker(
    database_url: str,
    runner: JobRunner,
    *,
    concurrency: int = 1,
    once: bool = False,
    stalled_after: float = STALLED_AFTER,
) -> None:
    """Run jobs until stopped (Ctrl+C, SIGTERM), ``concurrency`` at a time; with ``once``,
    until the queue is empty. First, the jobs of workers silent for ``stalled_after`` seconds
    (killed, their machine gone) are queued again."""
    app = worker_app(database_url, runner)

    async def main() -> None:
        async with app.open_async():
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=stalled_after
            )
            for job in stalled:
                _log.info("calcul %s repris (son worker ne répond plus)", job.task_kwargs)
                await app.job_manager.retry_job(job)
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                wait=not once,
                name=f"tremplin@{socket.gethostname()}",
                listen_notify=not once,
            )

    asyncio.run(main())
