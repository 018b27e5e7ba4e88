"""The diagnostic's API: indicator rows, their exports, coverage, consoles and map shapes.

Rows are returned as computed by :func:`tremplin.diagnostic.indicators.compute` and labelled by
:func:`tremplin.diagnostic.classify.classify`, under the stable snake_case names of
``indicators.ORDER`` plus ``objectifs`` and ``explications``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Query as Param
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import OBJECTIVE_LABELS, OBJECTIVES
from tremplin.diagnostic.indicators import ORDER, Query
from tremplin.diagnostic.ranking import SIZE_COLUMNS
from tremplin.diagnostic.selection import NO_SELECTION, Selection, Sort, Threshold
from tremplin.reports.exports import ExportInfo
from tremplin.reports.figures import (
    COLUMN_LABELS,
    query_filters,
    sort_filter,
    threshold_filters,
)
from tremplin.store.provenance import list_loaded_files
from tremplin.web.diagnostic import params
from tremplin.web.diagnostic.service import cached, keep_export, service
from tremplin.web.shared.auth import requires
from tremplin.web.shared.exports import Table, add_export_routes
from tremplin.web.shared.pagination import page_json, records
from tremplin.web.shared.params import TAILLE_DEFAULT, Page, Taille, enum, year
from tremplin.web.shared.templating import request_engine

router = APIRouter(
    prefix="/api/v1", tags=["Diagnostic territorial"], dependencies=[requires("lecture")]
)

ROW_COLUMNS = [
    *ORDER,
    "objectifs",
    "pression_demande_opposees",
    *SIZE_COLUMNS.values(),
    "explications",
]


def query_dependency(
    maille: Annotated[
        str,
        Param(
            description="Maille des territoires : " + ", ".join(rules.MAILLES) + ".",
            json_schema_extra=enum(rules.MAILLES),
        ),
    ] = "region",
    groupement: Annotated[
        str,
        Param(
            description="Regroupement des métiers : " + ", ".join(rules.GROUPEMENTS) + ".",
            json_schema_extra=enum(rules.GROUPEMENTS),
        ),
    ] = "famille_fap",
    perimetre: Annotated[
        str,
        Param(
            description="« industrie » (périmètre industrie / métallurgie) ou « tout ».",
            json_schema_extra=enum(rules.PERIMETRES),
        ),
    ] = "industrie",
    niveau: Annotated[
        str,
        Param(description="Niveau de diplôme.", json_schema_extra=enum(rules.NIVEAUX)),
    ] = "tous",
    annee: Annotated[int | None, year("Année ; absente : la dernière de chaque source.")] = None,
    region: Annotated[
        str | None, Param(description="Code de la région dont garder les territoires.")
    ] = None,
    territoire: Annotated[
        list[str] | None,
        Param(
            description="Code d'un territoire de la maille, ou plusieurs, répétés "
            "(territoire=01&territoire=38) ou séparés par des virgules (territoire=01,38) : les "
            "lignes de chacun."
        ),
    ] = None,
    groupe: Annotated[str | None, Param(description="Code d'un groupe de métiers.")] = None,
    dans: Annotated[
        str | None,
        Param(
            description="« maille:code » : garder les territoires compris dans celui-ci "
            "(par ex. « academie:10 ») ; « region » l'emporte quand les deux sont donnés."
        ),
    ] = None,
    palier: Annotated[
        str,
        Param(
            description="Palier : entree (2nde pro, 1re année de CAP), 1re_pro, bts, autre ; "
            "« tous » les additionne.",
            json_schema_extra=enum(rules.PALIERS),
        ),
    ] = "tous",
) -> Query:
    return params.diagnostic_query(
        maille,
        groupement,
        perimetre,
        niveau,
        annee,
        region,
        params.joined_codes(territoire),
        groupe,
        dans,
        palier,
    )


def objectif_dependency(
    objectif: Annotated[
        str | None,
        Param(
            description="Ne garder que les lignes qui relèvent de cet objectif, classées par sa "
            "taille (taille_<objectif>), de la plus grande à la plus petite.",
            json_schema_extra=enum(OBJECTIVES),
        ),
    ] = None,
) -> str | None:
    return params.objectif(objectif)


_THRESHOLDS = params.threshold_dependency()
_SORT = params.sort_dependency(ROW_COLUMNS)


def selection_dependency(
    seuils: Annotated[tuple[Threshold, ...], Depends(_THRESHOLDS)],
    tri: Annotated[tuple[str | None, str | None], Depends(_SORT)],
) -> Selection:
    """Thresholds on the rows' figures and their order (by default: the objective's size with
    ``objectif``, else by territory and group)."""
    return Selection(seuils=seuils, sort=Sort(tri[0], tri[1] or "asc") if tri[0] else None)


def export_dependency(
    query: Annotated[Query, Depends(query_dependency)],
    objectif: Annotated[str | None, Depends(objectif_dependency)],
    selection: Annotated[Selection, Depends(selection_dependency)],
) -> tuple[Query, str | None, Selection]:
    """The filters of a diagnostic export: the query, the objective kept, thresholds and sort."""
    return query, objectif, selection


class DiagnosticRow(BaseModel):
    """One territory × trade group: every indicator, the objectives it calls for and why."""

    maille: str = Field(description="Maille du territoire (region, academie, departement, bassin).")
    code_territoire: str = Field(description="Code du territoire ; « ? » : non rattaché.")
    territoire: str = Field(description="Nom du territoire.")
    groupement: str = Field(description="Regroupement des métiers.")
    code_groupe: str = Field(description="Code du groupe de métiers ; « ? » : non rattaché.")
    groupe: str = Field(description="Libellé du groupe de métiers.")
    perimetre: str = Field(description="industrie ou tout.")
    niveau: str = Field(description="Niveau de diplôme.")
    palier: str = Field(description="Palier (entree, 1re_pro, bts, autre, tous).")
    annee_affelnet: int | None = Field(description="Année des offres Affelnet.")
    annee_parcoursup: int | None = Field(description="Année des offres Parcoursup.")
    rentree_effectif: int | None = Field(description="Rentrée du constat des élèves.")
    nb_offres: float = Field(description=COLUMN_LABELS["nb_offres"])
    nb_etablissements: int = Field(description=COLUMN_LABELS["nb_etablissements"])
    capacite: float = Field(description=COLUMN_LABELS["capacite"])
    demandes_voeux_1: float = Field(description=COLUMN_LABELS["demandes_voeux_1"])
    taux_pression: float | None = Field(description=COLUMN_LABELS["taux_pression"])
    capacite_bts: float = Field(description=COLUMN_LABELS["capacite_bts"])
    voeux_confirmes: float = Field(description=COLUMN_LABELS["voeux_confirmes"])
    taux_demande: float | None = Field(description=COLUMN_LABELS["taux_demande"])
    nb_offres_distance: float = Field(description=COLUMN_LABELS["nb_offres_distance"])
    capacite_distance: float = Field(description=COLUMN_LABELS["capacite_distance"])
    voeux_confirmes_distance: float = Field(description=COLUMN_LABELS["voeux_confirmes_distance"])
    places: float = Field(description=COLUMN_LABELS["places"])
    effectif: float | None = Field(description=COLUMN_LABELS["effectif"])
    taux_remplissage: float | None = Field(description=COLUMN_LABELS["taux_remplissage"])
    nb_remplissage_incoherent: float = Field(description=COLUMN_LABELS["nb_remplissage_incoherent"])
    places_vacantes: float | None = Field(description=COLUMN_LABELS["places_vacantes"])
    sortants: float | None = Field(description=COLUMN_LABELS["sortants"])
    taux_emploi_6_mois: float | None = Field(description=COLUMN_LABELS["taux_emploi_6_mois"])
    taux_poursuite: float | None = Field(description=COLUMN_LABELS["taux_poursuite"])
    taux_devenir_favorable: float | None = Field(
        description=COLUMN_LABELS["taux_devenir_favorable"]
    )
    sortants_scolaire: int | None = Field(description=COLUMN_LABELS["sortants_scolaire"])
    taux_emploi_6_mois_scolaire: float | None = Field(
        description=COLUMN_LABELS["taux_emploi_6_mois_scolaire"]
    )
    taux_devenir_favorable_scolaire: float | None = Field(
        description=COLUMN_LABELS["taux_devenir_favorable_scolaire"]
    )
    sortants_apprentissage: int | None = Field(description=COLUMN_LABELS["sortants_apprentissage"])
    taux_emploi_6_mois_apprentissage: float | None = Field(
        description=COLUMN_LABELS["taux_emploi_6_mois_apprentissage"]
    )
    taux_devenir_favorable_apprentissage: float | None = Field(
        description=COLUMN_LABELS["taux_devenir_favorable_apprentissage"]
    )
    sortants_ensemble: int | None = Field(description=COLUMN_LABELS["sortants_ensemble"])
    taux_emploi_6_mois_ensemble: float | None = Field(
        description=COLUMN_LABELS["taux_emploi_6_mois_ensemble"]
    )
    taux_devenir_favorable_ensemble: float | None = Field(
        description=COLUMN_LABELS["taux_devenir_favorable_ensemble"]
    )
    projets_recrutement: int | None = Field(description=COLUMN_LABELS["projets_recrutement"])
    projets_recrutement_secret: bool | None = Field(
        description="Vrai quand toutes les cellules BMO du groupe sont secrètes (« * ») : "
        "projets_recrutement est alors null, jamais 0 ; null sans cellule BMO."
    )
    cellules_bmo: int | None = Field(description=COLUMN_LABELS["cellules_bmo"])
    cellules_bmo_secretes: int | None = Field(
        description=COLUMN_LABELS["cellules_bmo_secretes"]
        + " ; quand il y en a, projets_recrutement est un minimum (« au moins »)."
    )
    part_cellules_bmo_secretes: float | None = Field(
        description=COLUMN_LABELS["part_cellules_bmo_secretes"]
    )
    part_projets_difficiles: float | None = Field(
        description=COLUMN_LABELS["part_projets_difficiles"]
    )
    tension: float | None = Field(description=COLUMN_LABELS["tension"])
    categorie_tension: float | None = Field(description=COLUMN_LABELS["categorie_tension"])
    projets_par_place: float | None = Field(description=COLUMN_LABELS["projets_par_place"])
    besoins_declares: int | None = Field(
        description=COLUMN_LABELS["besoins_declares"]
        + " Null : aucun besoin déclaré (ou un regroupement sans FAP)."
    )
    personnes_besoins_declares: int | None = Field(
        description=COLUMN_LABELS["personnes_besoins_declares"]
    )
    entreprises_besoins_declares: int | None = Field(
        description=COLUMN_LABELS["entreprises_besoins_declares"]
    )
    date_besoins_declares: str | None = Field(
        description=COLUMN_LABELS["date_besoins_declares"] + " (AAAA-MM-JJ)"
    )
    millesime_insertion: str | None = Field(description="Millésime InserJeunes.")
    annee_bmo: int | None = Field(description="Année de l'enquête BMO.")
    annee_tension: int | None = Field(description="Année des tensions DARES.")
    objectifs: list[str] = Field(
        description="Objectifs appelés : "
        + ", ".join(f"{k} ({v})" for k, v in OBJECTIVE_LABELS.items())
    )
    pression_demande_opposees: bool | None = Field(
        description=COLUMN_LABELS["pression_demande_opposees"]
    )
    taille_attractivite: float | None = Field(description=COLUMN_LABELS["taille_attractivite"])
    taille_acces: float | None = Field(description=COLUMN_LABELS["taille_acces"])
    taille_competences: float | None = Field(description=COLUMN_LABELS["taille_competences"])
    taille_vigilance: float | None = Field(description=COLUMN_LABELS["taille_vigilance"])
    explications: list[str] = Field(description="Une phrase par objectif, avec ses chiffres.")


class DiagnosticPage(BaseModel):
    total: int = Field(description="Nombre de lignes de la requête.")
    page: int = Field(description="Numéro de la page renvoyée.")
    taille: int = Field(description="Lignes par page.")
    lignes: list[DiagnosticRow]


class CoverageRow(BaseModel):
    source: str = Field(description="Source (Affelnet, Parcoursup, BMO, DARES).")
    jointure: str = Field(description="Étape de la chaîne de jointures (cumulative).")
    territoire: str = Field(
        description="France, ou la région du partenariat (TREMPLIN_REGION, 84 par défaut)."
    )
    lignes: int = Field(description="Lignes de la source.")
    lignes_conservees: int = Field(description="Lignes qui passent cette étape et les précédentes.")
    part_lignes: float | None = Field(description="Part des lignes conservées.")
    volume: str = Field(description="Volume mesuré (capacite, demandes_voeux_1, projets…).")
    volume_total: int = Field(description="Volume total de la source.")
    volume_conserve: int = Field(description="Volume des lignes conservées.")
    part_volume: float | None = Field(description="Part du volume conservée.")


@router.get(
    "/diagnostic",
    response_model=DiagnosticPage,
    summary="Indicateurs par territoire et groupe de métiers",
    description=(
        "Une ligne par territoire × groupe de métiers : capacités, vœux, taux de pression et de "
        "demande, remplissage, insertion, recrutements BMO, tension DARES, et les objectifs du "
        "partenariat que la ligne appelle, chacun expliqué par une phrase. Définitions : "
        "page « Glossaire »."
    ),
)
@cached
def diagnostic(
    request: Request,
    query: Annotated[Query, Depends(query_dependency)],
    objectif: Annotated[str | None, Depends(objectif_dependency)],
    selection: Annotated[Selection, Depends(selection_dependency)],
    page: Page = 1,
    taille: Taille = TAILLE_DEFAULT,
) -> Response:
    return page_json(service(request).page(query, objectif, page, taille, selection))


def _filters(
    query: Query, objectif: str | None, selection: Selection = NO_SELECTION
) -> list[tuple[str, str]]:
    shown = query_filters(query, annee=True, objectif=objectif)
    shown.extend(threshold_filters(selection.seuils))
    if selection.sort is not None:
        shown.append(sort_filter(selection.sort))
    return shown


def loaded_files(request: Request, datasets: tuple[str, ...]) -> list[tuple[str, str]]:
    with request_engine(request).connect() as conn:
        return [
            (loaded.file_name, loaded.millesime or "")
            for loaded in list_loaded_files(conn)
            if loaded.dataset in datasets
        ]


DIAGNOSTIC_DATASETS = (
    "affelnet_offres",
    "parcoursup_bts",
    "constat",
    "inserjeunes_regions",
    "bmo",
    "dares_tensions",
)


def _diagnostic_table(request: Request, filters: tuple[Query, str | None, Selection]) -> Table:
    query, objectif, selection = filters
    found = service(request)
    rows = selection.apply(found.rows(query, objectif))
    info = ExportInfo(
        title="Diagnostic territorial",
        filters=_filters(query, objectif, selection),
        sources=list(found.source_years(rows).items()),
        files=loaded_files(request, DIAGNOSTIC_DATASETS),
    )
    return Table(rows, ROW_COLUMNS, info, "Diagnostic")


add_export_routes(
    router,
    "diagnostic",
    "Diagnostic",
    export_dependency,
    _diagnostic_table,
    keep=keep_export,
    descriptions={
        "csv": "Les lignes de `/api/v1/diagnostic` (sans pagination) en CSV : « ; », virgule "
        "décimale, en-têtes en français, premières lignes « # » : filtres, sources et années.",
        "xlsx": "Les lignes de `/api/v1/diagnostic` (sans pagination) en classeur : une feuille "
        "« Sources » (filtres, sources et années, fichiers chargés), puis la feuille "
        "« Diagnostic ».",
        "json": "Les lignes de `/api/v1/diagnostic` (sans pagination) en JSON : titre, filtres, "
        "sources et années, fichiers chargés, puis les lignes (« lignes »).",
    },
)


@router.get(
    "/couverture",
    response_model=list[CoverageRow],
    summary="Couverture des jointures",
    description="Pour chaque source et chaque étape de la chaîne de jointures, la part des lignes "
    "et du volume qui la passe, en France et en Auvergne-Rhône-Alpes.",
)
@cached
def couverture(request: Request) -> Response:
    return JSONResponse(records(service(request).coverage()))


@router.get(
    "/carte/{maille}",
    summary="Formes des territoires pour la carte",
    description="GeoJSON des territoires d'une maille : polygones des académies (fond de carte "
    "chargé), points aux centroïdes pondérés par la population pour les départements et les "
    "bassins. Propriétés : code, nom, population, forme.",
    response_model=dict[str, Any],
)
@cached
def carte(
    request: Request,
    maille: str,
    region: Annotated[str | None, Param(description="Code de la région.")] = None,
) -> Response:
    params.diagnostic_query(maille=maille)
    return JSONResponse(service(request).shapes(maille, region or None))
