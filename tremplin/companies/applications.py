"""The company's side of applications: candidates ranked for an offer, the applications an
offer received, answering them, and companies' response rates.

A company sees the visible profiles ranked for one of its offers (:func:`ranked_candidates`)
WITHOUT any contact: a pseudonymous handle, the trades wished, the commune, the distance, the
level and the availability. A candidate's contact (their account's e-mail) reaches a company
only through an application to its offer (:func:`received_applications`). Every display of a
profile to a company is a line of the audit log (« profil.consulter »: who, which profile, for
which offer), written in one insert per page. An answer (:func:`answer_application`) is an
interview (« entretien ») or a refusal with a coded reason (:data:`MOTIFS_REFUS`), audited.

The response rate (:func:`response_rates`) is, per company, the share of its applications (not
withdrawn) that were answered, and the median delay to answer, in days: no candidate data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.companies.companies import aware
from tremplin.companies.matching import PROFILE_COLUMNS, OfferPoint, explain, rank_candidates
from tremplin.companies.needs import rome_fap
from tremplin.companies.offers import Offer
from tremplin.companies.places import coordinates, territory_filter
from tremplin.companies.text import check_free_text
from tremplin.errors import Conflict, InputError, NotFound
from tremplin.store.audit import Actor, record, record_many
from tremplin.store.schema import (
    accounts,
    applications,
    candidate_profiles,
    companies,
    company_needs,
    company_offers,
)

STATUTS_CANDIDATURE: dict[str, str] = {
    "envoyee": "Envoyée, sans réponse",
    "entretien": "Entretien proposé",
    "refusee": "Refusée",
    "retiree": "Retirée par le candidat",
}
"""An application's statuses, and how pages say them."""
ANSWERS = ("entretien", "refusee")
"""What a company answers."""
MOTIFS_REFUS: dict[str, str] = {
    "profil_ne_correspond_pas": "Le profil ne correspond pas à l’offre",
    "offre_pourvue": "L’offre est déjà pourvue",
    "niveau_insuffisant": "Le niveau ne correspond pas à celui demandé",
    "distance": "Le lieu de l’offre est trop loin",
    "disponibilite": "Les dates de disponibilité ne conviennent pas",
    "autre": "Autre raison",
}
"""The coded reasons of a refusal, and their French labels (a refusal needs one)."""
PROFILE_VIEW = "profil.consulter"
"""The audit log's action of a profile shown to a company."""


def handle(account_id: int, consent_at: datetime, offer_id: int) -> str:
    """A candidate's pseudonym for one offer: a short digest of their account, the instant of
    their consent (unknown to companies) and the offer — stable on the offer's pages, not
    linkable from one offer to another, revealing nothing."""
    digest = hashlib.blake2b(
        f"{account_id}:{aware(consent_at).isoformat()}:{offer_id}".encode(), digest_size=4
    )
    return f"Candidat·e {digest.hexdigest().upper()}"


def _profiles(conn: sa.Connection, condition: sa.ColumnElement[bool]) -> pl.DataFrame:
    """The profiles matching ``condition`` (one query), with their commune's name and
    coordinates: the columns of PROFILE_COLUMNS, id being the account's, plus code_insee,
    commune, consent_at."""
    rows = conn.execute(
        sa.select(
            candidate_profiles.c.account_id,
            candidate_profiles.c.codes_rome,
            candidate_profiles.c.code_insee,
            candidate_profiles.c.rayon_km,
            candidate_profiles.c.niveau,
            candidate_profiles.c.disponible_le,
            candidate_profiles.c.consent_at,
        ).where(condition)
    ).all()
    schema: dict[str, Any] = {
        "id": pl.Int64,
        "codes_rome": pl.String,
        "code_insee": pl.String,
        "rayon_km": pl.Float64,
        "niveau": pl.String,
        "disponible_le": pl.Date,
        "consent_at": pl.Datetime("us", "UTC"),
    }
    # Whole columns: the rows as they come, the trades split once (SQLite's naive instants
    # are read as UTC, as they were written).
    frame = pl.DataFrame(
        [tuple(row) for row in rows], schema=schema, orient="row", strict=False
    ).with_columns(
        pl.col("codes_rome").str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    )
    places = coordinates(conn).rename({"nom": "commune"})
    return frame.join(places, on="code_insee", how="left")


