"""The audit log: every write of the application, with who, when, what, before and after.

:func:`record` is the one function every feature calls inside the transaction of its write (an
account created, a simulation queued, a request completed…), so that the write and its line in
the log stand or fall together. ``before`` and ``after`` are JSON-ready mappings of what changed
(``None`` when there was nothing before, or nothing after a deletion); secrets (password hashes,
tokens) are never passed in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.store.schema import audit_log

SYSTEM = "système"
"""The actor of writes no person asked for (scheduled anonymisation, purges)."""
COMMAND_LINE = "ligne de commande"
"""The actor of writes made with ``tremplin`` on the server (its operator)."""


@dataclass(frozen=True)
class Actor:
    """Who writes: an account (its id and e-mail) or the command line / the system."""

    label: str
    account_id: int | None = None


def _document(value: Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(dict(value), ensure_ascii=False, sort_keys=True, default=str)


def record(
    conn: sa.Connection,
    actor: Actor,
    action: str,
    target: str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Write one line of the audit log, in ``conn``'s transaction.

    ``action`` is the policy's name of what was done (« comptes.creer », « simulation.lancer »);
    ``target`` names the row written (« compte:12 », « simulation:ab12… »).
    """
    conn.execute(
        audit_log.insert().values(
            at=at or datetime.now(UTC),
            actor_id=actor.account_id,
            actor=actor.label,
            action=action,
            target=target,
            before=_document(before),
            after=_document(after),
        )
    )


def record_many(
    conn: sa.Connection,
    actor: Actor,
    action: str,
    lines: list[tuple[str, Mapping[str, Any] | None]],
    *,
    at: datetime | None = None,
) -> None:
    """Write one line of the audit log per (target, after) of ``lines``, in one insert (a page
    showing fifty profiles writes fifty lines in one statement)."""
    if not lines:
        return
    when = at or datetime.now(UTC)
    conn.execute(
        audit_log.insert(),
        [
            {
                "at": when,
                "actor_id": actor.account_id,
                "actor": actor.label,
                "action": action,
                "target": target,
                "before": None,
                "after": _document(after),
            }
            for target, after in lines
        ],
    )


AUDIT_COLUMNS = ("id", "at", "actor", "actor_id", "action", "target", "before", "after")


def read_audit(conn: sa.Connection, *, limit: int | None = None, offset: int = 0) -> pl.DataFrame:
    """The audit log, newest first (``limit`` lines from ``offset`` when given); ``at`` as
    ISO 8601 text in UTC (« 2026-11-30T11:19:34+00:00 »), the same on every backend."""
    query = sa.select(*(audit_log.c[name] for name in AUDIT_COLUMNS)).order_by(
        audit_log.c.id.desc()
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = [row._asdict() for row in conn.execute(query)]
    for row in rows:
        at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=UTC)
        row["at"] = at.astimezone(UTC).isoformat(timespec="seconds")
    schema = {
        "id": pl.Int64,
        "at": pl.String,
        "actor": pl.String,
        "actor_id": pl.Int64,
        "action": pl.String,
        "target": pl.String,
        "before": pl.String,
        "after": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def count_audit(conn: sa.Connection) -> int:
    """How many lines the audit log holds."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one())


def redact(conn: sa.Connection, target: str, secret: str, replacement: str) -> int:
    """Replace ``secret`` (an e-mail being erased) by ``replacement`` in the lines about
    ``target`` and in the actor of the lines it wrote; gives how many lines changed."""
    changed = 0
    rows = conn.execute(
        sa.select(audit_log.c.id, audit_log.c.actor, audit_log.c.before, audit_log.c.after).where(
            sa.or_(audit_log.c.target == target, audit_log.c.actor == secret)
        )
    ).all()
    for row in rows:
        values = {
            name: (getattr(row, name) or "").replace(secret, replacement) or None
            for name in ("before", "after")
        }
        actor = replacement if row.actor == secret else row.actor
        conn.execute(
            audit_log.update().where(audit_log.c.id == row.id).values(actor=actor, **values)
        )
        changed += 1
    return changed


def purge_older_than(conn: sa.Connection, days: int, now: datetime | None = None) -> int:
    """Delete the lines older than ``days`` days; gives how many were deleted."""
    limit = (now or datetime.now(UTC)) - timedelta(days=days)
    return conn.execute(audit_log.delete().where(audit_log.c.at < limit)).rowcount
