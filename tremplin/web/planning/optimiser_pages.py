"""The optimiser's pages and the impact page of the carte des formations.

- ``/carte/optimiser``: the form of a run (territory, perimeter, budget, limits, weights, curve);
  posted, the run is queued (a durable job) and the browser goes to its page;
- ``/carte/optimisations/{id}``: the proposed changes with their reasons, a checkbox to lock or
  forbid each, « Relancer » (the same form, posted again with the locks and forbidden offers),
  and the curve of solutions as a chart with its table;
- ``/carte/optimisations/{id}/propositions/{n}`` (posted, « demande.proposer »): the proposed
  change n° n added to the chosen campaign as a request in brouillon (« Ajouter à la campagne »);
- ``/carte/impact``: a list of changes (one per line: UAI;MEF STAT 11;places après[;statut]) →
  the tables of their impact (a fragment the requests' pages can include).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from tremplin.errors import InputError, TremplinError
from tremplin.formats import format_decimal
from tremplin.planning.campaigns import list_campaigns
from tremplin.web.planning.optimiser_service import (
    OptimisationJob,
    accept,
    job,
    run_impact,
    submit,
)
from tremplin.web.planning.service import may, read_form
from tremplin.web.shared.auth import requires
from tremplin.web.shared.errors import retry_headers
from tremplin.web.shared.jobs import actor, quota_key, viewer
from tremplin.web.shared.templating import render

router = APIRouter(include_in_schema=False, dependencies=[requires("carte.optimiser")])
impact_router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])
proposals_router = APIRouter(include_in_schema=False, dependencies=[requires("demande.proposer")])

NUMBERS = {
    "budget_places": ("Budget de places nettes", int, 0),
    "sections_max": ("Sections modifiées au plus", int, 40),
    "sections_max_par_etablissement": ("Sections modifiées par établissement au plus", int, 2),
    "plancher_pression": ("Plancher de pression (aucune baisse au-dessus)", float, 1.0),
    "distance_max_km": ("Distance à une offre proche pour fermer (km)", float, 30.0),
    "poids_jeunes": ("Poids de la demande des jeunes", float, 1.0),
    "poids_besoins": ("Poids des besoins de recrutement", float, 1.0),
    "poids_insertion": ("Poids de l’insertion", float, 1.0),
}
"""The form's numeric fields: label, type, default."""


def _form(values: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "territoire": values.get("territoire") or region,
        "perimetre": values.get("perimetre") or "industrie",
        "courbe": bool(values.get("courbe")),
        "numbers": [
            (name, label, values.get(name, default))
            for name, (label, _, default) in NUMBERS.items()
        ],
    }


def _parameters(body: bytes) -> dict[str, Any]:
    """The run's parameters from the posted form; raises InputError naming the field."""
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    fields = dict(pairs)
    out: dict[str, Any] = {
        "territoire": fields.get("territoire", "").strip() or None,
        "perimetre": fields.get("perimetre", "industrie"),
        "courbe": fields.get("courbe") == "1",
    }
    for name, (label, kind, _) in NUMBERS.items():
        text = fields.get(name, "").strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
        if not text:
            continue
        try:
            out[name] = kind(text)
        except ValueError:
            raise InputError(
                f"« {label} » : {'un entier' if kind is int else 'un nombre'} est attendu",
                where=[name],
            ) from None

    def locks(name: str) -> list[dict[str, Any]]:
        found = []
        for key, value in pairs:
            if key != name:
                continue
            parts = value.split("|")
            lock: dict[str, Any] = {
                "uai": parts[0],
                "mef_stat_11": parts[1] if len(parts) > 1 else "",
            }
            if len(parts) > 2:
                lock["statut"] = parts[2]
            if len(parts) > 3 and parts[3].isdigit():
                lock["places_apres"] = int(parts[3])
            found.append(lock)
        return found

    out["verrous"], out["interdits"] = locks("verrou"), locks("interdit")
    return {k: v for k, v in out.items() if v is not None}


@router.get("/carte/optimiser", name="carte_optimiser")
def optimiser_page(request: Request) -> Response:
    region = request.app.state.diagnostic.region
    return render(request, "optimiser.html", {"form": _form({}, region), "error": None})


@router.post("/carte/optimiser")
async def optimiser_submit(request: Request) -> Response:
    region = request.app.state.diagnostic.region
    body = await request.body()
    parameters: dict[str, Any] = {}
    try:
        parameters = _parameters(body)
        asking = viewer(request)
        found = await run_in_threadpool(
            submit,
            request,
            parameters,
            owner=asking.account,
            quota_key=quota_key(request, asking),
            actor=actor(request),
        )
    except TremplinError as error:
        context = {"form": _form(parameters, region), "error": str(error)}
        response = render(request, "optimiser.html", context, error.status)
        response.headers.update(retry_headers(error))
        return response
    return RedirectResponse(f"/carte/optimisations/{found.id}", status_code=303)


