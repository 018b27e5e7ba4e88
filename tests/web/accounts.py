"""Logging in through the application in-process: a session cookie, a bearer token, and the
CSRF cookie with the token a form carries."""

from __future__ import annotations

import re

import httpx

from tests.accounts.people import PASSWORD
from tests.web.client import WebClient
from tremplin.web.shared.auth import CSRF_COOKIE, SESSION_COOKIE

_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def form_token(answer: httpx.Response) -> tuple[str, str]:
    """The CSRF cookie a page set and the token its form carries (the same value)."""
    cookie = answer.cookies.get(CSRF_COOKIE)
    found = _CSRF_FIELD.search(answer.text)
    assert cookie and found, answer.text[:500]
    return cookie, found.group(1)


def cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    """The ``Cookie`` header sending ``cookies`` (the client keeps no cookie jar)."""
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def web_login(client: WebClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """The cookies of a web session of ``email``, logged in through the login form."""
    page = client.get("/connexion")
    cookie, token = form_token(page)
    answer = client.request(
        "POST",
        "/connexion",
        data={"csrf": token, "email": email, "mot_de_passe": password, "suivant": "/"},
        headers=cookie_header({CSRF_COOKIE: cookie}),
    )
    assert answer.status_code == 303, answer.text
    session = answer.cookies.get(SESSION_COOKIE)
    assert session
    return {SESSION_COOKIE: session, CSRF_COOKIE: cookie}


def api_token(client: WebClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """The ``Authorization`` header of an API session of ``email``."""
    answer = client.post("/api/v1/session", {"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}
