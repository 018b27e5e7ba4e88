"""Responses computed once for every process of one store.

A web server runs several processes (``tremplin serve --workers N``); each keeps in memory what it
computed, and without this table each would compute every new page once. A process that
computes a response a page or an API call gives (a function of its address, the loaded files,
the code and the settings: the caller hashes all of them into ``key``) writes it here; another
process that misses it in memory reads it here before computing it.

Rows are keyed by that hash and tagged with a ``fingerprint`` of what they depend on but the
address: :func:`forget_others` drops the rows of other fingerprints (files reloaded, code
changed) when a server starts. Writing happens in a transaction of its own and may fail (the
store is busy, another process wrote the same key first): the response is still served, and
nothing else is touched.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from tremplin.store.schema import shared_responses

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredResponse:
    """A response as kept: its status, headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes


def read(engine: sa.Engine, key: str) -> StoredResponse | None:
    """The response stored under ``key``, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                shared_responses.c.status, shared_responses.c.headers, shared_responses.c.body
            ).where(shared_responses.c.key == key)
        ).first()
    if row is None:
        return None
    return StoredResponse(row.status, json.loads(row.headers), bytes(row.body))


def write(engine: sa.Engine, key: str, fingerprint: str, response: StoredResponse) -> bool:
    """Store ``response`` under ``key``; False, having written nothing, when the store refuses
    (busy, or another process stored the same key first)."""
    row = {
        "key": key,
        "fingerprint": fingerprint,
        "created_at": datetime.now(UTC),
        "status": response.status,
        "headers": json.dumps(response.headers, ensure_ascii=False),
        "body": response.body,
    }
    try:
        with engine.begin() as conn:
            conn.execute(shared_responses.delete().where(shared_responses.c.key == key))
            conn.execute(shared_responses.insert(), [row])
    except sa.exc.SQLAlchemyError:
        _log.debug("réponse partagée non enregistrée", exc_info=True)
        return False
    return True


def forget_others(engine: sa.Engine, fingerprint: str) -> int:
    """Delete the responses stored under another fingerprint; how many were deleted (0 when
    the store refuses: they are deleted at a later start)."""
    try:
        with engine.begin() as conn:
            deleted = conn.execute(
                shared_responses.delete().where(shared_responses.c.fingerprint != fingerprint)
            )
    except sa.exc.SQLAlchemyError:
        _log.debug("réponses partagées anciennes non effacées", exc_info=True)
        return 0
    return int(deleted.rowcount or 0)


def count(engine: sa.Engine) -> int:
    """How many responses are stored."""
    with engine.connect() as conn:
        found = conn.execute(sa.select(sa.func.count()).select_from(shared_responses)).scalar()
    return int(found or 0)
