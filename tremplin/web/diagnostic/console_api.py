"""The consoles' API: one row per formation, or per offer (formation × establishment), with
the filters of :class:`~tremplin.diagnostic.consoles.ConsoleQuery`, pagination and exports.

Each console's routes are made from its declaration (:mod:`.console_spec`): ``/api/v1/<name>``
(a page of rows as JSON) and ``/api/v1/<name>.csv``, ``.xlsx`` and ``.json`` (every row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Query as Param
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tremplin.diagnostic import rules
from tremplin.diagnostic.consoles import ConsoleQuery
from tremplin.diagnostic.selection import Threshold
from tremplin.reports.exports import ExportInfo
from tremplin.web.diagnostic import params
from tremplin.web.diagnostic.api import DIAGNOSTIC_DATASETS, loaded_files
from tremplin.web.diagnostic.console_spec import CONSOLES, ConsoleSpec, query_filters
from tremplin.web.diagnostic.service import cached, keep_export, service
from tremplin.web.shared.auth import requires
from tremplin.web.shared.exports import Table, add_export_routes
from tremplin.web.shared.pagination import page_json, paginate
from tremplin.web.shared.params import TAILLE_DEFAULT, Page, Taille, enum, year

router = APIRouter(prefix="/api/v1", tags=["Consoles"], dependencies=[requires("lecture")])


_OPTIONAL_CODE = "Code ; vide : pas de filtre."
_CODES = (
    "Un ou plusieurs codes, répétés (…=01&…=38) ou séparés par des virgules (…=01,38) : les "
    "lignes de l'un d'eux ; vide : pas de filtre."
)


def console_dependency(
    perimetre: Annotated[
        str,
        Param(description="« industrie » ou « tout ».", json_schema_extra=enum(rules.PERIMETRES)),
    ] = "industrie",
    niveau: Annotated[
        str, Param(description="Niveau de diplôme.", json_schema_extra=enum(rules.NIVEAUX))
    ] = "tous",
    annee: Annotated[int | None, year("Année ; absente : la dernière.")] = None,
    code_region: Annotated[list[str] | None, Param(description=_CODES)] = None,
    code_academie: Annotated[list[str] | None, Param(description=_CODES)] = None,
    code_departement: Annotated[list[str] | None, Param(description=_CODES)] = None,
    bassin_bmo: Annotated[
        list[str] | None, Param(description="Bassin d'emploi BMO. " + _CODES)
    ] = None,
    fap22: Annotated[
        str | None, Param(description="Domaine professionnel FAP 2021 (code d'une lettre).")
    ] = None,
    fap86: Annotated[
        str | None,
        Param(description="Famille professionnelle FAP 2021 (code de trois caractères)."),
    ] = None,
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


_THRESHOLDS = params.threshold_dependency()


def _spec_dependency(spec: ConsoleSpec) -> Callable[..., ConsoleQuery]:
    """The console's filters with its thresholds and its sort (by one of its columns)."""
    sort = params.sort_dependency(spec.exported)

    # Defaults rather than Annotated: ``sort`` is local, and annotations are read as text.
    def dependency(
        query: ConsoleQuery = Depends(console_dependency),  # noqa: B008
        seuils: tuple[Threshold, ...] = Depends(_THRESHOLDS),
        tri: tuple[str | None, str | None] = Depends(sort),
    ) -> ConsoleQuery:
        return replace(query, seuils=seuils, tri=tri[0], ordre=tri[1])

    return dependency


def _page_endpoint(spec: ConsoleSpec) -> Callable[..., Response]:
    selected = _spec_dependency(spec)

    def console(
        request: Request,
        query: ConsoleQuery = Depends(selected),  # noqa: B008
        page: Page = 1,
        taille: Taille = TAILLE_DEFAULT,
    ) -> Response:
        frame = spec.rows(service(request), query)
        kept = [c for c in spec.exported if c in frame.columns]
        return page_json(paginate(frame.select(kept), page, taille))

    console.__name__ = spec.name
    return cached(console)


_YEARS = {"annee": "Affelnet, Parcoursup", "millesime_insertion": "InserJeunes"}
"""The columns that give an export's sources and years."""


def _export_table(spec: ConsoleSpec) -> Callable[[Request, ConsoleQuery], Table]:
    def table(request: Request, query: ConsoleQuery) -> Table:
        frame = spec.rows(service(request), query)
        sources = [
            (source, ", ".join(str(v) for v in frame.get_column(c).drop_nulls().unique().sort()))
            for c, source in _YEARS.items()
            if c in frame.columns and frame.get_column(c).drop_nulls().len()
        ]
        info = ExportInfo(
            title=spec.export_title,
            filters=query_filters(query),
            sources=sources,
            files=loaded_files(request, DIAGNOSTIC_DATASETS[:4]),
        )
        return Table(frame, spec.exported, info, spec.sheet)

    return table


for _spec in CONSOLES.values():
    router.add_api_route(
        f"/{_spec.name}",
        _page_endpoint(_spec),
        methods=["GET"],
        response_model=ConsolePage,
        summary=_spec.api_summary,
        description=_spec.api_description,
    )
    add_export_routes(
        router,
        _spec.name,
        _spec.export_summary,
        _spec_dependency(_spec),
        _export_table(_spec),
        keep=keep_export,
        formats=_spec.formats,
    )
