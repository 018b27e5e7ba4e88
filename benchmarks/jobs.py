"""Durable jobs: what submitting costs, how fast the store-backed queue drains, and that a
restart loses nothing.

Usage: ``python benchmarks/jobs.py`` (a fresh SQLite store in a temporary folder; nothing else
is needed). With quick jobs (each reports 3 steps, then gives its parameters back), through the
same code as simulations (:class:`~tremplin.jobs.queue.JobQueue`, the in-process pool):

- ``JOBS`` submissions: p50 and p95 of one ``submit`` (quotas checked, row written, handed to
  the pool), while the pool writes the progress of the others: target p95 ≤ 200 ms (the
  pages' p95 target);
- the pool (2 threads) draining them: jobs per second through the store;
- a restart: ``JOBS`` jobs left queued by a server that stopped, then a new pool started on
  the same store: target 0 lost.

No simulation is run: their cost is the engine's (``benchmarks/startup.py``).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tremplin.formats import format_decimal  # noqa: E402
from tremplin.jobs import records  # noqa: E402
from tremplin.jobs.kinds import JobContext  # noqa: E402
from tremplin.jobs.local_pool import LocalPool  # noqa: E402
from tremplin.jobs.queue import JobQueue  # noqa: E402
from tremplin.jobs.runner import JobRunner  # noqa: E402
from tremplin.store.database import open_store  # noqa: E402

JOBS = 300
SUBMIT_P95_MS = 200.0


def _echo(context: JobContext, parameters: Mapping[str, Any], progress: Any) -> dict[str, Any]:
    for step in (1, 2, 3):
        progress(step)
    return {"recu": dict(parameters)}


def _no_facts() -> Any:
    raise AssertionError("no facts needed")


def _pool(engine: Any) -> LocalPool:
    return LocalPool(JobRunner(JobContext(engine, _no_facts), {"echo": _echo}), size=2)


def _wait_all(engine: Any, count: int) -> None:
    while True:
        with engine.connect() as conn:
            if records.active_count(conn) == 0:
                return
        time.sleep(0.01)


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{folder}/jobs.sqlite")
        pool = _pool(engine)
        queue = JobQueue(engine, pool, per_person=JOBS, bound=JOBS)
        durations = []
        start = time.perf_counter()
        for n in range(JOBS):
            began = time.perf_counter()
            queue.submit("echo", {"n": n}, owner=None, quota_key=f"q{n % 10}")
            durations.append((time.perf_counter() - began) * 1000)
        _wait_all(engine, JOBS)
        elapsed = time.perf_counter() - start
        pool.close(wait=True)
        p50 = statistics.median(durations)
        p95 = statistics.quantiles(durations, n=20)[-1]
        verdict = "OK" if p95 <= SUBMIT_P95_MS else "ÉCHEC"
        ok &= p95 <= SUBMIT_P95_MS
        print(
            f"Soumission d'un calcul : p50 {format_decimal(p50, 1)} ms, p95 "
            f"{format_decimal(p95, 1)} ms (cible ≤ {format_decimal(SUBMIT_P95_MS, 0)} ms) "
            f"{verdict}"
        )
        print(
            f"{JOBS} calculs soumis et exécutés (2 fils) : {format_decimal(elapsed, 2)} s, "
            f"soit {format_decimal(JOBS / elapsed, 0)} calculs par seconde"
        )
        # A server that stopped with JOBS jobs queued (written, never run).
        with engine.begin() as conn:
            for n in range(JOBS):
                records.create(conn, "echo", {"n": n}, owner=None, quota_key="r")
            left = records.queued_ids(conn)
        restarted = _pool(engine)
        began = time.perf_counter()
        picked = restarted.start()
        _wait_all(engine, len(left))
        took = time.perf_counter() - began
        restarted.close(wait=True)
        with engine.connect() as conn:
            done = [records.get(conn, i) for i in left]
        lost = sum(
            1
            for j in done
            if j is None or j.status != records.TERMINEE or j.result != {"recu": j.parameters}
        )
        ok &= lost == 0 and picked == len(left)
        print(
            f"Redémarrage : {picked} calculs en file repris, {lost} perdu(s), terminés en "
            f"{format_decimal(took, 2)} s (cible : 0 perdu) {'OK' if lost == 0 else 'ÉCHEC'}"
        )
        engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
