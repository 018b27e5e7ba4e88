"""The candidate's side of offers: the active offers ranked for their profile, applying to one,
following and withdrawing their applications.

An application is sent once per offer (:class:`~tremplin.errors.Conflict` otherwise), only to
an active offer, only with a profile; its optional message is plain text (no web address, no
e-mail: :func:`tremplin.companies.text.check_free_text`), at most :data:`MESSAGE_LIMIT`
characters. The company answers it (« entretien », or « refusee » with a coded reason of
:data:`MOTIFS_REFUS`): that side is the company's. Every write is a line of the audit log that
names the offer and the application, never the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.companies.applications import MOTIFS_REFUS
from tremplin.companies.candidates import Profile, get_profile
from tremplin.companies.companies import aware
from tremplin.companies.matching import OFFER_COLUMNS, CandidatePoint, explain, rank_offers
from tremplin.companies.needs import rome_fap
from tremplin.companies.offers import OFFER_CONTRACTS, get_offer
from tremplin.companies.places import coordinates
from tremplin.companies.text import check_free_text
from tremplin.errors import Conflict, InputError, NotFound
from tremplin.store.audit import Actor, record
from tremplin.store.frames import read_query
from tremplin.store.schema import applications, companies, company_needs, company_offers

MESSAGE_LIMIT = 1000
STATUTS_CANDIDATURE: dict[str, str] = {
    "envoyee": "Envoyée, sans réponse pour l’instant",
    "entretien": "Entretien proposé",
    "refusee": "Refusée",
    "retiree": "Retirée",
}
"""An application's statuses, and how the candidate's page says them."""
CANDIDATE_WRITES = (
    "candidature.deposer",
    "candidature.retirer",
    "candidat.profil.publier",
    "candidat.profil.modifier",
    "candidat.profil.masquer",
    "candidat.profil.afficher",
    "candidat.profil.supprimer",
)
"""The candidate's writes counted by the per-account quota
(:func:`tremplin.companies.quotas.check_write_quota`)."""


# --- offers ranked for me -----------------------------------------------------------------------


def offers_frame(
    conn: sa.Connection, *, contrat: str | None = None, today: date | None = None
) -> pl.DataFrame:
    """The active offers (not expired on ``today``; of ``contrat`` when given) with their
    need's trade, commune, level and start date, read in one query, and their commune's
    coordinates: :data:`~tremplin.companies.matching.OFFER_COLUMNS` and intitule, entreprise,
    contrat, code_insee, expire_le. Offers of a commune without coordinates are left out."""
    today = today or date.today()
    if contrat is not None and contrat not in OFFER_CONTRACTS:
        raise InputError(
            f"contrat « {contrat} » inconnu", where=["contrat"], expected=", ".join(OFFER_CONTRACTS)
        )
    query = (
        sa.select(
            company_offers.c.id,
            company_offers.c.intitule,
            sa.cast(company_offers.c.expire_le, sa.String).label("expire_le"),
            companies.c.nom.label("entreprise"),
            company_needs.c.code_rome,
            company_needs.c.appellation,
            company_needs.c.contrat,
            company_needs.c.niveau,
            sa.cast(company_needs.c.debut, sa.String).label("debut"),
            company_needs.c.code_insee,
        )
        .join(company_needs, company_needs.c.id == company_offers.c.need_id)
        .join(companies, companies.c.id == company_offers.c.company_id)
        .where(company_offers.c.statut == "active", company_offers.c.expire_le >= today)
    )
    if contrat is not None:
        query = query.where(company_needs.c.contrat == contrat)
    rows = read_query(conn, query)
    return rows.join(coordinates(conn), on="code_insee", how="inner").with_columns(
        pl.col("debut").str.slice(0, 10).str.to_date("%Y-%m-%d"),
        pl.col("expire_le").str.slice(0, 10).str.to_date("%Y-%m-%d"),
        pl.col("latitude").cast(OFFER_COLUMNS["latitude"]),
        pl.col("longitude").cast(OFFER_COLUMNS["longitude"]),
    )


def candidate_point(conn: sa.Connection, profile: Profile) -> CandidatePoint:
    """What matching reads of ``profile``: its trades, its commune's coordinates, radius,
    level and availability."""
    located = coordinates(conn).filter(pl.col("code_insee") == profile.code_insee)
    if located.is_empty():
        raise InputError("commune du profil sans coordonnées connues", where=["code_insee"])
    return CandidatePoint(
        codes_rome=profile.codes_rome,
        latitude=float(located["latitude"][0]),
        longitude=float(located["longitude"][0]),
        rayon_km=float(profile.rayon_km),
        niveau=profile.niveau,
        disponible_le=profile.disponible_le,
    )


def offers_for(
    conn: sa.Connection,
    profile: Profile,
    *,
    contrat: str | None = None,
    today: date | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The active offers ranked for ``profile`` (:func:`~tremplin.companies.matching.rank_offers`
    with the ROME → FAP 2009 table: those within its radius first), each with its rank,
    distance, score and French sentence (:func:`~tremplin.companies.matching.explain`);
    ``limit`` rows when given."""
    frame = offers_frame(conn, contrat=contrat, today=today)
    if frame.is_empty():
        return []
    ranked = rank_offers(
        candidate_point(conn, profile),
        frame.select([pl.col(name).cast(kind) for name, kind in OFFER_COLUMNS.items()]),
        fap=rome_fap(conn),
        limit=limit,
    )
    details = {row["id"]: row for row in frame.iter_rows(named=True)}
    found = []
    for rank, row in enumerate(ranked.iter_rows(named=True), start=1):
        offer = details[row["id"]]
        found.append(
            {
                "rang": rank,
                "offre": row["id"],
                "intitule": offer["intitule"],
                "entreprise": offer["entreprise"],
                "code_rome": offer["code_rome"],
                "appellation": offer["appellation"],
                "contrat": offer["contrat"],
                "niveau": offer["niveau"],
                "debut": offer["debut"].isoformat() if offer["debut"] else None,
                "code_insee": offer["code_insee"],
                "expire_le": offer["expire_le"].isoformat(),
                "distance_km": round(float(row["distance_km"]), 1),
                "dans_rayon": bool(row["dans_rayon"]),
                "score": round(float(row["score"]), 4),
                "explication": explain(row),
            }
        )
    return found


