"""The company's side of applications in the API: the candidates ranked for one of its offers
(without contact), the applications it received (with the contact of those who applied), the
answer to each, and companies' response rates (no candidate data)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from tremplin.companies.applications import answer_application, response_rates
from tremplin.web.companies.service import (
    found_offer,
    rate_scope,
    shown_applications,
    shown_candidates,
    write,
)
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import request_engine

router = APIRouter(prefix="/api/v1", tags=["Candidatures (côté entreprise)"])
OFFER_ID = Annotated[int, Path(ge=1, le=2**31 - 1, description="Identifiant de l’offre.")]
APPLICATION_ID = Annotated[
    int, Path(ge=1, le=2**31 - 1, description="Identifiant de la candidature.")
]
Motif = Literal[
    "profil_ne_correspond_pas",
    "offre_pourvue",
    "niveau_insuffisant",
    "distance",
    "disponibilite",
    "autre",
]


class AnswerIn(BaseModel):
    """The answer to an application."""

    statut: Literal["entretien", "refusee"] = Field(
        description="« entretien » (proposer un entretien) ou « refusee »."
    )
    motif: Motif | None = Field(None, description="Motif codé, obligatoire pour un refus.")
    reponse: str | None = Field(
        None, max_length=1000, description="Message au candidat, sans lien ni adresse."
    )


@router.get(
    "/offres-entreprises/{offre}/candidats",
    dependencies=[requires("candidature.repondre")],
    summary="Les candidats classés pour une de mes offres",
)
def candidates(
    request: Request,
    offre: OFFER_ID,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    taille: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Les profils visibles classés pour l’offre (le meilleur d’abord), chacun avec la phrase
    qui explique son rang — sans aucune coordonnée : un pseudonyme, les métiers souhaités, la
    commune, la distance, le niveau, la disponibilité. Chaque profil affiché est inscrit au
    journal (« profil.consulter »). L’offre d’une autre entreprise : 404."""
    _, ranked = shown_candidates(request, offre, page, taille)
    return {
        "offre": offre,
        "total": ranked.total,
        "page": page,
        "taille": taille,
        "candidats": ranked.candidats,
    }


@router.get(
    "/offres-entreprises/{offre}/candidatures",
    dependencies=[requires("candidature.repondre")],
    summary="Les candidatures reçues pour une de mes offres",
)
def applications(request: Request, offre: OFFER_ID) -> dict[str, Any]:
    """Les candidatures à l’offre (sauf celles retirées), les plus anciennes d’abord, avec le
    profil du candidat et son contact (l’adresse électronique de son compte) : le contact
    n’apparaît que parce qu’il a candidaté. La consultation est inscrite au journal."""
    _, received = shown_applications(request, offre)
    return {"offre": offre, "total": len(received), "candidatures": received}


@router.post(
    "/offres-entreprises/{offre}/candidatures/{candidature}/reponse",
    dependencies=[requires("candidature.repondre")],
    summary="Répondre à une candidature",
    responses={
        404: {"description": "Candidature ou offre introuvable (ou d’une autre entreprise)"},
        409: {"description": "Candidature retirée par le candidat"},
        422: {"description": "Champ refusé (un refus sans motif, un lien dans le message)"},
        429: {"description": "Trop d’écritures"},
    },
)
def answer(
    request: Request, offre: OFFER_ID, candidature: APPLICATION_ID, body: AnswerIn
) -> dict[str, Any]:
    """Un entretien, ou un refus avec son motif codé ; répondre de nouveau change la réponse
    (inscrite au journal, avec la précédente). Une candidature retirée : 409."""
    values = body.model_dump()

    def work(conn: Any, actor: Any) -> dict[str, Any]:
        offer = found_offer(request, conn, offre)
        return answer_application(conn, actor, offer, candidature, values)

    return write(request, work)


@router.get(
    "/candidatures/taux",
    dependencies=[requires("candidature.suivre")],
    summary="Le taux de réponse des entreprises",
)
def rates(request: Request) -> dict[str, Any]:
    """Par entreprise ayant une offre dans mon territoire (toutes pour la région et les
    administrateurs) : ``candidatures`` reçues (non retirées), ``repondues``, ``taux`` (leur
    part ; ``null`` sans candidature reçue, jamais 0) et ``delai_median_jours`` (délai médian
    de réponse). Aucune donnée sur les candidats."""
    with request_engine(request).connect() as conn:
        rows = response_rates(conn, **rate_scope(request))
    return {"total": len(rows), "entreprises": rows}
