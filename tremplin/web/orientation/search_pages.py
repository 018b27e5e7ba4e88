"""The orientation pages of the trade search: ``/orientation`` (ask, browse by interest or by
domain) and ``/orientation/metiers`` (the trades found, or those of one domain)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Query as Param
from starlette.responses import Response

from tremplin.errors import NotFound
from tremplin.orientation.lexicon import INTERESTS
from tremplin.orientation.search import INDUSTRY_BOOST, MAX_QUERY_LENGTH, trade_path
from tremplin.web.orientation.search_service import search_index
from tremplin.web.shared.auth import requires
from tremplin.web.shared.params import optional
from tremplin.web.shared.templating import render

router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])

SHOWN = 20
"""How many trades the results page lists."""

EXAMPLES = (
    "je veux réparer des machines",
    "soudure",
    "travailler dehors avec mes mains",
    "electrisien",
    "chaudronnière",
)
"""Queries shown as examples under the search box."""


@router.get("/orientation", name="orientation")
def orientation(request: Request) -> Response:
    """Where a young person starts: what they like, in their own words; or browse."""
    index = search_index(request)
    return render(
        request,
        "orientation.html",
        {
            "examples": EXAMPLES,
            "interests": INTERESTS,
            "domains": index.domains(),
            "query": "",
            "commune": "",
        },
    )


@router.get("/orientation/metiers", name="orientation_metiers")
def orientation_trades(
    request: Request,
    q: Annotated[str | None, Param(max_length=MAX_QUERY_LENGTH)] = None,
    commune: Annotated[str | None, Param(max_length=10)] = None,
    domaine: Annotated[str | None, Param(max_length=5)] = None,
) -> Response:
    """The trades found for ``q`` (or those of the ROME professional domain ``domaine``)."""
    index = search_index(request)
    query, code_commune, domain_code = optional(q), optional(commune), optional(domaine)
    commune_name = None
    if code_commune:
        code_commune = code_commune.upper()
        commune_name = index.commune_name(code_commune)
    context: dict[str, object] = {
        "query": query or "",
        "commune": code_commune or "",
        "commune_name": commune_name,
        "boost": INDUSTRY_BOOST,
        "path": lambda code: trade_path(code, code_commune),
        "result": None,
        "domain": None,
    }
    if domain_code and not query:
        found = [d for d in index.domains() if d.code == domain_code.upper()]
        if not found:
            raise NotFound(f"domaine professionnel ROME inconnu : « {domain_code} »")
        context["domain"] = found[0]
    elif query:
        context["result"] = index.search(query, SHOWN)
    return render(request, "orientation_metiers.html", context)
