"""The carte's API under ``/api/v1/carte``: campaigns, requests (read, create, edit with
``version``, status, in bulk), opinions, attachments, import, counts."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from tremplin.errors import Forbidden, InputError, NotFound
from tremplin.planning.attachments import add_attachment, attachment_content, attachments
from tremplin.planning.campaigns import create_campaign, get_campaign, list_campaigns
from tremplin.planning.counts import GROUPINGS, TARGET, campaign_counts
from tremplin.planning.exchange import import_requests
from tremplin.planning.offers import offer_reference
from tremplin.planning.opinions import give_opinion, opinions
from tremplin.planning.reconciliation import reconcile
from tremplin.planning.requests import (
    change_status,
    change_statuses,
    get_request,
    history,
    list_requests,
    update_request,
)
from tremplin.planning.validators import from_mapping
from tremplin.reports.exports import attachment
from tremplin.web.planning.service import (
    actor,
    check_decision,
    check_scope,
    may,
    opinion_function,
    propose,
    request_facts,
    visible,
)
from tremplin.web.shared.auth import requires
from tremplin.web.shared.pagination import records
from tremplin.web.shared.templating import request_engine

router = APIRouter(prefix="/api/v1/carte", tags=["Carte des formations"])
UPLOAD_MAX = 6 * 1024 * 1024


class CampagneIn(BaseModel):
    """A new campaign."""

    model_config = ConfigDict(extra="forbid")

    nom: str = Field(max_length=200, description="Nom de la campagne.")
    annee: int = Field(ge=2000, le=2100, description="Année de la campagne.")
    premiere_rentree: int | None = Field(None, description="Première rentrée (défaut : année + 1).")
    portee: str = Field("regionale", description="nationale ou regionale.")
    code_region: str | None = Field(
        "84", max_length=8, description="Région d’une campagne régionale."
    )
    statut: str = Field("en_cours", description="en_attente, en_cours ou terminee.")


class Champs(BaseModel):
    """The fields of a request (docs/carte.md); the rules are checked by the library."""

    model_config = ConfigDict(extra="forbid")

    type: str | None = Field(None, max_length=32, description="Type de demande (ouverture_nette…).")
    uai: str | None = Field(None, max_length=8, description="UAI de l’établissement.")
    mef_stat_11: str | None = Field(None, max_length=11, description="MEF STAT 11 de la formation.")
    rentree: int | None = Field(None, description="Rentrée concernée.")
    capacite_scolaire_avant: int | None = None
    capacite_scolaire_apres: int | None = None
    capacite_scolaire_coloree_avant: int | None = None
    capacite_scolaire_coloree_apres: int | None = None
    capacite_apprentissage_avant: int | None = None
    capacite_apprentissage_apres: int | None = None
    capacite_apprentissage_coloree_avant: int | None = None
    capacite_apprentissage_coloree_apres: int | None = None
    motifs: list[str] | None = Field(None, max_length=30, description="Motifs (codes).")
    autre_motif: str | None = Field(None, max_length=2000)
    partenaires: list[str] | None = Field(None, max_length=30)
    uai_cible: str | None = Field(None, max_length=8)
    mef_stat_11_cible: str | None = Field(None, max_length=11)
    libelle_coloration: str | None = Field(None, max_length=2000)
    commentaire: str | None = Field(None, max_length=5000)
    cfd: str | None = Field(None, max_length=8)


class DemandeIn(Champs):
    """A new request of a campaign (a brouillon); capacities before default to the store's."""

    campagne_id: int = Field(description="Numéro de la campagne.")


class DemandeModif(Champs):
    """A change of a request read at ``version``: the fields given replace the stored ones,
    then ``statut`` (when given) moves it."""

    version: int = Field(description="La version lue (verrouillage optimiste).")
    statut: str | None = Field(None, max_length=32, description="Nouveau statut.")
    commentaire_modification: str | None = Field(None, max_length=1000)


class Lot(BaseModel):
    """A status change of several requests, all or nothing."""

    model_config = ConfigDict(extra="forbid")

    demandes: list[int] = Field(min_length=1, max_length=5000, description="Numéros des demandes.")
    statut: str = Field(max_length=32, description="Nouveau statut.")
    commentaire: str | None = Field(None, max_length=1000)


