"""On SQLite: jobs run on a bounded pool of threads of the web process.

At start the pool queues again what a stopped process left behind: the jobs still queued, and
those it was running (their process is gone, :func:`~tremplin.jobs.records.release_orphans`).
The pool is bounded (``TREMPLIN_JOBS_PARALLELES`` threads, one by default: a simulation keeps a
core busy, and two together would each take twice as long); the queue itself is the table.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from tremplin.jobs import records
from tremplin.jobs.runner import JobRunner

__all__ = ["LocalPool"]

_log = logging.getLogger(__name__)


class LocalPool:
    """Runs the jobs of one store on ``size`` threads of this process."""

    def __init__(self, runner: JobRunner, size: int = 1) -> None:
        self.runner = runner
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="tremplin-job")

    def start(self) -> int:
        """Queue the jobs left queued or running by a stopped process; how many."""
        with self.runner.engine.begin() as conn:
            released = records.release_orphans(conn)
            waiting = records.queued_ids(conn)
        if released:
            _log.info("%d calcul(s) interrompu(s) remis en file", released)
        for identifier in waiting:
            self.enqueue(identifier)
        return len(waiting)

    def enqueue(self, identifier: str) -> None:
        """Run the job ``identifier`` when a thread is free (it is already in the table)."""
        self._executor.submit(self._run, identifier)

    def _run(self, identifier: str) -> None:
        try:
            self.runner.run(identifier)
        except Exception:  # the store itself failed: the job stays queued for the next start
            _log.exception("calcul %s non exécuté", identifier)

    def close(self, wait: bool = False) -> None:
        """Drop the jobs not started (they stay queued in the store); the running ones end on
        their own (``wait``: before this returns)."""
        self._executor.shutdown(wait=wait, cancel_futures=True)
