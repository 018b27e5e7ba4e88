"""Every route of the application × every role × in / out of scope: the answer the policy says,
on SQLite and on PostgreSQL.

The routes are enumerated from ``app.routes`` (so a route added without declaring its action
fails here), each declares exactly one action with ``requires``, and each is asked by a visitor
and by one account of each role, through the application in-process: pages with the session
cookie (and the CSRF token for a form), the API with a bearer token. Expected answers:

- a visitor where the policy wants an account: 401 (a page asked with GET: 302 to the login);
- a role the policy refuses: 403;
- an action open to visitors (everything public before the accounts): the visitor's own answer,
  for every role — public stays public, and no role gets less;
- a resource out of the account's scope: 404; in scope: 200.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from tests.accounts.people import PASSWORD, PEOPLE, Person, create, create_everyone
from tests.companies.candidates import add_application
from tests.planning.samples import FIELDS
from tests.web.accounts import api_token, cookie_header, web_login
from tests.web.client import WebClient, web_client, web_settings
from tremplin.accounts.accounts import Account
from tremplin.accounts.policy import ALL_ROLES, VISITOR, Decision, Resource, default_policy
from tremplin.planning.attachments import add_attachment
from tremplin.planning.campaigns import create_campaign
from tremplin.planning.requests import create_request
from tremplin.store import schema
from tremplin.store.audit import Actor
from tremplin.store.database import open_store
from tremplin.store.schema import companies, company_needs, company_offers
from tremplin.web.app import FRAMEWORK_ROUTES
from tremplin.web.shared.auth import CSRF_COOKIE, CSRF_HEADER, SAFE_METHODS, requirement_of

SAMPLES = {
    "identifier": "inconnu",
    "jeton": "inconnu",
    "maille": "region",
    "code": "84",
    "groupement": "fap",
    "identifiant": None,
    "campagne": "1",
    "demande": "1",
    "piece": "1",
    "numero": "1",
    "code_rome": "H2913",
    "besoin": None,
    "offre": None,
    "candidature": "999999",
}
"""A value for each path parameter of the application (``identifiant``: an account's id, in or
out of scope; ``campagne``, ``demande``, ``piece``: those :func:`_carte_samples` writes, in the
scope of every account that has one; ``besoin``: a need written for the request, see
:func:`fresh_need`; ``offre``: an active offer of such a need, see :func:`fresh_offer`;
``candidature``: on an offer's route, an application of the candidate to that offer, see
:func:`fresh_application`; on the candidate's own routes, an application nobody sent, see
:data:`MISSING_SAMPLES`). A new parameter must get one here."""


def _carte_samples(engine: sa.Engine) -> None:
    """Campaign 1, its request 1 — at the head of establishment's UAI, in the planner's
    académie and the UIMM's département — and its attachment 1."""
    with engine.begin() as conn:
        campaign = create_campaign(conn, Actor("test"), nom="Carte 2025", annee=2024)
        made = create_request(
            conn,
            Actor("test"),
            campaign.id,
            replace(FIELDS, uai=PEOPLE["chef_etablissement"].uai or ""),
            territoires=["region:84", "academie:10", "departement:01"],
        )
        add_attachment(conn, Actor("test"), made.id, "a.pdf", "application/pdf", b"%PDF-1.4")


VISITOR_WRITES = {
    ("POST", "/simulations"),
    ("POST", "/api/v1/simulations"),
    ("POST", "/api/v1/simulations/{identifier}/annulation"),
    ("POST", "/simulations/{identifier}/annulation"),
    ("POST", "/connexion"),
    ("POST", "/deconnexion"),
    ("POST", "/reinitialisation/{jeton}"),
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("POST", "/api/v1/carte/impact"),
    ("POST", "/inscription"),
    ("POST", "/api/v1/candidat/inscription"),
}
"""The only writes a visitor may ask: launching a simulation (in memory, as before the
accounts) or cancelling one (theirs, by its unguessable id: an owned one is refused, 404),
logging in or out, computing the impact of changes to the carte (it writes nothing), and
creating a candidate account (never another role)."""

