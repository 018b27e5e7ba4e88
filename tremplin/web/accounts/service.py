"""What the accounts' pages and API share: reading a posted form, the client's address, and
opening or closing a session on a response."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from tremplin.accounts.accounts import Account
from tremplin.accounts.login import log_in
from tremplin.accounts.policy import ALL_ROLES, Policy
from tremplin.accounts.sessions import Opened, close_session
from tremplin.errors import Unauthenticated
from tremplin.store.audit import record
from tremplin.web.shared.auth import (
    SESSION_COOKIE,
    current_account,
    request_policy,
    set_cookie,
)
from tremplin.web.shared.templating import request_engine

CLOSED = "session.fermer"
"""The audit log's action of a logout."""
FORM_LIMIT = 64 * 1024
"""The largest login or password form read (bytes): nothing legitimate comes near it."""


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a posted form (the first value of each)."""
    body = await request.body()
    values: dict[str, str] = {}
    for name, value in parse_qsl(body[:FORM_LIMIT].decode("utf-8", errors="replace")):
        values.setdefault(name, value)
    return values


def client_address(request: Request) -> str:
    """The address the request comes from (the proxy's, behind one: see docs/rgpd.md)."""
    return request.client.host if request.client else "inconnue"


async def open_session_for(
    request: Request, email: str, password: str, kind: str
) -> tuple[Account, Opened]:
    """Log in (the password check costs ~35 ms of CPU: in a thread)."""
    return await run_in_threadpool(
        log_in, request_engine(request), email, password, client_address(request), kind
    )


def set_session_cookie(request: Request, response: Response, opened: Opened) -> None:
    """The session cookie of ``opened`` on ``response``."""
    set_cookie(request, response, SESSION_COOKIE, opened.secret, 12 * 3600)


def end_session(request: Request, secret: str | None) -> None:
    """Close the session ``secret`` (a cookie's or a token's), if any (audited as the
    account's « session.fermer »)."""
    if secret:
        account = current_account(request)
        with request_engine(request).begin() as conn:
            close_session(conn, secret)
            if account is not None:
                record(conn, account.actor, CLOSED, f"compte:{account.id}")


def signed_in(request: Request) -> Account:
    """The request's account; raises 401 for a visitor (routes that declare « compte.soi »
    already did)."""
    account = current_account(request)
    if account is None:
        raise Unauthenticated("connexion requise")
    return account


def rights(policy: Policy, account: Account | None) -> list[dict[str, Any]]:
    """What ``account`` may do: each action its role has, with the scopes."""
    role = account.role if account is not None else ALL_ROLES[0]
    found = []
    for action in policy.actions.values():
        scopes = action.rules.get(role, ())
        if scopes:
            found.append(
                {"action": action.name, "description": action.description, "portees": scopes}
            )
    return found


def request_rights(request: Request) -> list[dict[str, Any]]:
    """:func:`rights` of the request's account."""
    return rights(request_policy(request), current_account(request))
