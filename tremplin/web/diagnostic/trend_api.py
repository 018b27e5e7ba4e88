"""The trend's API: ``/api/v1/tendances`` and its exports (CSV, XLSX, JSON).

Rows are those of :func:`tremplin.diagnostic.trends.trend`, under the stable snake_case names of
``trends.ORDER``. The filters are those of ``/api/v1/diagnostic`` but the year: a trend gives
every year loaded.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tremplin.diagnostic.indicators import Query
from tremplin.diagnostic.trends import ORDER
from tremplin.reports.trend_export import TREND_DATASETS, trend_info
from tremplin.web.diagnostic.api import loaded_files, query_dependency
from tremplin.web.diagnostic.service import cached, keep_export, service
from tremplin.web.shared.auth import requires
from tremplin.web.shared.exports import Table, add_export_routes
from tremplin.web.shared.pagination import page_json, paginate
from tremplin.web.shared.params import TAILLE_DEFAULT, Page, Taille

router = APIRouter(
    prefix="/api/v1", tags=["Diagnostic territorial"], dependencies=[requires("lecture")]
)


def trend_dependency(**values: Any) -> Query:
    """The diagnostic's filters without the year (the trend gives every year)."""
    return replace(query_dependency(**values, annee=None), annee=None)


# The same documented parameters as /api/v1/diagnostic, but « annee ».
_signature = inspect.signature(query_dependency, eval_str=True)
trend_dependency.__signature__ = _signature.replace(  # type: ignore[attr-defined]
    parameters=[p for p in _signature.parameters.values() if p.name != "annee"]
)


@router.get(
    "/tendances",
    summary="Les années côte à côte, par territoire et groupe de métiers",
    description=(
        "Une ligne par territoire × groupe de métiers × année × offres comptées : « toutes » "
        "(toutes les offres de l'année) ou « comparables » (les offres présentes aussi l'année "
        "de référence : même UAI, formation et statut). L'année de référence est la première "
        "année chargée ; `<indicateur>_reference` donne le chiffre de l'année de référence sur "
        "les mêmes offres, `evolution_<indicateur>` l'évolution relative (0,101 pour +10,1 %). "
        "Une source sans fichier pour une année, ou dont le fichier reprend les lignes d'une "
        "autre année, laisse ses chiffres vides cette année-là (jamais 0) ; `avertissements` "
        "dit pourquoi."
    ),
)
@cached
def tendances(
    request: Request,
    query: Annotated[Query, Depends(trend_dependency)],
    page: Page = 1,
    taille: Taille = TAILLE_DEFAULT,
) -> Response:
    return page_json(paginate(service(request).trend(query), page, taille))


def _trend_table(request: Request, query: Query) -> Table:
    rows = service(request).trend(query)
    return Table(
        rows, ORDER, trend_info(rows, query, loaded_files(request, TREND_DATASETS)), "Tendances"
    )


add_export_routes(
    router,
    "tendances",
    "Tendances",
    trend_dependency,
    _trend_table,
    keep=keep_export,
    descriptions={
        "csv": "Les lignes de `/api/v1/tendances` (sans pagination) en CSV : « ; », virgule "
        "décimale, en-têtes en français, premières lignes « # » : filtres, sources et années.",
        "xlsx": "Les lignes de `/api/v1/tendances` (sans pagination) en classeur : une feuille "
        "« Sources », puis la feuille « Tendances ».",
        "json": "Les lignes de `/api/v1/tendances` (sans pagination) en JSON : titre, filtres, "
        "sources et années, fichiers chargés, puis les lignes (« lignes »).",
    },
)
