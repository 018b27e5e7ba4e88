"""The life of a job row, by property: whatever the order in which processes claim, report,
finish and cancel it, a job is run by one claim at a time and a finished job never changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tremplin.jobs import records
from tremplin.store.database import open_store

OPERATIONS = st.lists(
    st.sampled_from(["claim", "claim_again", "progress", "done", "failed", "cancel"]),
    max_size=12,
)


def _apply(conn: sa.Connection, identifier: str, operation: str) -> bool:
    if operation == "claim":
        return records.claim(conn, identifier) is not None
    if operation == "claim_again":
        return records.claim(conn, identifier, again=True) is not None
    if operation == "progress":
        records.report_progress(conn, identifier, 1)
        return True
    if operation == "cancel":
        return records.cancel(conn, identifier)
    status = records.TERMINEE if operation == "done" else records.ECHEC
    return records.finish(conn, identifier, status, result={"ok": 1}, error=None)


def test_a_job_follows_its_states(tmp_path_factory: pytest.TempPathFactory) -> None:
    # One store for every example (hypothesis runs them in one test): emptied before each.
    folder = tmp_path_factory.mktemp("records")
    engine = open_store(f"sqlite:///{folder}/jobs.sqlite")

    @given(OPERATIONS)
    def check(operations: list[str]) -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM jobs"))
            job = records.create(conn, "echo", {}, owner=None, quota_key="a")
            for operation in operations:
                before = records.get(conn, job.id)
                assert before is not None
                changed = _apply(conn, job.id, operation)
                after = records.get(conn, job.id)
                assert after is not None
                if before.finished:
                    assert after == before  # a finished job never changes
                    assert not changed or operation == "progress"
                elif operation == "claim":
                    assert changed == (before.status == records.EN_ATTENTE)
                elif operation in ("done", "failed"):
                    assert changed == (before.status == records.EN_COURS)
                if changed and operation.startswith("claim"):
                    assert after.status == records.EN_COURS and after.runner is not None
                if after.status == records.TERMINEE:
                    assert after.result == {"ok": 1} and after.finished_at is not None
                if after.status == records.ANNULEE:
                    assert after.result is None
                assert (records.active_count(conn) == 1) == (not after.finished)

    try:
        check()
    finally:
        engine.dispose()
