"""Offers: an apprenticeship or PFMP need published for candidates to find.

An offer publishes one need (« apprentissage » or « pfmp »): a title (plain words, no web
address or e-mail: :func:`tremplin.companies.text.check_free_text`), an expiry date and a
status — « active », « pourvue », « annulee »; an active offer whose expiry date is past is
read « expiree » (:func:`status_on`), so nothing has to run at midnight. Its trade, commune,
level and start date are its need's. Anyone may read an active offer, without the company's
contact (Tremplin holds none: candidates apply through it); the company sees all of its own.
Anyone logged in may report an offer (abuse, discrimination, wrong content): the reports are
counted on the offer and each is a line of the audit log, as is every write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tremplin.accounts.policy import Resource
from tremplin.companies.companies import Company, aware
from tremplin.companies.needs import Need, get_need, parse_date
from tremplin.companies.text import check_free_text
from tremplin.errors import InputError, NotFound
from tremplin.store.audit import Actor, record
from tremplin.store.schema import companies, company_needs, company_offers

STATUTS_OFFRE: dict[str, str] = {
    "active": "Active",
    "pourvue": "Pourvue",
    "annulee": "Annulée",
    "expiree": "Expirée",
}
"""An offer's statuses, and how pages say them (« expiree » is read, never written)."""
WRITTEN_STATUSES = ("active", "pourvue", "annulee")
OFFER_CONTRACTS = ("apprentissage", "pfmp")
"""The kinds of need that may be published as offers."""
MAX_DAYS = 365
"""An offer expires at most a year after it is published or changed."""
REMINDER_DAYS = 7
"""The company page lists its active offers expiring within this many days."""
REPORT_REASONS: dict[str, str] = {
    "contenu_trompeur": "Contenu trompeur ou offre fictive",
    "discrimination": "Critère discriminatoire",
    "coordonnees": "Coordonnées ou lien dans l’offre",
    "autre": "Autre",
}


def status_on(statut: str, expire_le: date, today: date) -> str:
    """The status an offer reads on ``today``: « expiree » once an active offer's expiry
    date is past (the offer stays active on its expiry date)."""
    return "expiree" if statut == "active" and expire_le < today else statut


@dataclass(frozen=True)
class Offer:
    """One offer, with its need (trade, commune, level, start date) and its company's name."""

    id: int
    need: Need
    intitule: str
    statut: str
    expire_le: date
    signalements: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def resource(self) -> Resource:
        """The offer as the policy sees it: its need's company and territories."""
        return self.need.resource

    def status(self, today: date | None = None) -> str:
        return status_on(self.statut, self.expire_le, today or date.today())

    def public(self, today: date | None = None) -> dict[str, Any]:
        """What anyone reads of the offer: no contact, no account, no report count."""
        need = self.need
        return {
            "id": self.id,
            "besoin": need.id,
            "entreprise": need.entreprise,
            "intitule": self.intitule,
            "code_rome": need.code_rome,
            "code_ogr": need.code_ogr,
            "appellation": need.appellation,
            "contrat": need.contrat,
            "niveau": need.niveau,
            "debut": need.debut.isoformat() if need.debut else None,
            "code_insee": need.code_insee,
            "bassin_bmo": need.bassin_bmo,
            "code_departement": need.code_departement,
            "statut": self.status(today),
            "expire_le": self.expire_le.isoformat(),
            "publiee_le": self.created_at.isoformat(),
            "modifiee_le": self.updated_at.isoformat(),
        }

    def for_company(self, today: date | None = None) -> dict[str, Any]:
        """What the company (and the audit log) read: the public offer and its reports."""
        return self.public(today) | {"siret": self.need.siret, "signalements": self.signalements}


def get_offer(conn: sa.Connection, offer_id: int) -> Offer:
    """The offer ``offer_id``; raises :class:`NotFound`."""
    row = conn.execute(sa.select(company_offers).where(company_offers.c.id == offer_id)).first()
    if row is None:
        raise NotFound(f"offre {offer_id} introuvable")
    return _offer(row, get_need(conn, row.need_id))


def _offer(row: Any, need: Need) -> Offer:
    values = dict(row._mapping)
    expire_le = values["expire_le"]
    return Offer(
        id=values["id"],
        need=need,
        intitule=values["intitule"],
        statut=values["statut"],
        expire_le=expire_le.date() if isinstance(expire_le, datetime) else expire_le,
        signalements=int(values["signalements"]),
        created_by=values["created_by"],
        created_at=aware(values["created_at"]),
        updated_at=aware(values["updated_at"]),
    )


def _expiry(value: Any, today: date) -> date:
    expire_le = parse_date(value, "expire_le")
    if expire_le is None:
        return today + timedelta(days=60)
    if not today <= expire_le <= today + timedelta(days=MAX_DAYS):
        raise InputError(
            f"date d’expiration {expire_le:%d/%m/%Y} hors limites",
            where=["expire_le"],
            expected=f"entre aujourd’hui et {MAX_DAYS} jours plus tard",
        )
    return expire_le


