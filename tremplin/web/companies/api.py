"""The companies' API: a company's record and sites (``/api/v1/entreprises``), its declared
needs (``/api/v1/besoins``: list, declare, read, change, delete), a partner's import of a file
of needs and the aggregate of its territory's needs."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from tremplin.companies.companies import Company, find_company, list_companies, save_company
from tremplin.companies.imports import import_needs, template_csv, template_xlsx
from tremplin.companies.needs import (
    STATUTS,
    create_need,
    delete_need,
    list_needs,
    open_needs_frame,
    update_need,
)
from tremplin.companies.places import place
from tremplin.errors import InputError
from tremplin.reports.exports import attachment
from tremplin.web.companies.service import (
    found_need,
    in_scope,
    my_company,
    need_scope,
    write,
)
from tremplin.web.shared.auth import current_account, requires
from tremplin.web.shared.templating import request_engine

router = APIRouter(prefix="/api/v1", tags=["Entreprises et besoins"])
NEED_ID = Annotated[int, Path(ge=1, le=2**31 - 1, description="Identifiant du besoin.")]
Contrat = Literal["cdi", "cdd", "apprentissage", "professionnalisation", "pfmp"]


class NeedIn(BaseModel):
    """A need to declare."""

    code_rome: str = Field(max_length=5, description="Code ROME du métier (ROME chargé).")
    nombre: int = Field(ge=1, le=10_000, description="Nombre de personnes recherchées.")
    contrat: Contrat = Field(description="Type de besoin.")
    code_insee: str = Field(max_length=5, description="Code INSEE de la commune du site.")
    code_ogr: str | None = Field(None, max_length=12, description="Appellation (code OGR).")
    niveau: Literal["3", "4", "5", "6", "7"] | None = Field(None, description="Niveau visé.")
    debut: date | None = Field(None, description="Date de début (AAAA-MM-JJ).")
    intitule: str | None = Field(
        None, max_length=200, description="Intitulé, sans lien ni adresse électronique."
    )
    siret: str | None = Field(
        None,
        max_length=20,
        description="SIRET de l’entreprise (partenaire, administrateur) ; "
        "pour une entreprise, le sien.",
    )


class NeedPatch(BaseModel):
    """The fields of a need to change (the others stay)."""

    code_rome: str | None = Field(None, max_length=5)
    code_ogr: str | None = Field(None, max_length=12)
    nombre: int | None = Field(None, ge=1, le=10_000)
    pourvus: int | None = Field(None, ge=0, le=10_000, description="Personnes trouvées.")
    contrat: Contrat | None = None
    niveau: Literal["3", "4", "5", "6", "7"] | None = None
    debut: date | None = None
    code_insee: str | None = Field(None, max_length=5)
    intitule: str | None = Field(None, max_length=200)
    statut: Literal["ferme"] | None = Field(None, description="« ferme » pour clore le besoin.")


class CompanyIn(BaseModel):
    """A company's record."""

    siret: str | None = Field(None, max_length=20, description="SIRET (le sien par défaut).")
    nom: str = Field(max_length=200, description="Nom de l’entreprise.")
    naf: str | None = Field(None, max_length=6, description="Code NAF (APE).")
    sites: list[str] = Field(
        default_factory=list, max_length=200, description="Codes INSEE des communes des sites."
    )


def _company_for(request: Request, conn: Any, siret: str | None) -> Company:
    """The company a need is declared for: the session's own, or the one ``siret`` names."""
    account = current_account(request)
    own = account.siret if account is not None else None
    if own is not None and siret not in (None, own):
        raise InputError("un compte d’entreprise déclare ses propres besoins", where=["siret"])
    company = find_company(conn, own or siret)
    if company is None:
        raise InputError(
            "entreprise inconnue : enregistrez-la d’abord (POST /api/v1/entreprises)",
            where=["siret"],
        )
    return company


