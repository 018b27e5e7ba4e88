"""Jobs as rows of the store, run by the in-process pool: results, quotas, cancelling, reading
rules, and what a restart picks up again; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.jobs.helpers import context, echo, finished, gated, wait_for
from tremplin.errors import Busy, NotFound, TooManyRequests
from tremplin.jobs import records
from tremplin.jobs.local_pool import LocalPool
from tremplin.jobs.queue import RETRY_AFTER, JobQueue
from tremplin.jobs.runner import INTERNAL_ERROR, JobRunner
from tremplin.jobs.visibility import ANONYMOUS, Viewer, may_read
from tremplin.store.audit import Actor, read_audit


def _queue(engine: sa.Engine, kinds: dict, *, per_person: int = 5, bound: int = 10) -> JobQueue:
    pool = LocalPool(JobRunner(context(engine), kinds), size=1)
    pool.start()
    return JobQueue(engine, pool, per_person=per_person, bound=bound)


def test_a_job_reports_its_progress_and_keeps_its_result(any_store: sa.Engine) -> None:
    queue = _queue(any_store, {"echo": echo})
    try:
        job = queue.submit(
            "echo", {"etapes": 3, "texte": "été"}, owner=None, quota_key="a", progress_total=3
        )
        assert job.status == records.EN_ATTENTE and job.owner is None
        done = finished(any_store, job.id)
    finally:
        queue.close(wait=True)
    assert done.status == records.TERMINEE, done.error
    assert done.result == {"recu": {"etapes": 3, "texte": "été"}}
    assert (done.progress, done.progress_total) == (3, 3)
    assert done.created_at <= done.started_at <= done.finished_at  # type: ignore[operator]
    assert done.runner is not None and done.runner.endswith(":" + str(__import__("os").getpid()))


def test_a_failing_job_says_why_in_french(any_store: sa.Engine) -> None:
    def broken(*_: object) -> dict:
        raise ZeroDivisionError

    queue = _queue(any_store, {"casse": broken})
    try:
        failed = finished(any_store, queue.submit("casse", {}, owner=None, quota_key="a").id)
        unknown = finished(any_store, queue.submit("inconnu", {}, owner=None, quota_key="a").id)
    finally:
        queue.close(wait=True)
    assert (failed.status, failed.error, failed.result) == (records.ECHEC, INTERNAL_ERROR, None)
    assert unknown.status == records.ECHEC
    assert unknown.error == "type de calcul « inconnu » inconnu"


def test_quotas_per_person_then_overall(any_store: sa.Engine) -> None:
    release = threading.Event()
    queue = _queue(any_store, {"attente": gated(release)}, per_person=2, bound=3)
    try:
        first = queue.submit("attente", {}, owner=None, quota_key="alice")
        queue.submit("attente", {}, owner=None, quota_key="alice")
        with pytest.raises(TooManyRequests) as refused:
            queue.submit("attente", {}, owner=None, quota_key="alice")
        assert refused.value.status == 429 and refused.value.retry_after == RETRY_AFTER
        assert str(refused.value).startswith("vous avez déjà 2 simulations en attente ou en cours")
        queue.submit("attente", {}, owner="bob", quota_key="compte:bob")
        with pytest.raises(Busy) as full:
            queue.submit("attente", {}, owner=None, quota_key="carole")
        assert type(full.value) is Busy and full.value.status == 503
        assert full.value.retry_after == RETRY_AFTER
        assert "la file des simulations est pleine (3 en attente ou en cours)" in str(full.value)
        with any_store.connect() as conn:
            assert records.active_count(conn) == 3
            assert records.active_count(conn, "alice") == 2
        release.set()
        assert finished(any_store, first.id).status == records.TERMINEE
        wait_for(any_store, first.id, lambda _: _active(any_store) == 0)
        queue.submit("attente", {}, owner=None, quota_key="alice")  # room again
    finally:
        release.set()
        queue.close(wait=True)


def _active(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return records.active_count(conn)


def test_a_cancelled_job_stops_at_its_next_step(any_store: sa.Engine) -> None:
    release, started = threading.Event(), threading.Event()
    queue = _queue(any_store, {"attente": gated(release, started)})
    try:
        running = queue.submit("attente", {}, owner=None, quota_key="a")
        waiting = queue.submit("attente", {}, owner=None, quota_key="a")
        assert started.wait(30)
        assert queue.cancel(waiting.id, ANONYMOUS).status == records.ANNULEE
        cancelled = queue.cancel(running.id, ANONYMOUS)
        assert cancelled.status == records.ANNULEE and cancelled.finished_at is not None
        stopped = wait_for(any_store, running.id, lambda j: j.status == records.ANNULEE)
        assert stopped.result is None
        assert queue.cancel(running.id, ANONYMOUS).status == records.ANNULEE  # stays so
    finally:
        release.set()
        queue.close(wait=True)
    with any_store.connect() as conn:
        assert records.get(conn, waiting.id).started_at is None  # type: ignore[union-attr]


def test_ids_are_random_and_read_only_by_who_may(any_store: sa.Engine) -> None:
    queue = _queue(any_store, {"echo": echo})
    try:
        anonymous = queue.submit("echo", {}, owner=None, quota_key="adresse:x")
        owned = queue.submit("echo", {}, owner="alice", quota_key="compte:alice")
        finished(any_store, anonymous.id), finished(any_store, owned.id)
        assert re.fullmatch(r"[0-9a-f]{32}", anonymous.id)
        assert len({records.new_id() for _ in range(10_000)}) == 10_000
        # An anonymous visitor's job is read through its id, by anyone who holds it.
        assert queue.get(anonymous.id, ANONYMOUS).id == anonymous.id
        # An owned job: by its owner, by whom the policy allows, by nobody else.
        alice, mallory = Viewer("alice"), Viewer("mallory")
        assert queue.get(owned.id, alice).id == owned.id
        for stranger in (ANONYMOUS, mallory):
            with pytest.raises(NotFound):
                queue.get(owned.id, stranger)
        auditor = Viewer("audit", allowed_by_policy=lambda job: job.kind == "echo")
        assert may_read(queue.get(owned.id, auditor), auditor)
        # Unknown ids and ids of others answer the same; a prefix finds nothing.
        for probe in (owned.id[:-1] + "0", owned.id[:8], "%", "' OR 1=1 --"):
            with pytest.raises(NotFound):
                queue.get(probe, mallory)
        # Lists: one's own jobs and the ids one holds, never others'.
        assert queue.jobs(ANONYMOUS) == []
        assert [j.id for j in queue.jobs(mallory)] == []
        assert [j.id for j in queue.jobs(alice)] == [owned.id]
        assert [j.id for j in queue.jobs(ANONYMOUS, [anonymous.id, owned.id])] == [anonymous.id]
    finally:
        queue.close(wait=True)


def _dead_pid() -> int:
    finished_process = subprocess.run(["true"], check=True)
    assert finished_process.returncode == 0
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_restart_runs_what_a_stopped_process_left(any_store: sa.Engine) -> None:
    # What a process that stopped leaves in the store: a queued job, a job it was running,
    # and a job another live process (this one) is running.
    with any_store.begin() as conn:
        queued = records.create(conn, "echo", {"n": 1}, owner=None, quota_key="a")
        interrupted = records.create(conn, "echo", {"n": 2}, owner=None, quota_key="a")
        alive = records.create(conn, "echo", {"n": 3}, owner=None, quota_key="a")
        records.claim(conn, interrupted.id)
        records.claim(conn, alive.id)
        host = records.this_runner().rpartition(":")[0]
        conn.execute(
            sa.text("UPDATE jobs SET runner = :runner, progress = 4 WHERE id = :id"),
            {"runner": f"{host}:{_dead_pid()}", "id": interrupted.id},
        )
    pool = LocalPool(JobRunner(context(any_store), {"echo": echo}))
    try:
        assert pool.start() == 2
        for job in (queued, interrupted):
            assert finished(any_store, job.id).result == {"recu": {"n": job.parameters["n"]}}
    finally:
        pool.close(wait=True)
    with any_store.connect() as conn:
        assert records.get(conn, alive.id).status == records.EN_COURS  # type: ignore[union-attr]


def test_finished_jobs_are_pruned_after_a_while(any_store: sa.Engine) -> None:
    queue = _queue(any_store, {"echo": echo})
    try:
        old = finished(any_store, queue.submit("echo", {}, owner=None, quota_key="a").id)
    finally:
        queue.close(wait=True)
    with any_store.begin() as conn:
        assert records.prune(conn, timedelta(days=1)) == 0
        conn.execute(
            sa.text("UPDATE jobs SET finished_at = :old WHERE id = :id"),
            {"old": old.finished_at - timedelta(days=2), "id": old.id},  # type: ignore[operator]
        )
        assert records.prune(conn, timedelta(days=1)) == 1
        assert records.get(conn, old.id) is None


def test_a_job_submitted_or_cancelled_for_an_actor_is_in_the_audit_log(
    any_store: sa.Engine,
) -> None:
    release = threading.Event()
    queue = _queue(any_store, {"attente": gated(release)})
    planner, visitor = Actor("pilote@ac-lyon.test", 7), Actor("visiteur")
    said = {"titre": "Été", "territoire": "academie:10", "changements": 2}
    try:
        first = queue.submit(
            "attente", {}, owner="7", quota_key="compte:7", actor=planner, audited=said
        )
        second = queue.submit("attente", {}, owner=None, quota_key="b", actor=visitor)
        silent = queue.submit("attente", {}, owner=None, quota_key="c")  # no actor: no line
        wait_for(any_store, first.id, lambda job: job.status == records.EN_COURS)
        # The second waits while the first holds the pool's one slot: cancelled first, it is
        # still queued (cancelled after, it could have started in the freed slot).
        queue.cancel(second.id, ANONYMOUS, actor=visitor)
        queue.cancel(second.id, ANONYMOUS, actor=visitor)  # already cancelled: no write
        queue.cancel(first.id, Viewer("7"), actor=planner, audited=said)
    finally:
        release.set()
        queue.close(wait=True)
    with any_store.connect() as conn:
        log = read_audit(conn).to_dicts()
    assert not any(line["target"] == f"attente:{silent.id}" for line in log)
    lines = [
        (line["actor"], line["actor_id"], line["action"], line["target"]) for line in reversed(log)
    ]
    assert lines == [
        ("pilote@ac-lyon.test", 7, "attente.lancer", f"attente:{first.id}"),
        ("visiteur", None, "attente.lancer", f"attente:{second.id}"),
        ("visiteur", None, "attente.annuler", f"attente:{second.id}"),
        ("pilote@ac-lyon.test", 7, "attente.annuler", f"attente:{first.id}"),
    ]
    launched, _, queued, cancelled = reversed(log)
    assert launched["before"] is None and json.loads(launched["after"]) == said
    assert json.loads(cancelled["before"]) == said | {"statut": records.EN_COURS}
    assert json.loads(cancelled["after"]) == said | {"statut": records.ANNULEE}
    assert json.loads(queued["before"]) == {"statut": records.EN_ATTENTE}
