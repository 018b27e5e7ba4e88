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
    workers: Annotated[
        int,
        typer.Option(
            help="Processus web (plus d'un : base PostgreSQL ; ils partagent simulations et "
            "invalidation des caches par la base).",
            min=1,
            max=64,
        ),
    ] = 1,
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
    if workers > 1:
        _serve_processes(current.database_url, current.host, current.port, workers)
        return
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


def _serve_processes(database_url: str, host: str, port: int, workers: int) -> None:
    """``workers`` uvicorn processes, each building the application from the environment."""
    import os

    import uvicorn
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from tremplin.store.database import open_store

    if make_url(database_url).get_backend_name() != "postgresql":
        raise fail(
            "« --workers » au-delà de 1 demande une base PostgreSQL : sur SQLite, un seul "
            "processus écrit la base et mène les simulations"
        )
    try:
        open_store(database_url).dispose()  # migrations once, before the processes start
    except SQLAlchemyError as error:
        raise fail(f"impossible d'ouvrir la base {database_url} : {error}") from error
    # Each process reads its settings from the environment: pass on what the options changed.
    os.environ["TREMPLIN_HOST"], os.environ["TREMPLIN_PORT"] = host, str(port)
    console.print(
        f"Tremplin est servi sur http://{plain(host)}:{port} par {workers} processus "
        "(simulations : lancer « tremplin worker » ; Ctrl+C pour arrêter).",
        highlight=False,
    )
    uvicorn.run(
        "tremplin.web.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