def curve_chart(points: list[dict[str, float]]) -> Markup | None:
    """The curve of solutions: youth demand served (x) against recruitment needs served (y),
    an SVG drawn here (no script); the table beside it says the same."""
    if len(points) < 2:
        return None
    xs = [p["jeunes"] for p in points]
    ys = [p["besoins"] for p in points]
    x0, x1 = min(xs), max(xs) or 1.0
    y0, y1 = min(ys), max(ys) or 1.0
    width, height, pad = 480, 260, 40

    def sx(x: float) -> float:
        return pad + (width - 2 * pad) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def sy(y: float) -> float:
        return height - pad - (height - 2 * pad) * ((y - y0) / (y1 - y0) if y1 > y0 else 0.5)

    line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(
        f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4"><title>{escape(format_decimal(x, 0))} ; '
        f"{escape(format_decimal(y, 0))}</title></circle>"
        for x, y in zip(xs, ys, strict=True)
    )
    return Markup(
        f'<svg class="courbe-compromis" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="titre-courbe" xmlns="http://www.w3.org/2000/svg">'
        '<title id="titre-courbe">Courbe des compromis : demande des jeunes servie (horizontal) '
        "et besoins de recrutement servis (vertical) ; le tableau ci-dessous donne les valeurs"
        "</title>"
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#666"/>'
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#666"/>'
        f'<polyline points="{line}" fill="none" stroke="#000091" stroke-width="2"/>{dots}'
        f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle" font-size="12">'
        "Demande des jeunes servie</text>"
        f'<text x="12" y="{height / 2}" font-size="12" transform="rotate(-90 12 {height / 2})" '
        'text-anchor="middle">Besoins servis</text></svg>'
    )


@router.get("/carte/optimisations/{identifier}", name="carte_optimisation")
def optimisation_page(request: Request, identifier: str) -> Response:
    added = request.query_params.get("demande")
    return _optimisation_page(request, identifier, added if added and added.isdigit() else None)


def _optimisation_page(
    request: Request,
    identifier: str,
    added: str | None = None,
    error: TremplinError | None = None,
    chosen: str | None = None,
) -> Response:
    found: OptimisationJob = job(request, identifier, viewer(request))
    result = found.resultat or {}
    region = request.app.state.diagnostic.region
    campaigns = []
    if may(request, "demande.proposer"):
        with request.app.state.engine.connect() as conn:
            campaigns = [c for c in list_campaigns(conn) if c.statut != "terminee"]
    context = {
        "job": found,
        "result": result,
        "form": _form(found.parametres, region),
        "locked": {(v["uai"], v["mef_stat_11"]) for v in found.parametres.get("verrous", [])},
        "chart": curve_chart(result.get("courbe") or []),
        "campaigns": campaigns,
        "chosen": chosen,
        "added": added,
        "error": None if error is None else str(error),
    }
    return render(request, "optimisation.html", context, 200 if error is None else error.status)


@proposals_router.post("/carte/optimisations/{identifier}/propositions/{numero}")
async def proposal_accept(request: Request, identifier: str, numero: str) -> Response:
    """« Ajouter à la campagne »: the proposed change n° ``numero`` becomes a request in
    brouillon of the chosen campaign; the page again with the reason when it cannot."""
    form = await read_form(request)
    chosen = str(form.get("campagne") or "")
    job(request, identifier, viewer(request))  # 404 before reading the form's fields
    try:
        if not numero.isdigit():
            raise InputError(f"proposition « {numero[:16]} » inconnue", where=["numero"])
        if not chosen.isdigit():
            raise InputError("choisissez une campagne", where=["campagne"])
        made = await run_in_threadpool(accept, request, identifier, int(numero), int(chosen))
    except TremplinError as error:
        return _optimisation_page(request, identifier, error=error, chosen=chosen)
    return RedirectResponse(f"/carte/optimisations/{identifier}?demande={made.id}", status_code=303)


def _impact_lines(text: str) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        parts = [p.strip() for p in line.replace(",", ";").split(";")]
        if not any(parts):
            continue
        if len(parts) < 3 or not parts[2].isdigit():
            raise InputError(
                f"ligne {n} : « UAI;MEF STAT 11;places après[;statut] » est attendu",
                where=["changements", f"ligne {n}"],
            )
        change: dict[str, Any] = {
            "uai": parts[0],
            "mef_stat_11": parts[1],
            "places_apres": int(parts[2]),
        }
        if len(parts) > 3 and parts[3]:
            change["statut"] = parts[3]
        out.append(change)
    return out


EXAMPLE_IMPACT = "0010001W;23810020008;75\n0010016M;23810020008;60"


@impact_router.get("/carte/impact", name="carte_impact")
async def impact_page(request: Request) -> Response:
    asked = request.query_params.get("changements")
    territoire = request.query_params.get("territoire") or request.app.state.diagnostic.region
    context: dict[str, Any] = {
        "changements": asked if asked is not None else EXAMPLE_IMPACT,
        "territoire": territoire,
        "result": None,
        "error": None,
    }
    status = 200
    if asked:
        try:
            context["result"] = await run_in_threadpool(
                run_impact, request, territoire, _impact_lines(asked)
            )
        except TremplinError as error:
            context["error"], status = str(error), error.status
    return render(request, "impact.html", context, status)