MISSING_SAMPLES = {
    ("GET", "/carte/optimisations/{identifier}"),
    ("GET", "/api/v1/carte/optimisations/{identifier}"),
    ("POST", "/carte/optimisations/{identifier}/propositions/{numero}"),
    ("POST", "/candidat/candidatures/{candidature}/retrait"),
    ("DELETE", "/api/v1/candidat/candidatures/{candidature}"),
}
"""Routes of a resource the sample id does not name: an authorised role gets 404."""

DESTRUCTIVE = {("DELETE", "/api/v1/moi"), ("DELETE", "/api/v1/session"), ("POST", "/deconnexion")}
"""Requests that end the session or the account they are sent with: sent with a fresh one."""


NEED_RESOURCE = Resource(
    frozenset({"region:84", "academie:10", "departement:01", "bassin:8402"}),
    siret=PEOPLE["entreprise"].siret,
)
"""The need of :func:`fresh_need` as the policy sees it."""
OWN_ACTIONS = {"candidat.profil", "candidature.deposer"}
"""Actions on what the caller owns (their profile, their applications): a candidate's route on
an offer reads it as anyone reads an active offer, and checks no scope on it."""


@dataclass(frozen=True)
class Asked:
    """One route and method, and the action it declares."""

    method: str
    path: str
    action: str


def declared_routes(app: FastAPI) -> list[Asked]:
    """Every route and method of ``app`` with its declared action; fails on a route without
    exactly one declaration (framework routes excepted, each named in FRAMEWORK_ROUTES)."""
    found = []
    for context in iter_route_contexts(app.routes):
        dependencies = getattr(context, "dependencies", None)
        if dependencies is None:
            assert context.path in FRAMEWORK_ROUTES, f"{context.path} declares no action"
            continue
        requirements = requirement_of(dependencies)
        assert len(requirements) == 1, f"{context.path}: {len(requirements)} declarations"
        for method in sorted(context.methods or ()):
            if method != "HEAD":
                found.append(Asked(method, context.path, requirements[0].action_for(method)))
    return found


def test_a_route_without_a_declaration_fails_the_walk(store_client: WebClient) -> None:
    app = store_client.app
    app.add_api_route("/non-declaree", lambda: {"ok": True}, methods=["GET"])
    with pytest.raises(AssertionError, match="/non-declaree: 0 declarations"):
        declared_routes(app)


def test_the_framework_routes_are_public() -> None:
    assert all(default_policy().is_public(action) for action in FRAMEWORK_ROUTES.values())


@dataclass
class Caller:
    """A visitor or one account, with its web cookies and API header."""

    role: str
    account: Account | None
    cookies: dict[str, str]
    bearer: dict[str, str]
    email: str


def _csrf_cookie(client: WebClient) -> str:
    return str(client.get("/connexion").cookies[CSRF_COOKIE])


def _callers(client: WebClient, accounts: dict[str, Account]) -> Iterator[Caller]:
    visitor_csrf = _csrf_cookie(client)
    yield Caller(VISITOR, None, {CSRF_COOKIE: visitor_csrf}, {}, PEOPLE["lecteur"].email)
    for role, account in accounts.items():
        yield Caller(
            role,
            account,
            web_login(client, account.email),
            api_token(client, account.email),
            account.email,
        )


