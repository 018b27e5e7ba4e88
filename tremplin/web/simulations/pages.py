"""The simulations' pages: build a scenario and run it, read its before / after, compare two.

- ``/simulations``: the visitor's simulations, a form to build a scenario (territory, palier,
  cohorts, a list of changes), pre-filled with the planner's example (« open 15 places of bac
  pro Technicien en chaudronnerie industrielle in Oyonnax, close 15 elsewhere »);
- ``/simulations/{id}``: before, after, difference and its 95 % interval for every indicator,
  overall and per group, the changed offers and their chart; it reloads itself while running,
  and offers to cancel it (``POST /simulations/{id}/annulation``);
- ``/simulations/comparer?a=…&b=…``: two simulations side by side.

The form posts plain fields (one set per change, in order); the page reads them into the
structure of a scenario file and hands it to the same service as the API.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from tremplin.errors import TremplinError
from tremplin.reports.scenario_figures import ACTION_LABELS, PALIER_LABELS
from tremplin.web.diagnostic.service import empty_store_page, service
from tremplin.web.shared.auth import requires
from tremplin.web.shared.errors import retry_headers
from tremplin.web.shared.jobs import (
    SimulationJob,
    actor,
    known_ids,
    quota_key,
    remember,
    viewer,
)
from tremplin.web.shared.templating import render
from tremplin.web.simulations.api import check_bounds
from tremplin.web.simulations.service import (
    GRAINES_DEFAULT,
    GRAINES_MAX,
    SimulationService,
    simulations,
)
from tremplin.web.simulations.views import job_context, offers_chart, side_groups

router = APIRouter(
    include_in_schema=False, dependencies=[requires("lecture", writes="simulation.lancer")]
)

FIELDS = ("action", "uai", "mef_stat_11", "places", "vers_uai", "vers_mef_stat_11")
"""The fields of one change in the form, repeated once per change, in order."""
BLANK_ROWS = 2
"""Empty changes offered under the filled ones (« Ajouter un changement » adds more)."""


@dataclass(frozen=True)
class FormChange:
    """One change as the form holds it: text, as typed."""

    action: str = "ouvrir"
    uai: str = ""
    mef_stat_11: str = ""
    places: str = ""
    vers_uai: str = ""
    vers_mef_stat_11: str = ""
    key: str = field(default_factory=lambda: secrets.token_hex(3))

    @property
    def blank(self) -> bool:
        return not (self.uai.strip() or self.mef_stat_11.strip())

    def as_mapping(self) -> dict[str, Any]:
        """The change as a scenario file writes it (the library checks it)."""
        found: dict[str, Any] = {
            "action": self.action,
            "uai": self.uai,
            "mef_stat_11": self.mef_stat_11,
        }
        places = self.places.strip().replace("\u2212", "-")
        if places:
            try:
                found["places"] = int(places)
            except ValueError:
                found["places"] = places  # the library names it: « places » doit être un entier
        if self.vers_uai.strip():
            found["vers_uai"] = self.vers_uai
            found["vers_mef_stat_11"] = self.vers_mef_stat_11
        return found


@dataclass
class ScenarioForm:
    titre: str
    territoire: str
    palier: str
    graines: str
    changes: list[FormChange]


EXAMPLE = ScenarioForm(
    titre="15 places de chaudronnerie industrielle à Oyonnax, 15 de moins à Villeurbanne",
    territoire="region:84",  # the example's offers are in Auvergne-Rhône-Alpes
    palier="",
    graines=str(GRAINES_DEFAULT),
    changes=[
        # Lycée Paul Painlevé (Oyonnax) opens 1re pro « Technicien en chaudronnerie
        # industrielle »; Lycée Frédéric Faÿs (Villeurbanne), its largest AURA offer, loses 15.
        FormChange("ouvrir", "0010034G", "23820025411", "15"),
        FormChange("ajuster", "0690103M", "23820025411", "-15"),
    ],
)


def _read_form(body: bytes) -> ScenarioForm:
    """The form's fields: one value of each scenario field, one list per change field."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        values.setdefault(name, []).append(value.strip())

    def one(name: str) -> str:
        return (values.get(name) or [""])[0]

    count = max(len(values.get(name, [])) for name in FIELDS)
    columns = {name: values.get(name, []) + [""] * count for name in FIELDS}
    changes = [FormChange(**{name: columns[name][i] for name in FIELDS}) for i in range(count)]
    return ScenarioForm(one("titre"), one("territoire"), one("palier"), one("graines"), changes)


def _form_context(
    request: Request, found: SimulationService, form: ScenarioForm, error: str | None = None
) -> dict[str, Any]:
    filled = [c for c in form.changes if not c.blank]
    rows = filled + [FormChange() for _ in range(BLANK_ROWS)]
    return {
        "form": form,
        "rows": [
            (row, found.lookup(row.uai, row.mef_stat_11) if not row.blank else None) for row in rows
        ],
        "error": error,
        "jobs": _listed(request, found),
        "territory_options": found.territory_options(),
        "choices": found.choices(),
        "territory_label": found.territory_label,
        "actions": ACTION_LABELS,
        "paliers": PALIER_LABELS,
        "graines_max": GRAINES_MAX,
    }


