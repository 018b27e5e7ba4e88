"""The consoles' API: one row per formation, or per offer (formation × establishment), with
the filters of :class:`~tremplin.diagnostic.consoles.ConsoleQuery`, pagination and exports."""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, Request
from fastapi import Query as Param
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tremplin.diagnostic import rules
from tremplin.diagnostic.consoles import ConsoleQuery
from tremplin.reports.exports import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    ExportInfo,
    attachment,
    to_csv,
    to_xlsx,
)
from tremplin.reports.figures import COLUMN_LABELS, PERIMETRE_LABELS
from tremplin.web.diagnostic import params
from tremplin.web.diagnostic.api import (
    DIAGNOSTIC_DATASETS,
    Page,
    Taille,
    enum,
    loaded_files,
    page_json,
)
from tremplin.web.diagnostic.service import cached, service

router = APIRouter(prefix="/api/v1", tags=["Consoles"])

OFFER_COLUMNS = [
    "annee",
    "source",
    "uai",
    "etablissement",
    "commune",
    "code_departement",
    "code_academie",
    "code_region",
    "bassin_bmo",
    "cfd",
    "mef_stat_11",
    "libelle_formation",
    "niveau",
    "statut",
    "famille_metiers",
    "code_rome",
    "fap22",
    "libelle_fap22",
    "fap86",
    "libelle_fap86",
    "industrie",
    "capacite",
    "capacite_brute",
    "demandes_voeux_1",
    "taux_pression",
    "voeux_confirmes",
    "taux_demande",
    "effectif",
    "rentree_effectif",
    "taux_remplissage",
    "millesime_insertion",
    "sortants",
    "taux_emploi_6_mois",
    "taux_poursuite",
    "taux_devenir_favorable",
    "quadrant",
]
"""The offers console's columns, in the order of exports and of the page."""

FORMATION_COLUMNS = [
    "cfd",
    "libelle_formation",
    "niveau",
    "statut",
    "famille_metiers",
    "code_rome",
    "libelle_fap22",
    "libelle_fap86",
    "industrie",
    "nb_etablissements",
    "capacite",
    "demandes_voeux_1",
    "taux_pression",
    "voeux_confirmes",
    "taux_demande",
    "effectif",
    "taux_remplissage",
    "millesime_insertion",
    "sortants",
    "taux_emploi_6_mois",
    "taux_poursuite",
    "taux_devenir_favorable",
    "quadrant",
]
"""The formations console's columns (insertion only once a région is chosen)."""


_OPTIONAL_CODE = "Code ; vide : pas de filtre."


def console_dependency(
    perimetre: Annotated[
        str,
        Param(description="« industrie » ou « tout ».", json_schema_extra=enum(rules.PERIMETRES)),
    ] = "industrie",
    niveau: Annotated[
        str, Param(description="Niveau de diplôme.", json_schema_extra=enum(rules.NIVEAUX))
    ] = "tous",
    annee: Annotated[int | None, Param(description="Année ; absente : la dernière.")] = None,
    code_region: Annotated[str | None, Param(description=_OPTIONAL_CODE)] = None,
    code_academie: Annotated[str | None, Param(description=_OPTIONAL_CODE)] = None,
    code_departement: Annotated[str | None, Param(description=_OPTIONAL_CODE)] = None,
    bassin_bmo: Annotated[str | None, Param(description="Code du bassin d'emploi BMO.")] = None,
    fap22: Annotated[str | None, Param(description="Famille professionnelle FAP 2021.")] = None,
    fap86: Annotated[str | None, Param(description="Domaine professionnel FAP 2021.")] = None,
    famille_metiers: Annotated[str | None, Param(description="Famille de métiers.")] = None,
    cfd: Annotated[str | None, Param(description="Code formation diplôme (CFD).")] = None,
    uai: Annotated[str | None, Param(description="UAI de l'établissement.")] = None,
    statut: Annotated[
        str | None,
        Param(description="scolaire ou apprentissage.", json_schema_extra=enum(params.STATUTS)),
    ] = None,
    texte: Annotated[
        str | None, Param(description="Texte cherché dans la formation ou l'établissement.")
    ] = None,
) -> ConsoleQuery:
    return params.console_query(
        perimetre,
        niveau,
        annee,
        code_region=code_region,
        code_academie=code_academie,
        code_departement=code_departement,
        bassin_bmo=bassin_bmo,
        fap22=fap22,
        fap86=fap86,
        famille_metiers=famille_metiers,
        cfd=cfd,
        uai=uai,
        statut=statut,
        texte=texte,
    )