def fresh_need(store: sa.Engine) -> int:
    """A need of the company of PEOPLE["entreprise"] in Oyonnax (département 01, académie 10,
    région 84), written for one request (a DELETE takes it away): in the scope of that company,
    of the partner of the Ain and of the pilote of Lyon."""
    now = datetime.now(UTC)
    siret = PEOPLE["entreprise"].siret
    with store.begin() as conn:
        company = conn.execute(sa.select(companies.c.id).where(companies.c.siret == siret)).scalar()
        if company is None:
            company = conn.execute(
                companies.insert().values(
                    siret=siret, nom="Chaudronnerie", created_at=now, updated_at=now
                )
            ).inserted_primary_key[0]
        return int(
            conn.execute(
                company_needs.insert().values(
                    company_id=company,
                    code_rome="H2913",
                    nombre=2,
                    pourvus=0,
                    contrat="apprentissage",
                    code_insee="01283",
                    bassin_bmo="8402",
                    code_departement="01",
                    code_academie="10",
                    code_region="84",
                    statut="ouvert",
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
        )


def fresh_offer(store: sa.Engine) -> int:
    """An active offer (expiring in 30 days) of a :func:`fresh_need`, for one request."""
    need = fresh_need(store)
    now = datetime.now(UTC)
    with store.begin() as conn:
        company = conn.execute(
            sa.select(company_needs.c.company_id).where(company_needs.c.id == need)
        ).scalar_one()
        return int(
            conn.execute(
                company_offers.insert().values(
                    need_id=need,
                    company_id=company,
                    intitule="Apprenti chaudronnier",
                    statut="active",
                    expire_le=(now + timedelta(days=30)).date(),
                    signalements=0,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
        )


def fresh_application(store: sa.Engine, offer: int) -> int:
    """An application (sent) of the account of PEOPLE["candidat"] to ``offer``."""
    with store.begin() as conn:
        candidate = conn.execute(
            sa.select(schema.accounts.c.id).where(
                schema.accounts.c.email == PEOPLE["candidat"].email
            )
        ).scalar_one()
        return add_application(conn, offer, candidate)


def _path(
    asked: Asked,
    identifier: int | None,
    need: int | None = None,
    offer: int | None = None,
    application: int | None = None,
) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in SAMPLES, f"{asked.path}: no sample for {{{name}}}"
        given = {"identifiant": identifier, "besoin": need, "offre": offer}
        value = (given | {"candidature": application}).get(name)
        return str(SAMPLES[name] if value is None else value)

    return re.sub(r"\{(\w+)\}", fill, asked.path)


def _send(client: WebClient, asked: Asked, caller: Caller, path: str) -> httpx.Response:
    api = path.startswith("/api/")
    headers = dict(caller.bearer) if api else cookie_header(caller.cookies)
    options: dict[str, Any] = {"headers": headers}
    if asked.method not in SAFE_METHODS:
        if api:
            if asked.path == "/api/v1/session" and asked.method == "POST":
                options["json"] = {"email": caller.email, "password": PASSWORD}
            elif asked.method == "POST":
                options["json"] = {}
        else:
            form = {"csrf": caller.cookies[CSRF_COOKIE]}
            if asked.path == "/connexion":
                form |= {"email": caller.email, "mot_de_passe": PASSWORD}
            options["data"] = form
    return client.request(asked.method, path, **options)


def _expected(asked: Asked, caller: Caller, decision: Decision) -> set[int] | None:
    """The statuses the policy allows for this request; None: the visitor's answer."""
    api = asked.path.startswith("/api/")
    if decision is Decision.UNAUTHENTICATED:
        return {401} if api or asked.method != "GET" else {302}
    if decision is Decision.FORBIDDEN:
        return {403}
    if decision is Decision.OUT_OF_SCOPE:
        return {404}
    if default_policy().is_public(asked.action):
        return None
    if (asked.method, asked.path) in MISSING_SAMPLES:
        return {404}
    return {200, 202, 204, 303, 422}  # 422: authorised, the form unconfirmed (account deletion)


@pytest.fixture
def accounts(store_client: WebClient, store: sa.Engine) -> dict[str, Account]:
    return create_everyone(store)


@pytest.fixture
def backend(database_url: str, tmp_path: Path) -> Iterator[tuple[WebClient, sa.Engine]]:
    """The application on an empty store, SQLite then PostgreSQL, and an engine on that store."""
    with web_client(web_settings(database_url, tmp_path)) as client:
        engine = open_store(database_url)
        try:
            yield client, engine
        finally:
            engine.dispose()


def test_every_route_answers_every_role_as_the_policy_says(
    backend: tuple[WebClient, sa.Engine],
) -> None:
    store_client, store = backend
    accounts = create_everyone(store)
    _carte_samples(store)
    policy = default_policy()
    routes = declared_routes(store_client.app)
    callers = list(_callers(store_client, accounts))
    assert [c.role for c in callers] == list(ALL_ROLES)
    others = {role: accounts["lecteur" if role != "lecteur" else "expert"].id for role in accounts}
    visitor_answers: dict[tuple[str, str], int] = {}
    checked = 0
    problems = []
    for asked in routes:
        scoped = "{identifiant}" in asked.path
        for caller in callers:
            cases = [("dans", caller.account.id if caller.account else accounts["lecteur"].id)]
            if scoped and caller.account is not None:
                cases.append(("hors", others[caller.role]))
            for scope, identifier in cases:
                if (asked.method, asked.path) in DESTRUCTIVE and caller.account is not None:
                    caller = _fresh(store_client, store, caller, asked)
                need = fresh_need(store) if "{besoin}" in asked.path else None
                offer = fresh_offer(store) if "{offre}" in asked.path else None
                application = (
                    fresh_application(store, offer)
                    if offer is not None and "{candidature}" in asked.path
                    else None
                )
                path = _path(asked, identifier, need, offer, application)
                resource = Resource(owner_id=identifier) if scoped else None
                if (need is not None or offer is not None) and asked.action not in OWN_ACTIONS:
                    resource = NEED_RESOURCE  # an offer is its need's, as the policy sees it
                decision = policy.decide(caller.account, asked.action, resource)
                answer = _send(store_client, asked, caller, path)
                expected = _expected(asked, caller, decision)
                key = (asked.method, asked.path)
                if caller.account is None:
                    visitor_answers[key] = answer.status_code
                if expected is None:
                    ok = answer.status_code == visitor_answers[key] and answer.status_code not in (
                        401,
                        403,
                    )
                else:
                    ok = answer.status_code in expected
                checked += 1
                if not ok:
                    problems.append(
                        f"{asked.method} {path} ({asked.action}) as {caller.role} {scope}: "
                        f"{answer.status_code}, expected {expected or visitor_answers[key]}"
                    )
    assert problems == []
    # The size of the matrix: every route and method × 9 roles (+ out of scope where scoped).
    assert checked >= len(routes) * len(ALL_ROLES)
    print(f"route × role × scope matrix: {len(routes)} routes, {checked} requests")


def _fresh(client: WebClient, store: sa.Engine, caller: Caller, asked: Asked) -> Caller:
    """A new session (and, for deleting one's account, a new account) of the caller's role."""
    assert caller.account is not None
    if asked.path == "/api/v1/moi":
        base = PEOPLE[caller.role]
        person = Person(
            base.role, f"jetable.{caller.role}@tremplin.test", base.territoire, base.uai, base.siret
        )
        with store.begin() as conn:
            account = create(conn, person)
        return Caller(caller.role, account, {}, api_token(client, person.email), person.email)
    return Caller(
        caller.role,
        caller.account,
        web_login(client, caller.email),
        api_token(client, caller.email),
        caller.email,
    )


def test_visitors_may_only_read_log_in_and_launch_simulations(store_client: WebClient) -> None:
    policy = default_policy()
    writes = {
        (asked.method, asked.path)
        for asked in declared_routes(store_client.app)
        if asked.method not in SAFE_METHODS and policy.is_public(asked.action)
    }
    assert writes == VISITOR_WRITES


def test_an_api_write_with_the_session_cookie_needs_the_csrf_header(
    store_client: WebClient, accounts: dict[str, Account]
) -> None:
    cookies = web_login(store_client, PEOPLE["lecteur"].email)
    refused = store_client.request("DELETE", "/api/v1/moi", headers=cookie_header(cookies))
    assert refused.status_code == 403
    done = store_client.request(
        "DELETE",
        "/api/v1/moi",
        headers={**cookie_header(cookies), CSRF_HEADER: cookies[CSRF_COOKIE]},
    )
    assert done.status_code == 204
