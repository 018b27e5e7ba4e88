"""A person's data: what Tremplin keeps of them, exported; their account deleted; inactive
accounts made anonymous after a delay (``docs/rgpd.md`` says what, why and how long).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tremplin.accounts.accounts import Account, get_account, update_account
from tremplin.store import audit
from tremplin.store.audit import Actor
from tremplin.store.schema import account_sessions, accounts, audit_log

ANONYMOUS = "anonyme"


def export_data(conn: sa.Connection, account: Account) -> dict[str, Any]:
    """Everything kept about ``account``: the account (without its password hash), its open
    sessions (kind, dates) and the lines of the audit log it wrote or that concern it."""
    sessions = conn.execute(
        sa.select(
            account_sessions.c.kind, account_sessions.c.created_at, account_sessions.c.expires_at
        ).where(account_sessions.c.account_id == account.id)
    ).all()
    lines = _audit_lines(conn, account)
    return {
        "compte": account.public(),
        "sessions": [
            {"type": s.kind, "ouverte_le": str(s.created_at), "expire_le": str(s.expires_at)}
            for s in sessions
        ],
        "journal": lines,
    }


def _audit_lines(conn: sa.Connection, account: Account) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(audit_log)
        .where(
            sa.or_(
                audit_log.c.actor_id == account.id,
                audit_log.c.target == f"compte:{account.id}",
            )
        )
        .order_by(audit_log.c.id)
    ).all()
    return [
        {
            "le": str(r.at),
            "par": r.actor,
            "action": r.action,
            "cible": r.target,
            "avant": r.before,
            "apres": r.after,
        }
        for r in rows
    ]


def _erase(conn: sa.Connection, actor: Actor, account: Account, action: str) -> Account:
    placeholder = f"{ANONYMOUS}-{account.id}"
    conn.execute(account_sessions.delete().where(account_sessions.c.account_id == account.id))
    audit.redact(conn, f"compte:{account.id}", account.email, placeholder)
    erased = update_account(
        conn,
        actor if actor.account_id != account.id else Actor(placeholder, account.id),
        account,
        action,
        {
            "email": placeholder,
            "password_hash": None,
            "territoire": None,
            "uai": None,
            "siret": None,
            "active": False,
            "anonymised_at": datetime.now(UTC),
        },
    )
    # The line just written holds the e-mail in « before »: erase it there too.
    audit.redact(conn, f"compte:{account.id}", account.email, placeholder)
    return erased


def delete_account(conn: sa.Connection, account: Account) -> Account:
    """Delete what ``account`` holds of its person, at their request: the e-mail, the password
    and the scope are erased (the row stays, anonymous, so that the audit log keeps who did
    what without saying who), its sessions end."""
    return _erase(conn, Actor(account.email, account.id), account, "compte.supprimer")


@dataclass(frozen=True)
class Anonymised:
    """What :func:`anonymise_inactive` did: accounts made anonymous, audit lines deleted."""

    accounts: list[int]
    audit_lines_deleted: int


def anonymise_inactive(
    conn: sa.Connection, *, days: int, audit_days: int, now: datetime | None = None
) -> Anonymised:
    """Make anonymous every account with no login for ``days`` days (never logged in: since
    its creation), and delete the audit lines older than ``audit_days`` days."""
    now = now or datetime.now(UTC)
    limit = now - timedelta(days=days)
    last_seen = sa.func.coalesce(accounts.c.last_login_at, accounts.c.created_at)
    stale = (
        conn.execute(
            sa.select(accounts.c.id).where(accounts.c.anonymised_at.is_(None), last_seen < limit)
        )
        .scalars()
        .all()
    )
    # Old lines first: the lines this run writes are never among those it deletes.
    deleted = audit.purge_older_than(conn, audit_days, now)
    actor = Actor(audit.SYSTEM)
    for identifier in stale:
        _erase(conn, actor, get_account(conn, identifier), "comptes.anonymiser")
    return Anonymised(list(stale), deleted)
