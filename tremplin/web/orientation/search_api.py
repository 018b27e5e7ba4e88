"""``GET /api/v1/orientation/metiers``: trades ranked for a young person's own words."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Query as Param
from pydantic import BaseModel, Field

from tremplin.orientation.search import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_LENGTH, search_json
from tremplin.web.orientation.search_service import search_index
from tremplin.web.shared.auth import requires
from tremplin.web.shared.params import optional

router = APIRouter(prefix="/api/v1/orientation", dependencies=[requires("lecture")])


class TradeFound(BaseModel):
    """One trade found for a query (the shape of ``tremplin metiers chercher --json``)."""

    code_rome: str = Field(description="Code de la fiche ROME 4.0 (ex. « H2913 »).")
    libelle: str = Field(description="Intitulé de la fiche ROME.")
    score: float = Field(
        description="Pertinence de 0 à 1 : part des mots de la requête trouvés dans un libellé "
        "du métier, pondérée ; les métiers de l'industrie sont légèrement avantagés à "
        "pertinence égale (voir docs/orientation_search.md)."
    )
    appellation: str = Field(
        description="Le libellé du métier (fiche, appellation ROME ou métier ONISEP) qui "
        "correspond le mieux à la requête."
    )
    pourquoi: str = Field(description="Pourquoi ce métier est proposé, en une phrase.")
    domaine: str | None = Field(description="Domaine professionnel ROME (ex. « H29 »).")
    libelle_domaine: str | None = Field(description="Intitulé du domaine professionnel.")
    industrie: bool = Field(description="Vrai pour un métier du périmètre industriel.")
    transition_ecologique: bool = Field(
        description="Métier signalé par le ROME ou l'ONISEP pour la transition écologique."
    )
    transition_numerique: bool = Field(
        description="Métier signalé par le ROME ou l'ONISEP pour la transition numérique."
    )
    transition_demographique: bool = Field(
        description="Métier signalé par le ROME ou l'ONISEP pour la transition démographique."
    )
    lien_onisep: str | None = Field(description="Fiche du métier sur le site de l'ONISEP.")
    lien: str = Field(
        description="Page du métier dans Tremplin (avec « ?commune= » quand une commune est "
        "donnée)."
    )


@router.get(
    "/metiers",
    response_model=list[TradeFound],
    tags=["Orientation"],
    summary="Trouver un métier avec ses mots",
    description="Les métiers du ROME classés pour une requête en français (accents, "
    "pluriels, féminins, fautes de frappe et mots courants acceptés), le plus pertinent "
    "d'abord. Une requête qui ne dit rien d'un métier ne trouve rien (liste vide).",
)
def trades(
    request: Request,
    q: Annotated[
        str,
        Param(
            max_length=MAX_QUERY_LENGTH,
            description="Ce que la personne aime faire, avec ses mots (ex. « réparer des "
            "machines », « soudure », « chaudronnière »).",
        ),
    ],
    commune: Annotated[
        str | None,
        Param(
            max_length=10,
            description="Code INSEE de la commune (ex. « 01283 ») : repris dans le lien de "
            "chaque métier.",
        ),
    ] = None,
    limite: Annotated[
        int, Param(ge=1, le=MAX_LIMIT, description=f"Nombre de métiers (1 à {MAX_LIMIT}).")
    ] = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    return search_json(search_index(request), q, commune=optional(commune), limite=limite)
