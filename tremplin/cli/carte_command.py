"""``tremplin carte``: the carte des formations — its campaigns and requests
(``carte_demandes_command``), and the optimiser."""

from __future__ import annotations

import typer

from tremplin.cli._app import app

carte = typer.Typer(
    help="Carte des formations : campagnes, demandes, optimiseur.", no_args_is_help=True
)
app.add_typer(carte, name="carte")
