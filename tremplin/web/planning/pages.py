"""The carte's pages under ``/carte``: campaigns, a campaign's requests (filters, sort,
pagination, bulk status changes), a request (its figures, history, opinions, the form to edit it
with its version), a new request pre-filled from the store, and the counts with their exports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from tremplin.errors import InputError, TremplinError
from tremplin.planning import workflow
from tremplin.planning.attachments import MAX_BYTES, add_attachment, attachments, detected_type
from tremplin.planning.campaign_effect import SELECTIONS
from tremplin.planning.campaigns import Campaign, create_campaign, get_campaign, list_campaigns
from tremplin.planning.counts import GROUPINGS, TARGET, campaign_counts
from tremplin.planning.exchange import restitution_frame
from tremplin.planning.offers import offer_reference
from tremplin.planning.opinions import give_opinion, opinions
from tremplin.planning.reconciliation import reconcile
from tremplin.planning.requests import Request as Demande
from tremplin.planning.requests import (
    StaleRequest,
    change_status,
    change_statuses,
    get_request,
    history,
    list_requests,
    update_request,
)
from tremplin.planning.validators import RequestRefused, from_mapping
from tremplin.planning.vocabulary import (
    CAMPAIGN_SCOPES,
    CAMPAIGN_STATUSES,
    KINDS,
    OPINION_KINDS,
    OPINIONS,
    REASONS,
    STATUSES,
)
from tremplin.reports.carte_export import FORMATS, counts_export, restitution_export
from tremplin.reports.carte_note import campaign_note, pdf_from_html
from tremplin.reports.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, attachment
from tremplin.web.planning.effect import campaign_impact, submit_simulation
from tremplin.web.planning.note import note_html
from tremplin.web.planning.service import (
    actor,
    check_decision,
    check_scope,
    form_values,
    may,
    opinion_function,
    propose,
    read_form,
    request_facts,
    visible,
)
from tremplin.web.shared.auth import requires
from tremplin.web.shared.jobs import remember
from tremplin.web.shared.multipart import is_multipart, multipart_fields
from tremplin.web.shared.pagination import paginate
from tremplin.web.shared.templating import render, request_engine

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
SORTS = ("id", "uai", "type", "statut", "rentree", "updated_at")
MEDIA = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}

VOCABULARY = {
    "kinds": KINDS,
    "statuses": STATUSES,
    "reasons": REASONS,
    "opinion_kinds": OPINION_KINDS,
    "opinion_values": OPINIONS,
    "campaign_statuses": CAMPAIGN_STATUSES,
    "campaign_scopes": CAMPAIGN_SCOPES,
}


def _campaign_id(text: str) -> int:
    if not text.isdigit():
        raise InputError(f"campagne « {text} » inconnue", where=["campagne"])
    return int(text)


def _request_id(text: str) -> int:
    if not text.isdigit():
        raise InputError(f"demande « {text} » inconnue", where=["demande"])
    return int(text)


# --- campaigns ---------------------------------------------------------------------------------


@router.get("/carte", dependencies=[requires("demande.voir")])
def campaigns_page(request: Request) -> Response:
    """The campaigns, and the form of a new one for those who manage them."""
    with request_engine(request).connect() as conn:
        found = list_campaigns(conn)
    return _campaigns(request, found, None, {}, 200)


def _campaigns(
    request: Request, found: list[Campaign], error: str | None, typed: dict[str, Any], status: int
) -> Response:
    context = {
        "campaigns": found,
        "may_manage": may(request, "campagne.gerer"),
        "error": error,
        "typed": typed,
        **VOCABULARY,
    }
    return render(request, "carte_campagnes.html", context, status)


@router.post("/carte/campagnes", dependencies=[requires("campagne.gerer")])
async def campaign_create(request: Request) -> Response:
    """Create a campaign; the form again with the reason when it cannot be."""
    form = await read_form(request)
    try:
        with request_engine(request).begin() as conn:
            made = create_campaign(
                conn,
                actor(request),
                nom=str(form.get("nom", "")),
                annee=_year(form.get("annee"), "annee"),
                premiere_rentree=_year(form.get("premiere_rentree"), "premiere_rentree", None),
                portee=str(form.get("portee") or "regionale"),
                code_region=str(form.get("code_region") or "84"),
                statut=str(form.get("statut") or "en_cours"),
                date_debut=_day(form.get("date_debut"), "date_debut"),
                date_fin=_day(form.get("date_fin"), "date_fin"),
            )
    except TremplinError as error:
        with request_engine(request).connect() as conn:
            found = list_campaigns(conn)
        return _campaigns(request, found, str(error), form, error.status)
    return RedirectResponse(f"/carte/campagnes/{made.id}", status_code=303)


def _year(value: Any, field: str, default: int | None = 0) -> Any:
    if value in (None, "") and default is None:
        return None
    text = str(value or "").strip()
    if not text.isdigit():
        raise InputError(f"année « {text} » invalide", where=[field], expected="par exemple 2024")
    return int(text)


def _day(value: Any, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"date « {value} » invalide", where=[field], expected="AAAA-MM-JJ"
        ) from None


@router.get("/carte/campagnes/{campagne}", dependencies=[requires("demande.voir")])
def campaign_page(request: Request, campagne: str) -> Response:
    """A campaign's requests the account may read: filters (status, kind, UAI, département),
    sort, pages of 50, and the bulk status form."""
    return _campaign_page(request, _campaign_id(campagne), None, 200)


def _campaign_page(request: Request, identifier: int, error: str | None, status: int) -> Response:
    params = request.query_params
    statuts = [s for s in params.getlist("statut") if s in STATUSES]
    types = [t for t in params.getlist("type") if t in KINDS]
    uai = (params.get("uai") or "").strip().upper() or None
    departement = (params.get("departement") or "").strip() or None
    with request_engine(request).connect() as conn:
        campaign = get_campaign(conn, identifier)
        found = list_requests(
            conn,
            identifier,
            statuts=statuts,
            types=types,
            uai=uai,
            territoire=f"departement:{departement}" if departement else None,
        )
    found = visible(request, found)
    sort = str(params.get("tri")) if params.get("tri") in SORTS else "id"
    descending = params.get("ordre") == "desc"
    found.sort(key=lambda d: _sort_key(d, sort), reverse=descending)
    page = _page_number(params.get("page"))
    shown = paginate_list(found, page)
    selection = params.get("impact")
    effect = campaign_impact(request, campaign, selection) if selection in SELECTIONS else None
    context = {
        "effect": effect,
        "selections": SELECTIONS,
        "campaign": campaign,
        "requests": shown[0],
        "shown": shown[1],
        "filters": {
            "statut": statuts,
            "type": types,
            "uai": uai or "",
            "departement": departement or "",
        },
        "sort": sort,
        "descending": descending,
        "may_change": may(request, "demande.statuer"),
        "may_propose": may(request, "demande.proposer"),
        "error": error,
        "query": urlencode(
            [(k, v) for k, v in params.multi_items() if k not in ("page", "impact")]
        ),
        **VOCABULARY,
    }
    return render(request, "carte_campagne.html", context, status)


def _sort_key(demande: Any, sort: str) -> Any:
    if sort in ("uai", "type", "rentree"):
        return (getattr(demande.fields, sort), demande.id)
    return (getattr(demande, sort), demande.id)


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and 0 < int(text) < 100_000 else 1


def paginate_list(found: list[Any], page: int) -> tuple[list[Any], Any]:
    """One page of ``found`` and its :class:`~tremplin.web.shared.pagination.Page` counts."""
    counts = paginate(pl.DataFrame({"i": list(range(len(found)))}), page, PAGE_SIZE)
    start = (counts.page - 1) * PAGE_SIZE
    return found[start : start + PAGE_SIZE], counts


@router.post("/carte/campagnes/{campagne}/statuts", dependencies=[requires("demande.statuer")])
async def campaign_bulk_status(request: Request, campagne: str) -> Response:
    """Move the chosen requests to one status, all or nothing."""
    identifier = _campaign_id(campagne)
    form = await read_form(request)
    target = str(form.get("statut") or "")
    try:
        ids = [int(i) for i in form.get("demandes", []) if str(i).isdigit()]
        check_decision(request, target)
        with request_engine(request).begin() as conn:
            get_campaign(conn, identifier)
            chosen = list_requests(conn, identifier, ids=ids) if ids else []
            for demande in chosen:
                check_scope(request, demande)
            change_statuses(
                conn,
                actor(request),
                [d.id for d in chosen],
                target,
                comment=str(form.get("commentaire") or "") or None,
            )
    except TremplinError as error:
        return _campaign_page(request, identifier, str(error), error.status)
    return RedirectResponse(f"/carte/campagnes/{identifier}?modifie={len(chosen)}", status_code=303)


@router.post("/carte/campagnes/{campagne}/simulation", dependencies=[requires("demande.voir")])
async def campaign_simulation(request: Request, campagne: str) -> Response:
    """« Simuler l'effet sur les élèves »: a simulation of the campaign's requests (``selection``:
    toutes | validees) queued, then its page; the campaign's page with the reason if not."""
    identifier = _campaign_id(campagne)
    form = await read_form(request)
    selection = str(form.get("selection") or "toutes")
    try:
        job = await run_in_threadpool(submit_simulation, request, identifier, selection)
    except TremplinError as error:
        return _campaign_page(request, identifier, str(error), error.status)
    redirect = RedirectResponse(f"/simulations/{job}", status_code=303)
    remember(request, redirect, job)
    return redirect


