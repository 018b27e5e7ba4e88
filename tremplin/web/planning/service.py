"""What the carte's pages and API share: the facts, who writes, the scopes of a request, the
requests a person may read, the rule that only the Région validates, a form read into fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from tremplin.accounts.policy import Decision, Resource
from tremplin.diagnostic.facts import Facts
from tremplin.errors import Forbidden
from tremplin.planning import workflow
from tremplin.planning.offers import offer_reference
from tremplin.planning.opinions import FUNCTIONS
from tremplin.planning.requests import Request as Demande
from tremplin.planning.requests import create_request
from tremplin.planning.validators import CAPACITY_FIELDS, RequestFields
from tremplin.web.shared.auth import authorize, current_account, request_policy
from tremplin.web.shared.jobs import actor

__all__ = ["actor", "propose"]


def request_facts(request: Request) -> Facts | None:
    """The diagnostic's facts (None on a store with no file loaded)."""
    service = request.app.state.diagnostic
    if service.empty():
        return None
    facts: Facts = service.facts()
    return facts


def resource_of(demande: Demande) -> Resource:
    """A request as the policy sees it: its territories and its establishment."""
    return Resource(territoires=frozenset(demande.territoires), uai=demande.fields.uai)


def check_scope(request: Request, demande: Demande) -> None:
    """The request's action on ``demande``: 404 outside the account's scope."""
    authorize(request, resource_of(demande))


def may(request: Request, action: str, demande: Demande | None = None) -> bool:
    """Whether the account may do ``action`` (on ``demande`` when given)."""
    resource = resource_of(demande) if demande is not None else None
    decision = request_policy(request).decide(current_account(request), action, resource)
    return decision is Decision.ALLOWED


def visible(request: Request, found: Sequence[Demande]) -> list[Demande]:
    """The requests of ``found`` the account may read (« demande.voir » in its scope)."""
    return [d for d in found if may(request, "demande.voir", d)]


def check_decision(request: Request, target: str) -> None:
    """Validating or refusing (the vote) needs « demande.valider » besides « demande.statuer »."""
    if target in workflow.VALIDATION and not may(request, "demande.valider"):
        raise Forbidden("seule la Région (ou un administrateur) valide ou refuse une demande")


def opinion_function(request: Request) -> str:
    """The function an opinion is given in: the account's role (Région, UIMM, expert…)."""
    account = current_account(request)
    role = account.role if account is not None else "administrateur"
    return FUNCTIONS.get(role, role)


def form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """The request's fields among a posted form's values (empty text left out; the reasons, a
    list of checkboxes, as given)."""
    values: dict[str, Any] = {}
    for name in RequestFields.field_names():
        value = form.get(name)
        if isinstance(value, list) or value not in (None, ""):
            values[name] = value
        elif name in CAPACITY_FIELDS:
            values[name] = 0
    return values


FORM_LIMIT = 256 * 1024
"""The most of a posted form that is read (a bulk change names many requests)."""
LISTED = frozenset({"motifs", "demandes"})
"""Form fields that hold several values (checkboxes)."""


async def read_form(request: Request) -> dict[str, Any]:
    """The fields of a posted form: the first value of each, every value of :data:`LISTED`."""
    body = (await request.body())[:FORM_LIMIT].decode("utf-8", errors="replace")
    values: dict[str, Any] = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        if name in LISTED:
            values.setdefault(name, []).append(value)
        else:
            values.setdefault(name, value)
    return values


def propose(request: Request, campagne_id: int, fields: RequestFields) -> Demande:
    """Create a request for the account (its CFD and territories from the store), in the
    account's scope (« demande.proposer »)."""
    reference = offer_reference(request_facts(request), fields.uai, fields.mef_stat_11)
    if fields.cfd is None and reference.cfd:
        fields = replace(fields, cfd=reference.cfd)
    authorize(request, Resource(frozenset(reference.territoires), fields.uai))
    with request.app.state.engine.begin() as conn:
        return create_request(
            conn, actor(request), campagne_id, fields, territoires=reference.territoires
        )
