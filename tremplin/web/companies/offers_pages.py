"""The company's pages of its offers: publishing a need as an offer (« /entreprise/offres »),
one offer (« /entreprise/offres/{id} »: status, expiry, title, reports), the candidates ranked
for it (« …/candidats », without contact), the applications it received and their answers
(« …/candidatures »); and the partner's page of its territory's response rates
(« /partenaire/candidatures »)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from tremplin.companies.applications import (
    MOTIFS_REFUS,
    STATUTS_CANDIDATURE,
    answer_application,
    application_counts,
    response_rates,
)
from tremplin.companies.needs import CONTRATS, NIVEAUX
from tremplin.companies.offers import STATUTS_OFFRE, update_offer
from tremplin.errors import InputError, TremplinError
from tremplin.web.accounts.service import read_form
from tremplin.web.companies.service import (
    found_offer,
    rate_scope,
    shown_applications,
    shown_candidates,
    write,
)
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import render, request_engine

router = APIRouter(include_in_schema=False)
OFFER_ID = Annotated[int, Path(ge=1, le=2**31 - 1)]
APPLICATION_ID = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE = Annotated[int, Query(ge=1, le=100_000)]
CANDIDATES_PER_PAGE = 20
"""Candidates per page of « /entreprise/offres/{id}/candidats »."""


def _day(iso: str | None) -> date | None:
    """A date of the API's JSON (ISO text), for the pages' French format."""
    return date.fromisoformat(iso) if iso else None


def said(error: TremplinError) -> str:
    """The error's message, its field named by its French label (« Intitulé : … »)."""
    if not isinstance(error, InputError) or not error.where or error.where[0] not in FIELDS:
        return str(error)
    return str(InputError(error.message, where=[FIELDS[error.where[0]]], expected=error.expected))


FIELDS = {
    "intitule": "Intitulé",
    "expire_le": "Date d’expiration",
    "besoin": "Besoin",
    "statut": "Statut",
    "motif": "Motif du refus",
    "reponse": "Message",
}
"""French names of the forms' fields, for their errors."""


def _offer_page(
    request: Request, offre: int, error: str | None = None, status: int = 200
) -> Response:
    with request_engine(request).connect() as conn:
        offer = found_offer(request, conn, offre)
        counts = application_counts(conn, offer.id)
    context = {
        "offer": offer,
        "status": offer.status(),
        "statuts_offre": STATUTS_OFFRE,
        "contrats": CONTRATS,
        "niveaux": NIVEAUX,
        "received": sum(n for s, n in counts.items() if s != "retiree"),
        "withdrawn": counts.get("retiree", 0),
        "error": error,
    }
    return render(request, "offre.html", context, status)


@router.get("/entreprise/offres/{offre}", dependencies=[requires("offre.publier")])
def offer_page(request: Request, offre: OFFER_ID) -> Response:
    """One of my offers: its status, expiry and title, the forms to change them."""
    return _offer_page(request, offre)


@router.post("/entreprise/offres/{offre}", dependencies=[requires("offre.publier")])
async def offer_change(request: Request, offre: OFFER_ID) -> Response:
    """Change the title or expiry date (« modifier »), or the status (« statut »)."""
    form = await read_form(request)
    operation = form.get("operation")
    changes: dict[str, Any]
    if operation == "modifier":
        changes = {k: form[k] for k in ("intitule", "expire_le") if form.get(k)}
    elif operation == "statut":
        changes = {"statut": form.get("statut", "")}
    else:
        return _offer_page(request, offre, "choisissez une opération", 422)
    try:
        write(
            request,
            lambda conn, actor: update_offer(
                conn, actor, found_offer(request, conn, offre), changes
            ),
        )
    except TremplinError as error:
        return _offer_page(request, offre, said(error), error.status)
    return RedirectResponse(f"/entreprise/offres/{offre}?enregistre=1", status_code=303)


@router.get("/entreprise/offres/{offre}/candidats", dependencies=[requires("candidature.repondre")])
def candidates_page(request: Request, offre: OFFER_ID, page: PAGE = 1) -> Response:
    """The visible profiles ranked for my offer, without contact; each display audited."""
    offer, ranked = shown_candidates(request, offre, page, CANDIDATES_PER_PAGE)
    for shown in ranked.candidats:
        shown["disponible"] = _day(shown["disponible_le"])
    pages = max(1, -(-ranked.total // CANDIDATES_PER_PAGE))
    context = {
        "offer": offer,
        "ranked": ranked,
        "page": page,
        "pages": pages,
        "niveaux": NIVEAUX,
    }
    return render(request, "offre_candidats.html", context)


def _applications_page(
    request: Request, offre: int, error: str | None = None, status: int = 200
) -> Response:
    offer, received = shown_applications(request, offre)
    for item in received:
        if item["candidat"]:
            item["candidat"]["disponible"] = _day(item["candidat"]["disponible_le"])
        item["envoyee"] = datetime.fromisoformat(item["envoyee_le"])
        item["repondue"] = (
            datetime.fromisoformat(item["repondue_le"]) if item["repondue_le"] else None
        )
    context = {
        "offer": offer,
        "received": received,
        "statuts": STATUTS_CANDIDATURE,
        "motifs": MOTIFS_REFUS,
        "niveaux": NIVEAUX,
        "error": error,
    }
    return render(request, "offre_candidatures.html", context, status)


@router.get(
    "/entreprise/offres/{offre}/candidatures", dependencies=[requires("candidature.repondre")]
)
def applications_page(request: Request, offre: OFFER_ID) -> Response:
    """The applications my offer received (not withdrawn), with each candidate's contact, and
    the form to answer each; the display is audited."""
    return _applications_page(request, offre)


@router.post(
    "/entreprise/offres/{offre}/candidatures/{candidature}/reponse",
    dependencies=[requires("candidature.repondre")],
)
async def application_answer(
    request: Request, offre: OFFER_ID, candidature: APPLICATION_ID
) -> Response:
    """Answer an application: an interview, or a refusal with its coded reason."""
    form = await read_form(request)
    values = {k: form.get(k) for k in ("statut", "motif", "reponse")}
    try:
        write(
            request,
            lambda conn, actor: answer_application(
                conn, actor, found_offer(request, conn, offre), candidature, values
            ),
        )
    except TremplinError as error:
        return _applications_page(request, offre, said(error), error.status)
    return RedirectResponse(
        f"/entreprise/offres/{offre}/candidatures?repondu={candidature}", status_code=303
    )


@router.get("/partenaire/candidatures", dependencies=[requires("candidature.suivre")])
def partner_rates_page(request: Request) -> Response:
    """The response rates of the companies with an offer in my territory (no candidate data)."""
    with request_engine(request).connect() as conn:
        rows = response_rates(conn, **rate_scope(request))
    return render(request, "partenaire_candidatures.html", {"rates": rows})
