"""On PostgreSQL, jobs go through procrastinate's queue to worker processes: a job queued while
no worker runs survives the web process's restart and is run by the next worker that starts,
a ``tremplin worker`` subprocess among them; its result is read by a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.jobs.helpers import context, finished, unrunnable_simulation, wait_for
from tremplin.jobs import records
from tremplin.jobs.kinds import SIMULATION
from tremplin.jobs.queue import JobQueue, open_queue
from tremplin.jobs.runner import JobRunner
from tremplin.jobs.visibility import ANONYMOUS
from tremplin.store.database import open_store

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]

# A worker process whose kinds are the tests' (the CLI's worker runs the real kinds): « echo »,
# and « bloque », which works while the file argv[2] exists. argv[3]: « une-fois » to stop when
# the queue is empty; a worker silent for 1 s is taken for dead.
_TEST_WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tests.jobs.helpers import blocked_while, context, echo
    from tremplin.jobs.procrastinate_queue import run_worker
    from tremplin.jobs.runner import JobRunner
    from tremplin.store.database import open_store

    url, flag, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    engine = open_store(url)
    kinds = {"echo": echo, "bloque": blocked_while(flag)}
    run_worker(url, JobRunner(context(engine), kinds), once=mode == "une-fois", stalled_after=1)
    engine.dispose()
    """
)


_CLI = [sys.executable, "-c", "from tremplin.cli import app; app()"]


def _open(url: str) -> tuple[sa.Engine, JobQueue]:
    """What a web process opens: the store, and the queue (procrastinate's on PostgreSQL)."""
    engine = open_store(url)
    runner = JobRunner(context(engine))
    return engine, open_queue(engine, url, runner, per_person=5, bound=10, pool_size=1)


def _run(arguments: list[str], url: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = os.environ | {"TREMPLIN_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    environment |= variables
    return subprocess.run(
        arguments, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


def _procrastinate_states(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT status FROM procrastinate_jobs ORDER BY id"))
        return [str(status) for (status,) in rows]


def test_a_job_queued_before_a_restart_is_run_by_the_next_worker(postgres_url: str) -> None:
    engine, queue = _open(postgres_url)
    try:
        first = queue.submit("echo", {"etapes": 2}, owner=None, quota_key="a", progress_total=2)
        second = queue.submit("echo", {"etapes": 1}, owner="alice", quota_key="compte:alice")
    finally:
        queue.close()
        engine.dispose()  # the web process stops; no worker has run
    engine, queue = _open(postgres_url)  # it starts again
    try:
        assert queue.get(first.id, ANONYMOUS).status == records.EN_ATTENTE
        assert _procrastinate_states(engine) == ["todo", "todo"]
        worker = _run(
            [sys.executable, "-c", _TEST_WORKER, postgres_url, "-", "une-fois"], postgres_url
        )
        assert worker.returncode == 0, worker.stderr
        done = finished(engine, first.id, timeout=5)
        assert done.status == records.TERMINEE, done.error
        assert done.result == {"recu": {"etapes": 2}} and done.progress == 2
        assert done.runner is not None and not done.runner.endswith(f":{os.getpid()}")
        assert finished(engine, second.id, timeout=5).owner == "alice"
        assert _procrastinate_states(engine) == ["succeeded", "succeeded"]
    finally:
        queue.close()
        engine.dispose()


def test_a_job_whose_worker_is_killed_is_finished_by_the_next_worker(
    postgres_url: str, tmp_path: Path
) -> None:
    flag = tmp_path / "bloque"
    flag.touch()
    engine, queue = _open(postgres_url)
    environment = os.environ | {"PYTHONPATH": str(ROOT)}
    killed = subprocess.Popen(
        [sys.executable, "-c", _TEST_WORKER, postgres_url, str(flag), "attendre"],
        cwd=ROOT,
        env=environment,
    )
    try:
        job = queue.submit("bloque", {}, owner=None, quota_key="a")
        wait_for(engine, job.id, lambda j: j.status == records.EN_COURS and j.progress > 2)
        killed.kill()  # the machine goes away mid-job: no clean shutdown, no heartbeat
        killed.wait(30)
        time.sleep(1.5)
        left = queue.get(job.id, ANONYMOUS)
        assert left.status == records.EN_COURS
        flag.unlink()  # the next run of the job ends at once
        worker = _run(
            [sys.executable, "-c", _TEST_WORKER, postgres_url, str(flag), "une-fois"],
            postgres_url,
        )
        assert worker.returncode == 0, worker.stderr
        done = finished(engine, job.id, timeout=5)
        assert done.status == records.TERMINEE and done.result == {"etapes": 0}
        assert _procrastinate_states(engine) == ["succeeded"]
    finally:
        if killed.poll() is None:
            killed.kill()
            killed.wait(30)
        queue.close()
        engine.dispose()


def test_the_worker_command_runs_queued_simulations(postgres_url: str) -> None:
    engine, queue = _open(postgres_url)
    try:
        # A simulation on a store where nothing is loaded: the worker runs it, and it fails
        # saying why, in French.
        job = queue.submit(
            SIMULATION,
            unrunnable_simulation(),
            owner=None,
            quota_key="a",
            progress_total=1,
        )
        command = [*_CLI, "worker", "--une-fois"]
        worker = _run(command, postgres_url)
        assert worker.returncode == 0, worker.stderr
        assert "Worker Tremplin : 1 calcul(s) à la fois" in worker.stdout
        # Simulations leave the processor to the web: niceness 10 by default (never raised).
        assert f"priorité {max(10, os.nice(0))} (nice)" in worker.stdout
        done = finished(engine, job.id, timeout=5)
        assert done.status == records.ECHEC and done.started_at is not None
        # The library's own French message (not « erreur interne »): the scenario was read
        # back from the job's JSON and replayed on the store's (empty) facts.
        assert done.error == "aucune offre dans le territoire « region:84 »"
    finally:
        queue.close()
        engine.dispose()


def test_the_worker_priority_is_a_setting(postgres_url: str) -> None:
    lowest = _run([*_CLI, "worker", "--une-fois"], postgres_url, TREMPLIN_JOBS_PRIORITE="19")
    assert lowest.returncode == 0, lowest.stderr
    assert "priorité 19 (nice)" in lowest.stdout
    wrong = _run([*_CLI, "worker", "--une-fois"], postgres_url, TREMPLIN_JOBS_PRIORITE="20")
    assert wrong.returncode != 0
    assert "priorité invalide « 20 »" in wrong.stdout + wrong.stderr
    assert "TREMPLIN_JOBS_PRIORITE" in wrong.stdout + wrong.stderr


def test_the_worker_command_needs_postgresql(sqlite_url: str) -> None:
    worker = _run([*_CLI, "worker", "--une-fois"], sqlite_url)
    assert worker.returncode == 1
    assert "« tremplin worker » demande une base PostgreSQL" in worker.stderr