class ConsolePage(BaseModel):
    total: int = Field(description="Nombre de lignes de la requête.")
    page: int = Field(description="Numéro de la page renvoyée.")
    taille: int = Field(description="Lignes par page.")
    lignes: list[dict[str, Any]] = Field(
        description="Une ligne par offre ou par formation ; colonnes documentées dans le glossaire."
    )


def _console(frame: pl.DataFrame, columns: list[str], page: int, taille: int) -> Response:
    kept = [c for c in columns if c in frame.columns]
    return page_json(frame.select(kept), page, taille)


@router.get(
    "/formations",
    response_model=ConsolePage,
    summary="Console par formation",
    description="Une ligne par formation (CFD × statut) sur le territoire choisi : offres, "
    "capacités, vœux, taux, élèves ; insertion et quadrant quand une région est choisie.",
)
@cached
def formations(
    request: Request,
    query: Annotated[ConsoleQuery, Depends(console_dependency)],
    page: Page = 1,
    taille: Taille = params.TAILLE_DEFAULT,
) -> Response:
    return _console(service(request).formations(query), FORMATION_COLUMNS, page, taille)


@router.get(
    "/offres",
    response_model=ConsolePage,
    summary="Console par formation et établissement",
    description="Une ligne par offre (établissement × formation × statut) : chiffres, territoire, "
    "métier, insertion et quadrant de la formation dans sa région.",
)
@cached
def offres(
    request: Request,
    query: Annotated[ConsoleQuery, Depends(console_dependency)],
    page: Page = 1,
    taille: Taille = params.TAILLE_DEFAULT,
) -> Response:
    return _console(service(request).offers(query), OFFER_COLUMNS, page, taille)


def _console_filters(query: ConsoleQuery) -> list[tuple[str, str]]:
    shown = [("Périmètre", PERIMETRE_LABELS[query.perimetre]), ("Niveau", query.niveau)]
    shown.append(("Année", str(query.annee) if query.annee else "la dernière de chaque source"))
    for name in params.CONSOLE_TEXT_FILTERS:
        value = getattr(query, name)
        if value:
            shown.append((COLUMN_LABELS.get(name, name), str(value)))
    return shown


def _console_export(request: Request, name: str, query: ConsoleQuery, kind: str) -> Response:
    content = service(request).memo(
        (name, kind, query), lambda: _console_file(request, name, query, kind)
    )
    media_type = CSV_MEDIA_TYPE if kind == "csv" else XLSX_MEDIA_TYPE
    return Response(content, media_type=media_type, headers=attachment(f"{name}.{kind}"))


def _console_file(request: Request, name: str, query: ConsoleQuery, kind: str) -> bytes:
    found = service(request)
    frame, columns, title = (
        (found.offers(query), OFFER_COLUMNS, "Offres de formation (formation × établissement)")
        if name == "offres"
        else (found.formations(query), FORMATION_COLUMNS, "Formations")
    )
    years = {"annee": "Affelnet, Parcoursup", "millesime_insertion": "InserJeunes"}
    sources = [
        (source, ", ".join(str(v) for v in frame.get_column(column).drop_nulls().unique().sort()))
        for column, source in years.items()
        if column in frame.columns and frame.get_column(column).drop_nulls().len()
    ]
    info = ExportInfo(
        title=title,
        filters=_console_filters(query),
        sources=sources,
        files=loaded_files(request, DIAGNOSTIC_DATASETS[:4]),
    )
    if kind == "csv":
        return to_csv(frame, columns, info)
    return to_xlsx(frame, columns, info, title[:31])


@router.get("/formations.csv", summary="Console par formation en CSV", response_class=Response)
def formations_csv(
    request: Request, query: Annotated[ConsoleQuery, Depends(console_dependency)]
) -> Response:
    return _console_export(request, "formations", query, "csv")


@router.get("/formations.xlsx", summary="Console par formation en XLSX", response_class=Response)
def formations_xlsx(
    request: Request, query: Annotated[ConsoleQuery, Depends(console_dependency)]
) -> Response:
    return _console_export(request, "formations", query, "xlsx")


@router.get("/offres.csv", summary="Console des offres en CSV", response_class=Response)
def offres_csv(
    request: Request, query: Annotated[ConsoleQuery, Depends(console_dependency)]
) -> Response:
    return _console_export(request, "offres", query, "csv")


@router.get("/offres.xlsx", summary="Console des offres en XLSX", response_class=Response)
def offres_xlsx(
    request: Request, query: Annotated[ConsoleQuery, Depends(console_dependency)]
) -> Response:
    return _console_export(request, "offres", query, "xlsx")
