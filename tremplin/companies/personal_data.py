"""A company's data in its people's rights: the export of one's data and the deletion of one's
account (``docs/rgpd.md``).

The accounts layer knows nothing of companies (it sits below them): the web's export and
deletion call :func:`account_company_data` and :func:`forget_account` beside
``tremplin.accounts.personal_data``. A need and an offer keep the id of the account that wrote
it (``created_by``): that link is personal, and is erased with the account. The company's own
record and needs are its, not the person's — except when the person was the last account of
that company: then nobody is left to answer for them, and they are deleted too.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tremplin.accounts.accounts import Account
from tremplin.companies.companies import delete_company, find_company
from tremplin.companies.needs import NeedScope, list_needs
from tremplin.companies.offers import list_offers
from tremplin.store.audit import Actor
from tremplin.store.schema import accounts, company_needs, company_offers


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
    return {"entreprise": own, "besoins_ecrits": written}


def forget_account(conn: sa.Connection, actor: Actor, account: Account) -> bool:
    """Erase the account's link to the needs it wrote, and delete its company (record, sites
    and needs) when no other active account acts for it; gives whether the company went."""
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
