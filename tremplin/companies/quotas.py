"""Per-account limits on companies' writes, counted in the audit log.

The audit log already holds every write with its author and time, in the store every web
process shares: counting an account's lines of the last hour limits it on every process and
survives a restart, with no counter of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tremplin.errors import TooManyRequests
from tremplin.store.schema import audit_log

WRITE_ACTIONS = (
    "besoin.creer",
    "besoin.modifier",
    "besoin.fermer",
    "besoin.supprimer",
    "entreprise.creer",
    "entreprise.modifier",
    "besoin.fichier",
    "candidature.repondre",
)
"""The writes counted: one per need written by hand, one per file imported, one per answer to
an application."""
WINDOW = timedelta(hours=1)


def check_write_quota(
    conn: sa.Connection,
    account_id: int | None,
    per_hour: int,
    now: datetime | None = None,
    *,
    actions: tuple[str, ...] = WRITE_ACTIONS,
) -> None:
    """Raise :class:`TooManyRequests` (429, with ``Retry-After``) when the account wrote
    ``per_hour`` of ``actions`` (default: the companies' writes) or more in the last hour.
    Nothing for the command line."""
    if account_id is None:
        return
    now = now or datetime.now(UTC)
    since = now - WINDOW
    rows = (
        conn.execute(
            sa.select(audit_log.c.at)
            .where(
                audit_log.c.actor_id == account_id,
                audit_log.c.action.in_(actions),
                audit_log.c.at >= since,
            )
            .order_by(audit_log.c.at)
        )
        .scalars()
        .all()
    )
    if len(rows) < per_hour:
        return
    oldest = rows[len(rows) - per_hour]
    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
    wait = max(1, int((oldest + WINDOW - now).total_seconds()) + 1)
    raise TooManyRequests(
        f"trop d’écritures : au plus {per_hour} par heure pour un compte ; "
        f"réessayez dans {wait // 60 + 1} minute(s)",
        retry_after=wait,
    )