# --- applying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """One application as its candidate reads it: the offer (title, company, contract), the
    status and, once answered, the coded reason of a refusal and the date."""

    id: int
    offre: int
    intitule: str
    entreprise: str
    contrat: str
    message: str | None
    statut: str
    motif: str | None
    reponse: str | None
    envoyee_le: datetime
    repondue_le: datetime | None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "offre": self.offre,
            "intitule": self.intitule,
            "entreprise": self.entreprise,
            "contrat": self.contrat,
            "message": self.message,
            "statut": self.statut,
            "statut_libelle": STATUTS_CANDIDATURE.get(self.statut, self.statut),
            "motif": self.motif,
            "motif_libelle": MOTIFS_REFUS.get(self.motif, self.motif) if self.motif else None,
            "reponse": self.reponse,
            "envoyee_le": self.envoyee_le.isoformat(),
            "repondue_le": self.repondue_le.isoformat() if self.repondue_le else None,
        }


def _mine() -> sa.Select[Any]:
    return (
        sa.select(
            applications,
            company_offers.c.intitule,
            companies.c.nom.label("entreprise"),
            company_needs.c.contrat,
        )
        .join(company_offers, company_offers.c.id == applications.c.offer_id)
        .join(company_needs, company_needs.c.id == company_offers.c.need_id)
        .join(companies, companies.c.id == company_offers.c.company_id)
    )


def _application(row: Any) -> Application:
    return Application(
        id=row.id,
        offre=row.offer_id,
        intitule=row.intitule,
        entreprise=row.entreprise,
        contrat=row.contrat,
        message=row.message,
        statut=row.statut,
        motif=row.motif,
        reponse=row.reponse,
        envoyee_le=aware(row.created_at),
        repondue_le=aware(row.answered_at) if row.answered_at else None,
    )


def my_applications(conn: sa.Connection, account_id: int) -> list[Application]:
    """The applications of ``account_id``, newest first."""
    rows = conn.execute(
        _mine()
        .where(applications.c.candidate_id == account_id)
        .order_by(applications.c.created_at.desc(), applications.c.id.desc())
    ).all()
    return [_application(row) for row in rows]


def my_application(conn: sa.Connection, account_id: int, application_id: int) -> Application:
    """The application ``application_id`` of ``account_id``; raises :class:`NotFound` for
    another's, as for none."""
    row = conn.execute(
        _mine().where(
            applications.c.id == application_id, applications.c.candidate_id == account_id
        )
    ).first()
    if row is None:
        raise NotFound("candidature introuvable")
    return _application(row)


