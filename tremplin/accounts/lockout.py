"""Repeated wrong passwords: after too many in a window, refuse for a while (429).

Two counts, over the last :data:`WINDOW`: per account (:data:`PER_ACCOUNT` failures lock the
e-mail, whoever tries it) and per address (:data:`PER_ADDRESS` failures lock the address,
whatever e-mail it tries). A lock is checked before the password, so a locked account cannot be
guessed at even with the right password. Failures are kept as sha256 of the e-mail and the
address (no personal data), and deleted when they leave the window.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tremplin.errors import TooManyAttempts
from tremplin.store.schema import login_failures

WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 20


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()


def _retry_after(
    conn: sa.Connection, column: sa.Column[str], value: str, limit: int, now: datetime
) -> int | None:
    since = now - WINDOW
    times = (
        conn.execute(
            sa.select(login_failures.c.at)
            .where(column == _digest(value), login_failures.c.at > since)
            .order_by(login_failures.c.at.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if len(times) < limit:
        return None
    # Locked until the oldest of the last ``limit`` failures leaves the window.
    oldest: datetime = min(t if t.tzinfo else t.replace(tzinfo=UTC) for t in times)
    return math.ceil((oldest + WINDOW - now).total_seconds())


def check_allowed(
    conn: sa.Connection, email: str, address: str, now: datetime | None = None
) -> None:
    """Raise :class:`TooManyAttempts` (with its ``retry_after``) when ``email`` or ``address``
    has failed too often in the last :data:`WINDOW`."""
    now = now or datetime.now(UTC)
    for column, value, limit, who in (
        (login_failures.c.email_sha256, email, PER_ACCOUNT, "ce compte"),
        (login_failures.c.address_sha256, address, PER_ADDRESS, "cette adresse"),
    ):
        wait = _retry_after(conn, column, value, limit, now)
        if wait is not None:
            minutes = max(1, -(-wait // 60))
            raise TooManyAttempts(
                f"trop de mots de passe erronés pour {who} : réessayez dans {minutes} minute"
                + ("s" if minutes > 1 else ""),
                retry_after=wait,
            )


def record_failure(
    conn: sa.Connection, email: str, address: str, now: datetime | None = None
) -> None:
    """Count one wrong password for ``email`` from ``address`` (and forget failures past the
    window)."""
    now = now or datetime.now(UTC)
    conn.execute(login_failures.delete().where(login_failures.c.at <= now - WINDOW))
    conn.execute(
        login_failures.insert().values(
            email_sha256=_digest(email), address_sha256=_digest(address), at=now
        )
    )


def clear_account(conn: sa.Connection, email: str) -> None:
    """Forget the failures of ``email`` (after a successful login)."""
    conn.execute(login_failures.delete().where(login_failures.c.email_sha256 == _digest(email)))
