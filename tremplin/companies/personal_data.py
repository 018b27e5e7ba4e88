"""A company's data in its people's rights: the export of one's data and the deletion of one's
account (``docs/rgpd.md``).

The accounts layer knows nothing of companies (it sits below them): the web's export and
deletion call :func:`account_company_data` and :func:`forget_account` beside
``tremplin.accounts.personal_data``. A need and an offer keep the id of the account that wrote
it (``created_by``): that link is personal, and is erased with the account. The company's own
record and needs are its, not the person's — except when the person was the last account of
that company: then nobody is left to answer for them, and they are deleted too.

A candidate's data is their profile (with its consent record) and their applications: the
export holds them; deleting the account deletes the profile and detaches the applications
(the company keeps that an application was made and answered, nothing of the person).
:func:`anonymise_inactive_people` is ``tremplin comptes anonymiser``: the accounts without a
login for the delay are made anonymous (with their profiles and applications as above), and
companies inactive for as long see their open needs closed and active offers withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tremplin.accounts.accounts import Account
from tremplin.accounts.personal_data import Anonymised, anonymise_inactive
from tremplin.companies.applying import detach_applications, my_applications
from tremplin.companies.candidates import CONSENT_TEXT, CONSENT_VERSION, delete_profile, get_profile
from tremplin.companies.companies import delete_company, find_company
from tremplin.companies.needs import OPEN_STATUSES, NeedScope, list_needs
from tremplin.companies.offers import list_offers
from tremplin.store import audit
from tremplin.store.audit import Actor, record
from tremplin.store.schema import accounts, companies, company_needs, company_offers


def account_company_data(conn: sa.Connection, account: Account) -> dict[str, Any]:
    """The company of the account's SIRET (its record and needs) and the needs the account
    wrote for any company (a partner's imports): ``{"entreprise", "besoins_ecrits"}``."""
    company = find_company(conn, account.siret)
    own: dict[str, Any] | None = None
    if company is not None:
        _, needs = list_needs(conn, NeedScope(siret=company.siret), limit=100_000)
        _, offers = list_offers(conn, siret=company.siret, limit=100_000)
        own = company.public() | {
            "besoins": [n.public() for n in needs],
            "offres": [o.for_company() for o in offers if o.need.siret == company.siret],
        }
    _, everything = list_needs(conn, NeedScope(all=True), limit=100_000)
    written = [n.public() for n in everything if n.created_by == account.id]
    return {"entreprise": own, "besoins_ecrits": written} | candidate_data(conn, account)


def candidate_data(conn: sa.Connection, account: Account) -> dict[str, Any]:
    """The candidate's profile with the text of the consent they gave, and their applications
    (with their messages): ``{"profil_candidat", "candidatures"}``."""
    profile = get_profile(conn, account.id)
    shown: dict[str, Any] | None = None
    if profile is not None:
        shown = profile.public()
        if profile.consent_version == CONSENT_VERSION:
            shown["consentement"]["texte"] = CONSENT_TEXT
    return {
        "profil_candidat": shown,
        "candidatures": [a.public() for a in my_applications(conn, account.id)],
    }


def forget_candidate(conn: sa.Connection, account_id: int) -> None:
    """Delete the candidate's profile and detach their applications (message erased)."""
    delete_profile(conn, None, account_id)
    detach_applications(conn, account_id)


def forget_account(conn: sa.Connection, actor: Actor, account: Account) -> bool:
    """Erase the account's link to the needs it wrote, and delete its company (record, sites
    and needs) when no other active account acts for it; gives whether the company went."""
    forget_candidate(conn, account.id)
    for table in (company_needs, company_offers):
        conn.execute(table.update().where(table.c.created_by == account.id).values(created_by=None))
    company = find_company(conn, account.siret)
    if company is None:
        return False
    others = conn.execute(
        sa.select(sa.func.count()).where(
            accounts.c.siret == company.siret,
            accounts.c.id != account.id,
            accounts.c.active.is_(True),
        )
    ).scalar_one()
    if others:
        return False
    delete_company(conn, actor, company)
    return True


@dataclass(frozen=True)
class Closed:
    """What :func:`close_inactive_companies` did: the inactive companies, their needs closed
    and their offers withdrawn."""

    companies: int
    needs: int
    offers: int


def close_inactive_companies(
    conn: sa.Connection, *, days: int, now: datetime | None = None
) -> Closed:
    """Close the open needs and withdraw (« annulee ») the active offers of every company that
    wrote nothing (record, need, offer) for ``days`` days and none of whose accounts logged in
    for as long (La bonne alternance withdraws an offer left two years); the link to the
    accounts that wrote them is erased. One line of the audit log per company."""
    now = now or datetime.now(UTC)
    limit = now - timedelta(days=days)
    seen = sa.func.coalesce(accounts.c.last_login_at, accounts.c.created_at)
    recent_login = sa.exists().where(accounts.c.siret == companies.c.siret, seen >= limit)
    recent_need = sa.exists().where(
        company_needs.c.company_id == companies.c.id, company_needs.c.updated_at >= limit
    )
    recent_offer = sa.exists().where(
        company_offers.c.company_id == companies.c.id, company_offers.c.updated_at >= limit
    )
    stale = (
        conn.execute(
            sa.select(companies.c.id).where(
                companies.c.updated_at < limit, ~recent_login, ~recent_need, ~recent_offer
            )
        )
        .scalars()
        .all()
    )
    actor, needs, offers = Actor(audit.SYSTEM), 0, 0
    for company_id in stale:
        closed = conn.execute(
            company_needs.update()
            .where(
                company_needs.c.company_id == company_id, company_needs.c.statut.in_(OPEN_STATUSES)
            )
            .values(statut="ferme", updated_at=now)
        ).rowcount
        withdrawn = conn.execute(
            company_offers.update()
            .where(company_offers.c.company_id == company_id, company_offers.c.statut == "active")
            .values(statut="annulee", updated_at=now)
        ).rowcount
        for table in (company_needs, company_offers):
            conn.execute(
                table.update().where(table.c.company_id == company_id).values(created_by=None)
            )
        if closed or withdrawn:
            after = {"besoins_fermes": closed, "offres_retirees": withdrawn, "jours": days}
            record(conn, actor, "entreprise.inactive", f"entreprise:{company_id}", after=after)
        needs, offers = needs + closed, offers + withdrawn
    return Closed(len(stale), needs, offers)


def anonymise_inactive_people(
    conn: sa.Connection, *, days: int, audit_days: int, now: datetime | None = None
) -> tuple[Anonymised, Closed]:
    """``tremplin comptes anonymiser``: :func:`~tremplin.accounts.personal_data.anonymise_inactive`
    (accounts without a login for ``days`` days, audit lines older than ``audit_days``), the
    profiles and applications of those accounts forgotten (:func:`forget_candidate`), and the
    needs and offers of companies inactive for ``days`` days closed
    (:func:`close_inactive_companies`)."""
    now = now or datetime.now(UTC)
    done = anonymise_inactive(conn, days=days, audit_days=audit_days, now=now)
    for account_id in done.accounts:
        forget_candidate(conn, account_id)
    return done, close_inactive_companies(conn, days=days, now=now)
