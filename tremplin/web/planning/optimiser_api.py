"""The carte des formations' API: the optimiser's runs and the impact of changes.

- ``POST /api/v1/carte/optimisations``: the parameters of a run (territory, perimeter, budget,
  limits, weights, locks and forbidden offers, ``courbe``) checked at once (422 naming the field),
  then solved in the background (a durable job, « optimisation »);
- ``GET /api/v1/carte/optimisations/{id}``: its state and, once done, the proposed changes with
  their reasons, the objective, the proven gap, the curve of solutions;
- ``POST /api/v1/carte/optimisations/{id}/propositions/{n}``: the proposed change n° n (from 1)
  added to a campaign as a request in brouillon (« demande.proposer »; 422 with the validators'
  message for a duplicate);
- ``POST /api/v1/carte/impact``: the impact of a list of changes, at once (docs/optimiser.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tremplin.web.planning.optimiser_service import accept, job, run_impact, submit
from tremplin.web.shared.auth import requires
from tremplin.web.shared.jobs import actor, quota_key, viewer

router = APIRouter(prefix="/api/v1/carte", tags=["Carte des formations"])

_CODE = 32


class LockModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uai: str = Field(max_length=_CODE)
    mef_stat_11: str = Field(max_length=_CODE)
    statut: str = Field(
        "scolaire",
        max_length=_CODE,
        description="scolaire ou apprentissage ; ouverture pour une ouverture proposée.",
    )
    places_apres: int | None = Field(
        None, ge=0, le=999, description="Places imposées ; absent : l'offre ne change pas."
    )


class OptimisationRequest(BaseModel):
    """A run's parameters (docs/optimiser.md gives each default)."""

    model_config = ConfigDict(extra="forbid")

    territoire: str | None = Field(
        None, max_length=_CODE, description="84, region:84, academie:10…"
    )
    perimetre: str = Field("industrie", description="industrie ou tous.")
    budget_places: int = Field(0, ge=-5000, le=5000, description="Places nettes ajoutées au plus.")
    sections_max: int = Field(40, ge=0, le=1000)
    sections_max_par_etablissement: int = Field(2, ge=0, le=50)
    sections_max_par_offre: int = Field(1, ge=0, le=5)
    ouvertures_max_par_lycee: int = Field(
        2, ge=0, le=20, description="Ouvertures candidates par lycée (0 : aucune)."
    )
    plancher_pression: float = Field(1.0, ge=0, le=100)
    distance_max_km: float = Field(30.0, ge=0, le=1000)
    part_besoins_formation: float = Field(0.25, ge=0, le=1)
    part_besoins_declares: float = Field(
        0.5, ge=0, le=1, description="Part des personnes des besoins déclarés comptée."
    )
    poids_jeunes: float = Field(1.0, ge=0, le=100)
    poids_besoins: float = Field(1.0, ge=0, le=100)
    poids_insertion: float = Field(1.0, ge=0, le=100)
    verrous: list[LockModel] = Field(default_factory=list, max_length=500)
    interdits: list[LockModel] = Field(default_factory=list, max_length=500)
    courbe: bool = Field(False, description="Calculer aussi la courbe des compromis (5 points).")


class ImpactChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uai: str = Field(max_length=_CODE)
    mef_stat_11: str = Field(max_length=_CODE)
    statut: str = Field("scolaire", max_length=_CODE)
    places_avant: int | None = Field(None, ge=0, le=999)
    places_apres: int = Field(ge=0, le=999)


class ImpactRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    territoire: str | None = Field(None, max_length=_CODE)
    changements: list[ImpactChange] = Field(min_length=1, max_length=500)


@router.post(
    "/optimisations",
    status_code=202,
    summary="Lancer l'optimiseur",
    dependencies=[requires("carte.optimiser")],
    responses={422: {"description": "Paramètre invalide (nommé)."}},
)
def create_optimisation(request: Request, body: OptimisationRequest) -> JSONResponse:
    asking = viewer(request)
    found = submit(
        request,
        body.model_dump(exclude_none=True),
        owner=asking.account,
        quota_key=quota_key(request, asking),
        actor=actor(request),
    )
    address = f"/api/v1/carte/optimisations/{found.id}"
    return JSONResponse(
        {
            "id": found.id,
            "statut": found.statut,
            "adresse": address,
            "page": f"/carte/optimisations/{found.id}",
        },
        status_code=202,
        headers={"Location": address},
    )


@router.get(
    "/optimisations/{identifier}",
    summary="Une optimisation : état, propositions, courbe",
    dependencies=[requires("carte.optimiser")],
    responses={404: {"description": "Optimisation inconnue."}},
)
def read_optimisation(
    request: Request,
    identifier: Annotated[
        str, PathParam(max_length=64, description="Identifiant rendu par le POST.")
    ],
) -> dict[str, Any]:
    return job(request, identifier, viewer(request)).as_dict()


class Acceptation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campagne_id: int = Field(ge=1, description="La campagne où ajouter la demande.")


@router.post(
    "/optimisations/{identifier}/propositions/{numero}",
    status_code=201,
    summary="Ajouter une proposition de l'optimiseur à une campagne",
    description="Crée une demande en brouillon du type qui correspond (ouverture, augmentation, "
    "diminution, fermeture), capacités avant → après, la raison de l'optimiseur en commentaire.",
    dependencies=[requires("demande.proposer")],
    responses={
        404: {"description": "Optimisation, proposition ou campagne inconnue."},
        422: {"description": "Demande refusée (règle et champ nommés), par exemple un doublon."},
    },
)
def accept_proposal(
    request: Request,
    identifier: Annotated[str, PathParam(max_length=64)],
    numero: Annotated[int, PathParam(ge=1, le=10_000, description="Rang de la proposition.")],
    body: Acceptation,
) -> JSONResponse:
    made = accept(request, identifier, numero, body.campagne_id)
    address = f"/api/v1/carte/demandes/{made.id}"
    return JSONResponse(made.as_dict(), status_code=201, headers={"Location": address})


@router.post(
    "/impact",
    summary="Impact d'une liste de changements",
    description="Places par domaine de métiers (FAP 22) × département avant et après, rapportées "
    "aux projets de recrutement BMO ; pression de chaque offre avant et après.",
    dependencies=[requires("lecture")],
)
def post_impact(request: Request, body: ImpactRequest) -> dict[str, Any]:
    changes = [c.model_dump() for c in body.changements]
    return run_impact(request, body.territoire, changes)
