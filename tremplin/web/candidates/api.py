"""The candidates' API (``/api/v1/candidat…``): sign up, my profile with its consent, the
offers ranked for me, my applications (send, list, withdraw)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from tremplin.companies.applying import (
    MESSAGE_LIMIT,
    apply_to,
    my_applications,
    offers_for,
    withdraw,
)
from tremplin.companies.candidates import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    MAX_TRADES,
    delete_profile,
    save_profile,
)
from tremplin.errors import InputError
from tremplin.web.accounts.service import signed_in
from tremplin.web.candidates.service import candidate_write, create_candidate, my_profile
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import request_engine

router = APIRouter(prefix="/api/v1/candidat", tags=["Candidats : profil, offres, candidatures"])
APPLICATION_ID = Annotated[
    int, Path(ge=1, le=2**31 - 1, description="Identifiant de la candidature.")
]


class SignUp(BaseModel):
    """A new candidate account: an e-mail and a password, nothing else."""

    email: str = Field(max_length=320, description="Adresse électronique.")
    password: str = Field(max_length=1024, description="Mot de passe (au moins 12 caractères).")


class ProfileIn(BaseModel):
    """A candidate's profile, and the consent without which it is not stored."""

    codes_rome: list[str] = Field(
        min_length=1, max_length=MAX_TRADES, description="Métiers souhaités : 1 à 5 codes ROME."
    )
    code_insee: str = Field(max_length=5, description="Code INSEE de ma commune.")
    rayon_km: int = Field(description="Distance que je peux parcourir, de 1 à 200 km.")
    niveau: Literal["3", "4", "5", "6", "7"] | None = Field(None, description="Mon niveau.")
    disponible_le: date | None = Field(None, description="Disponible à partir du (AAAA-MM-JJ).")
    visible: bool = Field(True, description="false : profil masqué aux entreprises.")
    consentement: bool = Field(
        description=f"true : j’accepte le texte de consentement (version {CONSENT_VERSION})."
    )


class ApplicationIn(BaseModel):
    """An application to an offer."""

    offre: int = Field(ge=1, le=2**31 - 1, description="Identifiant de l’offre active.")
    message: str | None = Field(
        None, max_length=MESSAGE_LIMIT, description="Message, sans lien ni adresse électronique."
    )


def _consent() -> dict[str, str]:
    return {"version": CONSENT_VERSION, "texte": CONSENT_TEXT}


@router.post(
    "/inscription",
    dependencies=[requires("session")],
    status_code=201,
    summary="Créer un compte candidat",
    responses={422: {"description": "Données invalides"}, 429: {"description": "Trop d’essais"}},
)
async def sign_up_api(request: Request, body: SignUp) -> dict[str, Any]:
    """Crée un compte de rôle « candidat » (aucun autre rôle ne se crée soi-même) ; ensuite,
    ``POST /api/v1/session`` donne un jeton. Limité par adresse, comme les connexions."""
    account, _ = await create_candidate(request, body.email, body.password, body.password, None)
    return {"compte": account.public()}


@router.get("/profil", dependencies=[requires("candidat.profil")], summary="Mon profil")
def profile_get(request: Request) -> dict[str, Any]:
    """Mon profil (``null`` sans profil) et le texte du consentement en vigueur."""
    with request_engine(request).connect() as conn:
        profile = my_profile(request, conn)
    return {"profil": profile.public() if profile else None, "consentement": _consent()}


@router.put(
    "/profil",
    dependencies=[requires("candidat.profil")],
    summary="Publier ou modifier mon profil",
    responses={422: {"description": "Champ invalide, ou consentement absent"}},
)
def profile_put(request: Request, body: ProfileIn) -> dict[str, Any]:
    """Enregistre le profil, avec le consentement donné maintenant (sans lui, rien n’est
    gardé : 422 qui nomme le champ « consentement »)."""
    values = body.model_dump()
    saved = candidate_write(request, lambda conn, actor, me: save_profile(conn, actor, me, values))
    return {"profil": saved.public(), "consentement": _consent()}


@router.delete(
    "/profil",
    dependencies=[requires("candidat.profil")],
    status_code=204,
    summary="Supprimer mon profil (retirer mon consentement)",
)
def profile_delete(request: Request) -> Response:
    """Supprime le profil ; les candidatures restent (et peuvent être retirées)."""
    candidate_write(request, lambda conn, actor, me: delete_profile(conn, actor, me))
    return Response(status_code=204)


@router.get("/offres", dependencies=[requires("candidat.profil")], summary="Les offres pour moi")
def offers_api(
    request: Request,
    contrat: Annotated[
        Literal["apprentissage", "pfmp"] | None, Query(description="Type d’offre.")
    ] = None,
    limite: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Les offres actives classées pour mon profil : d’abord dans mon rayon, chacune avec sa
    distance, son score et la phrase qui explique son rang (422 sans profil)."""
    with request_engine(request).connect() as conn:
        profile = my_profile(request, conn)
        if profile is None:
            raise InputError("publiez d’abord votre profil", where=["profil"])
        ranked = offers_for(conn, profile, contrat=contrat)
    return {"total": len(ranked), "offres": ranked[:limite]}


@router.post(
    "/candidatures",
    dependencies=[requires("candidature.deposer")],
    status_code=201,
    summary="Candidater à une offre",
    responses={
        404: {"description": "Offre inconnue ou plus active"},
        409: {"description": "Déjà candidaté à cette offre"},
        422: {"description": "Sans profil, ou message avec une adresse"},
        429: {"description": "Trop d’écritures"},
    },
)
def application_post(request: Request, body: ApplicationIn) -> dict[str, Any]:
    """Envoie une candidature (une par offre, à une offre active, avec un profil)."""
    made = candidate_write(
        request, lambda conn, actor, me: apply_to(conn, actor, me, body.offre, body.message)
    )
    return made.public()


@router.get(
    "/candidatures", dependencies=[requires("candidature.deposer")], summary="Mes candidatures"
)
def applications_get(request: Request) -> dict[str, Any]:
    """Mes candidatures, les plus récentes d’abord, avec la réponse de l’entreprise."""
    account = signed_in(request)
    with request_engine(request).connect() as conn:
        mine = my_applications(conn, account.id)
    return {"total": len(mine), "candidatures": [a.public() for a in mine]}


@router.delete(
    "/candidatures/{candidature}",
    dependencies=[requires("candidature.deposer")],
    summary="Retirer une candidature",
    responses={
        404: {"description": "Pas une de mes candidatures"},
        409: {"description": "Déjà refusée ou retirée"},
    },
)
def application_delete(request: Request, candidature: APPLICATION_ID) -> dict[str, Any]:
    """Retire la candidature (statut « retiree ») ; celle d’un autre : 404."""
    done = candidate_write(request, lambda conn, actor, me: withdraw(conn, actor, me, candidature))
    return done.public()