@router.get("/carte/campagnes/{campagne}/indicateurs", dependencies=[requires("demande.voir")])
def counts_page(request: Request, campagne: str) -> Response:
    """Orion's counts of the campaign's validated requests, overall and by a grouping."""
    campaign, found = _readable(request, campagne)
    grouping = _grouping(request)
    counts = campaign_counts(found, request_facts(request), grouping)
    context = {
        "campaign": campaign,
        "counts": counts,
        "rows": counts.rows.to_dicts() if counts.rows.height else [],
        "groupings": GROUPINGS,
        "grouping": grouping,
        "target": TARGET,
    }
    return render(request, "carte_indicateurs.html", context)


def _readable(request: Request, campagne: str) -> tuple[Campaign, list[Demande]]:
    """The campaign ``campagne`` and its requests the account may read."""
    with request_engine(request).connect() as conn:
        campaign = get_campaign(conn, _campaign_id(campagne))
        return campaign, visible(request, list_requests(conn, campaign.id))


@router.get("/carte/campagnes/{campagne}/note.pdf", dependencies=[requires("demande.voir")])
def note_pdf(request: Request, campagne: str) -> Response:
    """The steering committee's note of the campaign (PDF), over the requests the account may
    read."""
    campaign, found = _readable(request, campagne)
    with request_engine(request).connect() as conn:
        content = campaign_note(
            conn,
            campaign,
            found,
            request_facts(request),
            datetime.now(UTC),
            request.app.state.diagnostic.region,
        )
    html = note_html(request.app.state.templates.env, content)
    name = f"note-comite-campagne-{campaign.id}.pdf"
    return Response(pdf_from_html(html), media_type="application/pdf", headers=attachment(name))


