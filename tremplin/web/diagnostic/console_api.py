"""The consoles' API: one row per formation, or per offer (formation × establishment), with
the filters of :class:`~tremplin.diagnostic.consoles.ConsoleQuery`, pagination and exports.

Each console's routes are made from its declaration (:mod:`.console_spec`): ``/api/v1/<name>``
(a page of rows as JSON) and ``/api/v1/<name>.csv``, ``.xlsx`` and ``.json`` (every row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Query as Param
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tremplin.diagnostic import rules
from tremplin.diagnostic.consoles import ConsoleQuery
from tremplin.reports.exports import ExportInfo
from tremplin.web.diagnostic import params
from tremplin.web.diagnostic.api import DIAGNOSTIC_DATASETS, loaded_files
from tremplin.web.diagnostic.console_spec import CONSOLES, ConsoleSpec, query_filters
from tremplin.web.diagnostic.service import cached, keep_export, service
from tremplin.web.shared.exports import Table, add_export_routes
from tremplin.web.shared.pagination import page_json, paginate
from tremplin.web.shared.params import TAILLE_DEFAULT, Page, Taille, enum, year

router = APIRouter(prefix="/api/v1", tags=["Consoles"])


_OPTIONAL_CODE = "Code ; vide : pas de filtre."


def console_dependency(
    perimetre: Annotated[
        str,
        Param(description="« industrie » ou « tout ».", json_schema_extra=enum(rules.PERIMETRES)),
    ] = "industrie",
    niveau: Annotated[
        str, Param(description="Niveau de diplôme.", json_schema_extra=enum(rules.NIVEAUX))
    ] = "tous",
    annee: Annotated[int | None, year("Année ; absente : la dernière.")] = None,
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


def _page_endpoint(spec: ConsoleSpec) -> Callable[..., Response]:
    def console(
        request: Request,
        query: ConsoleQuery = Depends(console_dependency),  # noqa: B008
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
        console_dependency,
        _export_table(_spec),
        keep=keep_export,
        formats=_spec.formats,
    )
