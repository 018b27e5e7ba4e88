"""The accounts' pages: log in, log out, « mon compte » (export my data, delete my account),
and the one-time link that sets a new password."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from tremplin.accounts.accounts import ROLE_LABELS, Account
from tremplin.accounts.personal_data import delete_account, export_data
from tremplin.accounts.sessions import RESET, WEB, reset_password, session_account
from tremplin.companies.personal_data import account_company_data, forget_account
from tremplin.errors import InputError, NotFound, TooManyAttempts, TremplinError
from tremplin.reports.exports import attachment
from tremplin.web.accounts.service import (
    end_session,
    open_session_for,
    read_form,
    request_rights,
    set_session_cookie,
    signed_in,
)
from tremplin.web.shared.auth import SESSION_COOKIE, current_account, requires
from tremplin.web.shared.templating import render, request_engine, request_settings

router = APIRouter(include_in_schema=False)


def _next(value: str | None) -> str:
    """Where to go after logging in: a path of this site only (never « //elsewhere »)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/mon-compte"


@router.get("/compte/entete", dependencies=[requires("session")])
def header_fragment(request: Request) -> Response:
    """The header's account links (htmx): « Se connecter », or « Mon compte » and logout."""
    response = render(request, "_entete_compte.html", {"me": current_account(request)})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/donnees-personnelles", name="personal-data", dependencies=[requires("lecture")])
def personal_data_page(request: Request) -> Response:
    """What Tremplin keeps about people, why, for how long, who sees it (docs/rgpd.md)."""
    return render(request, "donnees_personnelles.html", {"settings": request_settings(request)})


@router.get("/connexion", name="login", dependencies=[requires("session")])
def login_page(request: Request) -> Response:
    """The login form."""
    suivant = _next(request.query_params.get("suivant"))
    return render(request, "connexion.html", {"suivant": suivant, "email": "", "error": None})


@router.post("/connexion", dependencies=[requires("session")])
async def login_submit(request: Request) -> Response:
    """Check the e-mail and password; the session cookie and the page asked for, or the form
    again with the reason (401, or 429 with Retry-After after repeated wrong passwords)."""
    form = await read_form(request)
    suivant = _next(form.get("suivant"))
    email = form.get("email", "")
    try:
        _, opened = await open_session_for(request, email, form.get("mot_de_passe", ""), WEB)
    except TremplinError as error:
        context = {"suivant": suivant, "email": email, "error": str(error)}
        response = render(request, "connexion.html", context, error.status)
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    response = RedirectResponse(suivant, status_code=303)
    set_session_cookie(request, response, opened)
    return response


@router.post("/deconnexion", dependencies=[requires("session")])
def logout(request: Request) -> Response:
    """End the session and forget its cookie."""
    end_session(request, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/mon-compte", name="my-account", dependencies=[requires("compte.soi")])
def account_page(request: Request) -> Response:
    """The account: e-mail, role, scope, what it may do; export and deletion."""
    account = signed_in(request)
    return render(
        request,
        "mon_compte.html",
        {"me": account, "role_label": ROLE_LABELS[account.role], "rights": request_rights(request)},
    )


@router.get("/mon-compte/donnees.json", dependencies=[requires("compte.soi")])
def account_export(request: Request) -> Response:
    """Everything Tremplin keeps about the account, as a JSON file."""
    account = signed_in(request)
    with request_engine(request).connect() as conn:
        document = export_data(conn, account) | account_company_data(conn, account)
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(
        content, media_type="application/json", headers=attachment("mes-donnees-tremplin.json")
    )


@router.post("/mon-compte/supprimer", dependencies=[requires("compte.soi")])
async def account_delete(request: Request) -> Response:
    """Delete the account (its e-mail, password and scope are erased), once confirmed."""
    account = signed_in(request)
    form = await read_form(request)
    if form.get("confirmer") != "oui":
        context = {
            "me": account,
            "role_label": ROLE_LABELS[account.role],
            "rights": request_rights(request),
            "error": "cochez la case pour confirmer la suppression",
        }
        return render(request, "mon_compte.html", context, 422)
    with request_engine(request).begin() as conn:
        forget_account(conn, account.actor, account)
        delete_account(conn, account)
    response = RedirectResponse("/?compte=supprime", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _link_account(request: Request, jeton: str) -> Account:
    """The account of the one-time link ``jeton``; 404 when unknown, used or expired."""
    with request_engine(request).connect() as conn:
        account = session_account(conn, jeton, (RESET,))
    if account is None:
        raise NotFound("lien de réinitialisation inconnu, déjà utilisé ou expiré")
    return account


@router.get("/reinitialisation/{jeton}", dependencies=[requires("session")])
def reset_page(request: Request, jeton: str) -> Response:
    """The form of a new password, from a one-time link (``tremplin comptes reinitialiser``)."""
    account = _link_account(request, jeton)
    return render(request, "reinitialisation.html", {"email": account.email, "error": None})


@router.post("/reinitialisation/{jeton}", dependencies=[requires("session")])
async def reset_submit(request: Request, jeton: str) -> Response:
    """Set the new password; the link stops working and the login page follows. The form
    again, with the reason, when the two passwords differ or the password is too weak."""
    form = await read_form(request)
    account = _link_account(request, jeton)
    password = form.get("mot_de_passe", "")
    try:
        if password != form.get("confirmation", ""):
            raise InputError("les deux mots de passe diffèrent")
        await run_in_threadpool(_reset, request, jeton, password)
    except InputError as error:
        context = {"email": account.email, "error": str(error)}
        return render(request, "reinitialisation.html", context, 422)
    return RedirectResponse("/connexion?reinitialise=1", status_code=303)


def _reset(request: Request, jeton: str, password: str) -> None:
    # Hashing costs ~35 ms of CPU: in a thread, not on the event loop.
    with request_engine(request).begin() as conn:
        reset_password(conn, jeton, password)
