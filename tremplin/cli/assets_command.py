"""``tremplin assets NODE_MODULES``: copy the front-end files to serve (DSFR, htmx, Swagger UI,
Leaflet)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tremplin.cli._app import app, console, plain


@app.command("assets")
def assets_command(
    node_modules: Annotated[
        Path,
        typer.Argument(
            help="Dossier node_modules rempli par « npm ci » (paquets de package.json).",
            file_okay=False,
        ),
    ],
) -> None:
    """Copie le DSFR, htmx, Swagger UI et Leaflet de node_modules vers les fichiers du site."""
    from tremplin.web.shared.assets import VENDOR, copy_assets

    copied = copy_assets(node_modules)
    console.print(f"{len(copied)} éléments copiés dans {plain(VENDOR)}.", highlight=False)