class AvisIn(BaseModel):
    """An opinion on a request."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="prealable, consultatif ou final.")
    avis: str = Field(description="favorable, reserve ou defavorable.")
    commentaire: str | None = Field(None, max_length=2000)


def _given(champs: Champs) -> dict[str, Any]:
    return {
        k: v
        for k, v in champs.model_dump(include=set(Champs.model_fields)).items()
        if v is not None
    }


@router.get("/campagnes", dependencies=[requires("demande.voir")], summary="Les campagnes")
def campaigns(request: Request) -> list[dict[str, Any]]:
    """Chaque campagne, la plus récente d’abord."""
    with request_engine(request).connect() as conn:
        return [c.as_dict() for c in list_campaigns(conn)]


@router.post(
    "/campagnes",
    dependencies=[requires("campagne.gerer")],
    summary="Créer une campagne",
    status_code=201,
)
def campaign_create(request: Request, body: CampagneIn) -> dict[str, Any]:
    """Crée une campagne (journalisé)."""
    with request_engine(request).begin() as conn:
        return create_campaign(conn, actor(request), **body.model_dump()).as_dict()


@router.get(
    "/campagnes/{campagne}/indicateurs",
    dependencies=[requires("demande.voir")],
    summary="Indicateurs d’une campagne (taux de transformation…)",
)
def campaign_counts_api(
    request: Request,
    campagne: int,
    par: Annotated[str, Query(description="Regroupement : " + ", ".join(GROUPINGS))] = "region",
) -> dict[str, Any]:
    """Les indicateurs d’Orion sur les demandes validées : total et par regroupement."""
    if par not in GROUPINGS:
        raise InputError(
            f"regroupement « {par} » inconnu", where=["par"], expected=", ".join(GROUPINGS)
        )
    with request_engine(request).connect() as conn:
        get_campaign(conn, campagne)
        found = visible(request, list_requests(conn, campagne))
    counts = campaign_counts(found, request_facts(request), par)
    return {
        "campagne": campagne,
        "cible_taux_transformation": TARGET,
        "total": counts.total,
        "par": par,
        "lignes": records(counts.rows) if counts.rows.height else [],
    }


@router.post(
    "/campagnes/{campagne}/import",
    dependencies=[requires("campagne.gerer")],
    summary="Importer des demandes (CSV ou XLSX, tout ou rien)",
    status_code=201,
)
async def campaign_import(
    request: Request,
    campagne: int,
    nom: Annotated[
        str, Query(max_length=255, description="Nom du fichier (.csv ou .xlsx).")
    ] = "demandes.csv",
) -> dict[str, Any]:
    """Le corps de la requête est le fichier ; chaque erreur nomme la ligne et la colonne."""
    raw = (await request.body())[: UPLOAD_MAX + 1]
    if len(raw) > UPLOAD_MAX:
        raise InputError("fichier trop gros", where=[nom], expected="au plus 6 Mo")
    facts = request_facts(request)
    with request_engine(request).begin() as conn:
        get_campaign(conn, campagne)
        path = Path(PurePath(nom).name or "demandes.csv")
        made = import_requests(conn, actor(request), campagne, path, raw, facts)
    return {"importees": len(made), "demandes": [d.id for d in made]}


@router.get("/demandes", dependencies=[requires("demande.voir")], summary="Les demandes")
def requests_list(
    request: Request,
    campagne: Annotated[int | None, Query(description="Numéro de la campagne.")] = None,
    statut: Annotated[list[str] | None, Query(description="Statut(s).")] = None,
    type: Annotated[list[str] | None, Query(description="Type(s).")] = None,
    uai: Annotated[str | None, Query(max_length=8)] = None,
) -> list[dict[str, Any]]:
    """Les demandes que le compte peut lire, filtrées."""
    with request_engine(request).connect() as conn:
        found = list_requests(conn, campagne, statuts=statut or (), types=type or (), uai=uai)
    return [d.as_dict() for d in visible(request, found)]


@router.post(
    "/demandes",
    dependencies=[requires("demande.proposer")],
    summary="Déposer une demande (brouillon)",
    status_code=201,
)
def request_create(request: Request, body: DemandeIn) -> dict[str, Any]:
    """Crée une demande ; les capacités « avant » non données sont celles des données chargées."""
    values = _given(body)
    reference = offer_reference(
        request_facts(request), str(values.get("uai", "")), str(values.get("mef_stat_11", ""))
    )
    for voie, known in (
        ("scolaire", reference.capacite_scolaire),
        ("apprentissage", reference.capacite_apprentissage),
    ):
        values.setdefault(f"capacite_{voie}_avant", known or 0)
    made = propose(request, body.campagne_id, from_mapping(values))
    return made.as_dict()


@router.post(
    "/demandes/statuts",
    dependencies=[requires("demande.statuer")],
    summary="Changer le statut de plusieurs demandes (tout ou rien)",
)
def requests_bulk(request: Request, body: Lot) -> list[dict[str, Any]]:
    """Toutes passent au statut, ou aucune (la première qui ne peut pas est nommée)."""
    check_decision(request, body.statut)
    with request_engine(request).begin() as conn:
        for identifier in body.demandes:
            check_scope(request, get_request(conn, identifier))
        moved = change_statuses(
            conn, actor(request), body.demandes, body.statut, comment=body.commentaire
        )
    return [d.as_dict() for d in moved]


@router.get("/demandes/{demande}", dependencies=[requires("demande.voir")], summary="Une demande")
def request_read(request: Request, demande: int) -> dict[str, Any]:
    """La demande, son historique, ses avis, ses pièces et son suivi à la rentrée."""
    with request_engine(request).connect() as conn:
        found = get_request(conn, demande)
        check_scope(request, found)
        entries = history(conn, demande)
        given = opinions(conn, demande)
        files = attachments(conn, demande)
    follow = reconcile([found], request_facts(request))[0]
    return {
        **found.as_dict(),
        "historique": [e.as_dict() for e in entries],
        "avis": [o.as_dict() for o in given],
        "pieces": [
            {"id": f.id, "nom": f.nom, "type": f.type_mime, "taille": f.taille} for f in files
        ],
        "suivi_rentree": {
            "fait": follow.fait,
            "motif": follow.motif,
            "explication": follow.explication,
        },
    }


@router.patch(
    "/demandes/{demande}",
    dependencies=[requires("demande.modifier")],
    summary="Modifier une demande (avec sa version)",
    responses={409: {"description": "La demande a été modifiée depuis la version lue"}},
)
def request_patch(request: Request, demande: int, body: DemandeModif) -> dict[str, Any]:
    """Les champs donnés remplacent les siens, puis ``statut`` la fait changer de statut ; une
    version périmée est refusée (409) avec qui l’a modifiée et quand, sans rien écrire."""
    given = _given(body)
    with request_engine(request).begin() as conn:
        found = get_request(conn, demande)
        check_scope(request, found)
        version = body.version
        if given:
            values = {**found.fields.as_dict(), **given}
            found = update_request(
                conn, actor(request), demande, version, from_mapping(values),
                comment=body.commentaire_modification,
            )  # fmt: skip
            version = found.version
        if body.statut is not None:
            if not may(request, "demande.statuer", found):
                raise Forbidden("votre rôle ne permet pas de changer le statut d’une demande")
            check_decision(request, body.statut)
            found = change_status(
                conn, actor(request), demande, body.statut, version=version,
                comment=body.commentaire_modification,
            )  # fmt: skip
        elif not given:
            raise InputError("rien à modifier", expected="des champs ou un statut")
    return found.as_dict()


@router.post(
    "/demandes/{demande}/avis",
    dependencies=[requires("demande.avis")],
    summary="Donner un avis",
    status_code=201,
)
def request_opinion(request: Request, demande: int, body: AvisIn) -> dict[str, Any]:
    """Un avis préalable, consultatif ou final, dans la fonction du rôle du compte."""
    with request_engine(request).begin() as conn:
        check_scope(request, get_request(conn, demande))
        return give_opinion(
            conn, actor(request), demande, type=body.type, avis=body.avis,
            fonction=opinion_function(request), commentaire=body.commentaire,
        ).as_dict()  # fmt: skip


@router.post(
    "/demandes/{demande}/pieces",
    dependencies=[requires("demande.modifier")],
    summary="Joindre une pièce (PDF, PNG, JPEG ; 5 Mo au plus)",
    status_code=201,
)
async def request_attach(
    request: Request,
    demande: int,
    nom: Annotated[str, Query(max_length=255, description="Nom du fichier.")] = "piece",
) -> dict[str, Any]:
    """Le corps de la requête est le fichier, son type dans l’en-tête ``Content-Type``."""
    raw = (await request.body())[: UPLOAD_MAX + 1]
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    with request_engine(request).begin() as conn:
        check_scope(request, get_request(conn, demande))
        kept = add_attachment(conn, actor(request), demande, PurePath(nom).name, kind, raw)
    return {"id": kept.id, "nom": kept.nom, "type": kept.type_mime, "taille": kept.taille}


@router.get(
    "/demandes/{demande}/pieces/{piece}",
    dependencies=[requires("demande.voir")],
    summary="Télécharger une pièce jointe",
)
def request_attachment(request: Request, demande: int, piece: int) -> Response:
    """La pièce, telle qu’elle a été déposée."""
    with request_engine(request).connect() as conn:
        check_scope(request, get_request(conn, demande))
        found, content = attachment_content(conn, demande, piece)
    if not content:
        raise NotFound("pièce vide")
    return Response(content, media_type=found.type_mime, headers=attachment(found.nom))
