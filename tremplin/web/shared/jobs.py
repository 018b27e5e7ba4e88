"""Background jobs as the web shows them: who is asking, which ids their browser holds, and a
simulation read from its row of the store.

Jobs are rows of the store (:mod:`tremplin.jobs`): they survive a restart and every web process
reads the same ones. Who may read one is :mod:`tremplin.jobs.visibility`; a visitor without
account holds the ids of the jobs they asked for in a cookie (:data:`COOKIE`, the ids only,
HttpOnly), which is what the lists show them: never other people's ids.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from starlette.responses import Response

from tremplin.accounts.policy import VISITOR, Decision, Resource
from tremplin.jobs import records
from tremplin.jobs.records import ANNULEE, ECHEC, EN_ATTENTE, EN_COURS, STATUTS, TERMINEE
from tremplin.jobs.visibility import ANONYMOUS, Viewer
from tremplin.scenarios.scenario_comparison import Comparison
from tremplin.scenarios.scenarios import Scenario
from tremplin.store.audit import Actor
from tremplin.web.shared.auth import current_account, request_policy

__all__ = [
    "ANNULEE",
    "COOKIE",
    "ECHEC",
    "EN_ATTENTE",
    "EN_COURS",
    "STATUTS",
    "TERMINEE",
    "SimulationJob",
    "actor",
    "known_ids",
    "quota_key",
    "remember",
    "viewer",
]

COOKIE = "tremplin_simulations"
"""The cookie of the ids of the simulations this browser asked for."""
REMEMBERED = 50
"""Ids kept in it, the newest (as the list of simulations used to keep the last 50)."""
_ID = re.compile(r"[0-9a-f]{32}")
_COOKIE_DAYS = 30


def viewer(request: Request) -> Viewer:
    """Who asks: a visitor without account is anonymous; an account reads its own jobs and
    those the policy's ``simulation.voir`` lets it read (a planner, those of its territory)."""
    found = getattr(request.state, "job_viewer", None)
    if isinstance(found, Viewer):
        return found
    account = current_account(request)
    if account is None:
        return ANONYMOUS
    policy = request_policy(request)

    def allowed(job: records.Job) -> bool:
        owner = int(job.owner) if job.owner is not None and job.owner.isdigit() else None
        territory = job.parameters.get("territoire")
        resource = Resource(
            territoires=frozenset({str(territory)} if territory else ()), owner_id=owner
        )
        return policy.decide(account, "simulation.voir", resource) is Decision.ALLOWED

    request.state.job_viewer = found = Viewer(str(account.id), allowed)
    return found


def actor(request: Request) -> Actor:
    """Who writes, for the audit log: the account (its e-mail and id), else « visiteur » —
    never the visitor's address."""
    account = current_account(request)
    return account.actor if account is not None else Actor(VISITOR)


def quota_key(request: Request, asking: Viewer) -> str:
    """Whom the per-person quota counts a job against: the account, else the client's address
    (hashed: the store keeps no address)."""
    if asking.account is not None:
        return f"compte:{asking.account}"
    host = request.client.host if request.client is not None else "inconnu"
    return "adresse:" + hashlib.sha256(host.encode()).hexdigest()[:32]


def known_ids(request: Request) -> list[str]:
    """The ids of the cookie, the newest first."""
    return _ID.findall(request.cookies.get(COOKIE, ""))[:REMEMBERED]


def remember(request: Request, response: Response, identifier: str) -> None:
    """Add ``identifier`` to the cookie of ``response``."""
    ids = [identifier, *(i for i in known_ids(request) if i != identifier)][:REMEMBERED]
    response.set_cookie(
        COOKIE,
        ".".join(ids),
        max_age=_COOKIE_DAYS * 24 * 3600,
        path="/",
        httponly=True,
        samesite="lax",
    )


@dataclass(frozen=True)
class SimulationJob:
    """A simulation as the pages and the API show it, read from its job."""

    id: str
    scenario: Scenario
    territoire: str
    palier: str
    graines: int
    sources: tuple[str, ...]
    cree_le: datetime
    statut: str
    progression: int
    termine_le: datetime | None
    comparison: Comparison | None
    message: str | None
    owner: str | None = None

    @classmethod
    def of(cls, job: records.Job) -> SimulationJob:
        parameters: dict[str, Any] = job.parameters
        return cls(
            id=job.id,
            scenario=Scenario.from_mapping(parameters["scenario"]),
            territoire=str(parameters["territoire"]),
            palier=str(parameters["palier"]),
            graines=int(parameters["graines"]),
            sources=tuple(parameters.get("sources", ())),
            cree_le=job.created_at,
            statut=job.status,
            progression=job.progress,
            termine_le=job.finished_at,
            comparison=_result(job),
            message=job.error,
            owner=job.owner,
        )

    @property
    def seeds(self) -> tuple[int, ...]:
        """The cohorts' seeds: 1 to ``graines``, as ``tremplin simulate scenario`` draws them."""
        return tuple(range(1, self.graines + 1))

    @property
    def finished(self) -> bool:
        return self.statut in records.FINISHED

    @property
    def statut_label(self) -> str:
        return STATUTS[self.statut]


_RESULTS: dict[str, Comparison] = {}
_RESULTS_KEPT = 64
_RESULTS_LOCK = threading.Lock()


def _result(job: records.Job) -> Comparison | None:
    """The job's comparison, read from its JSON once per process (a finished job's result no
    longer changes)."""
    if job.status != TERMINEE or job.result is None:
        return None
    with _RESULTS_LOCK:
        found = _RESULTS.get(job.id)
    if found is None:
        found = Comparison.from_dict(job.result)
        with _RESULTS_LOCK:
            if len(_RESULTS) >= _RESULTS_KEPT:
                _RESULTS.pop(next(iter(_RESULTS)))
            _RESULTS[job.id] = found
    return found
