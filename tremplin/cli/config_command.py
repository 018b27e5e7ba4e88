"""``tremplin config``: print every setting, its value and what it is for."""

from __future__ import annotations

from rich.table import Table

from tremplin.cli._app import app, console, plain, settings


@app.command("config")
def config_command() -> None:
    """Affiche la configuration (variables d'environnement TREMPLIN_…)."""
    table = Table("Variable", "Valeur", "Rôle", title="Configuration de Tremplin")
    for name, value, help_text in settings().as_rows():
        table.add_row(name, plain(value), help_text)
    console.print(table)
