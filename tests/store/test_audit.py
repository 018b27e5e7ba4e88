"""The audit log on SQLite and PostgreSQL: one line per write, in the write's transaction;
read newest first with UTC times; e-mails redacted; old lines purged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tremplin.store.audit import (
    Actor,
    count_audit,
    purge_older_than,
    read_audit,
    record,
    redact,
)


def test_lines_are_read_newest_first_with_before_and_after(any_store: sa.Engine) -> None:
    at = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    with any_store.begin() as conn:
        record(
            conn, Actor("a@x.fr", 1), "simulation.lancer", "simulation:ab", after={"t": "é"}, at=at
        )
        record(
            conn,
            Actor("b@x.fr", 2),
            "demande.completer",
            "demande:3",
            before={"n": 1},
            after={"n": 2},
            at=at + timedelta(hours=1),
        )
    with any_store.connect() as conn:
        log = read_audit(conn)
        assert count_audit(conn) == 2
    assert log["action"].to_list() == ["demande.completer", "simulation.lancer"]
    assert log["at"].to_list() == ["2026-11-30T11:00:00+00:00", "2026-11-30T10:00:00+00:00"]
    assert log["actor_id"].to_list() == [2, 1]
    assert json.loads(log["after"][1]) == {"t": "é"} and log["before"][1] is None


def test_a_line_stands_or_falls_with_its_write(any_store: sa.Engine) -> None:
    with pytest.raises(RuntimeError), any_store.begin() as conn:
        record(conn, Actor("a@x.fr", 1), "comptes.creer", "compte:1", after={"x": 1})
        raise RuntimeError("the write failed")
    with any_store.connect() as conn:
        assert count_audit(conn) == 0


def test_redaction_and_purge(store: sa.Engine) -> None:
    now = datetime.now(UTC)
    with store.begin() as conn:
        record(
            conn,
            Actor("a@x.fr", 1),
            "comptes.creer",
            "compte:1",
            after={"email": "a@x.fr"},
            at=now - timedelta(days=10),
        )
        record(conn, Actor("a@x.fr", 1), "simulation.lancer", "simulation:1", at=now)
        record(
            conn, Actor("b@x.fr", 2), "comptes.creer", "compte:2", after={"email": "b@x.fr"}, at=now
        )
        assert redact(conn, "compte:1", "a@x.fr", "anonyme-1") == 2
        assert purge_older_than(conn, 5, now) == 1
        log = read_audit(conn)
    text = json.dumps(log.to_dicts())
    assert "a@x.fr" not in text and "b@x.fr" in text
    assert log["actor"].to_list() == ["b@x.fr", "anonyme-1"]
