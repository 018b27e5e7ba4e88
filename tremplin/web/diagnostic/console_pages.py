"""The two consoles: by formation, and by formation × establishment (one row per offer).

Filters are the query string (so a filtered console is a link to share); htmx reloads the
console in place and pushes the new address. The column chooser and the saved queries live in
the browser (``localStorage``), see ``static/console.js``.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Request
from starlette.responses import Response

from tremplin.diagnostic import rules
from tremplin.diagnostic.consoles import MULTIPLE_FILTERS, ConsoleQuery
from tremplin.diagnostic.selection import codes
from tremplin.reports.figures import COLUMN_LABELS, PERIMETRE_LABELS, STATUT_LABELS
from tremplin.web.diagnostic import params
from tremplin.web.diagnostic.console_spec import FORMATIONS, OFFERS, ConsoleSpec
from tremplin.web.diagnostic.pages import niveau_options
from tremplin.web.diagnostic.service import cached, service
from tremplin.web.shared.auth import requires
from tremplin.web.shared.pagination import paginate
from tremplin.web.shared.params import PAGE_MAX, integer
from tremplin.web.shared.sorting import SortLinks
from tremplin.web.shared.templating import render

router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])

PAGE_SIZE = 50


def console_years(offers: pl.DataFrame) -> dict[str, str]:
    """Each source's years among the offers of a console."""
    found: dict[str, str] = {}
    for source, label in (("affelnet", "Affelnet"), ("parcoursup", "Parcoursup")):
        values = offers.filter(pl.col("source") == source).get_column("annee").drop_nulls().unique()
        if values.len():
            found[label] = ", ".join(str(v) for v in values.sort())
    for column, label in (("rentree_effectif", "Constat"), ("millesime_insertion", "InserJeunes")):
        if column in offers.columns:
            values = offers.get_column(column).drop_nulls().unique()
            if values.len():
                found[label] = ", ".join(str(v) for v in values.sort())
    return found


def _query_string(query: ConsoleQuery, **extra: Any) -> str:
    """The query string of ``query`` (its filters, thresholds and sort), with ``extra``: what
    links, pages and exports carry so that each shows the same rows in the same order."""
    values: dict[str, Any] = {}
    for item in fields(ConsoleQuery):
        value = getattr(query, item.name)
        if item.name == "code_region":
            values[item.name] = value or ""  # empty: all of France (absent: AURA)
        elif item.name == "seuils":
            values.update((t.parameter, _number(t.value)) for t in value)
        elif value not in (None, "") and not (item.name == "niveau" and value == "tous"):
            values[item.name] = value
    values.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(values)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _options(request: Request, query: ConsoleQuery) -> dict[str, Any]:
    found = service(request)
    region = query.code_region

    def territories(maille: str) -> list[tuple[str, str]]:
        frame = found.territories(maille, region)
        return [
            (str(code), f"{name} ({code})") for code, name in frame.select("code", "nom").rows()
        ]

    return {
        "code_region": [
            (str(c), str(n)) for c, n in found.territories("region").select("code", "nom").rows()
        ],
        "code_academie": territories("academie"),
        "code_departement": territories("departement"),
        "bassin_bmo": territories("bassin"),
        "fap22": found.console_options("fap22", "libelle_fap22"),
        "fap86": found.console_options("fap86", "libelle_fap86"),
        "famille_metiers": found.console_options("famille_metiers"),
        "annee": sorted(found.console_options("annee"), reverse=True),
        "niveau": niveau_options(),
        "perimetre": list(PERIMETRE_LABELS.items()),
        "statut": list(STATUT_LABELS.items()),
    }


def _console(request: Request, spec: ConsoleSpec) -> Response:
    found = service(request)
    kind = spec.name
    values = request.query_params
    query = params.page_console_query(values, spec.exported, code_region=service(request).region)
    page = integer(values, "page", 1, 1, PAGE_MAX) or 1
    offers = found.offers(query)
    frame = spec.rows(found, query)
    shown = paginate(frame, page, PAGE_SIZE)
    if shown.page > shown.pages:  # past the last page: the last one
        shown = paginate(frame, shown.pages, PAGE_SIZE)
    query_string = _query_string(query)
    sort = query.sort
    sorting = SortLinks(
        sort,
        lambda name, order: (
            f"/diagnostic/{kind}?{_query_string(_with(query, tri=name, ordre=order))}"
        ),
        {c.name for c in spec.columns if c.number},
    )
    return render(
        request,
        "console.html",
        {
            "kind": kind,
            "title": spec.title,
            "description": spec.description,
            "query": query,
            "options": _options(request, query),
            "columns": spec.page_columns(frame),
            "rows": shown.rows.to_dicts(),
            "total": frame.height,
            "page": shown.page,
            "pages": shown.pages,
            "page_size": PAGE_SIZE,
            "query_string": query_string,
            # The other console does not have every column: it keeps its own order.
            "tags_query": _query_string(_with(query, tri=None, ordre=None)),
            "sort": sort,
            "sort_label": COLUMN_LABELS.get(sort.column, sort.column),
            "sorting": sorting,
            "chosen": {name: codes(getattr(query, name)) for name in MULTIPLE_FILTERS},
            "thresholds": [
                (name, label, _threshold_value(query, name)) for name, label in THRESHOLD_FIELDS
            ],
            "page_link": lambda number: f"/diagnostic/{kind}?{_query_string(query, page=number)}",
            "offers_link": lambda row: (
                "/diagnostic/offres?"
                + _query_string(_with(query, cfd=row["cfd"], statut=row["statut"]))
            ),
            "known_years": console_years(offers),
            "insertion_needs_region": kind == "formations" and not query.code_region,
            "labels": {"unplaced": rules.UNPLACED_LABEL},
        },
    )


THRESHOLD_FIELDS = (
    ("min_taux_pression", "Taux de pression au moins"),
    ("min_taux_demande", "Taux de demande (BTS) au moins"),
    ("max_taux_remplissage", "Taux de remplissage au plus"),
    ("min_places_manquantes", "Places manquantes au moins"),
    ("max_taux_devenir_favorable", "Devenir favorable au plus"),
)
"""The thresholds the console's form offers (the API and exports take every
``min_``/``max_`` parameter of :data:`~tremplin.diagnostic.selection.THRESHOLD_COLUMNS`)."""


def _threshold_value(query: ConsoleQuery, name: str) -> str:
    for threshold in query.seuils:
        if threshold.parameter == name:
            return threshold.text
    return ""


def _with(query: ConsoleQuery, **changes: Any) -> ConsoleQuery:
    values = {item.name: getattr(query, item.name) for item in fields(ConsoleQuery)}
    values.update(changes)
    return ConsoleQuery(**values)


@router.get("/diagnostic/formations", name="console_formations")
@cached
def formations_console(request: Request) -> Response:
    """The console by formation."""
    return _console(request, FORMATIONS)


@router.get("/diagnostic/offres", name="console_offres")
@cached
def offers_console(request: Request) -> Response:
    """The console by formation × establishment."""
    return _console(request, OFFERS)