def _offer_point(conn: sa.Connection, offer: Offer) -> OfferPoint:
    need = offer.need
    found = coordinates(conn).filter(pl.col("code_insee") == need.code_insee)
    if found.is_empty() or found.item(0, "latitude") is None:
        raise InputError(
            f"la commune de l’offre ({need.code_insee}) n’a pas de coordonnées",
            where=["code_insee"],
        )
    return OfferPoint(
        code_rome=need.code_rome,
        latitude=float(found.item(0, "latitude")),
        longitude=float(found.item(0, "longitude")),
        niveau=need.niveau,
        debut=need.debut,
    )


@dataclass(frozen=True)
class Ranked:
    """One page of the candidates ranked for an offer."""

    total: int
    candidats: list[dict[str, Any]]


def _shown_profile(row: Mapping[str, Any], offer_id: int) -> dict[str, Any]:
    """What a company reads of a profile: no account, no contact."""
    disponible = row.get("disponible_le")
    return {
        "candidat": handle(row["id"], row["consent_at"], offer_id),
        "codes_rome": list(row["codes_rome"] or []),
        "code_insee": row["code_insee"],
        "commune": row.get("commune"),
        "rayon_km": int(row["rayon_km"]),
        "niveau": row.get("niveau"),
        "disponible_le": disponible.isoformat() if isinstance(disponible, date) else None,
    }


def ranked_candidates(
    conn: sa.Connection,
    actor: Actor,
    offer: Offer,
    *,
    limit: int = 20,
    offset: int = 0,
) -> Ranked:
    """The visible profiles ranked for ``offer`` (best first), ``limit`` of them from
    ``offset``, each with its French sentence and without contact; each profile shown is a
    line « profil.consulter » of the audit log (one insert). Profiles located nowhere (an
    unknown commune) are left out."""
    point = _offer_point(conn, offer)
    profiles = _profiles(conn, candidate_profiles.c.visible.is_(True)).drop_nulls(
        ["latitude", "longitude"]
    )
    ranked = rank_candidates(point, profiles.select(list(PROFILE_COLUMNS)), fap=rome_fap(conn))
    page = (
        ranked.slice(offset, limit)
        .join(
            profiles.select("id", "code_insee", "commune", "consent_at"),
            on="id",
            how="left",
            maintain_order="left",
        )
        .with_columns(o_niveau=pl.lit(point.niveau, dtype=pl.String))
    )
    shown = []
    for rank, row in enumerate(page.iter_rows(named=True), start=offset + 1):
        shown.append(
            {"rang": rank}
            | _shown_profile(row, offer.id)
            | {
                "distance_km": round(float(row["distance_km"]), 1),
                "dans_rayon": bool(row["dans_rayon"]),
                "score": round(float(row["score"]), 4),
                "explication": explain(row),
            }
        )
    record_many(
        conn,
        actor,
        PROFILE_VIEW,
        [
            (f"profil:{row['id']}", {"offre": offer.id, "contact": False})
            for row in page.select("id").iter_rows(named=True)
        ],
    )
    return Ranked(ranked.height, shown)


# --- applications received ---------------------------------------------------------------------


