"""``tremplin worker``: run the store's queued jobs (simulations), on PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from tremplin.cli._app import app, console, fail, plain, settings


def lower_priority(niceness: int) -> int:
    """Lower this process's priority for the processor to ``niceness`` (never raise it: that
    needs rights); gives the niceness it then has. Simulations are background work: on a
    machine that also serves pages, the web processes keep the processor they need."""
    import os

    current = os.nice(0)
    if niceness > current:
        current = os.nice(niceness - current)
    return current


@app.command("worker")
def worker_command(
    paralleles: Annotated[
        int | None,
        typer.Option(
            "--paralleles",
            help="Calculs menés en même temps par ce worker (défaut : TREMPLIN_JOBS_PARALLELES).",
            min=1,
            max=64,
        ),
    ] = None,
    une_fois: Annotated[
        bool,
        typer.Option("--une-fois", help="S'arrêter quand la file est vide (sinon : attendre)."),
    ] = False,
) -> None:
    """Exécute les simulations en file (base PostgreSQL) ; autant de workers que voulu, sur
    toute machine qui atteint la base."""
    from sqlalchemy.exc import SQLAlchemyError

    from tremplin.diagnostic.facts import FactsCache
    from tremplin.jobs.kinds import JobContext
    from tremplin.jobs.procrastinate_queue import ensure_schema, run_worker
    from tremplin.jobs.runner import JobRunner
    from tremplin.referentials.perimeter import Perimeter
    from tremplin.store.database import open_store

    current = settings()
    try:
        engine = open_store(current.database_url)
    except SQLAlchemyError as error:
        raise fail(f"impossible d'ouvrir la base {current.database_url} : {error}") from error
    if engine.dialect.name != "postgresql":
        engine.dispose()
        raise fail(
            "« tremplin worker » demande une base PostgreSQL (TREMPLIN_DATABASE_URL) ; "
            "sur SQLite, les simulations tournent dans le serveur web (« tremplin serve »)"
        )
    ensure_schema(engine)
    facts = FactsCache(engine, Perimeter.load(current.perimetre))
    runner = JobRunner(JobContext(engine, facts.get))
    concurrency = paralleles or current.jobs_paralleles
    niceness = lower_priority(current.jobs_priorite)
    console.print(
        f"Worker Tremplin : {concurrency} calcul(s) à la fois, priorité {niceness} (nice), sur "
        f"{plain(engine.url.render_as_string(hide_password=True))}"
        + (" jusqu'à ce que la file soit vide." if une_fois else " (Ctrl+C pour arrêter)."),
        highlight=False,
    )
    try:
        run_worker(current.database_url, runner, concurrency=concurrency, once=une_fois)
    finally:
        engine.dispose()
