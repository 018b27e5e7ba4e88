"""The trainings near a need (« Formations proches menant à ce métier »): what the need's page
shows, ``GET /api/v1/besoins/{besoin}/formations`` and its CSV export, each read with the
policy and scope of reading the need (another company's need: 404)."""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Path, Query, Request

from tremplin.companies.needs import Need
from tremplin.orientation.need_trainings import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    NeedTrainings,
    need_trainings,
)
from tremplin.reports.exports import ExportInfo
from tremplin.web.companies.service import found_need
from tremplin.web.orientation.service import orientation
from tremplin.web.shared.auth import requires
from tremplin.web.shared.exports import Table, add_export_routes
from tremplin.web.shared.templating import request_engine

router = APIRouter(prefix="/api/v1", tags=["Entreprises et besoins"])
export_router = APIRouter(
    prefix="/api/v1", tags=["Entreprises et besoins"], dependencies=[requires("besoin.voir")]
)
NEED_ID = Annotated[int, Path(ge=1, le=2**31 - 1, description="Identifiant du besoin.")]
RADIUS = Annotated[
    float,
    Query(
        gt=0,
        le=MAX_RADIUS_KM,
        description="Rayon autour de la commune du besoin, en km (à vol d’oiseau).",
    ),
]


def trainings_for(request: Request, need: Need, rayon_km: float) -> NeedTrainings:
    """The trainings near ``need`` (its ROME code, commune and level)."""
    return need_trainings(
        orientation(request), need.code_rome, need.code_insee, need.niveau, rayon_km
    )


def _need(request: Request, besoin: int) -> Need:
    with request_engine(request).connect() as conn:
        return found_need(request, conn, besoin)


@router.get(
    "/besoins/{besoin}/formations",
    dependencies=[requires("besoin.voir")],
    summary="Formations proches menant au métier d’un besoin",
    description="Les formations à moins de `rayon_km` de la commune du besoin qui mènent à son "
    "métier (code ROME), voie scolaire et apprentissage à part, chacune avec son établissement, "
    "ses élèves de dernière année (constat de rentrée) et le devenir de ses sortants "
    "(InserJeunes) ; puis les établissements à contacter. Ordre : le niveau du besoin d’abord, "
    "puis la distance (voir docs/entreprises.md). Un besoin que je ne vois pas : 404.",
)
def need_trainings_api(
    request: Request, besoin: NEED_ID, rayon_km: RADIUS = DEFAULT_RADIUS_KM
) -> dict[str, Any]:
    need = _need(request, besoin)
    return {"besoin": need.id, **trainings_for(request, need, rayon_km).as_json()}


# --- the CSV export ------------------------------------------------------------------------

EXPORT_COLUMNS = {
    "voie": "Voie",
    "formation": "Formation",
    "diplome": "Diplôme",
    "niveau_rncp": "Niveau (RNCP)",
    "niveau_adapte": "Niveau du besoin",
    "mef_stat_11": "MEF STAT 11",
    "cfd": "CFD",
    "uai": "UAI",
    "etablissement": "Établissement",
    "commune": "Commune",
    "distance_km": "Distance (km)",
    "eleves_terminale": "Élèves de dernière année",
    "eleves_terminale_source": "Élèves : source",
    "taux_emploi_6_mois": "Taux d’emploi à 6 mois",
    "taux_poursuite_etudes": "Taux de poursuite d’études",
    "devenir_source": "Devenir : source",
}


def export_filters(besoin: NEED_ID, rayon_km: RADIUS = DEFAULT_RADIUS_KM) -> tuple[int, float]:
    return besoin, rayon_km


def export_table(request: Request, filters: tuple[int, float]) -> Table:
    besoin, rayon_km = filters
    need = _need(request, besoin)
    found = trainings_for(request, need, rayon_km)
    rows = [
        {name: training.as_json()[name] for name in EXPORT_COLUMNS} for training in found.trainings
    ]
    schema = {name: pl.String for name in EXPORT_COLUMNS} | {
        "niveau_adapte": pl.Boolean,
        "distance_km": pl.Float64,
        "eleves_terminale": pl.Int64,
        "taux_emploi_6_mois": pl.Float64,
        "taux_poursuite_etudes": pl.Float64,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row").rename(EXPORT_COLUMNS)
    info = ExportInfo(
        title=f"Formations proches menant au métier {need.code_rome} (besoin {need.id})",
        filters=[
            ("commune", found.code_insee),
            ("rayon", f"{rayon_km:g} km".replace(".", ",")),
            ("niveau du besoin", need.niveau or "tout niveau"),
        ],
        sources=_sources(found),
    )
    return Table(frame, list(EXPORT_COLUMNS.values()), info, "Formations")


def _sources(found: NeedTrainings) -> list[tuple[str, str]]:
    pupils = sorted({str(t.rentree_terminale) for t in found.trainings if t.rentree_terminale})
    outcomes: dict[str, set[str]] = {}
    for training in found.trainings:
        if training.devenir.source and training.devenir.millesime:
            outcomes.setdefault(training.devenir.source, set()).add(training.devenir.millesime)
    return [
        ("Affelnet, Parcoursup (offres de formation)", "dernière année chargée"),
        *([("Constat de rentrée (DEPP)", ", ".join(pupils))] if pupils else []),
        *((source, ", ".join(sorted(years))) for source, years in sorted(outcomes.items())),
    ]


add_export_routes(
    export_router,
    "besoins/{besoin}/formations",
    "Formations proches d’un besoin",
    export_filters,
    export_table,
    formats=("csv",),
    descriptions={
        "csv": "Les formations de `/api/v1/besoins/{besoin}/formations` (les deux voies, dans "
        "l’ordre documenté) en CSV : « ; », virgule décimale, en-têtes en français, premières "
        "lignes « # » : filtres et sources."
    },
)
