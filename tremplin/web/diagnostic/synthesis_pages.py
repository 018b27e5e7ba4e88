"""The synthesis of a territory, a page a committee can read and print on one A4 sheet:
headline figures, the five largest gaps per objective with their numbers, and the trend."""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import APIRouter, Request
from starlette.responses import Response

from tremplin.diagnostic import rules
from tremplin.diagnostic.trends import totals as trend_totals
from tremplin.reports.figures import PERIMETRE_LABELS, format_cell
from tremplin.web.diagnostic.pages import ranking, totals
from tremplin.web.diagnostic.service import cached, service
from tremplin.web.diagnostic.trend_pages import cell, territory_query
from tremplin.web.shared.auth import requires
from tremplin.web.shared.templating import render

router = APIRouter(include_in_schema=False, dependencies=[requires("lecture")])

LARGEST = 5
"""The gaps listed per objective."""

HEADLINE = (
    ("places", "Places offertes par an", "Affelnet, Parcoursup"),
    ("demandes_voeux_1", "Demandes en vœu 1 (CAP, bac pro)", "Affelnet"),
    ("taux_pression", "Taux de pression", "Affelnet"),
    ("voeux_confirmes", "Vœux confirmés (BTS)", "Parcoursup"),
    ("taux_demande", "Taux de demande (BTS)", "Parcoursup"),
    ("projets_recrutement", "Projets de recrutement", "BMO"),
)
"""The headline figures: totals over the territory's trade groups."""

EVIDENCE = {
    "attractivite": "taux_pression",
    "acces": "taux_pression",
    "competences": "projets_recrutement",
    "vigilance": "taux_devenir_favorable_ensemble",
}
"""Beside each gap, the figure that calls for the objective."""

TREND_COLUMNS = (
    ("places", "Places"),
    ("demandes_voeux_1", "Vœux 1"),
    ("voeux_confirmes", "Vœux confirmés"),
    ("evolution_voeux_confirmes", "Évolution des vœux confirmés"),
)


def _headline(rows: pl.DataFrame) -> list[tuple[str, str, str]]:
    found = totals(rows)
    return [
        (label, format_cell(found, name) if name in found else "—", source)
        for name, label, source in HEADLINE
    ]


def _gaps(rows: pl.DataFrame) -> list[dict[str, Any]]:
    gaps = []
    for objective in ranking(rows):
        evidence = EVIDENCE[objective.code]
        gaps.append(
            {
                "code": objective.code,
                "label": objective.label,
                "unit": objective.unit,
                "rows": [
                    (row["groupe"], size, format_cell(row, evidence))
                    for row, size in objective.rows[:LARGEST]
                ],
                "evidence": evidence,
            }
        )
    return gaps


@router.get("/diagnostic/synthese", name="diagnostic_synthese")
@cached
def synthesis_page(request: Request) -> Response:
    """One territory on one page: what it offers and asks, its largest gaps, its trend."""
    found = service(request)
    query, name = territory_query(request)
    code = str(query.territoire)
    rows = found.rows(query)
    trend = found.trend(query)
    summed = trend_totals(trend).sort("annee", "offres", descending=[False, True])
    notes = sorted({n for listed in trend.get_column("avertissements") for n in listed})
    region = found.region
    return render(
        request,
        "synthese.html",
        {
            "name": name,
            "code": code,
            "query": query,
            "known_years": found.source_years(rows),
            "headline": _headline(rows),
            "gaps": _gaps(rows),
            "evidence_labels": {
                "taux_pression": "pression",
                "projets_recrutement": "projets",
                "taux_devenir_favorable_ensemble": "devenir favorable",
            },
            "trend": summed.to_dicts(),
            "trend_columns": TREND_COLUMNS,
            "notes": notes,
            "cell": cell,
            "region": (region, found.territory_name("region", region) or region),
            "labels": {
                "maille": rules.MAILLE_LABELS,
                "perimetre": PERIMETRE_LABELS,
                "palier": rules.PALIER_LABELS,
                "groupement": rules.GROUPEMENT_LABELS,
            },
        },
    )
