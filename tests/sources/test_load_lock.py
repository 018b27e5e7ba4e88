"""Two loads at once: the second waits for the first to finish writing, and gives up with a French
« another load is running » (nothing written) when it does not finish in time. SQLite's
« database is locked » never reaches the person."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.derive import write_head
from tests.snapshot import store_snapshot
from tremplin.errors import Busy
from tremplin.sources.ingest import load_paths, take_load_lock
from tremplin.store.database import open_store

pytestmark = pytest.mark.realdata

CONSTAT = Path("effectifs") / "constat_2020.csv"
BTS = Path("parcoursup") / "BTS_attractivite_capacite_2023.csv"

# The command line, in a process of its own, with the load lock's wait set to argv[1] seconds.
_COMMAND = (
    "import sys\n"
    "import tremplin.sources.ingest as ingest\n"
    "from tremplin.cli import app\n"
    "ingest.LOCK_WAIT_SECONDS = float(sys.argv[1])\n"
    "sys.argv = ['tremplin', *sys.argv[2:]]\n"
    "app()\n"
)


def _start_load(path: Path, database_url: str, wait: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _COMMAND, str(wait), "load", str(path)],
        env={**os.environ, "TREMPLIN_DATABASE_URL": database_url, "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_load_gives_up_in_french_while_another_one_writes(
    any_store: sa.Engine, sources_dir: Path, tmp_path: Path
) -> None:
    path = write_head(sources_dir / CONSTAT, tmp_path / "constat_2020.csv", 200)
    before = store_snapshot(any_store)
    with any_store.begin() as conn:
        take_load_lock(conn)
        with pytest.raises(Busy, match="un autre chargement est en cours"):
            load_paths(any_store, [path], lock_wait=0.2)
    assert store_snapshot(any_store) == before
    load_paths(any_store, [path], lock_wait=0.2)  # the lock is free again
    assert store_snapshot(any_store) != before


def test_the_command_says_another_load_is_running(
    sqlite_url: str, sources_dir: Path, tmp_path: Path
) -> None:
    """Two real processes on one SQLite file: this one holds the load lock for as long as the
    other one runs; the other one gives up with a French message and writes nothing."""
    path = write_head(sources_dir / CONSTAT, tmp_path / "constat_2020.csv", 200)
    engine = open_store(sqlite_url)
    before = store_snapshot(engine)
    with engine.begin() as conn:
        take_load_lock(conn)
        second = _start_load(path, sqlite_url, wait=0.5)
        _stdout, stderr = second.communicate(timeout=300)
    assert second.returncode == 1
    assert "Traceback" not in stderr
    assert "locked" not in stderr
    message = " ".join(stderr.split())
    assert "un autre chargement est en cours sur cette base" in message
    assert "Rien n'a été enregistré" in message
    assert store_snapshot(engine) == before
    engine.dispose()


def test_a_second_load_waits_for_the_first_one(
    sqlite_url: str, sources_dir: Path, tmp_path: Path
) -> None:
    """This process loads a file and, once it writes, starts a second process loading the same
    file: that one waits for the lock, then finds the file already loaded."""
    path = write_head(sources_dir / BTS, tmp_path / BTS.name, 300)
    engine = open_store(sqlite_url)
    started: list[subprocess.Popen[str]] = []

    def on_progress(message: str, _done: int, _total: int) -> None:
        if message.startswith("Écriture") and not started:
            started.append(_start_load(path, sqlite_url, wait=300))
            time.sleep(5)  # let it reach the lock while this transaction holds it

    first = load_paths(engine, [path], progress=on_progress)
    [second] = started
    stdout, stderr = second.communicate(timeout=300)
    assert [o.status for o in first.loaded] == ["chargé"]
    assert second.returncode == 0, stderr
    assert "0 fichier(s) chargé(s)" in " ".join(stdout.split())
    assert "1 fichier(s) inchangé(s)" in " ".join(stdout.split())
    engine.dispose()
