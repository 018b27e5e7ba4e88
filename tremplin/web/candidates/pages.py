"""The candidates' pages: « /inscription » (a young person creates their account), « /candidat/
profil » (the profile shared with consent: trades, commune, radius, level, availability; hide
it, delete it), « /candidat/offres » (the active offers ranked for me, with why), one offer
and applying to it, « /candidat/candidatures » (mine, the company's answer, withdraw)."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request
from starlette.responses import RedirectResponse, Response

from tremplin.accounts.sessions import WEB
from tremplin.companies.applying import (
    STATUTS_CANDIDATURE,
    apply_to,
    my_applications,
    offers_for,
    withdraw,
)
from tremplin.companies.candidates import (
    CONSENT_TEXT,
    MAX_TRADES,
    delete_profile,
    save_profile,
    set_visible,
)
from tremplin.companies.needs import CONTRATS, NIVEAUX
from tremplin.companies.offers import OFFER_CONTRACTS, get_offer
from tremplin.companies.places import places
from tremplin.errors import InputError, NotFound, TooManyRequests, TremplinError
from tremplin.web.accounts.service import read_form, set_session_cookie, signed_in
from tremplin.web.candidates.service import (
    candidate_write,
    create_candidate,
    my_profile,
    read_fields,
)
from tremplin.web.orientation.search_service import search_index
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import render, request_engine

router = APIRouter(include_in_schema=False)
OFFER_ID = Annotated[int, Path(ge=1, le=2**31 - 1)]
APPLICATION_ID = Annotated[int, Path(ge=1, le=2**31 - 1)]
SEARCH_HITS = 8
"""Trades the search suggests on the profile page."""
LABELS = {"contrats": CONTRATS, "niveaux": NIVEAUX, "statuts": STATUTS_CANDIDATURE}


def _refused(
    request: Request, name: str, context: dict[str, Any], error: TremplinError
) -> Response:
    """The page ``name`` again with the reason of ``error`` (its status; Retry-After on 429)."""
    response = render(request, name, context | {"error": str(error)}, error.status)
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


# --- sign-up ------------------------------------------------------------------------------------


@router.get("/inscription", name="sign-up", dependencies=[requires("session")])
def sign_up_page(request: Request) -> Response:
    """The sign-up form of a candidate: an e-mail and a password, nothing else."""
    return render(request, "inscription.html", {"email": "", "error": None})


@router.post("/inscription", dependencies=[requires("session")])
async def sign_up_submit(request: Request) -> Response:
    """Create the candidate account and its session, then the profile page; the form again
    with the reason otherwise (422, or 429 with Retry-After after too many sign-ups)."""
    form = await read_form(request)
    email = form.get("email", "")
    try:
        _, opened = await create_candidate(
            request, email, form.get("mot_de_passe", ""), form.get("confirmation", ""), WEB
        )
    except TremplinError as error:
        return _refused(request, "inscription.html", {"email": email}, error)
    response = RedirectResponse("/candidat/profil?bienvenue=1", status_code=303)
    assert opened is not None
    set_session_cookie(request, response, opened)
    return response


# --- the profile --------------------------------------------------------------------------------


def _profile_context(request: Request, conn: sa.Connection) -> dict[str, Any]:
    profile = my_profile(request, conn)
    index = search_index(request)
    query = request.query_params.get("recherche", "").strip()[:200]
    hits = []
    if query:
        try:
            hits = index.search(query, SEARCH_HITS).hits
        except TremplinError:
            hits = []
    chosen = list(profile.codes_rome) if profile else []
    return {
        "profile": profile,
        "form": {
            "codes_rome": chosen + [""] * (MAX_TRADES - len(chosen)),
            "code_insee": profile.code_insee if profile else "",
            "rayon_km": str(profile.rayon_km) if profile else "30",
            "niveau": profile.niveau or "" if profile else "",
            "disponible_le": profile.disponible_le.isoformat()
            if profile and profile.disponible_le
            else "",
        },
        "labels": {t.code_rome: t.libelle for t in index.trades},
        "trades": sorted((t.code_rome, t.libelle) for t in index.trades),
        "query": query,
        "hits": hits,
        "consent_text": CONSENT_TEXT,
        "niveaux": NIVEAUX,
        "error": None,
    }


@router.get("/candidat/profil", dependencies=[requires("candidat.profil")])
def profile_page(request: Request) -> Response:
    """My profile: the form (trades found with the trade search), the consent, hide, delete."""
    with request_engine(request).connect() as conn:
        context = _profile_context(request, conn)
    return render(request, "candidat_profil.html", context)


def _form_values(fields: dict[str, list[str]]) -> dict[str, Any]:
    first = {name: values[0] for name, values in fields.items()}
    return {
        "codes_rome": [c for c in fields.get("codes_rome", []) if c.strip()],
        "code_insee": first.get("code_insee", ""),
        "rayon_km": first.get("rayon_km", ""),
        "niveau": first.get("niveau", ""),
        "disponible_le": first.get("disponible_le", ""),
        "visible": first.get("masquer") != "oui",
        "consentement": first.get("consentement", ""),
    }


@router.post("/candidat/profil", dependencies=[requires("candidat.profil")])
async def profile_submit(request: Request) -> Response:
    """Publish or change my profile (with the consent ticked); the form again, with the
    field at fault, otherwise."""
    values = _form_values(await read_fields(request))
    try:
        candidate_write(request, lambda conn, actor, me: save_profile(conn, actor, me, values))
    except TremplinError as error:
        with request_engine(request).connect() as conn:
            context = _profile_context(request, conn)
        codes = values["codes_rome"][:MAX_TRADES]
        context["form"] = {
            name: values[name] for name in ("code_insee", "rayon_km", "niveau", "disponible_le")
        } | {"codes_rome": codes + [""] * (MAX_TRADES - len(codes))}
        return _refused(request, "candidat_profil.html", context, error)
    return RedirectResponse("/candidat/profil?enregistre=1", status_code=303)


@router.post("/candidat/profil/visibilite", dependencies=[requires("candidat.profil")])
async def profile_visibility(request: Request) -> Response:
    """Hide my profile from companies, or show it again."""
    visible = (await read_form(request)).get("visible") == "oui"
    try:
        candidate_write(request, lambda conn, actor, me: set_visible(conn, actor, me, visible))
    except TremplinError as error:
        with request_engine(request).connect() as conn:
            context = _profile_context(request, conn)
        return _refused(request, "candidat_profil.html", context, error)
    return RedirectResponse("/candidat/profil", status_code=303)


@router.post("/candidat/profil/suppression", dependencies=[requires("candidat.profil")])
async def profile_delete(request: Request) -> Response:
    """Delete my profile (my consent withdrawn), once confirmed."""
    confirmed = (await read_form(request)).get("confirmer") == "oui"
    try:
        if not confirmed:
            raise InputError("cochez la case pour confirmer la suppression", where=["confirmer"])
        candidate_write(request, lambda conn, actor, me: delete_profile(conn, actor, me))
    except TremplinError as error:
        with request_engine(request).connect() as conn:
            context = _profile_context(request, conn)
        return _refused(request, "candidat_profil.html", context, error)
    return RedirectResponse("/candidat/profil?supprime=1", status_code=303)


# --- offers for me ------------------------------------------------------------------------------


def _commune_names(conn: sa.Connection, codes: list[str]) -> dict[str, str]:
    return {code: found.nom for code, found in places(conn, codes).items()}


@router.get("/candidat/offres", dependencies=[requires("candidat.profil")])
def offers_page(request: Request) -> Response:
    """The active offers ranked for my profile, within my radius first, each with why."""
    contrat = request.query_params.get("contrat") or None
    if contrat not in (None, *OFFER_CONTRACTS):
        raise InputError(f"contrat « {contrat} » inconnu", where=["contrat"])
    with request_engine(request).connect() as conn:
        profile = my_profile(request, conn)
        ranked = offers_for(conn, profile, contrat=contrat) if profile else []
        names = _commune_names(conn, [r["code_insee"] for r in ranked])
    context = {
        "profile": profile,
        "offers": ranked,
        "communes": names,
        "contrat": contrat,
        "contrats": {c: CONTRATS[c] for c in OFFER_CONTRACTS},
        "labels": LABELS,
    }
    return render(request, "candidat_offres.html", context)


def _offer_context(request: Request, offer_id: int) -> dict[str, Any]:
    account = signed_in(request)
    with request_engine(request).connect() as conn:
        try:
            offer = get_offer(conn, offer_id)
        except NotFound:
            raise NotFound("offre introuvable") from None
        if offer.status() != "active":
            raise NotFound("offre introuvable")
        profile = my_profile(request, conn)
        ranked = offers_for(conn, profile) if profile else []
        mine = [a for a in my_applications(conn, account.id) if a.offre == offer.id]
        commune = _commune_names(conn, [offer.need.code_insee]).get(offer.need.code_insee)
    return {
        "offer": offer,
        "commune": commune,
        "profile": profile,
        "rank": next((r for r in ranked if r["offre"] == offer.id), None),
        "application": mine[0] if mine else None,
        "labels": LABELS,
        "message": "",
        "error": None,
    }


@router.get("/candidat/offres/{offre}", dependencies=[requires("candidature.deposer")])
def offer_page(request: Request, offre: OFFER_ID) -> Response:
    """One active offer, without the company's contact, and the form to apply to it."""
    return render(request, "candidat_offre.html", _offer_context(request, offre))


