"""Derived data built once: frames computed from the loaded files, kept in the store.

What every process would otherwise recompute from the loaded rows (the referentials, the
diagnostic's facts, a scenario's offers and origins) is written once to ``derived_frames`` as
Arrow IPC bytes (zstd), under a *fingerprint*: a sha256 of the sha256 of every loaded file, of a
version of the derivation code, and of whatever else the frames depend on (the perimeter…). A
process reads the stored bytes when the fingerprint matches, and rebuilds — then stores — when it
does not: a new or corrected file, another perimeter, a new version of the code.

Writing happens in its own transaction, after the load committed: when it fails (the database is
locked, the disk is full…), nothing is written, the frames are still returned, and the next
process that needs them builds them again. The loaded data is never touched.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

import polars as pl
import sqlalchemy as sa

from tremplin.store.schema import derived_frames, source_files

DERIVATION_VERSION = "1"
"""Bump when a builder of derived frames changes what it gives: stored frames are then rebuilt."""

builds: Counter[str] = Counter()
"""How many times each group of frames was built (not read) in this process."""

_log = logging.getLogger(__name__)


def files_fingerprint(conn: sa.Connection) -> str:
    """``<number of loaded files>:<sha256>`` of the loaded files' sha256 and the derivation
    version: changes whenever a file is loaded, replaced or removed (``0:…`` when none is)."""
    hashes = sorted(conn.execute(sa.select(source_files.c.sha256)).scalars())
    digest = hashlib.sha256(DERIVATION_VERSION.encode())
    for sha256 in hashes:
        digest.update(sha256.encode())
    return f"{len(hashes)}:{digest.hexdigest()}"


def fingerprint(*parts: str) -> str:
    """One sha256 (64 hex digits) of ``parts``, in order."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _to_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    # lz4 rather than zstd: the frames are read by every cold command, and lz4 decompresses the
    # diagnostic's offers (~9 MB) about 20 % faster, for a payload twice as large.
    frame.write_ipc(buffer, compression="lz4")
    return buffer.getvalue()


def read_frames(
    conn: sa.Connection, names: Sequence[str], key: str
) -> dict[str, pl.DataFrame] | None:
    """The frames ``names`` stored under ``key``, or None when one of them is missing or was
    stored under another key."""
    rows = conn.execute(
        sa.select(derived_frames.c.name, derived_frames.c.payload).where(
            derived_frames.c.name.in_(names), derived_frames.c.fingerprint == key
        )
    ).all()
    if len(rows) != len(names):
        return None
    return {name: pl.read_ipc(io.BytesIO(payload)) for name, payload in rows}


def write_frames(engine: sa.Engine, frames: Mapping[str, pl.DataFrame], key: str) -> bool:
    """Store ``frames`` under ``key`` in one transaction of their own, replacing what was stored
    under those names. Returns False, having written nothing, when the store refuses."""
    now = datetime.now(UTC)
    rows = [
        {"name": name, "fingerprint": key, "created_at": now, "payload": _to_bytes(frame)}
        for name, frame in frames.items()
    ]
    try:
        with engine.begin() as conn:
            conn.execute(derived_frames.delete().where(derived_frames.c.name.in_(list(frames))))
            conn.execute(derived_frames.insert(), rows)
    except sa.exc.SQLAlchemyError:
        # Another process stored them first, or the store is busy: they are built again later.
        _log.warning("données dérivées non enregistrées : %s", ", ".join(frames), exc_info=True)
        return False
    return True


def cached_frames(
    conn: sa.Connection,
    names: Sequence[str],
    key: str,
    build: Callable[[], Mapping[str, pl.DataFrame]],
) -> dict[str, pl.DataFrame]:
    """The frames ``names`` stored under ``key``; else ``build()`` them and store them.

    ``conn`` reads; writing goes through a connection of its own on the same engine, so that it
    commits whatever ``conn`` is doing.
    """
    found = read_frames(conn, names, key)
    if found is not None:
        return found
    built = dict(build())
    builds.update(names)
    write_frames(conn.engine, built, key)
    return built
