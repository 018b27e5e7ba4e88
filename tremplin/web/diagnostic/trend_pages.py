"""The trend's page: a territory's years side by side, a chart and a table per trade group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Request
from starlette.responses import Response

from tremplin import formats
from tremplin.diagnostic import rules
from tremplin.diagnostic.indicators import Query
from tremplin.diagnostic.trends import OFFER_SET_LABELS, totals
from tremplin.errors import NotFound
from tremplin.reports.figures import PERIMETRE_LABELS, format_value
from tremplin.web.diagnostic import params
from tremplin.web.diagnostic.pages import niveau_options
from tremplin.web.diagnostic.service import cached, service
from tremplin.web.shared import charts
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import render

router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])

COUNT_COLUMNS = ("places", "demandes_voeux_1", "voeux_confirmes")
COLUMNS = (
    ("places", "Places offertes"),
    ("demandes_voeux_1", "Demandes en vœu 1"),
    ("evolution_demandes_voeux_1", "Évolution des vœux 1"),
    ("taux_pression", "Taux de pression"),
    ("voeux_confirmes", "Vœux confirmés (BTS)"),
    ("evolution_voeux_confirmes", "Évolution des vœux confirmés"),
    ("taux_demande", "Taux de demande"),
    ("taux_devenir_favorable", "Taux de devenir favorable"),
)
"""The columns of the page's tables (the exports have them all)."""
CHARTS = (
    ("voeux_confirmes", "Vœux confirmés (BTS, Parcoursup)"),
    ("demandes_voeux_1", "Demandes en vœu 1 (Affelnet)"),
)
OFFER_SET_SHORT = {"toutes": "toutes les offres", "comparables": "offres comparables"}


def cell(row: Mapping[str, Any], name: str) -> str:
    """A figure of a trend's row as the page writes it (counts rounded: they are weighted)."""
    value = row.get(name)
    if name in COUNT_COLUMNS and value is not None:
        return formats.format_number(round(value))
    return format_value(name, value)


def _chart(identifier: str, title: str, name: str, summed: pl.DataFrame) -> Any:
    """One bar per year and set of offers, or None when the measure is blank every year."""
    if summed.get_column(name).drop_nulls().sum() == 0:
        return None
    rows = []
    for (year,), part in summed.group_by("annee", maintain_order=True):
        bars = []
        for row in part.sort("offres", descending=True).iter_rows(named=True):
            colour = charts.BLUE if row["offres"] == "toutes" else charts.BLUE_LIGHT
            value = row[name]
            text = cell(row, name) if value is not None else "non retenu ou absent"
            if value is not None and row[f"evolution_{name}"] is not None:
                text += f" ({cell(row, f'evolution_{name}')})"
            bars.append(charts.Bar([charts.Segment(value or 0.0, colour)], text))
        rows.append(charts.Row(str(year), bars))
    return charts.bar_chart(
        identifier,
        title,
        f"{title} par année : toutes les offres, puis les offres présentes aussi l'année de "
        "référence, avec l'évolution depuis l'année de référence.",
        rows,
        [("Toutes les offres", charts.BLUE), ("Offres comparables", charts.BLUE_LIGHT)],
    )


def territory_query(request: Request) -> tuple[Query, str]:
    """The query of a page about one territory (``maille`` and ``territoire``; the région of
    the partnership by default; every year, no ``dans``) and the territory's name
    (:class:`NotFound` when it is unknown)."""
    found = service(request)
    query = params.page_query(
        {**request.query_params, "annee": "", "region": "", "dans": "", "groupe": ""},
        maille="region",
        territoire=found.region,
    )
    code = query.territoire or found.region
    name = found.territory_name(query.maille, code)
    if name is None:
        raise NotFound(
            f"territoire « {code} » inconnu ({rules.MAILLE_LABELS.get(query.maille, query.maille)})"
        )
    return replace(query, territoire=code), name


@router.get("/diagnostic/tendances", name="diagnostic_tendances")
@cached
def trend_page(request: Request) -> Response:
    """A territory's figures year by year, for every trade group, on all offers and on
    like-for-like offers."""
    found = service(request)
    query, name = territory_query(request)
    code = str(query.territoire)
    rows = found.trend(query)
    summed = totals(rows).sort("annee", "offres", descending=[False, True])
    notes = sorted({n for listed in rows.get_column("avertissements") for n in listed})
    groups = []
    for (code_groupe, label), part in rows.group_by("code_groupe", "groupe", maintain_order=True):
        groups.append({"code": code_groupe, "label": label, "rows": part.to_dicts()})
    reference = rows.get_column("annee_reference").drop_nulls()
    export_query = urlencode(
        {
            k: v
            for k, v in {
                "maille": query.maille,
                "territoire": code,
                "groupement": query.groupement,
                "groupe": query.groupe,
                "perimetre": query.perimetre,
                "niveau": query.niveau,
                "palier": query.palier,
            }.items()
            if v
        }
    )
    return render(
        request,
        "tendances.html",
        {
            "name": name,
            "code": code,
            "query": query,
            "reference": reference.min() if reference.len() else None,
            "notes": notes,
            "summed": summed.to_dicts(),
            "groups": groups,
            "columns": COLUMNS,
            "cell": cell,
            "offer_sets": OFFER_SET_SHORT,
            "offer_set_labels": OFFER_SET_LABELS,
            "charts": [
                chart
                for index, (measure, title) in enumerate(CHARTS)
                if (chart := _chart(f"graphique-tendance-{index}", title, measure, summed))
            ],
            "export_query": export_query,
            "niveau_options": niveau_options(),
            "labels": {
                "maille": rules.MAILLE_LABELS,
                "groupement": rules.GROUPEMENT_LABELS,
                "perimetre": PERIMETRE_LABELS,
                "palier": rules.PALIER_LABELS,
            },
        },
    )