def _grouping(request: Request) -> str:
    grouping = request.query_params.get("par")
    return grouping if grouping in GROUPINGS else "departement"


def _export(request: Request, campagne: str, fmt: str) -> Response:
    campaign, found = _readable(request, campagne)
    identifier = campaign.id
    content = restitution_export(
        restitution_frame(found, request_facts(request)), fmt, campaign.nom
    )
    name = f"demandes-campagne-{identifier}.{fmt}"
    return Response(content, media_type=MEDIA[fmt], headers=attachment(name))


def _counts_export(request: Request, campagne: str, fmt: str) -> Response:
    campaign, found = _readable(request, campagne)
    grouping = _grouping(request)
    counts = campaign_counts(found, request_facts(request), grouping)
    content = counts_export(counts.rows, fmt, campaign.nom, grouping, GROUPINGS[grouping])
    name = f"indicateurs-campagne-{campaign.id}-{grouping}.{fmt}"
    return Response(content, media_type=MEDIA[fmt], headers=attachment(name))


for _fmt in FORMATS:

    def _route(request: Request, campagne: str, fmt: str = _fmt) -> Response:
        """The campaign's requests with Orion's restitution columns."""
        return _export(request, campagne, fmt)

    def _counts_route(request: Request, campagne: str, fmt: str = _fmt) -> Response:
        """The campaign's counts by the grouping ``par``."""
        return _counts_export(request, campagne, fmt)

    for _path, _endpoint in (("demandes", _route), ("indicateurs", _counts_route)):
        router.add_api_route(
            f"/carte/campagnes/{{campagne}}/{_path}.{_fmt}",
            _endpoint,
            methods=["GET"],
            dependencies=[requires("demande.voir")],
        )


