"""Running one job: claim it, run its kind, write its progress, then its result or its error.

The same code runs a job in the web process's pool (SQLite) and in a ``tremplin worker``
(PostgreSQL). A job is claimed by one ``UPDATE`` (:func:`~tremplin.jobs.records.claim`), so a
job two processes are handed runs once. Its progress is written to the store at each step,
where any web process reads it; a job cancelled meanwhile stops at its next step.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import sqlalchemy as sa

from tremplin.errors import TremplinError
from tremplin.jobs import records
from tremplin.jobs.kinds import KINDS, JobContext, Kind

__all__ = ["JobRunner"]

_log = logging.getLogger(__name__)

INTERNAL_ERROR = "le calcul s'est interrompu sur une erreur interne"


class _Cancelled(Exception):
    """The job was cancelled while it ran: stop, write nothing more."""


class JobRunner:
    """Runs jobs of the store of ``context`` with the functions of ``kinds``."""

    def __init__(self, context: JobContext, kinds: Mapping[str, Kind] | None = None) -> None:
        self.context = context
        self.kinds = dict(KINDS if kinds is None else kinds)

    @property
    def engine(self) -> sa.Engine:
        return self.context.engine

    def run(self, identifier: str, *, again: bool = False) -> str | None:
        """Run the job ``identifier`` if it is still queued (``again``: or left running by a
        dead worker); its final state, or None when another process has it."""
        with self.engine.begin() as conn:
            job = records.claim(conn, identifier, again=again)
        if job is None:
            return None
        kind = self.kinds.get(job.kind)
        if kind is None:
            return self._finish(
                identifier, records.ECHEC, error=f"type de calcul « {job.kind} » inconnu"
            )

        def progress(done: int) -> None:
            with self.engine.begin() as conn:
                status = records.report_progress(conn, identifier, done)
            if status != records.EN_COURS:
                raise _Cancelled

        try:
            result = kind(self.context, job.parameters, progress)
        except _Cancelled:
            return records.ANNULEE
        except TremplinError as error:
            return self._finish(identifier, records.ECHEC, error=str(error))
        except Exception:  # a failed job must say so, not stay « en cours »
            _log.exception("calcul %s interrompu", identifier)
            return self._finish(identifier, records.ECHEC, error=INTERNAL_ERROR)
        return self._finish(identifier, records.TERMINEE, result=result)

    def _finish(
        self,
        identifier: str,
        status: str,
        *,
        result: dict[str, object] | None = None,
        error: str | None = None,
    ) -> str:
        with self.engine.begin() as conn:
            if not records.finish(conn, identifier, status, result=result, error=error):
                found = records.get(conn, identifier)  # cancelled meanwhile
                return found.status if found is not None else status
        return status