@router.get("/simulations", name="simulations")
def simulations_page(request: Request) -> Response:
    """The visitor's simulations, and the form of a new one (the planner's example filled in)."""
    if service(request).empty():
        return empty_store_page(request)
    return render(
        request, "simulations.html", _form_context(request, simulations(request), EXAMPLE)
    )


def _listed(request: Request, found: SimulationService) -> list[SimulationJob]:
    """The simulations this visitor asked for (their account's, or their browser's)."""
    return found.jobs(viewer(request), known_ids(request))


@router.post("/simulations")
async def simulations_submit(request: Request) -> Response:
    """Read the form, check the scenario and queue it; the form again, with the reason, if not."""
    form = _read_form(await request.body())
    found = simulations(request)
    document: dict[str, Any] = {
        "titre": form.titre or "Scénario",
        "changements": [c.as_mapping() for c in form.changes if not c.blank],
    }
    if form.palier:
        document["palier"] = form.palier
    try:
        graines = int(form.graines or GRAINES_DEFAULT)
    except ValueError:
        graines = 0
    try:
        check_bounds({**document, "territoire": form.territoire or None})
        job = await _in_thread(request, found, document, form.territoire or None, graines)
    except TremplinError as error:
        # The form again, as typed, with the reason: not the site's error page.
        context = _form_context(request, found, form, str(error))
        response = render(request, "simulations.html", context, error.status)
        response.headers.update(retry_headers(error))
        return response
    redirect = RedirectResponse(f"/simulations/{job.id}", status_code=303)
    remember(request, redirect, job.id)
    return redirect


async def _in_thread(
    request: Request,
    found: SimulationService,
    document: Mapping[str, Any],
    territoire: str | None,
    graines: int,
) -> SimulationJob:
    # Checking a scenario may build the facts (seconds, once): not on the event loop.
    asking, who = viewer(request), actor(request)
    return await run_in_threadpool(
        lambda: found.submit(
            document,
            territoire,
            graines,
            owner=asking.account,
            quota_key=quota_key(request, asking),
            actor=who,
        )
    )


@router.get("/simulations/offre")
def offer_fragment(request: Request) -> Response:
    """What the data says of a change's UAI × MEF (and of its transfer's target): htmx."""
    values = request.query_params
    found = simulations(request)
    row = FormChange(
        values.get("action") or "ouvrir",
        values.get("uai") or "",
        values.get("mef_stat_11") or "",
        vers_uai=values.get("vers_uai") or "",
        vers_mef_stat_11=values.get("vers_mef_stat_11") or "",
    )
    lookup = found.lookup(row.uai, row.mef_stat_11) if not row.blank else None
    return render(
        request, "_simulation_offre.html", {"row": row, "lookup": lookup, **_lookups(found, row)}
    )


def _lookups(found: SimulationService, row: FormChange) -> dict[str, Any]:
    target = None
    if row.vers_uai.strip():
        target = found.lookup(row.vers_uai, row.vers_mef_stat_11 or row.mef_stat_11)
    return {"target": target, "paliers": PALIER_LABELS}


@router.get("/simulations/changement")
def change_fragment(request: Request) -> Response:
    """One more empty change for the form (htmx)."""
    return render(
        request,
        "_simulation_changement.html",
        {"row": FormChange(), "lookup": None, "actions": ACTION_LABELS, "paliers": PALIER_LABELS},
    )


@router.get("/simulations/comparer", name="simulations-compare")
def compare_page(request: Request) -> Response:
    """Two simulations side by side: each one's before, after and difference."""
    found = simulations(request)
    a, b = request.query_params.get("a") or "", request.query_params.get("b") or ""
    chosen = [found.job(identifier, viewer(request)) for identifier in (a, b) if identifier]
    sides = [job_context(found, job) for job in chosen]
    done = [
        (f"{letter} — ", side["offers"])
        for letter, side in zip("AB", sides, strict=False)
        if side["job"].comparison is not None
    ]
    context: dict[str, Any] = {
        "a": a,
        "b": b,
        "jobs": [j for j in _listed(request, found) if j.comparison is not None],
        "sides": sides,
        "chart": offers_chart("graphique-comparaison", done) if len(done) == 2 else None,
    }
    if len(chosen) == 2 and all(j.comparison is not None for j in chosen):
        context["rows"] = list(
            zip(context["sides"][0]["overall"], context["sides"][1]["overall"], strict=False)
        )
        context["groups"] = side_groups(context["sides"])
    return render(request, "simulation_comparer.html", context)


@router.post("/simulations/{identifier}/annulation")
def simulation_cancel(request: Request, identifier: str) -> Response:
    """Cancel a waiting or running simulation from its page, then show the page again."""
    simulations(request).cancel(identifier, viewer(request), actor(request))
    return RedirectResponse(f"/simulations/{identifier}", status_code=303)


@router.get("/simulations/{identifier}", name="simulation")
def simulation_page(request: Request, identifier: str) -> Response:
    """One simulation: its changes, then before / after / difference once it is done."""
    found = simulations(request)
    job = found.job(identifier, viewer(request))
    context = job_context(found, job)
    context["chart"] = offers_chart("graphique-offres", [("", context["offers"])])
    context["others"] = [j for j in _listed(request, found) if j.comparison and j.id != job.id]
    return render(request, "simulation.html", context)