@router.get(
    "/besoins",
    dependencies=[requires("besoin.voir", writes="besoin.declarer")],
    summary="Les besoins que je vois",
)
def needs_list(
    request: Request,
    statut: Annotated[list[str] | None, Query(description="Statuts gardés (répété).")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    taille: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Les besoins de mon entreprise ; ceux de mon territoire pour un partenaire ou un
    pilote ; tous pour un administrateur ou la Région. Les plus récents d’abord."""
    unknown = sorted(set(statut or ()) - set(STATUTS))
    if unknown:
        raise InputError(f"statut(s) inconnu(s) : {unknown}", expected=", ".join(STATUTS))
    with request_engine(request).connect() as conn:
        total, needs = list_needs(
            conn,
            need_scope(request),
            statuts=tuple(statut) if statut else None,
            limit=taille,
            offset=(page - 1) * taille,
        )
    return {"total": total, "page": page, "taille": taille, "besoins": [n.public() for n in needs]}


@router.post(
    "/besoins",
    dependencies=[requires("besoin.voir", writes="besoin.declarer")],
    status_code=201,
    summary="Déclarer un besoin",
    responses={422: {"description": "Champ refusé"}, 429: {"description": "Trop d’écritures"}},
)
def need_create(request: Request, body: NeedIn) -> dict[str, Any]:
    """Un besoin ouvert : métier (code ROME du ROME chargé, appellation), nombre, type,
    niveau, date de début, commune du site. Réponse : le besoin, avec son ``id``."""
    values = body.model_dump(exclude={"siret"})
    allowed = in_scope(request)
    account = current_account(request)

    def work(conn: Any, actor: Any) -> dict[str, Any]:
        company = _company_for(request, conn, body.siret)
        site = place(conn, body.code_insee)
        # A company declares for any of its sites; a partner within its territory only.
        if account is not None and not account.siret and not allowed(site.territories()):
            raise InputError(
                f"la commune {site.code_insee} est hors de votre territoire", where=["code_insee"]
            )
        return create_need(conn, actor, company, values).public()

    return write(request, work)


@router.get(
    "/besoins/modele.csv",
    dependencies=[requires("lecture")],
    summary="Le modèle de fichier de besoins (CSV)",
)
def need_template_csv() -> Response:
    """Le modèle à remplir pour importer des besoins : en-tête et une ligne d’exemple."""
    return Response(
        template_csv(),
        media_type="text/csv; charset=utf-8",
        headers=attachment("modele-besoins.csv"),
    )


@router.get(
    "/besoins/modele.xlsx",
    dependencies=[requires("lecture")],
    summary="Le modèle de fichier de besoins (XLSX)",
)
def need_template_xlsx() -> Response:
    """Le modèle en classeur : feuille « Besoins » (en-tête, exemple) et feuille « Aide »."""
    return Response(
        template_xlsx(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=attachment("modele-besoins.xlsx"),
    )


@router.post(
    "/besoins/import",
    dependencies=[requires("besoin.importer")],
    status_code=201,
    summary="Importer un fichier de besoins",
    responses={422: {"description": "Lignes refusées : rien n’est importé"}},
)
async def need_import(
    request: Request,
    fichier: Annotated[str, Query(max_length=200, description="Nom du fichier.")] = "besoins.csv",
) -> dict[str, Any]:
    """Le corps de la requête est le fichier (modèle CSV ou XLSX rempli). Chaque ligne est
    vérifiée ; une seule erreur et rien n’est importé (la réponse nomme chaque ligne et
    colonne fautive). Un partenaire importe les besoins de son territoire."""
    raw = await request.body()
    allowed = in_scope(request)
    done = write(
        request, lambda conn, actor: import_needs(conn, actor, fichier, raw, in_scope=allowed)
    )
    return {
        "importes": len(done.needs),
        "entreprises_creees": done.companies_created,
        "ids": [n.id for n in done.needs],
    }


@router.get(
    "/besoins/agregats",
    dependencies=[requires("besoin.voir")],
    summary="Besoins ouverts par métier × bassin × type",
)
def needs_aggregate(request: Request) -> list[dict[str, Any]]:
    """Les besoins ouverts que je vois, comptés par métier (code ROME), bassin BMO et type :
    besoins, personnes encore recherchées, entreprises, date du dernier besoin."""
    with request_engine(request).connect() as conn:
        frame = open_needs_frame(conn, need_scope(request), ("code_rome", "bassin_bmo", "contrat"))
    return frame.sort("code_rome", "bassin_bmo", "contrat").to_dicts()


@router.get(
    "/besoins/{besoin}",
    dependencies=[requires("besoin.voir", writes="besoin.declarer")],
    summary="Un besoin",
)
def need_detail(request: Request, besoin: NEED_ID) -> dict[str, Any]:
    """Un besoin que je vois (404 sinon, comme s’il n’existait pas)."""
    with request_engine(request).connect() as conn:
        return found_need(request, conn, besoin).public()


@router.patch(
    "/besoins/{besoin}",
    dependencies=[requires("besoin.voir", writes="besoin.declarer")],
    summary="Modifier, pourvoir ou fermer un besoin",
)
def need_change(request: Request, besoin: NEED_ID, body: NeedPatch) -> dict[str, Any]:
    """Les champs envoyés changent ; ``pourvus`` dit combien de personnes sont trouvées
    (statut « pourvu partiellement » ou « pourvu ») ; ``statut: "ferme"`` clôt le besoin."""
    changes = body.model_dump(exclude_unset=True)

    def work(conn: Any, actor: Any) -> dict[str, Any]:
        need = found_need(request, conn, besoin)
        return update_need(conn, actor, need, changes).public()

    return write(request, work)


@router.delete(
    "/besoins/{besoin}",
    dependencies=[requires("besoin.voir", writes="besoin.declarer")],
    status_code=204,
    summary="Supprimer un besoin",
)
def need_delete(request: Request, besoin: NEED_ID) -> Response:
    """Le besoin est effacé (le journal des modifications garde ce qu’il était)."""

    def work(conn: Any, actor: Any) -> None:
        delete_need(conn, actor, found_need(request, conn, besoin))

    write(request, work)
    return Response(status_code=204)


@router.get(
    "/entreprises",
    dependencies=[requires("entreprise.gerer")],
    summary="Mon entreprise",
)
def companies_list(request: Request) -> list[dict[str, Any]]:
    """La fiche de mon entreprise (SIRET, NAF, nom, sites) ; toutes pour un administrateur."""
    with request_engine(request).connect() as conn:
        account = current_account(request)
        if account is not None and account.siret:
            mine = my_company(request, conn)
            return [mine.public()] if mine else []
        return [c.public() for c in list_companies(conn)]


@router.post(
    "/entreprises",
    dependencies=[requires("entreprise.gerer")],
    status_code=201,
    summary="Enregistrer mon entreprise",
)
def company_save(request: Request, body: CompanyIn) -> dict[str, Any]:
    """Crée ou met à jour la fiche (le SIRET est vérifié par sa clé ; les sites s’ajoutent)."""
    account = current_account(request)
    own = account.siret if account is not None else None
    if own is not None and body.siret not in (None, own):
        raise InputError("un compte d’entreprise enregistre sa propre fiche", where=["siret"])
    siret = own or body.siret
    if not siret:
        raise InputError("SIRET manquant", where=["siret"], expected="14 chiffres")
    company = write(
        request,
        lambda conn, actor: save_company(
            conn, actor, siret=siret, nom=body.nom, naf=body.naf, sites=body.sites
        ),
    )
    return company.public()
