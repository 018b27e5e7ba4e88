"""The orientation's JSON API: a trade, and the trainings near a commune."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from tremplin.orientation import near
from tremplin.orientation.data import APRES_3E
from tremplin.orientation.near import NearQuery, Training, romes_of, trainings_near
from tremplin.orientation.trade_page import trade_page
from tremplin.web.diagnostic.service import cached
from tremplin.web.orientation.service import optional_commune, orientation
from tremplin.web.shared.auth import requires

router = APIRouter(prefix="/api/v1/orientation", dependencies=[requires("lecture")])

TAGS: list[str | Enum] = ["Orientation"]


class Link(BaseModel):
    code_rome: str = Field(description="Code ROME du métier.")
    libelle: str = Field(description="Libellé de la fiche ROME.")


class Onisep(BaseModel):
    metier: str = Field(description="Métier de l’ONISEP rattaché à la fiche ROME.")
    lien: str = Field(description="Adresse de sa fiche sur le site de l’ONISEP.")


class Recrutement(BaseModel):
    phrase: str = Field(description="Le chiffre en une phrase (« 300 projets … dont 7 sur 10 »).")
    sens: str = Field(description="Source, année et sens du chiffre.")
    projets: int | None = Field(description="Projets de recrutement (null : secret ou absent).")
    projets_difficiles: int | None = Field(description="Dont jugés difficiles (null : idem).")
    sur_dix: int | None = Field(description="Projets difficiles sur 10, arrondi.")
    secret: bool = Field(description="Nombre de projets couvert par le secret statistique.")
    secret_difficiles: bool = Field(description="Part difficile couverte par le secret.")
    bassin: str | None = Field(description="Bassin d’emploi BMO de la commune.")
    annee: int | None = Field(description="Année de l’enquête BMO.")
    famille: str | None = Field(description="Famille de métiers BMO (FAP 2021) comptée.")
    code_famille: str | None = Field(description="Son code FAP 2021.")


class Formation(BaseModel):
    cfd: str | None = Field(description="Code de la formation (CFD).")
    libelle: str = Field(description="Libellé de la formation.")
    niveau: str | None = Field(description="Type de diplôme (CAP, Bac pro, BTS).")
    niveau_entree: str = Field(description="apres-3e ou apres-bac.")
    offres: int = Field(description="Nombre d’offres (établissement × voie) de la formation.")
    poids: float = Field(description="Part moyenne de ce métier dans ce à quoi elle mène.")


class Metier(BaseModel):
    code_rome: str
    libelle: str
    domaine: str | None = Field(description="Domaine professionnel ROME.")
    onisep: list[Onisep]
    appellations: list[str] = Field(description="Appellations ROME du métier.")
    transitions: list[str] = Field(description="Transitions écologique, numérique… (ROME, ONISEP).")
    recrutement: Recrutement | None = Field(
        description="Projets BMO dans le bassin de la commune (null sans commune)."
    )
    voisins: list[Link] = Field(description="Métiers voisins (mêmes formations).")
    formations: list[Formation] = Field(description="Formations qui mènent à ce métier.")
    url: str = Field(description="Page du métier.")


class SurDix(BaseModel):
    travaillent: int
    poursuivent: int
    autres: int


class Devenir(BaseModel):
    sur_10: SurDix | None = Field(description="Sur 10 jeunes (somme 10) ; null : non publié.")
    phrase: str | None = Field(description="« sur 10 : 6 travaillent, … ».")
    source: str | None = Field(description="Fichier InserJeunes d’où viennent les chiffres.")
    millesime: str | None = Field(description="Année(s) de sortie des jeunes comptés.")
    regional: bool = Field(
        description="Chiffres de la région pour ce diplôme (effectif de l’établissement trop "
        "petit ou non publié), pas ceux de l’établissement."
    )
    taux_emploi_6_mois: float | None = Field(description="Taux d’emploi à 6 mois (0–1).")
    taux_poursuite: float | None = Field(description="Taux de poursuite d’études (0–1).")
    mot_emploi: str | None = Field(
        description="très favorable / dans la moyenne / plutôt difficile"
    )
    mot_poursuite: str | None = Field(description="très souvent / souvent / peu souvent")


class FormationProche(BaseModel):
    id: str = Field(description="Identifiant « UAI-MEF-s|a » de la formation.")
    libelle: str
    niveau: str | None
    voie: str = Field(description="scolaire ou apprentissage.")
    etablissement: str | None
    uai: str
    commune: str | None
    distance_km: float | None = Field(description="Distance à vol d’oiseau (km).")
    minutes: float | None = Field(description="Temps de trajet estimé (minutes).")
    precision: str | None = Field(description="Comment l’établissement est placé.")
    pertinence: float = Field(description="Poids des métiers choisis dans la formation (0–1+).")
    source: str = Field(description="Affelnet ou Parcoursup.")
    annee: int | None = Field(description="Année des capacités et des vœux.")
    capacite: int | None
    demandes: int | None = Field(description="Vœux 1 (Affelnet) ou vœux confirmés (Parcoursup).")
    pression: float | None = Field(description="Demandes ÷ capacité l’an dernier.")
    difficulte: str | None = Field(description="favorable / assez difficile / très difficile.")
    etiquettes: list[str] = Field(description="pour travailler rapidement, peu demandée.")
    devenir: Devenir
    latitude: float | None
    longitude: float | None
    groupe: str | None = Field(description="pres ou loin.")
    url: str = Field(description="Page de la formation.")


class Commune(BaseModel):
    code_insee: str
    nom: str
    academie: str | None
    bassin: str | None


class Hypotheses(BaseModel):
    facteur_detour: float = Field(description="Distance par la route ÷ distance à vol d’oiseau.")
    vitesse_kmh: float = Field(description="Vitesse moyenne porte à porte.")
    pres_minutes: int = Field(description="Jusqu’à ce temps : « près de chez moi ».")
    tranche_minutes: int = Field(
        description="Tranches de temps dans lesquelles la pertinence ordonne."
    )


class FormationsProches(BaseModel):
    commune: Commune
    niveau: str
    voie: str | None
    metiers: list[Link]
    hypotheses: Hypotheses
    pres: list[FormationProche] = Field(description="« Près de chez moi », dans l’ordre.")
    loin: list[FormationProche] = Field(description="« Plus loin dans l’académie », dans l’ordre.")


def training_json(training: Training) -> dict[str, Any]:
    """One training as the API gives it."""
    outcome = training.devenir
    ten = outcome.ten
    return {
        **{
            name: getattr(training, name)
            for name in FormationProche.model_fields
            if name not in ("etiquettes", "devenir", "url")
        },
        "etiquettes": training.tags,
        "devenir": {
            "sur_10": (
                {"travaillent": ten[0], "poursuivent": ten[1], "autres": ten[2]}
                if ten is not None
                else None
            ),
            "phrase": outcome.sentence,
            "source": outcome.source,
            "millesime": outcome.millesime,
            "regional": outcome.regional,
            "taux_emploi_6_mois": outcome.taux_emploi,
            "taux_poursuite": outcome.taux_poursuite,
            "mot_emploi": outcome.mot_emploi,
            "mot_poursuite": outcome.mot_poursuite,
        },
        "url": f"/orientation/formation/{training.id}",
    }


@router.get(
    "/metier/{code_rome}",
    response_model=Metier,
    tags=TAGS,
    summary="Un métier",
    description="Ce qu’est un métier (fiche ROME, ONISEP, appellations, transitions), les "
    "projets de recrutement BMO dans le bassin de la commune, les métiers voisins et les "
    "formations qui y mènent.",
)
@cached
def metier(
    request: Request,
    code_rome: str,
    commune: Annotated[str | None, Query(description="Code INSEE, code postal ou nom.")] = None,
) -> Response:
    data = orientation(request)
    page = trade_page(data, code_rome, optional_commune(data, commune))
    found = page.recrutement
    return JSONResponse(
        {
            "code_rome": page.code_rome,
            "libelle": page.libelle,
            "domaine": page.domaine,
            "onisep": [{"metier": m, "lien": link} for m, link in page.onisep],
            "appellations": page.appellations,
            "transitions": page.transitions,
            "recrutement": (
                {
                    "phrase": found.sentence,
                    "sens": found.meaning,
                    "projets": found.projets,
                    "projets_difficiles": found.difficiles,
                    "sur_dix": found.sur_dix,
                    "secret": found.secret,
                    "secret_difficiles": found.difficiles_secret,
                    "bassin": found.bassin,
                    "annee": found.annee,
                    "famille": found.famille,
                    "code_famille": found.code_famille,
                }
                if found is not None
                else None
            ),
            "voisins": [{"code_rome": c, "libelle": label} for c, label in page.voisins],
            "formations": [vars(f) for f in page.formations],
            "url": f"/orientation/metier/{page.code_rome}",
        }
    )


@router.get(
    "/formations",
    response_model=FormationsProches,
    tags=TAGS,
    summary="Formations près de chez moi",
    description="Les formations qui mènent aux métiers choisis, près d’une commune puis plus "
    "loin dans son académie, ordonnées par temps de trajet estimé (tranches de 5 minutes), "
    "pertinence, puis distance ; avec la difficulté d’admission, les étiquettes et le devenir "
    "des jeunes « sur 10 » (voir docs/orientation.md).",
)
@cached
def formations(
    request: Request,
    rome: Annotated[list[str], Query(description="Codes ROME (répétés ou séparés par ,).")],
    commune: Annotated[str, Query(description="Code INSEE, code postal ou nom.")],
    niveau: Annotated[str, Query(description="apres-3e ou apres-bac.")] = APRES_3E,
    voie: Annotated[str | None, Query(description="scolaire ou apprentissage.")] = None,
    distance: Annotated[float | None, Query(description="Distance maximale (km).")] = None,
) -> Response:
    data = orientation(request)
    result = trainings_near(
        data, NearQuery(romes_of(rome), commune, niveau, voie or None, distance)
    )
    place = result.commune
    return JSONResponse(
        {
            "commune": {
                "code_insee": place.code_insee,
                "nom": place.nom,
                "academie": place.academie,
                "bassin": place.bassin,
            },
            "niveau": niveau,
            "voie": voie or None,
            "metiers": [{"code_rome": c, "libelle": label} for c, label in result.metiers],
            "hypotheses": {
                "facteur_detour": near.DETOUR_FACTOR,
                "vitesse_kmh": near.SPEED_KMH,
                "pres_minutes": near.NEAR_MINUTES,
                "tranche_minutes": near.BAND_MINUTES,
            },
            **{name: [training_json(t) for t in group] for name, group in result.groups.items()},
        }
    )
