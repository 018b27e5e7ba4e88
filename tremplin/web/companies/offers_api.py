"""The offers' API (``/api/v1/offres-entreprises``): active apprenticeship and PFMP offers for
anyone to read, a company's own offers, publishing one from a need, changing it, reporting it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from tremplin.companies.offers import Offer, list_offers, publish_offer, report_offer, update_offer
from tremplin.web.companies.service import found_need, found_offer, sees_every_offer, write
from tremplin.web.shared.auth import current_account, requires
from tremplin.web.shared.templating import request_engine

router = APIRouter(prefix="/api/v1", tags=["Offres d’apprentissage et de PFMP"])
OFFER_ID = Annotated[int, Path(ge=1, le=2**31 - 1, description="Identifiant de l’offre.")]
Motif = Literal["contenu_trompeur", "discrimination", "coordonnees", "autre"]


class OfferIn(BaseModel):
    """A need to publish as an offer."""

    besoin: int = Field(ge=1, le=2**31 - 1, description="Besoin d’apprentissage ou de PFMP.")
    intitule: str = Field(max_length=200, description="Titre, sans lien ni adresse électronique.")
    expire_le: date | None = Field(
        None, description="Date d’expiration (AAAA-MM-JJ), dans l’année ; 60 jours par défaut."
    )


class OfferPatch(BaseModel):
    """The fields of an offer to change (the others stay)."""

    intitule: str | None = Field(None, max_length=200)
    expire_le: date | None = None
    statut: Literal["active", "pourvue", "annulee"] | None = Field(
        None, description="« pourvue » ou « annulee » pour la retirer ; « active » la republie."
    )


class ReportIn(BaseModel):
    """Why an offer is reported."""

    motif: Motif = Field(description="Motif du signalement.")


def _shown(request: Request, offer: Offer) -> dict[str, Any]:
    account = current_account(request)
    own = account is not None and account.siret == offer.need.siret
    return offer.for_company() if own or sees_every_offer(request) else offer.public()


@router.get(
    "/offres-entreprises",
    dependencies=[requires("lecture", writes="offre.publier")],
    summary="Les offres d’apprentissage et de PFMP",
)
def offers_list(
    request: Request,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    taille: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Les offres actives et non expirées (sans coordonnées de l’entreprise) ; pour une
    entreprise, toutes les siennes en plus, quel que soit leur statut. Les plus récentes
    d’abord."""
    account = current_account(request)
    with request_engine(request).connect() as conn:
        total, offers = list_offers(
            conn,
            siret=account.siret if account is not None else None,
            limit=taille,
            offset=(page - 1) * taille,
        )
        shown = [_shown(request, o) for o in offers]
    return {"total": total, "page": page, "taille": taille, "offres": shown}


@router.post(
    "/offres-entreprises",
    dependencies=[requires("lecture", writes="offre.publier")],
    status_code=201,
    summary="Publier une offre",
    responses={422: {"description": "Champ refusé"}, 429: {"description": "Trop d’écritures"}},
)
def offer_create(request: Request, body: OfferIn) -> dict[str, Any]:
    """Un besoin d’apprentissage ou de PFMP encore ouvert de mon entreprise devient une offre
    active (un besoin d’une autre entreprise : 404). Réponse : l’offre, avec son ``id``."""

    def work(conn: Any, actor: Any) -> dict[str, Any]:
        need = found_need(request, conn, body.besoin)
        values = body.model_dump(exclude={"besoin"})
        return publish_offer(conn, actor, need, values).for_company()

    return write(request, work)


@router.get(
    "/offres-entreprises/{offre}",
    dependencies=[requires("lecture", writes="offre.publier")],
    summary="Une offre",
)
def offer_detail(request: Request, offre: OFFER_ID) -> dict[str, Any]:
    """Une offre active (pour tous, sans coordonnées) ou une des miennes (404 sinon)."""
    with request_engine(request).connect() as conn:
        return _shown(request, found_offer(request, conn, offre))


@router.patch(
    "/offres-entreprises/{offre}",
    dependencies=[requires("lecture", writes="offre.publier")],
    summary="Modifier, pourvoir, annuler ou prolonger une offre",
)
def offer_change(request: Request, offre: OFFER_ID, body: OfferPatch) -> dict[str, Any]:
    """Les champs envoyés changent ; une offre expirée redevient active avec une nouvelle date
    d’expiration. L’offre d’une autre entreprise : 404."""
    changes = body.model_dump(exclude_unset=True)

    def work(conn: Any, actor: Any) -> dict[str, Any]:
        offer = found_offer(request, conn, offre)
        return update_offer(conn, actor, offer, changes).for_company()

    return write(request, work)


@router.post(
    "/offres-entreprises/{offre}/signalement",
    dependencies=[requires("offre.signaler")],
    status_code=201,
    summary="Signaler une offre",
    responses={429: {"description": "Trop d’écritures"}},
)
def offer_report(request: Request, offre: OFFER_ID, body: ReportIn) -> dict[str, Any]:
    """Le signalement est compté sur l’offre et inscrit au journal avec son auteur ;
    l’équipe de Tremplin le revoit. Seule une offre que je peux lire se signale."""

    def work(conn: Any, actor: Any) -> dict[str, Any]:
        report_offer(conn, actor, found_offer(request, conn, offre), body.motif)
        return {"offre": offre, "recu": True}

    return write(request, work)