def _application(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    answered = values["answered_at"]
    return {
        "id": values["id"],
        "offre": values["offer_id"],
        "statut": values["statut"],
        "message": values["message"],
        "motif": values["motif"],
        "reponse": values["reponse"],
        "envoyee_le": aware(values["created_at"]).isoformat(),
        "repondue_le": aware(answered).isoformat() if answered is not None else None,
    }


def _application_row(conn: sa.Connection, offer: Offer, application_id: int) -> Any:
    row = conn.execute(
        sa.select(applications).where(
            applications.c.id == application_id, applications.c.offer_id == offer.id
        )
    ).first()
    if row is None:
        raise NotFound("candidature introuvable")
    return row


def _reachable(row: Any) -> bool:
    """Whether the applicant's account still holds their e-mail (not deleted, not anonymised)."""
    return row.candidate_id is not None and row.email is not None and row.anonymised_at is None


def received_applications(conn: sa.Connection, actor: Actor, offer: Offer) -> list[dict[str, Any]]:
    """The applications to ``offer`` not withdrawn, oldest first, each with the candidate's
    profile (when they still have one) and contact (their account's e-mail, when the account
    still exists): the contact reaches the company because they applied. Each candidate shown
    is a line « profil.consulter » of the audit log, with ``contact: true`` (one insert)."""
    rows = conn.execute(
        sa.select(applications, accounts.c.email, accounts.c.anonymised_at)
        .outerjoin(accounts, accounts.c.id == applications.c.candidate_id)
        .where(applications.c.offer_id == offer.id, applications.c.statut != "retiree")
        .order_by(applications.c.created_at, applications.c.id)
    ).all()
    ids = [r.candidate_id for r in rows if r.candidate_id is not None]
    profiles = {
        row["id"]: row
        for row in _profiles(conn, candidate_profiles.c.account_id.in_(ids)).iter_rows(named=True)
    }
    shown = []
    for row in rows:
        profile = profiles.get(row.candidate_id)
        item = _application(row) | {
            "candidat": _shown_profile(profile, offer.id) if profile else None,
            "contact": row.email if _reachable(row) else None,
        }
        shown.append(item)
    record_many(
        conn,
        actor,
        PROFILE_VIEW,
        [
            (
                f"profil:{row.candidate_id}",
                {"offre": offer.id, "candidature": row.id, "contact": True},
            )
            for row in rows
            if row.candidate_id is not None
        ],
    )
    return shown


def application_counts(conn: sa.Connection, offer_id: int) -> dict[str, int]:
    """How many applications ``offer_id`` has per status."""
    rows = conn.execute(
        sa.select(applications.c.statut, sa.func.count())
        .where(applications.c.offer_id == offer_id)
        .group_by(applications.c.statut)
    ).all()
    return {str(statut): int(count) for statut, count in rows}


def answer_application(
    conn: sa.Connection,
    actor: Actor,
    offer: Offer,
    application_id: int,
    values: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Answer the application ``application_id`` of ``offer``: ``statut`` « entretien » or
    « refusee » (a refusal needs ``motif``, a key of :data:`MOTIFS_REFUS`), ``reponse`` a short
    note without address. Answering again changes the answer; a withdrawn application raises
    :class:`Conflict`; another offer's, :class:`NotFound`. Audited with before and after."""
    row = _application_row(conn, offer, application_id)
    if row.statut == "retiree":
        raise Conflict("le candidat a retiré cette candidature : elle ne se répond plus")
    statut = str(values.get("statut") or "")
    if statut not in ANSWERS:
        raise InputError(
            f"réponse « {statut} » inconnue" if statut else "choisissez une réponse",
            where=["statut"],
            expected="entretien ou refusee",
        )
    motif = str(values.get("motif") or "") or None
    if statut == "refusee":
        if motif not in MOTIFS_REFUS:
            raise InputError(
                f"motif de refus « {motif} » inconnu" if motif else "un refus demande un motif",
                where=["motif"],
                expected=", ".join(MOTIFS_REFUS),
            )
    else:
        motif = None
    reponse = check_free_text(values.get("reponse"), where="reponse", limit=1000) or None
    before = _application(row)
    conn.execute(
        applications.update()
        .where(applications.c.id == application_id)
        .values(
            statut=statut,
            motif=motif,
            reponse=reponse,
            answered_at=now or datetime.now(UTC),
            answered_by=actor.account_id,
        )
    )
    after = _application(_application_row(conn, offer, application_id))
    record(
        conn,
        actor,
        "candidature.repondre",
        f"candidature:{application_id}",
        before=_traced(before),
        after=_traced(after),
    )
    return after


def _traced(application: dict[str, Any]) -> dict[str, Any]:
    """An application as the audit log keeps it: without the candidate's message, which goes
    with their account (the log outlives it)."""
    return {key: value for key, value in application.items() if key != "message"}


# --- response rates ----------------------------------------------------------------------------

RATE_SCHEMA: dict[str, Any] = {
    "company_id": pl.Int64,
    "statut": pl.String,
    "created_at": pl.Datetime("us", "UTC"),
    "answered_at": pl.Datetime("us", "UTC"),
}
"""The applications :func:`rates_of` reads."""


def rates_of(frame: pl.DataFrame) -> pl.DataFrame:
    """Per company of ``frame`` (:data:`RATE_SCHEMA`): ``candidatures`` received (not
    withdrawn), ``repondues`` (answered: « entretien » or « refusee »), ``taux`` (their share)
    and ``delai_median_jours`` (median days from sending to answer; null without answer)."""
    kept = frame.filter(pl.col("statut") != "retiree")
    answered = pl.col("statut").is_in(ANSWERS)
    delay = (pl.col("answered_at") - pl.col("created_at")).dt.total_seconds() / 86_400
    return (
        kept.group_by("company_id")
        .agg(
            candidatures=pl.len().cast(pl.Int64),
            repondues=answered.sum().cast(pl.Int64),
            delai_median_jours=delay.filter(answered).median(),
        )
        .with_columns(taux=pl.col("repondues") / pl.col("candidatures"))
        .sort("company_id")
    )


def response_rates(
    conn: sa.Connection,
    *,
    company_id: int | None = None,
    territoire: str | None = None,
    every: bool = False,
) -> list[dict[str, Any]]:
    """The response rate of one company (``company_id``), of the companies with an offer in
    ``territoire`` (the offer's need's commune), or of ``every`` company with an offer; one row
    per company (siret, nom, offres, candidatures, repondues, taux, delai_median_jours). A
    company without application has ``candidatures`` 0 and ``taux`` None: « aucune candidature
    reçue », never 0 %."""
    if company_id is not None:
        condition: sa.ColumnElement[bool] = company_offers.c.company_id == company_id
    elif territoire is not None:
        condition = territory_filter(company_needs, territoire)
    elif every:
        condition = sa.true()
    else:
        return []
    offered = (
        sa.select(company_offers.c.id, company_offers.c.company_id)
        .join(company_needs, company_needs.c.id == company_offers.c.need_id)
        .where(condition)
        .subquery()
    )
    listed = conn.execute(
        sa.select(companies.c.id, companies.c.siret, companies.c.nom, sa.func.count(offered.c.id))
        .join(offered, offered.c.company_id == companies.c.id)
        .group_by(companies.c.id, companies.c.siret, companies.c.nom)
        .order_by(companies.c.nom, companies.c.id)
    ).all()
    rows = conn.execute(
        sa.select(
            offered.c.company_id,
            applications.c.statut,
            applications.c.created_at,
            applications.c.answered_at,
        ).join(applications, applications.c.offer_id == offered.c.id)
    ).all()
    frame = pl.DataFrame(
        {
            "company_id": [r.company_id for r in rows],
            "statut": [r.statut for r in rows],
            "created_at": [aware(r.created_at) for r in rows],
            "answered_at": [aware(r.answered_at) if r.answered_at else None for r in rows],
        },
        schema=RATE_SCHEMA,
    )
    rates = {row["company_id"]: row for row in rates_of(frame).iter_rows(named=True)}
    result = []
    for company in listed:
        rate = rates.get(company.id)
        delay = rate["delai_median_jours"] if rate else None
        result.append(
            {
                "siret": company.siret,
                "nom": company.nom,
                "offres": int(company[3]),
                "candidatures": rate["candidatures"] if rate else 0,
                "repondues": rate["repondues"] if rate else 0,
                "taux": rate["taux"] if rate else None,
                "delai_median_jours": round(delay, 1) if delay is not None else None,
            }
        )
    return result