# --- requests ----------------------------------------------------------------------------------


@router.get("/carte/demandes/nouvelle", dependencies=[requires("demande.proposer")])
def new_request_page(request: Request) -> Response:
    """The form of a new request, pre-filled from ``?uai=&mef=`` (capacities before from the
    store) and ``?campagne=``."""
    params = request.query_params
    uai, mef = (params.get("uai") or "").strip().upper(), (params.get("mef") or "").strip()
    typed: dict[str, Any] = {"uai": uai, "mef_stat_11": mef, "campagne": params.get("campagne")}
    reference = None
    if uai and mef:
        reference = offer_reference(request_facts(request), uai, mef)
        typed |= {
            "capacite_scolaire_avant": reference.capacite_scolaire or 0,
            "capacite_scolaire_apres": reference.capacite_scolaire or 0,
            "capacite_apprentissage_avant": reference.capacite_apprentissage or 0,
            "capacite_apprentissage_apres": reference.capacite_apprentissage or 0,
            "cfd": reference.cfd,
        }
    return _new_form(request, typed, reference, None, 200)


def _new_form(
    request: Request, typed: dict[str, Any], reference: Any, error: Any, status: int
) -> Response:
    with request_engine(request).connect() as conn:
        found = list_campaigns(conn)
    context = {
        "campaigns": [c for c in found if c.statut != "terminee"],
        "typed": typed,
        "reference": reference,
        "error": error,
        "problems": _problems(error),
        **VOCABULARY,
    }
    return render(request, "carte_demande_nouvelle.html", context, status)


def _problems(error: Any) -> dict[str, str]:
    if isinstance(error, RequestRefused):
        return {p.field: p.rule for p in error.problems}
    if isinstance(error, InputError) and error.where:
        return {error.where[-1]: error.message}
    return {}


@router.post("/carte/demandes", dependencies=[requires("demande.proposer")])
async def request_create(request: Request) -> Response:
    """Create a request in a campaign (a brouillon); the form again, every problem next to its
    field, when it breaks a rule."""
    form = await read_form(request)
    try:
        campaign = _campaign_id(str(form.get("campagne") or ""))
        made = propose(request, campaign, from_mapping(form_values(form)))
    except TremplinError as error:
        return _new_form(request, form, None, error, error.status)
    return RedirectResponse(f"/carte/demandes/{made.id}", status_code=303)


@router.get("/carte/demandes/{demande}", dependencies=[requires("demande.voir")])
def request_page(request: Request, demande: str) -> Response:
    """A request: its figures, the store's figures of its offer, its history, opinions,
    attachments, follow-up at the rentrée, and the forms the account may use."""
    return _request_page(request, _request_id(demande), None, None, 200)


def _request_page(
    request: Request, identifier: int, error: Any, typed: dict[str, Any] | None, status: int
) -> Response:
    with request_engine(request).connect() as conn:
        demande = get_request(conn, identifier)
        check_scope(request, demande)
        campaign = get_campaign(conn, demande.campagne_id)
        entries = history(conn, identifier)
        given = opinions(conn, identifier)
        files = attachments(conn, identifier)
    facts = request_facts(request)
    context = {
        "demande": demande,
        "campaign": campaign,
        "fields": demande.fields,
        "history": entries,
        "opinions": given,
        "files": files,
        "reference": offer_reference(facts, demande.fields.uai, demande.fields.mef_stat_11),
        "follow": reconcile([demande], facts)[0],
        "moves": sorted(workflow.allowed_moves(demande.statut), key=list(STATUSES).index),
        "may_edit": may(request, "demande.modifier", demande)
        and demande.statut not in workflow.FINAL,
        "may_change": may(request, "demande.statuer", demande),
        "may_decide": may(request, "demande.valider"),
        "may_give": may(request, "demande.avis", demande)
        and demande.statut not in ("brouillon", "supprimee"),
        "error": error if error is None else str(error),
        "stale": isinstance(error, StaleRequest),
        "problems": _problems(error),
        "typed": typed or demande.fields.as_dict(),
        **VOCABULARY,
    }
    return render(request, "carte_demande.html", context, status)


