"""The Typer application shared by the command modules, and helpers they all use."""

from __future__ import annotations

import typer
from rich.console import Console

from tremplin.config import Settings

app = typer.Typer(
    help="Tremplin : jeunes, formations et métiers de l'industrie en Auvergne-Rhône-Alpes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
errors = Console(stderr=True)


def settings() -> Settings:
    """The settings of this run, read once from the environment."""
    return Settings.from_env()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` in red on standard error and return the exit to raise."""
    errors.print(f"[bold red]Erreur :[/] {message}", highlight=False)
    return typer.Exit(code)


@app.callback()
def _main() -> None:
    """Tremplin : jeunes, formations et métiers de l'industrie en Auvergne-Rhône-Alpes."""
