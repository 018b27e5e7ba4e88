"""The simulations' API: submit a scenario, list the simulations, read one's before and after.

``POST /api/v1/simulations`` takes a scenario as JSON — the structure of a scenario file
(docs/cohorts.md), plus ``graines`` — checks it at once (a 422 names the change and the field at
fault, in the library's words) and queues it; ``GET /api/v1/simulations/{id}`` gives its state
and, once done, the comparison (:meth:`Comparison.as_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi import Query as Param
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from tremplin.errors import InputError
from tremplin.web.shared.auth import requires
from tremplin.web.shared.errors import validation_message
from tremplin.web.shared.jobs import (
    STATUTS,
    SimulationJob,
    actor,
    known_ids,
    quota_key,
    remember,
    viewer,
)
from tremplin.web.simulations.service import GRAINES_DEFAULT, GRAINES_MAX, simulations

router = APIRouter(
    prefix="/api/v1",
    tags=["Simulations d'affectation"],
    dependencies=[requires("lecture", writes="simulation.lancer")],
)

STATUT_DESCRIPTION = "État : " + ", ".join(f"« {k} » ({v.lower()})" for k, v in STATUTS.items())
EXAMPLE: dict[str, Any] = {
    "titre": "15 places de chaudronnerie industrielle à Oyonnax, 15 de moins à Villeurbanne",
    "territoire": "region:84",
    "graines": 10,
    "changements": [
        {"action": "ouvrir", "uai": "0010034G", "mef_stat_11": "23820025411", "places": 15},
        {"action": "ajuster", "uai": "0690103M", "mef_stat_11": "23820025411", "places": -15},
    ],
}


TITRE_MAX = 200
"""The longest title, in characters."""
CHANGEMENTS_MAX = 200
"""The most changes in one scenario (a carte's yearly round is a few dozen)."""
PLACES_MAX = 999
"""The most places one change opens, adds, removes or transfers: what one offer can hold — the
largest capacity of an offer in the Affelnet files is 999 (their capacity has three digits)."""
CODE_MAX = 32
"""The longest code (UAI, MEF STAT 11, territory): real ones have 8 to 20 characters."""


class Vers(BaseModel):
    """Where a transfer's places go (the nested form of ``vers_uai`` / ``vers_mef_stat_11``)."""

    model_config = ConfigDict(extra="forbid")

    uai: str | None = Field(None, max_length=CODE_MAX, description="UAI qui reçoit les places.")
    mef_stat_11: str | None = Field(
        None, max_length=CODE_MAX, description="MEF qui reçoit les places (défaut : la même)."
    )


class Change(BaseModel):
    """One change of places; the library checks it (docs/cohorts.md, « Scenarios »)."""

    model_config = ConfigDict(extra="allow")

    action: str = Field(
        max_length=CODE_MAX,
        description="ouvrir, fermer, ajuster ou transferer (open, close, resize, transfer).",
        json_schema_extra={"enum": ["ouvrir", "fermer", "ajuster", "transferer"]},
    )
    uai: str = Field(max_length=CODE_MAX, description="UAI de l'établissement (ex. 0010034G).")
    mef_stat_11: str = Field(
        max_length=CODE_MAX, description="MEF STAT 11 de la formation (ex. 23820025411)."
    )
    places: int | None = Field(
        None,
        ge=-PLACES_MAX,
        le=PLACES_MAX,
        description="Places ouvertes, ajoutées (< 0 : retirées) ou transférées, au plus 999 en "
        "valeur absolue (la plus grande capacité d'une offre) ; sans objet pour « fermer ».",
    )
    vers_uai: str | None = Field(
        None, max_length=CODE_MAX, description="Transfert : UAI qui reçoit les places."
    )
    vers_mef_stat_11: str | None = Field(
        None,
        max_length=CODE_MAX,
        description="Transfert : MEF qui reçoit les places (défaut : la même).",
    )
    vers: Vers | None = Field(
        None, description="Transfert, autre écriture : {« uai », « mef_stat_11 »}."
    )


class SimulationRequest(BaseModel):
    """A scenario (the structure of a scenario file) and the number of cohorts to draw."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [cast(JsonValue, EXAMPLE)]}
    )

    titre: str | None = Field(
        None, max_length=TITRE_MAX, description="Nom du scénario (au plus 200 caractères)."
    )
    palier: str | None = Field(
        None,
        max_length=CODE_MAX,
        description="« 3e » (entrée en lycée) ou « 2nde » (1re pro) ; absent : celui des MEF.",
        json_schema_extra={"enum": ["3e", "2nde"]},
    )
    territoire: str | None = Field(
        None,
        max_length=CODE_MAX,
        description="Territoire simulé : region:84, academie:10, departement:01 ou france "
        "(défaut : region:84). Le paramètre d'adresse du même nom l'emporte.",
    )
    graines: int = Field(
        GRAINES_DEFAULT,
        ge=1,
        le=GRAINES_MAX,
        description="Nombre de cohortes tirées (graines 1 à N), au plus 50.",
    )
    changements: list[Change] = Field(
        default_factory=list,
        max_length=CHANGEMENTS_MAX,
        description="Les changements, appliqués dans l'ordre (au plus 200).",
    )


_BOUND_ERRORS = ("string_too_long", "too_long", "less_than_equal", "greater_than_equal")


def check_bounds(document: Mapping[str, Any]) -> None:
    """Refuse (:class:`InputError`, a 422) a scenario built elsewhere than from this schema —
    the HTML form's — that exceeds its bounds (title, number of changes, places, codes); its
    other faults are the library's to name."""
    try:
        SimulationRequest.model_validate(document)
    except ValidationError as error:
        bounds = [e for e in error.errors() if e["type"] in _BOUND_ERRORS]
        if bounds:
            raise InputError(validation_message(bounds)) from None


class SimulationCreated(BaseModel):
    id: str = Field(description="Identifiant de la simulation.")
    statut: str = Field(description=STATUT_DESCRIPTION)
    adresse: str = Field(description="Adresse de la simulation dans l'API.")
    page: str = Field(description="Adresse de la page qui montre la simulation.")


class SimulationSummary(BaseModel):
    id: str
    titre: str = Field(description="Nom du scénario.")
    territoire: str = Field(description="Territoire simulé (ex. region:84).")
    palier: str = Field(description="« 3e » (entrée en lycée) ou « 2nde » (1re pro).")
    graines: int = Field(description="Nombre de cohortes (graines 1 à N).")
    cree_le: datetime = Field(description="Date et heure de la demande (ISO 8601, UTC).")
    statut: str = Field(description=STATUT_DESCRIPTION)
    progression: int = Field(description="Cohortes déjà simulées.")


class EstimateModel(BaseModel):
    """Une moyenne sur les cohortes et son intervalle de confiance à 95 % (Student)."""

    mean: float
    low: float
    high: float


class IndicatorModel(BaseModel):
    key: str = Field(description="Nom stable de l'indicateur (ex. affectes, taux_premier_voeu).")
    label: str = Field(description="Libellé en français.")
    before: EstimateModel | None = Field(description="Avant le scénario ; absent : sans objet.")
    after: EstimateModel | None = Field(description="Après le scénario ; absent : sans objet.")
    difference: EstimateModel | None = Field(
        description="Après − avant, cohorte par cohorte ; pour les mouvements, leur nombre."
    )


class GroupModel(BaseModel):
    code: str
    name: str = Field(description="Nom du groupe (territoire, périmètre, statut boursier).")
    indicators: list[IndicatorModel]


class ChangedOfferModel(BaseModel):
    formation_id: str
    uai: str
    etablissement: str | None
    commune: str | None
    mef_stat_11: str | None
    libelle: str | None
    capacity_before: int = Field(description="Places avant.")
    capacity_after: int = Field(description="Places après.")
    first_wishes: int = Field(description="Demandes en vœu 1 (réelles, Affelnet).")
    voeux_1_estimes: float | None = Field(
        None,
        description="Vœux 1 estimés après le changement (moyenne sur les cohortes) : la demande "
        "suit l'offre, les vœux viennent des offres concurrentes proches (docs/optimiser.md).",
    )
    filled_before: EstimateModel | None = Field(description="Élèves affectés avant.")
    filled_after: EstimateModel | None = Field(description="Élèves affectés après.")


class SimulationResult(BaseModel):
    """A simulation: its state, then (``statut`` « terminee ») the comparison before / after
    (the JSON of ``tremplin simulate scenario --output``)."""

    id: str
    statut: str = Field(description=STATUT_DESCRIPTION)
    progression: int = Field(description="Cohortes déjà simulées.")
    message: str | None = Field(description="Pourquoi la simulation a échoué.")
    cree_le: datetime
    termine_le: datetime | None
    scenario: dict[str, Any] = Field(description="Le scénario lu (titre, palier, changements).")
    palier: str
    territoire: str
    seeds: list[int] = Field(description="Graines des cohortes.")
    pupils: int | None = Field(description="Élèves de la dernière cohorte.")
    offers: int | None = Field(
        description="Offres simulées (celles du territoire et les nouvelles)."
    )
    indicators: list[IndicatorModel] | None = Field(description="Avant, après, différence.")
    groups: dict[str, list[GroupModel]] | None = Field(
        description="Par academie, departement, perimetre et boursier."
    )
    changed_offers: list[ChangedOfferModel] | None = Field(description="Les offres modifiées.")


def _summary(job: SimulationJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "titre": job.scenario.titre,
        "territoire": job.territoire,
        "palier": job.palier,
        "graines": job.graines,
        "cree_le": job.cree_le,
        "statut": job.statut,
        "progression": job.progression,
    }


def result(job: SimulationJob) -> dict[str, Any]:
    """The API's answer for ``job``: its state, and its comparison once done."""
    found: dict[str, Any] = {
        "id": job.id,
        "statut": job.statut,
        "progression": job.progression,
        "message": job.message,
        "cree_le": job.cree_le,
        "termine_le": job.termine_le,
        "scenario": job.scenario.as_dict(),
        "palier": job.palier,
        "territoire": job.territoire,
        "seeds": list(job.seeds),
        "pupils": None,
        "offers": None,
        "indicators": None,
        "groups": None,
        "changed_offers": None,
    }
    if job.comparison is not None:
        found |= job.comparison.as_dict()
    return found


@router.post(
    "/simulations",
    status_code=202,
    response_model=SimulationCreated,
    summary="Lancer une simulation",
    description="Vérifie le scénario (422 en cas d'erreur, message en français nommant le "
    "changement et le champ), puis le rejoue en arrière-plan, avant et après, sur les "
    "cohortes des graines 1 à N. Suivre son état avec `GET /api/v1/simulations/{id}`.",
    responses={
        422: {"description": "Scénario invalide."},
        429: {"description": "Trop de simulations en attente ou en cours pour vous (Retry-After)."},
        503: {"description": "File pleine (Retry-After)."},
    },
)
def create_simulation(
    request: Request,
    body: SimulationRequest,
    territoire: Annotated[
        str | None,
        Param(
            max_length=CODE_MAX,
            description="Territoire simulé ; l'emporte sur le champ du corps.",
        ),
    ] = None,
    graines: Annotated[
        int | None,
        Param(ge=1, le=GRAINES_MAX, description="Nombre de cohortes ; l'emporte sur le corps."),
    ] = None,
) -> JSONResponse:
    document = body.model_dump(exclude_unset=True, exclude={"graines"})
    asking = viewer(request)
    job = simulations(request).submit(
        document,
        territoire or body.territoire,
        graines or body.graines,
        owner=asking.account,
        quota_key=quota_key(request, asking),
        actor=actor(request),
    )
    address = f"/api/v1/simulations/{job.id}"
    response = JSONResponse(
        {"id": job.id, "statut": job.statut, "adresse": address, "page": f"/simulations/{job.id}"},
        status_code=202,
        headers={"Location": address},
    )
    remember(request, response, job.id)
    return response


@router.get(
    "/simulations",
    response_model=list[SimulationSummary],
    summary="Vos simulations",
    description="Les simulations que vous avez demandées (au plus 50), de la plus récente à la "
    "plus ancienne : celles de votre compte, et sans compte celles dont ce navigateur garde "
    "l'identifiant (cookie). Jamais celles des autres.",
)
def list_simulations(request: Request) -> list[dict[str, Any]]:
    found = simulations(request).jobs(viewer(request), known_ids(request))
    return [_summary(job) for job in found]


@router.get(
    "/simulations/{identifier}",
    response_model=SimulationResult,
    summary="Une simulation : avant, après, différence",
    description="L'état de la simulation ; une fois terminée, chaque indicateur avant et après "
    "le scénario, leur différence et son intervalle de confiance à 95 %, au total et par "
    "groupe, et les offres modifiées.",
    responses={404: {"description": "Simulation inconnue (ou oubliée)."}},
)
def read_simulation(
    request: Request,
    identifier: Annotated[str, PathParam(description="Identifiant rendu par le POST.")],
) -> dict[str, Any]:
    return result(simulations(request).job(identifier, viewer(request)))


@router.post(
    "/simulations/{identifier}/annulation",
    response_model=SimulationResult,
    summary="Annuler une simulation",
    description="Annule une simulation en attente ou en cours (une simulation en cours "
    "s'arrête à la fin de la cohorte en cours) ; une simulation terminée reste telle quelle.",
    responses={404: {"description": "Simulation inconnue."}},
)
def cancel_simulation(
    request: Request,
    identifier: Annotated[str, PathParam(description="Identifiant rendu par le POST.")],
) -> dict[str, Any]:
    return result(simulations(request).cancel(identifier, viewer(request), actor(request)))
