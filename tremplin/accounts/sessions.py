"""Sessions: a web session (a cookie), an API token (``Authorization: Bearer``) or a one-time
reset link — each a random secret handed out once and kept only as its sha256.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tremplin.accounts.accounts import Account, get_account, set_password
from tremplin.errors import NotFound
from tremplin.store.audit import Actor
from tremplin.store.schema import account_sessions, accounts

WEB = "web"
API = "api"
RESET = "reinitialisation"

LIFETIMES: dict[str, timedelta] = {
    WEB: timedelta(hours=12),
    API: timedelta(hours=12),
    RESET: timedelta(hours=24),
}
"""How long each kind of secret is valid after it was handed out."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Opened:
    """A secret just handed out (shown once) and when it stops being valid."""

    secret: str
    expires_at: datetime


def open_session(conn: sa.Connection, account: Account, kind: str) -> Opened:
    """A new secret of ``kind`` (:data:`WEB`, :data:`API` or :data:`RESET`) for ``account``."""
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = now + LIFETIMES[kind]
    conn.execute(
        account_sessions.insert().values(
            token_sha256=_digest(secret),
            account_id=account.id,
            kind=kind,
            created_at=now,
            expires_at=expires,
        )
    )
    return Opened(secret, expires)


def session_account(conn: sa.Connection, secret: str, kinds: tuple[str, ...]) -> Account | None:
    """The active account whose valid secret of one of ``kinds`` is ``secret``, or None."""
    if not secret or len(secret) > 128:
        return None
    row = conn.execute(
        sa.select(account_sessions.c.account_id, account_sessions.c.expires_at)
        .join(accounts, accounts.c.id == account_sessions.c.account_id)
        .where(
            account_sessions.c.token_sha256 == _digest(secret),
            account_sessions.c.kind.in_(kinds),
            accounts.c.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC):
        return None
    return get_account(conn, row.account_id)


def close_session(conn: sa.Connection, secret: str) -> None:
    """End the session (or token, or link) ``secret``; nothing when it is unknown."""
    conn.execute(
        account_sessions.delete().where(account_sessions.c.token_sha256 == _digest(secret))
    )


def purge_expired(conn: sa.Connection) -> int:
    """Delete every expired secret; gives how many."""
    now = datetime.now(UTC)
    return conn.execute(
        account_sessions.delete().where(account_sessions.c.expires_at <= now)
    ).rowcount


def reset_password(conn: sa.Connection, secret: str, password: str) -> Account:
    """Use the one-time link ``secret`` to set a new password (the link then stops working)."""
    account = session_account(conn, secret, (RESET,))
    if account is None:
        raise NotFound("lien de réinitialisation inconnu, déjà utilisé ou expiré")
    return set_password(conn, Actor(account.email, account.id), account, password)
