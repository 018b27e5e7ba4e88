"""The optimiser and the impact as the web runs them: parameters checked at once, runs queued as
durable jobs of kind « optimisation » (the simulations' queue: same quotas, same workers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request

from tremplin.companies.needs import declared_needs
from tremplin.errors import InputError, NotFound
from tremplin.jobs.kinds import OPTIMISATION, optimisation_steps
from tremplin.jobs.records import FINISHED, STATUTS, Job
from tremplin.jobs.visibility import Viewer
from tremplin.planning.campaigns import get_campaign
from tremplin.planning.carte import territory_column
from tremplin.planning.impact import changes_from, declared_by_group, impact, prepared
from tremplin.planning.optimisation import settings_from
from tremplin.planning.proposals import proposal_fields
from tremplin.planning.requests import Request as Demande
from tremplin.store.audit import Actor
from tremplin.web.planning.service import propose
from tremplin.web.shared.jobs import viewer

__all__ = ["OptimisationJob", "accept", "job", "run_impact", "submit"]


@dataclass(frozen=True)
class OptimisationJob:
    id: str
    statut: str
    progression: int
    etapes: int
    parametres: dict[str, Any]
    resultat: dict[str, Any] | None
    message: str | None
    cree_le: datetime
    termine_le: datetime | None

    @classmethod
    def of(cls, found: Job) -> OptimisationJob:
        return cls(
            id=found.id,
            statut=found.status,
            progression=found.progress,
            etapes=found.progress_total,
            parametres=dict(found.parameters),
            resultat=found.result,
            message=found.error,
            cree_le=found.created_at,
            termine_le=found.finished_at,
        )

    @property
    def finished(self) -> bool:
        return self.statut in FINISHED

    @property
    def statut_label(self) -> str:
        return STATUTS[self.statut]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "statut": self.statut,
            "progression": self.progression,
            "etapes": self.etapes,
            "message": self.message,
            "cree_le": self.cree_le.isoformat(),
            "termine_le": None if self.termine_le is None else self.termine_le.isoformat(),
            "parametres": self.parametres,
            "resultat": self.resultat,
        }


def submit(
    request: Request,
    parameters: Mapping[str, Any],
    *,
    owner: str | None,
    quota_key: str,
    actor: Actor | None,
) -> OptimisationJob:
    """Check ``parameters`` (a 422 names the field at fault) and queue the run."""
    settings_from(parameters)  # refuses bad parameters before queueing
    territoire = str(parameters.get("territoire") or request.app.state.diagnostic.region)
    territory_column(territoire)
    document = {**parameters, "territoire": territoire}
    queue = request.app.state.simulations.queue
    audited = {
        "territoire": territoire,
        "perimetre": document.get("perimetre", "industrie"),
        "budget_places": document.get("budget_places", 0),
    }
    found = queue.submit(
        OPTIMISATION,
        document,
        owner=owner,
        quota_key=quota_key,
        progress_total=optimisation_steps(document),
        actor=actor,
        audited=audited,
    )
    return OptimisationJob.of(found)


def job(request: Request, identifier: str, viewer: Viewer) -> OptimisationJob:
    """The run ``identifier`` if ``viewer`` may read it; NotFound otherwise."""
    found = request.app.state.simulations.queue.get(identifier, viewer)
    if found.kind != OPTIMISATION:
        raise NotFound(f"optimisation « {identifier[:64]} » inconnue")
    return OptimisationJob.of(found)


def accept(request: Request, identifier: str, numero: int, campagne_id: int) -> Demande:
    """Add the proposed change n° ``numero`` (from 1) of the run ``identifier`` to the campaign
    ``campagne_id`` as a request in brouillon (``proposals.proposal_fields``), for the account,
    in its scope; refused like any request (a duplicate names the request already there)."""
    found = job(request, identifier, viewer(request))
    changes = (found.resultat or {}).get("changes") or []
    if not 1 <= numero <= len(changes):
        raise NotFound(f"proposition n° {numero} inconnue dans l’optimisation « {identifier} »")
    with request.app.state.engine.connect() as conn:
        campaign = get_campaign(conn, campagne_id)
    if campaign.statut == "terminee":
        raise InputError(
            f"la campagne « {campaign.nom} » est terminée", where=["campagne"],
            expected="une campagne en attente ou en cours",
        )  # fmt: skip
    return propose(
        request, campaign.id, proposal_fields(changes[numero - 1], campaign.premiere_rentree)
    )


def run_impact(request: Request, territoire: str | None, changes: Any) -> dict[str, Any]:
    """The impact of ``changes`` (JSON objects) on ``territoire`` (default: the région)."""
    territory = territoire or request.app.state.diagnostic.region
    territory_column(territory)
    facts = request.app.state.diagnostic.facts()
    with request.app.state.engine.connect() as conn:
        declared = declared_needs(conn, territoire=territory if ":" in territory else None)
        ready = prepared(facts, territory, conn)
    return impact(
        ready,
        changes_from(changes if isinstance(changes, list) else []),
        declared_by_group(declared, facts.familles_fap),
    )