def apply_to(
    conn: sa.Connection,
    actor: Actor,
    account_id: int,
    offer_id: int,
    message: str | None = None,
    *,
    today: date | None = None,
) -> Application:
    """Send the application of ``account_id`` to the offer ``offer_id`` with ``message``.
    Raises :class:`InputError` without a profile or for a message with an address,
    :class:`NotFound` for an offer that is not (or no longer) active, :class:`Conflict` when
    the candidate already applied to it."""
    if get_profile(conn, account_id) is None:
        raise InputError(
            "publiez d’abord votre profil : une candidature le montre à l’entreprise",
            where=["profil"],
            expected="un profil de candidat enregistré (/candidat/profil)",
        )
    try:
        offer = get_offer(conn, offer_id)
    except NotFound:
        offer = None
    if offer is None or offer.status(today) != "active":
        raise NotFound("offre introuvable ou plus ouverte aux candidatures")
    text = check_free_text(message, where="message", limit=MESSAGE_LIMIT) or None
    taken = conn.execute(
        sa.select(applications.c.id).where(
            applications.c.offer_id == offer_id, applications.c.candidate_id == account_id
        )
    ).scalar()
    if taken is not None:
        raise Conflict(f"vous avez déjà candidaté à cette offre (candidature {taken})")
    inserted = conn.execute(
        applications.insert().values(
            offer_id=offer_id,
            candidate_id=account_id,
            message=text,
            statut="envoyee",
            created_at=datetime.now(UTC),
        )
    ).inserted_primary_key
    assert inserted is not None
    made = my_application(conn, account_id, int(inserted[0]))
    record(
        conn,
        actor,
        "candidature.deposer",
        f"candidature:{made.id}",
        after={"offre": offer_id, "statut": "envoyee"},
    )
    return made


def withdraw(
    conn: sa.Connection, actor: Actor, account_id: int, application_id: int
) -> Application:
    """Withdraw the application ``application_id`` of ``account_id`` (statut « retiree »):
    :class:`NotFound` for another's, :class:`Conflict` when already refused or withdrawn."""
    made = my_application(conn, account_id, application_id)
    if made.statut in ("retiree", "refusee"):
        raise Conflict(f"candidature déjà {STATUTS_CANDIDATURE[made.statut].lower()}")
    conn.execute(applications.update().where(applications.c.id == made.id).values(statut="retiree"))
    record(
        conn,
        actor,
        "candidature.retirer",
        f"candidature:{made.id}",
        before={"offre": made.offre, "statut": made.statut},
        after={"offre": made.offre, "statut": "retiree"},
    )
    return my_application(conn, account_id, made.id)


def detach_applications(conn: sa.Connection, account_id: int) -> int:
    """Detach the applications of ``account_id`` from its person (its data deleted): the
    account and the message are erased, the offer, status and answer stay for the company's
    response rate. Gives how many."""
    return conn.execute(
        applications.update()
        .where(applications.c.candidate_id == account_id)
        .values(candidate_id=None, message=None)
    ).rowcount
