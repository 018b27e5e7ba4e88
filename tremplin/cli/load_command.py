"""``tremplin load``: load official files (or folders of them) into the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tremplin.cli._app import app, console, fail, plain, settings
from tremplin.errors import TremplinError
from tremplin.formats import format_number

# The readers and the store (polars, SQLAlchemy…) are imported by the command.
if TYPE_CHECKING:
    from tremplin.sources.ingest import LoadReport


def _summary(report: LoadReport) -> Table:
    table = Table(
        "Fichier", "Jeu de données", "Millésime", "Lignes", "Rejetées", "État", title="Chargement"
    )
    for outcome in report.outcomes:
        if outcome.status == "ignoré" and outcome.note in ("fichier caché",):
            continue
        table.add_row(
            plain(outcome.path.name),
            outcome.dataset or "—",
            plain(outcome.millesime or "—"),
            format_number(outcome.rows_loaded) if outcome.dataset else "",
            format_number(outcome.rows_rejected) if outcome.dataset else "",
            plain(f"{outcome.status} {outcome.note}".strip()),
        )
    return table


@app.command("load")
def load_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Fichiers ou dossiers de fichiers officiels.")
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuser un fichier dès qu'une ligne est invalide.")
    ] = False,
    annee: Annotated[
        str | None,
        typer.Option("--annee", help="Millésime à attribuer (si le fichier ne le dit pas)."),
    ] = None,
) -> None:
    """Charge des fichiers officiels, tout ou rien ; chaque jeu est reconnu à son en-tête."""
    from tremplin.diagnostic.facts import build_derived
    from tremplin.orientation.data import orientation_data
    from tremplin.referentials.perimeter import Perimeter, PerimeterError
    from tremplin.scenarios.scenario_comparison import build_scenario_inputs
    from tremplin.sources.ingest import load_paths
    from tremplin.store.database import open_store

    current = settings()
    engine = open_store(current.database_url)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Chargement", total=None)

        def on_progress(message: str, done: int, total: int) -> None:
            bar.update(task, description=message, completed=done, total=total)

        try:
            report = load_paths(engine, paths, strict=strict, millesime=annee, progress=on_progress)
        except TremplinError as error:  # bad file, or another load running: nothing written
            engine.dispose()
            raise fail(f"{error}\nRien n'a été enregistré : la base est inchangée.") from None
        try:
            # The load is committed: the referentials, facts, scenarios' inputs and orientation
            # frames are built once, now, in transactions of their own (on failure, the next
            # command that needs them builds them).
            facts = build_derived(engine, Perimeter.load(current.perimetre), progress=on_progress)
            on_progress("Offres de 1re pro et origines des élèves (scénarios)", 0, 1)
            build_scenario_inputs(engine, facts)
            on_progress("Métiers et formations près de chez soi (orientation)", 0, 1)
            with engine.connect() as conn:
                orientation_data(conn, Perimeter.load(current.perimetre), facts)
        except PerimeterError as error:
            console.print(f"[yellow]Attention :[/] {plain(error)}", highlight=False)
        finally:
            engine.dispose()
    console.print(_summary(report))
    loaded = report.loaded
    rows = sum(o.rows_loaded for o in loaded)
    rejected = sum(o.rows_rejected for o in loaded)
    unchanged = sum(1 for o in report.outcomes if o.status == "inchangé")
    console.print(
        f"{format_number(len(loaded))} fichier(s) chargé(s), {format_number(rows)} lignes, "
        f"{format_number(rejected)} ligne(s) rejetée(s) ; {format_number(unchanged)} fichier(s) "
        "inchangé(s). Détail des rejets : « tremplin sources »."
    )
    for outcome in loaded:
        if outcome.problems:
            first = outcome.problems[0].describe(outcome.path)
            console.print(f"  [yellow]exemple de ligne rejetée[/] {plain(first)}", highlight=False)
