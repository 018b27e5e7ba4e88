"""The companies' pages: « /entreprise » (my company, my needs, a need to declare),
« /entreprise/besoins/{id} » (one need: edit, fill, close; the trainings nearby leading to its
trade, ``?rayon_km=``) and « /partenaire/besoins » (a
partner's territory in aggregate, and the import of a file of needs)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request
from starlette.responses import RedirectResponse, Response

from tremplin.companies.applications import response_rates
from tremplin.companies.companies import save_company
from tremplin.companies.imports import COLUMNS, ImportRefused, import_needs
from tremplin.companies.needs import (
    CONTRATS,
    NIVEAUX,
    STATUTS,
    Need,
    create_need,
    list_needs,
    open_needs_frame,
    update_need,
)
from tremplin.companies.offers import (
    OFFER_CONTRACTS,
    STATUTS_OFFRE,
    expiring_offers,
    list_offers,
    publish_offer,
)
from tremplin.errors import InputError, TremplinError
from tremplin.orientation.need_trainings import (
    DEFAULT_RADIUS_KM,
    NOT_PUBLISHED,
    ORDER_RULE,
    check_radius,
)
from tremplin.sources.tables import DATASET_TABLES
from tremplin.web.accounts.service import read_form
from tremplin.web.companies.offers_pages import said
from tremplin.web.companies.service import (
    found_need,
    in_scope,
    my_company,
    need_scope,
    rate_scope,
    write,
)
from tremplin.web.companies.trainings import trainings_for
from tremplin.web.diagnostic.service import service
from tremplin.web.shared.auth import current_account, requires
from tremplin.web.shared.multipart import is_multipart, multipart_fields
from tremplin.web.shared.templating import render, request_engine

router = APIRouter(include_in_schema=False)
NEED_ID = Annotated[int, Path(ge=1, le=2**31 - 1)]
LABELS = {"contrats": CONTRATS, "niveaux": NIVEAUX, "statuts": STATUTS}
AGGREGATE_ROWS = 100
"""Rows of the partner's aggregate on the page (the most people wanted first); the API and
its page give them all."""


def _trades(request: Request, conn: sa.Connection) -> list[tuple[str, str]]:
    """(code ROME, label) of the loaded ROME, for the trade picker: read once per state of
    the loaded files (kept by the diagnostic's cache)."""

    def read() -> list[tuple[str, str]]:
        fiches = DATASET_TABLES["rome_fiches"]
        rows = conn.execute(
            sa.select(fiches.c.code_rome, sa.func.max(fiches.c.libelle_rome))
            .group_by(fiches.c.code_rome)
            .order_by(fiches.c.code_rome)
        ).all()
        return [(str(r[0]), str(r[1])) for r in rows]

    return service(request).memo(("metiers-rome",), read)


def _company_page(
    request: Request,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    with request_engine(request).connect() as conn:
        company = my_company(request, conn)
        total, needs = list_needs(conn, need_scope(request), limit=200)
        trades = _trades(request, conn)
        offers = list_offers(conn, siret=company.siret, limit=200)[1] if company else []
        expiring = expiring_offers(conn, company) if company else []
        rates = response_rates(conn, company_id=company.id) if company else []
    own = [o for o in offers if company and o.need.siret == company.siret]
    published = {o.need.id for o in own}
    context: dict[str, Any] = {
        "offers": own,
        "publishable": [
            n
            for n in needs
            if n.contrat in OFFER_CONTRACTS
            and n.statut in ("ouvert", "pourvu_partiellement")
            and n.id not in published
        ],
        "rate": rates[0] if rates else None,
        "default_expiry": date.today() + timedelta(days=60),
        "expiring": expiring,
        "statuts_offre": STATUTS_OFFRE,
        "today": date.today(),
        "me": current_account(request),
        "company": company,
        "needs": needs,
        "total": total,
        "trades": trades,
        "error": error,
        "form": form or {},
        **LABELS,
    }
    return render(request, "entreprise.html", context, status)


@router.get("/entreprise", dependencies=[requires("entreprise.gerer")])
def company_page(request: Request) -> Response:
    """My company's record, its needs, and the forms to change them."""
    return _company_page(request)


@router.post("/entreprise", dependencies=[requires("entreprise.gerer")])
async def company_submit(request: Request) -> Response:
    """Save my company's record (name, NAF, a site)."""
    form = await read_form(request)
    account = current_account(request)
    siret = (account.siret if account else None) or form.get("siret", "")
    sites = [form["site"]] if form.get("site") else []
    try:
        write(
            request,
            lambda conn, actor: save_company(
                conn, actor, siret=siret, nom=form.get("nom", ""), naf=form.get("naf"), sites=sites
            ),
        )
    except InputError as error:
        return _company_page(request, str(error), error.status, form)
    return RedirectResponse("/entreprise?enregistre=1", status_code=303)


@router.post("/entreprise/besoins", dependencies=[requires("besoin.declarer")])
async def need_submit(request: Request) -> Response:
    """Declare a need for my company."""
    form = await read_form(request)
    try:

        def work(conn: sa.Connection, actor: Any) -> Any:
            company = my_company(request, conn)
            if company is None:
                raise InputError("enregistrez d’abord votre entreprise", where=["entreprise"])
            return create_need(conn, actor, company, form)

        need = write(request, work)
    except TremplinError as error:
        return _company_page(request, str(error), error.status, form)
    return RedirectResponse(f"/entreprise/besoins/{need.id}?cree=1", status_code=303)


@router.post("/entreprise/offres", dependencies=[requires("offre.publier")])
async def offer_publish(request: Request) -> Response:
    """Publish one of my apprenticeship or PFMP needs as an offer (title, expiry date)."""
    form = await read_form(request)
    besoin = form.get("besoin", "")
    if not besoin.isdigit() or not 1 <= int(besoin) < 2**31:
        return _company_page(request, "Besoin : choisissez le besoin à publier", 422, form)
    values = {"intitule": form.get("intitule"), "expire_le": form.get("expire_le") or None}
    try:

        def work(conn: sa.Connection, actor: Any) -> Any:
            return publish_offer(conn, actor, found_need(request, conn, int(besoin)), values)

        offer = write(request, work)
    except TremplinError as error:
        return _company_page(request, said(error), error.status, form)
    return RedirectResponse(f"/entreprise/offres/{offer.id}?cree=1", status_code=303)


def _need_page(
    request: Request, besoin: int, error: str | None = None, status: int = 200
) -> Response:
    with request_engine(request).connect() as conn:
        need = found_need(request, conn, besoin)
    context = {"need": need, "error": error, **LABELS, **_trainings_context(request, need)}
    return render(request, "besoin.html", context, status)


def _trainings_context(request: Request, need: Need) -> dict[str, Any]:
    """The section « Formations proches menant à ce métier »: the trainings within the radius
    asked (``?rayon_km=``, else the default), or why they cannot be shown."""
    text = request.query_params.get("rayon_km", "").strip().replace(",", ".")
    context: dict[str, Any] = {
        "rayon_km": DEFAULT_RADIUS_KM,
        "formations": None,
        "ordre": ORDER_RULE,
        "non_publie": NOT_PUBLISHED,
    }
    try:
        if text:
            try:
                context["rayon_km"] = check_radius(float(text))
            except ValueError:
                raise InputError(
                    f"rayon invalide : « {text} »", where=("rayon_km",), expected="un nombre de km"
                ) from None
        context["formations"] = trainings_for(request, need, context["rayon_km"])
    except TremplinError as problem:
        context["formations_erreur"] = str(problem)
    return context


@router.get(
    "/entreprise/besoins/{besoin}",
    dependencies=[requires("besoin.voir", writes="besoin.declarer")],
)
def need_page(request: Request, besoin: NEED_ID) -> Response:
    """One need, with the forms to edit, fill or close it."""
    return _need_page(request, besoin)


@router.post(
    "/entreprise/besoins/{besoin}",
    dependencies=[requires("besoin.voir", writes="besoin.declarer")],
)
async def need_change(request: Request, besoin: NEED_ID) -> Response:
    """Edit (« modifier »), fill (« pourvoir ») or close (« fermer ») the need."""
    form = await read_form(request)
    operation = form.get("operation")
    changes: dict[str, Any]
    if operation == "fermer":
        changes = {"statut": "ferme"}
    elif operation == "pourvoir":
        changes = {"pourvus": form.get("pourvus", "")}
    elif operation == "modifier":
        changes = {
            k: form[k] for k in ("nombre", "contrat", "niveau", "debut", "intitule") if k in form
        }
    else:
        return _need_page(request, besoin, "choisissez une opération", 422)
    try:

        def work(conn: sa.Connection, actor: Any) -> Any:
            return update_need(conn, actor, found_need(request, conn, besoin), changes)

        write(request, work)
    except InputError as error:
        return _need_page(request, besoin, str(error), error.status)
    return RedirectResponse(f"/entreprise/besoins/{besoin}?enregistre=1", status_code=303)


def _partner_page(
    request: Request,
    error: str | None = None,
    problems: list[str] | None = None,
    status: int = 200,
    imported: int | None = None,
) -> Response:
    with request_engine(request).connect() as conn:
        frame = open_needs_frame(
            conn, need_scope(request), ("code_rome", "bassin_bmo", "contrat")
        ).sort(
            ["personnes", "code_rome", "bassin_bmo", "contrat"],
            descending=[True, False, False, False],
        )
        labels = dict(_trades(request, conn))
    context = {
        "me": current_account(request),
        "rows": frame.head(AGGREGATE_ROWS).to_dicts(),
        "total_rows": frame.height,
        "rome_labels": labels,
        "columns": COLUMNS,
        "error": error,
        "problems": problems or [],
        "imported": imported,
        "rates_link": bool(rate_scope(request)),
        **LABELS,
    }
    return render(request, "partenaire_besoins.html", context, status)


@router.get("/partenaire/besoins", dependencies=[requires("besoin.voir", writes="besoin.importer")])
def partner_page(request: Request) -> Response:
    """My territory's open needs per trade × bassin × kind, and the import form."""
    return _partner_page(request, imported=_int(request.query_params.get("importes")))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@router.post(
    "/partenaire/besoins", dependencies=[requires("besoin.voir", writes="besoin.importer")]
)
async def partner_import(request: Request) -> Response:
    """Import the file sent with the form (all-or-nothing), or the form again with each error."""
    content_type = request.headers.get("content-type", "")
    fields = (
        multipart_fields(content_type, await request.body()) if is_multipart(content_type) else {}
    )
    sent = fields.get("fichier")
    if sent is None or not sent.value:
        return _partner_page(
            request, "choisissez un fichier (modèle CSV ou XLSX rempli)", status=422
        )
    allowed = in_scope(request)
    try:
        done = write(
            request,
            lambda conn, actor: import_needs(
                conn, actor, sent.filename or "fichier", sent.value, in_scope=allowed
            ),
        )
    except ImportRefused as refused:
        problems = [str(p) for p in refused.problems]
        return _partner_page(request, refused.message.split("\n")[0], problems, 422)
    except InputError as error:
        return _partner_page(request, str(error), status=error.status)
    return RedirectResponse(f"/partenaire/besoins?importes={len(done.needs)}", status_code=303)
