"""Who is asking, and may they: the one dependency every route declares.

:func:`requires` names the policy's action of a route (``requires("lecture")``; with
``writes=``, the action of its POST, PUT, PATCH and DELETE). Its dependency finds the account
(an ``Authorization: Bearer`` token, else the session cookie), asks the policy
(:mod:`tremplin.accounts.policy`) and answers:

- a visitor where an account is needed: 401 (a page asked with GET redirects to the login page);
- a role the policy does not allow: 403;
- a write with the session cookie, or any form posted to a page, without the form's CSRF token:
  403.

A route that finds its resource afterwards calls :func:`authorize` on it: a resource outside the
account's scope answers 404, as if it did not exist. ``tests/web/test_policy_routes.py`` walks
every route of the application and fails on a route that declares no action.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from starlette.responses import Response

from tremplin.accounts.accounts import Account
from tremplin.accounts.policy import Decision, Policy, Resource, default_policy
from tremplin.accounts.sessions import API, WEB, session_account
from tremplin.errors import Forbidden, NotFound, Unauthenticated
from tremplin.web.shared.multipart import is_multipart, multipart_fields

SESSION_COOKIE = "tremplin_session"
CSRF_COOKIE = "tremplin_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNKNOWN = object()


def request_policy(request: Request) -> Policy:
    """The policy of the application (``app.state.policy``, default :func:`default_policy`)."""
    policy: Policy = getattr(request.app.state, "policy", None) or default_policy()
    return policy


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_account(request: Request) -> Account | None:
    """The account of the request's bearer token or session cookie (None: a visitor), looked up
    once per request."""
    found = getattr(request.state, "account", _UNKNOWN)
    if found is not _UNKNOWN:
        assert found is None or isinstance(found, Account)
        return found
    token, kinds = _bearer(request), (API,)
    if token is None:
        token, kinds = request.cookies.get(SESSION_COOKIE), (WEB,)
    account = None
    if token:
        with request.app.state.engine.connect() as conn:
            account = session_account(conn, token, kinds)
    request.state.account = account
    request.state.by_cookie = account is not None and kinds == (WEB,)
    return account


def csrf_token(request: Request) -> str:
    """The CSRF token the request's forms carry: the browser's cookie, or a new one that
    :func:`set_csrf_cookie` sets on the response."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) > 128:
        token = getattr(request.state, "csrf_new", None) or secrets.token_urlsafe(32)
        request.state.csrf_new = token
    return token


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """A cookie only the server reads (HttpOnly), sent back to this site only (SameSite=Strict),
    over HTTPS only unless ``TREMPLIN_COOKIE_SECURE=0``."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
        path="/",
    )


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie when :func:`csrf_token` made a new one for this response's forms."""
    token = getattr(request.state, "csrf_new", None)
    if token:
        set_cookie(request, response, CSRF_COOKIE, token, 12 * 3600)


async def _check_csrf(request: Request) -> None:
    expected = request.cookies.get(CSRF_COOKIE) or ""
    given = request.headers.get(CSRF_HEADER)
    kind = request.headers.get("content-type", "")
    if given is None and kind.startswith("application/x-www-form-urlencoded"):
        body = (await request.body()).decode("utf-8", errors="replace")
        given = next((v for k, v in parse_qsl(body) if k == CSRF_FIELD), None)
    elif given is None and is_multipart(request.headers.get("content-type", "")):
        field = multipart_fields(request.headers["content-type"], await request.body()).get(
            CSRF_FIELD
        )
        given = field.text if field is not None else None
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise Forbidden(
            "formulaire expiré ou envoyé depuis un autre site : rechargez la page et recommencez"
        )


def _deny(request: Request, decision: Decision, action: str) -> None:
    if decision is Decision.UNAUTHENTICATED:
        raise Unauthenticated("connexion requise")
    description = request_policy(request).action(action).description
    raise Forbidden(f"votre rôle ne permet pas cette action ({description.lower()})")


class Requirement:
    """The dependency of one declaration: the action of reads and the action of writes."""

    def __init__(self, action: str, writes: str | None) -> None:
        default_policy().action(action)  # a typo fails when the route is declared
        if writes is not None:
            default_policy().action(writes)
        self.action = action
        self.writes = writes or action

    def action_for(self, method: str) -> str:
        """The action a request with ``method`` asks for."""
        return self.action if method.upper() in SAFE_METHODS else self.writes

    async def __call__(self, request: Request) -> Account | None:
        action = self.action_for(request.method)
        request.state.action = action
        account = current_account(request)
        decision = request_policy(request).decide(account, action)
        if decision is not Decision.ALLOWED:
            _deny(request, decision, action)
        if request.method not in SAFE_METHODS and (
            not request.url.path.startswith("/api/") or request.state.by_cookie
        ):
            await _check_csrf(request)
        return account


def requires(action: str, *, writes: str | None = None) -> Any:
    """The dependency that declares a route's action (and, with ``writes``, its writes')."""
    return Depends(Requirement(action, writes))


def authorize(request: Request, resource: Resource) -> None:
    """Check the request's action on ``resource``, found by the route: outside the account's
    scope it does not exist (404)."""
    account = current_account(request)
    action: str = request.state.action
    decision = request_policy(request).decide(account, action, resource)
    if decision is Decision.OUT_OF_SCOPE:
        raise NotFound("introuvable")
    if decision is not Decision.ALLOWED:
        _deny(request, decision, action)


def requirement_of(dependencies: list[Any]) -> list[Requirement]:
    """The declarations among a route's dependencies (``Depends`` objects)."""
    return [d.dependency for d in dependencies if isinstance(d.dependency, Requirement)]
