"""The accounts' API: sessions for scripts (``POST /api/v1/session`` → a bearer token), my
account, my data, what I may do, and the accounts for administrators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from tremplin.accounts.accounts import get_account, list_accounts
from tremplin.accounts.personal_data import delete_account, export_data
from tremplin.accounts.policy import Resource
from tremplin.accounts.sessions import API
from tremplin.companies.personal_data import account_company_data, forget_account
from tremplin.errors import InputError, NotFound
from tremplin.web.accounts.service import (
    end_session,
    open_session_for,
    request_rights,
    signed_in,
)
from tremplin.web.shared.auth import (
    authorize,
    current_account,
    request_policy,
    requires,
)
from tremplin.web.shared.templating import request_engine

router = APIRouter(prefix="/api/v1", tags=["Comptes et droits"])


class Credentials(BaseModel):
    """An e-mail and its password."""

    email: str = Field(max_length=320, description="Adresse électronique du compte.")
    password: str = Field(max_length=1024, description="Mot de passe.")


class Token(BaseModel):
    """A session for the API."""

    token: str = Field(description="À envoyer dans l’en-tête « Authorization: Bearer … ».")
    expire_le: str = Field(description="Fin de validité du jeton (ISO 8601).")


@router.post(
    "/session",
    dependencies=[requires("session")],
    response_model=Token,
    summary="Ouvrir une session (jeton)",
    responses={
        401: {"description": "Identifiants incorrects"},
        429: {"description": "Trop d’essais"},
    },
)
async def open_api_session(request: Request, credentials: Credentials) -> Token:
    """Un jeton pour l’en-tête ``Authorization: Bearer``. Après des mots de passe erronés
    répétés (par compte et par adresse), la réponse est 429 avec ``Retry-After``."""
    _, opened = await open_session_for(request, credentials.email, credentials.password, API)
    return Token(token=opened.secret, expire_le=opened.expires_at.isoformat())


@router.delete(
    "/session",
    dependencies=[requires("session")],
    status_code=204,
    summary="Fermer la session du jeton",
)
def close_api_session(request: Request) -> Response:
    """Le jeton envoyé dans ``Authorization: Bearer`` cesse de valoir."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    end_session(request, token.strip() if scheme.lower() == "bearer" else None)
    return Response(status_code=204)


@router.get("/moi", dependencies=[requires("compte.soi")], summary="Mon compte et mes droits")
def me(request: Request) -> dict[str, Any]:
    """Le compte de la session, et chaque action que son rôle permet, avec ses portées."""
    account = signed_in(request)
    return {"compte": account.public(), "droits": request_rights(request)}


@router.get("/moi/donnees", dependencies=[requires("compte.soi")], summary="Exporter mes données")
def my_data(request: Request) -> dict[str, Any]:
    """Tout ce que Tremplin garde du compte : le compte, ses sessions, ses lignes du journal."""
    account = signed_in(request)
    with request_engine(request).connect() as conn:
        return export_data(conn, account) | account_company_data(conn, account)


@router.delete(
    "/moi", dependencies=[requires("compte.soi")], status_code=204, summary="Supprimer mon compte"
)
def delete_me(request: Request) -> Response:
    """Efface l’adresse, le mot de passe et le périmètre du compte ; ses sessions prennent fin."""
    account = signed_in(request)
    with request_engine(request).begin() as conn:
        forget_account(conn, account.actor, account)
        delete_account(conn, account)
    return Response(status_code=204)


@router.get(
    "/autorisations",
    dependencies=[requires("lecture")],
    summary="Ce que la session peut faire sur une ressource",
)
def authorisation(
    request: Request,
    action: Annotated[str, Query(max_length=64, description="Action de la politique.")],
    territoire: Annotated[
        list[str] | None,
        Query(max_length=64, description="Territoires de la ressource (maille:code, répété)."),
    ] = None,
    uai: Annotated[str | None, Query(max_length=8, description="UAI de la ressource.")] = None,
    siret: Annotated[str | None, Query(max_length=14, description="SIRET de la ressource.")] = None,
) -> dict[str, Any]:
    """La décision de la politique pour la session (ou un visiteur) : ``autorise``,
    ``non_connecte``, ``interdit`` (rôle) ou ``hors_perimetre``."""
    policy = request_policy(request)
    if action not in policy.actions:
        raise InputError(
            f"action « {action} » inconnue", where=["action"], expected=", ".join(policy.actions)
        )
    resource = Resource(frozenset(territoire or ()), uai, siret)
    decision = policy.decide(current_account(request), action, resource)
    return {"action": action, "decision": decision.value, "autorise": decision == "autorise"}


@router.get(
    "/comptes", dependencies=[requires("comptes.gerer")], summary="Les comptes (administrateurs)"
)
def accounts_list(request: Request) -> list[dict[str, Any]]:
    """Chaque compte, sans son mot de passe."""
    with request_engine(request).connect() as conn:
        return [account.public() for account in list_accounts(conn)]


@router.get("/comptes/{identifiant}", dependencies=[requires("compte.soi")], summary="Un compte")
def account_detail(
    request: Request, identifiant: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> dict[str, Any]:
    """Un compte : le sien, ou n’importe lequel pour un administrateur (404 sinon)."""
    with request_engine(request).connect() as conn:
        try:
            account = get_account(conn, identifiant)
        except NotFound:
            raise NotFound("introuvable") from None
    authorize(request, Resource(owner_id=account.id))
    return account.public()