def publish_offer(
    conn: sa.Connection,
    actor: Actor,
    need: Need,
    values: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Offer:
    """Publish ``need`` (apprenticeship or PFMP, still open) as an active offer; ``values``:
    intitule (required), expire_le (default: in 60 days). Raises :class:`InputError`."""
    today = today or date.today()
    if need.contrat not in OFFER_CONTRACTS:
        raise InputError(
            f"un besoin « {need.contrat} » ne se publie pas en offre",
            where=["besoin"],
            expected="un besoin d’apprentissage ou d’accueil de PFMP",
        )
    if need.statut not in ("ouvert", "pourvu_partiellement"):
        raise InputError("ce besoin n’est plus ouvert", where=["besoin"])
    taken = conn.execute(
        sa.select(company_offers.c.id).where(company_offers.c.need_id == need.id)
    ).scalar()
    if taken is not None:
        raise InputError(f"ce besoin est déjà publié (offre {taken})", where=["besoin"])
    now = datetime.now(UTC)
    inserted = conn.execute(
        company_offers.insert().values(
            need_id=need.id,
            company_id=need.company_id,
            intitule=check_free_text(values.get("intitule"), where="intitule", required=True),
            statut="active",
            expire_le=_expiry(values.get("expire_le"), today),
            signalements=0,
            created_by=actor.account_id,
            created_at=now,
            updated_at=now,
        )
    ).inserted_primary_key
    assert inserted is not None
    offer = get_offer(conn, int(inserted[0]))
    record(conn, actor, "offre.publier", f"offre:{offer.id}", after=offer.for_company(today))
    return offer


def update_offer(
    conn: sa.Connection,
    actor: Actor,
    offer: Offer,
    changes: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Offer:
    """Change an offer's intitule, expire_le or statut (« active », « pourvue », « annulee »):
    an expired offer comes back to life with a new expiry date."""
    today = today or date.today()
    unknown = sorted(set(changes) - {"intitule", "expire_le", "statut"})
    if unknown:
        raise InputError(
            f"champ(s) inconnu(s) : {', '.join(unknown)}", expected="intitule, expire_le, statut"
        )
    values: dict[str, Any] = {}
    if "intitule" in changes:
        values["intitule"] = check_free_text(changes["intitule"], where="intitule", required=True)
    if "expire_le" in changes:
        values["expire_le"] = _expiry(changes["expire_le"], today)
    if "statut" in changes:
        statut = str(changes["statut"] or "")
        if statut not in WRITTEN_STATUSES:
            raise InputError(
                f"statut « {statut} » inconnu",
                where=["statut"],
                expected=", ".join(WRITTEN_STATUSES),
            )
        values["statut"] = statut
    expiry = values.get("expire_le", offer.expire_le)
    if values.get("statut") == "active" and status_on("active", expiry, today) == "expiree":
        raise InputError(
            "l’offre a expiré : donnez une nouvelle date d’expiration",
            where=["expire_le"],
            expected="une date à venir",
        )
    conn.execute(
        company_offers.update()
        .where(company_offers.c.id == offer.id)
        .values(updated_at=datetime.now(UTC), **values)
    )
    after = get_offer(conn, offer.id)
    record(
        conn,
        actor,
        "offre.modifier",
        f"offre:{offer.id}",
        before=offer.for_company(today),
        after=after.for_company(today),
    )
    return after


def report_offer(conn: sa.Connection, actor: Actor, offer: Offer, motif: str) -> int:
    """Report ``offer`` for ``motif`` (a key of :data:`REPORT_REASONS`): counted on the offer,
    recorded in the audit log with who reported it; gives the offer's count of reports."""
    if motif not in REPORT_REASONS:
        raise InputError(
            f"motif « {motif} » inconnu", where=["motif"], expected=", ".join(REPORT_REASONS)
        )
    conn.execute(
        company_offers.update()
        .where(company_offers.c.id == offer.id)
        .values(signalements=company_offers.c.signalements + 1)
    )
    count = int(
        conn.execute(
            sa.select(company_offers.c.signalements).where(company_offers.c.id == offer.id)
        ).scalar_one()
    )
    record(
        conn,
        actor,
        "offre.signaler",
        f"offre:{offer.id}",
        after={"motif": motif, "signalements": count},
    )
    return count


# --- reads --------------------------------------------------------------------------------------


def _joined() -> sa.Select[Any]:
    return (
        sa.select(company_offers)
        .join(company_needs, company_needs.c.id == company_offers.c.need_id)
        .join(companies, companies.c.id == company_offers.c.company_id)
    )


def _read(conn: sa.Connection, query: sa.Select[Any]) -> list[Offer]:
    rows = conn.execute(query).all()
    return [_offer(row, get_need(conn, row.need_id)) for row in rows]


def list_offers(
    conn: sa.Connection,
    *,
    siret: str | None = None,
    today: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Offer]]:
    """The offers anyone reads — active and not expired on ``today`` — and, with ``siret``,
    every offer of that company too; newest first."""
    today = today or date.today()
    condition: sa.ColumnElement[bool] = sa.and_(
        company_offers.c.statut == "active", company_offers.c.expire_le >= today
    )
    if siret:
        condition = sa.or_(condition, companies.c.siret == siret)
    total = conn.execute(
        sa.select(sa.func.count()).select_from(_joined().where(condition).subquery())
    ).scalar_one()
    query = (
        _joined()
        .where(condition)
        .order_by(company_offers.c.updated_at.desc(), company_offers.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return int(total), _read(conn, query)


def expiring_offers(
    conn: sa.Connection, company: Company, *, today: date | None = None
) -> list[Offer]:
    """The company's active offers that expire within :data:`REMINDER_DAYS` days (the reminder
    « expire dans 7 jours » of its page), soonest first."""
    today = today or date.today()
    return _read(
        conn,
        _joined()
        .where(
            company_offers.c.company_id == company.id,
            company_offers.c.statut == "active",
            company_offers.c.expire_le >= today,
            company_offers.c.expire_le <= today + timedelta(days=REMINDER_DAYS),
        )
        .order_by(company_offers.c.expire_le, company_offers.c.id),
    )


def readable(offer: Offer, siret: str | None, *, sees_all: bool, today: date | None = None) -> bool:
    """Whether a reader sees ``offer``: anyone when it is active, its company (``siret``) and
    an administrator (``sees_all``) always."""
    return (
        sees_all
        or offer.status(today) == "active"
        or (siret is not None and offer.need.siret == siret)
    )
