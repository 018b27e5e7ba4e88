"""``tremplin sources``: what is loaded, from which files, and which rows were rejected."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tremplin.cli._app import app, console, plain, settings
from tremplin.formats import format_number


def _formats_table() -> Table:
    from tremplin.sources.registry import DATASETS

    table = Table(
        "Jeu", "Intitulé", "Producteur", "Colonnes obligatoires", title="Formats reconnus"
    )
    for dataset in DATASETS:
        required = ", ".join(c.aliases[0] for c in dataset.required)
        table.add_row(dataset.name, dataset.title, dataset.producer, required)
    return table


@app.command("sources")
def sources_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="Sortie JSON : un objet par fichier chargé.")
    ] = False,
    formats: Annotated[
        bool, typer.Option("--formats", help="Lister les jeux de données reconnus.")
    ] = False,
    rejets: Annotated[
        int, typer.Option("--rejets", help="Nombre de lignes rejetées montrées par fichier.")
    ] = 5,
) -> None:
    """Montre les données chargées : jeux, millésimes, lignes, fichiers, empreintes et rejets."""
    from tremplin.store.database import open_store
    from tremplin.store.provenance import list_loaded_files, list_rejected_rows

    if formats:
        console.print(_formats_table())
        return
    engine = open_store(settings().database_url)
    try:
        with engine.connect() as conn:
            files = list_loaded_files(conn)
            if as_json:
                typer.echo(json.dumps([f.as_json() for f in files], ensure_ascii=False, indent=2))
                return
            if not files:
                console.print(
                    "Aucune donnée chargée. Lancez « tremplin load DOSSIER » ou « tremplin demo »."
                )
                return
            table = Table(
                "Jeu",
                "Millésime",
                "Fichier",
                "Lignes",
                "Rejetées",
                "Secret (*)",
                "sha256",
                title="Sources chargées",
            )
            for f in files:
                table.add_row(
                    plain(f.dataset + (f" ({f.variant})" if f.variant else "")),
                    plain(f.millesime or "—"),
                    plain(f.file_name) + (" \\[démo]" if f.is_demo else ""),
                    format_number(f.rows_loaded),
                    format_number(f.rows_rejected),
                    format_number(f.cells_suppressed),
                    f.sha256[:12],
                )
            console.print(table)
            for f in files:
                for warning in f.warnings:
                    console.print(
                        f"[bold]Attention[/] : {plain(f.file_name)} — {plain(warning)}",
                        highlight=False,
                    )
            for f in files:
                if not f.rows_rejected:
                    continue
                console.print(
                    f"[bold]{plain(f.file_name)}[/] : {format_number(f.rows_rejected)} ligne(s) "
                    "rejetée(s)"
                )
                for row in list_rejected_rows(conn, f.id, limit=rejets):
                    column = f", colonne « {row.column} »" if row.column else ""
                    console.print(
                        plain(f"  ligne {row.line}{column} : {row.reason} (« {row.value or ''} »)"),
                        highlight=False,
                    )
    finally:
        engine.dispose()
