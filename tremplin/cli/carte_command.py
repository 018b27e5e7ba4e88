"""``tremplin carte``: the carte des formations (the group; each command registers itself)."""

from __future__ import annotations

import typer

from tremplin.cli._app import app

carte = typer.Typer(
    help="Carte des formations : campagnes, demandes, optimiseur.",
    no_args_is_help=True,
)
app.add_typer(carte, name="carte")
