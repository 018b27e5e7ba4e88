"""Simulations run in the background and kept in memory: a small in-process job registry.

A scenario replayed on ten cohorts takes seconds; a request cannot wait for it. The registry
gives each simulation an id, runs it on a worker thread (one at a time: each one already keeps a
core busy, and two together would each take twice as long), and keeps the last
:data:`KEPT` simulations in memory, with their state and, once done, their
:class:`~tremplin.scenarios.scenario_comparison.Comparison`. Nothing is written to the store:
a simulation is a what-if, and restarting the server forgets them.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from tremplin.errors import Busy, TremplinError
from tremplin.scenarios.scenario_comparison import Comparison
from tremplin.scenarios.scenarios import Scenario

__all__ = [
    "KEPT",
    "STATUTS",
    "RegistryFull",
    "SimulationJob",
    "SimulationRegistry",
]

_log = logging.getLogger(__name__)

KEPT = 50
"""Simulations kept in memory; the oldest finished one is forgotten to make room."""

EN_ATTENTE, EN_COURS, TERMINEE, ECHEC = "en_attente", "en_cours", "terminee", "echec"
STATUTS = {
    EN_ATTENTE: "En attente",
    EN_COURS: "En cours",
    TERMINEE: "Terminée",
    ECHEC: "Échec",
}
"""Each state of a simulation and its French label."""


class RegistryFull(Busy):
    """Every kept simulation is still waiting or running: no room for another one (503)."""


@dataclass
class SimulationJob:
    """One simulation: what was asked, its state, and its result once done.

    The worker thread writes ``statut``, ``progression``, ``termine_le``, ``comparison`` and
    ``message``; requests only read them (each is one attribute assignment).
    """

    id: str
    scenario: Scenario
    territoire: str
    palier: str
    graines: int
    sources: tuple[str, ...]
    cree_le: datetime
    statut: str = EN_ATTENTE
    progression: int = 0
    termine_le: datetime | None = None
    comparison: Comparison | None = None
    message: str | None = None

    @property
    def seeds(self) -> tuple[int, ...]:
        """The cohorts' seeds: 1 to ``graines``, as ``tremplin simulate scenario`` draws them."""
        return tuple(range(1, self.graines + 1))

    @property
    def finished(self) -> bool:
        return self.statut in (TERMINEE, ECHEC)

    @property
    def statut_label(self) -> str:
        return STATUTS[self.statut]


Runner = Callable[[SimulationJob, Callable[[int], None]], Comparison]
"""Runs a job's scenario, calling its second argument with the number of seeds done."""


class SimulationRegistry:
    """The simulations of one application, run one at a time on a worker thread."""

    def __init__(self, run: Runner, kept: int = KEPT) -> None:
        self._run = run
        self._kept = kept
        self._jobs: dict[str, SimulationJob] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tremplin-sim")

    def submit(
        self,
        scenario: Scenario,
        *,
        territoire: str,
        palier: str,
        graines: int,
        sources: tuple[str, ...] = (),
    ) -> SimulationJob:
        """Queue a simulation; raises :class:`RegistryFull` when no kept one is finished."""
        job = SimulationJob(
            id=secrets.token_hex(6),
            scenario=scenario,
            territoire=territoire,
            palier=palier,
            graines=graines,
            sources=sources,
            cree_le=datetime.now(UTC),
        )
        with self._lock:
            if len(self._jobs) >= self._kept:
                finished = [j for j in self._jobs.values() if j.finished]
                if not finished:
                    raise RegistryFull(
                        f"{len(self._jobs)} simulations sont déjà en attente ou en cours : "
                        "réessayer plus tard"
                    )
                del self._jobs[min(finished, key=lambda j: j.cree_le).id]
            self._jobs[job.id] = job
        self._executor.submit(self._execute, job)
        return job

    def get(self, identifier: str) -> SimulationJob | None:
        with self._lock:
            return self._jobs.get(identifier)

    def jobs(self) -> list[SimulationJob]:
        """The kept simulations, the newest first."""
        with self._lock:
            listed = list(self._jobs.values())
        return sorted(listed, key=lambda j: j.cree_le, reverse=True)

    def close(self) -> None:
        """Forget the simulations not started; the running one ends on its own."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _execute(self, job: SimulationJob) -> None:
        job.statut = EN_COURS

        def progress(done: int) -> None:
            job.progression = done

        # The state is written last: a reader that sees the job finished sees all of it.
        try:
            comparison = self._run(job, progress)
        except TremplinError as error:
            self._finish(job, ECHEC, message=str(error))
        except Exception:  # a failed simulation must say so, not stay « en cours »
            _log.exception("simulation %s interrompue", job.id)
            self._finish(
                job, ECHEC, message="la simulation s'est interrompue sur une erreur interne"
            )
        else:
            self._finish(job, TERMINEE, comparison=comparison)

    @staticmethod
    def _finish(
        job: SimulationJob,
        statut: str,
        *,
        comparison: Comparison | None = None,
        message: str | None = None,
    ) -> None:
        job.termine_le = datetime.now(UTC)
        job.comparison, job.message = comparison, message
        job.statut = statut