@router.post("/carte/demandes/{demande}", dependencies=[requires("demande.modifier")])
async def request_edit(request: Request, demande: str) -> Response:
    """Save the form of a request read at ``version``; a stale version is refused with who
    changed it and when, and the form keeps what was typed."""
    identifier = _request_id(demande)
    form = await read_form(request)
    typed = form_values(form)
    try:
        version = _version(form)
        with request_engine(request).begin() as conn:
            check_scope(request, get_request(conn, identifier))
            update_request(
                conn,
                actor(request),
                identifier,
                version,
                from_mapping(typed),
                comment=str(form.get("commentaire_modification") or "") or None,
            )
    except TremplinError as error:
        return _request_page(request, identifier, error, typed, error.status)
    return RedirectResponse(f"/carte/demandes/{identifier}?enregistre=1", status_code=303)


def _version(form: dict[str, Any]) -> int:
    text = str(form.get("version") or "")
    if not text.isdigit():
        raise InputError("version manquante", where=["version"], expected="la version lue")
    return int(text)


@router.post("/carte/demandes/{demande}/statut", dependencies=[requires("demande.statuer")])
async def request_status(request: Request, demande: str) -> Response:
    """Move one request to a status the workflow allows."""
    identifier = _request_id(demande)
    form = await read_form(request)
    target = str(form.get("statut") or "")
    try:
        version = _version(form)
        check_decision(request, target)
        with request_engine(request).begin() as conn:
            check_scope(request, get_request(conn, identifier))
            change_status(
                conn,
                actor(request),
                identifier,
                target,
                version=version,
                comment=str(form.get("commentaire") or "") or None,
            )
    except TremplinError as error:
        return _request_page(request, identifier, error, None, error.status)
    return RedirectResponse(f"/carte/demandes/{identifier}", status_code=303)


@router.post("/carte/demandes/{demande}/avis", dependencies=[requires("demande.avis")])
async def request_opinion(request: Request, demande: str) -> Response:
    """Give an opinion on a request, in the function of the account's role."""
    identifier = _request_id(demande)
    form = await read_form(request)
    try:
        with request_engine(request).begin() as conn:
            check_scope(request, get_request(conn, identifier))
            give_opinion(
                conn,
                actor(request),
                identifier,
                type=str(form.get("type_avis") or ""),
                avis=str(form.get("avis") or ""),
                fonction=opinion_function(request),
                commentaire=str(form.get("commentaire_avis") or "") or None,
            )
    except TremplinError as error:
        return _request_page(request, identifier, error, None, error.status)
    return RedirectResponse(f"/carte/demandes/{identifier}#avis", status_code=303)


@router.post("/carte/demandes/{demande}/pieces", dependencies=[requires("demande.modifier")])
async def request_attach(request: Request, demande: str) -> Response:
    """Attach the file of the form's ``piece`` to a request (the attachment rules: PDF, PNG or
    JPEG as its first bytes show, 5 Mo at most); the page again with the reason when refused."""
    identifier = _request_id(demande)
    kind = request.headers.get("content-type", "")
    form = multipart_fields(kind, await request.body()) if is_multipart(kind) else {}
    sent = form.get("piece")
    try:
        if sent is None or not sent.filename:
            raise InputError("aucun fichier choisi", where=["piece"], expected="un fichier")
        content = sent.value
        name = PurePath(sent.filename.replace("\\", "/")).name
        if not 0 < len(content) <= MAX_BYTES:
            why = "vide" if not content else "de plus de 5 Mo"
            raise InputError(
                f"pièce « {name} » refusée : fichier {why}", where=["piece"],
                expected="un fichier non vide d’au plus 5 Mo",
            )  # fmt: skip
        declared = sent.content_type or "application/octet-stream"
        with request_engine(request).begin() as conn:
            check_scope(request, get_request(conn, identifier))
            if demande_final(conn, identifier):
                raise InputError("la demande est close : plus de pièce à joindre", where=["piece"])
            add_attachment(
                conn, actor(request), identifier, name, detected_type(content, declared), content
            )
    except TremplinError as error:
        return _request_page(request, identifier, error, None, error.status)
    return RedirectResponse(f"/carte/demandes/{identifier}?piece=1#pieces", status_code=303)


def demande_final(conn: Any, identifier: int) -> bool:
    """Whether the request is in a final status (validée, refusée, supprimée)."""
    return get_request(conn, identifier).statut in workflow.FINAL
