"""``tremplin demo``: write the fictional demo territory in the official file formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tremplin.cli._app import app, console, fail, plain, settings
from tremplin.demo.parameters import DEFAULT_SEED

_KINDS = {
    "LP": "lycées professionnels",
    "LPO": "lycées polyvalents",
    "LGT": "lycées généraux et technologiques",
    "CFA": "centres de formation d'apprentis",
    "COLLEGE": "collèges",
}


@app.command("demo")
def demo_command(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Dossier où écrire les fichiers (défaut : TREMPLIN_DEMO_DIR).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option("--graine", "--seed", help="Graine du tirage : même graine, mêmes fichiers."),
    ] = DEFAULT_SEED,
) -> None:
    """Écrit un territoire fictif de démonstration, aux formats des fichiers officiels."""
    from tremplin.demo import generate_demo

    folder = directory if directory is not None else settings().demo_dir
    try:
        summary = generate_demo(folder, seed=seed)
    except OSError as error:
        raise fail(f"impossible d'écrire dans {folder} : {error}") from None
    table = Table("Fichier", "Lignes", "Contenu", title="Territoire fictif de démonstration")
    for written in summary.files:
        table.add_row(written.path, f"{written.rows:,}".replace(",", "\u202f"), written.description)
    console.print(table)
    places = ", ".join(
        f"{summary.establishments[kind]} {label}"
        for kind, label in _KINDS.items()
        if kind in summary.establishments
    )
    console.print(
        f"{len(summary.files)} fichiers écrits dans [bold]{plain(folder)}[/] "
        f"(graine {summary.seed}) : {places}, tous fictifs, dans les communes réelles de "
        "l'académie de Grenoble.",
        highlight=False,
    )
    console.print(
        f"Pour les charger : [bold]tremplin load {plain(folder)}[/] "
        "(ils y seront marqués comme données de démonstration).",
        highlight=False,
    )
