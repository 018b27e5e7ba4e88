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
SIGN_UPS_PER_ADDRESS = 20
"""Sign-ups one address may try in :data:`WINDOW`, like wrong passwords (a class signing up
together from a school's network shares one address: not less)."""
SIGN_UP = "inscription"


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()


def _retry_after(
    conn: sa.Connection,
    column: sa.Column[str],
    value: str,
    limit: int,
    now: datetime,
    sign_ups: bool = False,
) -> int | None:
    since = now - WINDOW
    mark = login_failures.c.email_sha256 == _digest(SIGN_UP)
    times = (
        conn.execute(
            sa.select(login_failures.c.at)
            .where(
                column == _digest(value), login_failures.c.at > since, mark if sign_ups else ~mark
            )
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
            raise _refused(f"trop de mots de passe erronés pour {who}", wait)


def _refused(reason: str, wait: int) -> TooManyAttempts:
    minutes = max(1, -(-wait // 60))
    plural = "s" if minutes > 1 else ""
    return TooManyAttempts(f"{reason} : réessayez dans {minutes} minute{plural}", retry_after=wait)


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


def check_sign_up_allowed(conn: sa.Connection, address: str, now: datetime | None = None) -> None:
    """Raise :class:`TooManyAttempts` when ``address`` tried :data:`SIGN_UPS_PER_ADDRESS`
    sign-ups in the last :data:`WINDOW`."""
    now = now or datetime.now(UTC)
    wait = _retry_after(
        conn, login_failures.c.address_sha256, address, SIGN_UPS_PER_ADDRESS, now, sign_ups=True
    )
    if wait is not None:
        raise _refused("trop d’inscriptions depuis cette adresse", wait)


def record_sign_up(conn: sa.Connection, address: str, now: datetime | None = None) -> None:
    """Count one sign-up tried from ``address``."""
    record_failure(conn, SIGN_UP, address, now)
