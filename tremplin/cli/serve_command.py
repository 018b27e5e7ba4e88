"""``tremplin serve``: the web application, on an up-to-date store."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from tremplin.cli._app import app, console, fail, plain, settings

ALL_INTERFACES = ("0.0.0.0", "::", "[::]")
"""Addresses that listen on every interface: served in plain HTTP, they call for a TLS proxy."""


@app.command("serve")
def serve_command(
    host: Annotated[
        str | None,
        typer.Option(help="Adresse d'écoute (défaut : TREMPLIN_HOST, sinon 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port d'écoute (défaut : TREMPLIN_PORT, sinon 8000).", min=1, max=65535),
    ] = None,
) -> None:
    """Lance le site web et l'API (la base est mise à jour avant de servir)."""
    # Imported here, not with the CLI: the web framework is only needed to serve.
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from tremplin.web.app import create_app
    from tremplin.web.shared.assets import vendor_ready

    current = settings()
    current = replace(
        current,
        host=current.host if host is None else host,
        port=current.port if port is None else port,
    )
    try:
        # create_app opens the store through open_store, which applies pending migrations,
        # so a broken database is reported here rather than on the first request.
        web_app = create_app(current)
    except SQLAlchemyError as error:
        raise fail(f"impossible d'ouvrir la base {current.database_url} : {error}") from error
    if not vendor_ready():
        console.print(
            "[yellow]Attention :[/] les fichiers du DSFR manquent ; "
            "lancez « make assets » pour que les pages aient leur mise en forme.",
            highlight=False,
        )
    if current.host in ALL_INTERFACES:
        console.print(
            f"[yellow]Attention :[/] à l'écoute sur toutes les interfaces ({plain(current.host)}) "
            "en HTTP simple : un proxy TLS (HTTPS) est attendu devant le serveur, et "
            "TREMPLIN_ALLOWED_HOSTS doit nommer le site public (actuellement : "
            f"{plain(', '.join(current.allowed_hosts))}).",
            highlight=False,
        )
    console.print(
        f"Tremplin est servi sur http://{plain(current.host)}:{current.port} "
        "(Ctrl+C pour arrêter).",
        highlight=False,
    )
    uvicorn.run(web_app, host=current.host, port=current.port, log_level="info")
