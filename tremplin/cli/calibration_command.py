"""``tremplin simulate calibration``: fit the choice model on Affelnet's real assignments, score
it on held-out offers, and write the figures in docs/calibration.md."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from tremplin.cli._app import settings
from tremplin.cli.simulate_command import simulate


def _load(sources: Path, folder: Path) -> str:
    """Load ``sources`` into a throwaway SQLite store in ``folder``; its URL."""
    from tremplin.sources.ingest import load_paths
    from tremplin.store.database import open_store

    url = f"sqlite:///{folder / 'calibration.sqlite'}"
    engine = open_store(url)
    try:
        load_paths(engine, [sources])
    finally:
        engine.dispose()
    return url


@simulate.command("calibration")
def calibration_command(
    sources: Annotated[
        Path | None, typer.Option("--sources", help="dossier des fichiers réels à charger")
    ] = None,
    database: Annotated[
        str | None,
        typer.Option("--database", help="URL de la base (défaut : TREMPLIN_DATABASE_URL)"),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", help="document où écrire les chiffres")
    ] = Path("docs/calibration.md"),
    evaluations: Annotated[
        int, typer.Option("--evaluations", help="nombre maximal d'évaluations de l'ajustement")
    ] = 60,
) -> None:
    """Calibration du modèle de choix (Affelnet 1re pro)."""
    # The scenario pipeline (polars, numpy, numba) is imported by the command that runs it.
    from tremplin.scenarios.calibration import run
    from tremplin.scenarios.calibration_report import summary, update_document

    with tempfile.TemporaryDirectory() as folder:
        if sources is not None:
            url = _load(sources, Path(folder))
        elif database:
            url = database
        else:
            url = settings().database_url
        report = run(url, max_evals=evaluations)
    update_document(output, report)
    # Plain lines, unwrapped, as the former ``python -m`` entry printed them.
    typer.echo(summary(report))
    typer.echo(f"Chiffres écrits dans {output}.")
