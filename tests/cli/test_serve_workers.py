"""``tremplin serve --workers N``: several uvicorn processes on one PostgreSQL store read the
same jobs (a simulation queued by one is read by every process, over loopback); on SQLite the
option is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import port_for
import pytest
from typer.testing import CliRunner

from tests.jobs.helpers import unrunnable_simulation
from tremplin.cli import app
from tremplin.jobs import records
from tremplin.jobs.kinds import SIMULATION
from tremplin.store.database import open_store

ROOT = Path(__file__).resolve().parents[2]
_CLI = [sys.executable, "-c", "from tremplin.cli import app; app()"]
TITLE = "Lu par chaque processus"


@pytest.mark.postgres
def test_every_web_process_reads_the_jobs_of_the_store(postgres_url: str) -> None:
    engine = open_store(postgres_url)
    try:
        with engine.begin() as conn:
            job = records.create(
                conn,
                SIMULATION,
                unrunnable_simulation(TITLE),
                owner=None,
                quota_key="a",
                progress_total=1,
            )
    finally:
        engine.dispose()
    port = port_for.select_random()
    environment = os.environ | {
        "TREMPLIN_DATABASE_URL": postgres_url,
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [*_CLI, "serve", "--workers", "2", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        answers = []
        deadline = time.monotonic() + 120
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            while len(answers) < 20:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the web processes did not answer"
                try:
                    # A new connection each time: the kernel spreads them over the processes.
                    answer = client.get(
                        f"/api/v1/simulations/{job.id}", headers={"connection": "close"}
                    )
                except httpx.TransportError:
                    time.sleep(0.2)
                    continue
                answers.append(answer)
        assert {a.status_code for a in answers} == {200}
        assert {a.json()["statut"] for a in answers} == {"en_attente"}
        assert {a.json()["scenario"]["titre"] for a in answers} == {TITLE}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert "par 2 processus" in output


def test_several_web_processes_need_postgresql(sqlite_url: str) -> None:
    result = CliRunner().invoke(
        app, ["serve", "--workers", "2"], env={"TREMPLIN_DATABASE_URL": sqlite_url}
    )
    assert result.exit_code == 1
    assert "« --workers » au-delà de 1 demande une base PostgreSQL" in result.output
