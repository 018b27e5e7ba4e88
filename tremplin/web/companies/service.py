"""What the companies' pages and API share: which needs the session sees, the need of a route
found and checked against the session's scope, the write quota, and a write's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from fastapi import Request

from tremplin.accounts.accounts import Account
from tremplin.companies.applications import Ranked, ranked_candidates, received_applications
from tremplin.companies.companies import Company, find_company
from tremplin.companies.needs import Need, NeedScope, get_need
from tremplin.companies.offers import Offer, get_offer, readable
from tremplin.companies.quotas import check_write_quota
from tremplin.errors import NotFound
from tremplin.store.audit import COMMAND_LINE, Actor
from tremplin.web.shared.auth import authorize, current_account, request_policy
from tremplin.web.shared.templating import request_engine, request_settings

T = TypeVar("T")
OWNER_ACTIONS = frozenset({"offre.publier", "candidature.repondre"})
"""The actions on an offer only its company (and an administrator) may take."""


def actor_of(account: Account | None) -> Actor:
    return account.actor if account is not None else Actor(COMMAND_LINE)


def need_scope(request: Request) -> NeedScope:
    """The needs the session sees for the request's action (« besoin.voir »…): all of them,
    its company's, its territory's."""
    account = current_account(request)
    if account is None:
        return NeedScope()
    scopes = request_policy(request).scopes(account.role, request.state.action)
    return NeedScope(
        all="tout" in scopes,
        siret=account.siret if "siret" in scopes else None,
        territoire=account.territoire if "territoire" in scopes else None,
    )


def in_scope(request: Request) -> Callable[[frozenset[str]], bool]:
    """Whether a commune (its territories) is in the session's scope for the request's action."""
    scope = need_scope(request)
    return lambda territories: (
        scope.all or (scope.territoire is not None and scope.territoire in territories)
    )


def my_company(request: Request, conn: sa.Connection) -> Company | None:
    """The company of the session's SIRET, when it has one and it is recorded."""
    account = current_account(request)
    return find_company(conn, account.siret) if account is not None else None


def found_need(request: Request, conn: sa.Connection, need_id: int) -> Need:
    """The need ``need_id``, checked against the session's scope: 404 outside it, as when it
    does not exist."""
    try:
        need = get_need(conn, need_id)
    except NotFound:
        raise NotFound("besoin introuvable") from None
    authorize(request, need.resource)
    return need


def sees_every_offer(request: Request) -> bool:
    """Whether the session may write any company's offer (an administrator): it reads them all."""
    account = current_account(request)
    return account is not None and "tout" in request_policy(request).scopes(
        account.role, "offre.publier"
    )


def found_offer(request: Request, conn: sa.Connection, offer_id: int) -> Offer:
    """The offer ``offer_id`` as the session may read it: an active one for anyone, any of its
    own company's, every one for an administrator; 404 otherwise, as when it does not exist.
    A write (« offre.publier ») and the company's reading of its candidates
    (« candidature.repondre ») are checked against the offer's company."""
    account = current_account(request)
    try:
        offer = get_offer(conn, offer_id)
    except NotFound:
        raise NotFound("offre introuvable") from None
    siret = account.siret if account is not None else None
    if request.state.action in OWNER_ACTIONS:
        authorize(request, offer.resource)
    elif not readable(offer, siret, sees_all=sees_every_offer(request)):
        raise NotFound("offre introuvable")
    return offer


def shown_candidates(request: Request, offer_id: int, page: int, size: int) -> tuple[Offer, Ranked]:
    """The offer ``offer_id`` (its company's, checked) and the page ``page`` of ``size``
    candidates ranked for it, each display audited in the same transaction."""
    with request_engine(request).begin() as conn:
        offer = found_offer(request, conn, offer_id)
        account = actor_of(current_account(request))
        return offer, ranked_candidates(conn, account, offer, limit=size, offset=(page - 1) * size)


def shown_applications(request: Request, offer_id: int) -> tuple[Offer, list[dict[str, Any]]]:
    """The offer ``offer_id`` (its company's, checked) and the applications it received, the
    display audited in the same transaction."""
    with request_engine(request).begin() as conn:
        offer = found_offer(request, conn, offer_id)
        return offer, received_applications(conn, actor_of(current_account(request)), offer)


def rate_scope(request: Request) -> dict[str, Any]:
    """The companies whose response rates the session follows (« candidature.suivre »), as the
    arguments of :func:`tremplin.companies.applications.response_rates`."""
    account = current_account(request)
    if account is None:
        return {}
    scopes = request_policy(request).scopes(account.role, "candidature.suivre")
    if "tout" in scopes:
        return {"every": True}
    if "territoire" in scopes and account.territoire:
        return {"territoire": account.territoire}
    return {}


def write(request: Request, work: Callable[[sa.Connection, Actor], T]) -> T:
    """Run ``work`` in one transaction, after checking the session's write quota."""
    account = current_account(request)
    with request_engine(request).begin() as conn:
        check_write_quota(
            conn, account.id if account else None, request_settings(request).besoins_par_heure
        )
        return work(conn, actor_of(account))