@router.post("/candidat/offres/{offre}", dependencies=[requires("candidature.deposer")])
async def offer_apply(request: Request, offre: OFFER_ID) -> Response:
    """Apply to the offer with an optional message; my applications follow. The offer's page
    again with the reason otherwise (no profile, a message with an address, already sent:
    409)."""
    message = (await read_form(request)).get("message", "")
    try:
        made = candidate_write(
            request, lambda conn, actor, me: apply_to(conn, actor, me, offre, message)
        )
    except TremplinError as error:
        context = _offer_context(request, offre) | {"message": message}
        return _refused(request, "candidat_offre.html", context, error)
    return RedirectResponse(f"/candidat/candidatures?envoyee={made.id}", status_code=303)


# --- my applications ----------------------------------------------------------------------------


@router.get("/candidat/candidatures", dependencies=[requires("candidature.deposer")])
def applications_page(request: Request) -> Response:
    """My applications, newest first, with the company's answer when given."""
    account = signed_in(request)
    with request_engine(request).connect() as conn:
        mine = my_applications(conn, account.id)
    return render(request, "candidat_candidatures.html", {"applications": mine, "labels": LABELS})


@router.post(
    "/candidat/candidatures/{candidature}/retrait", dependencies=[requires("candidature.deposer")]
)
def application_withdraw(request: Request, candidature: APPLICATION_ID) -> Response:
    """Withdraw one of my applications."""
    candidate_write(request, lambda conn, actor, me: withdraw(conn, actor, me, candidature))
    return RedirectResponse(f"/candidat/candidatures?retiree={candidature}", status_code=303)
