"""The Typer application shared by the command modules, and helpers they all use.

Errors are turned into messages at one place: :class:`_Commands` catches any
:class:`~tremplin.errors.TremplinError` a command lets through and prints its French message on
standard error, with exit code 1 and no traceback. Anything else that escapes is a bug and keeps
its traceback. Everything printed that comes from a user or a file goes through :func:`plain`,
so that text such as ``[/x]`` is shown as written instead of being read as rich markup.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from tremplin.config import Settings
from tremplin.errors import TremplinError


class _Commands(TyperGroup):
    """The root group: the one place where a library error becomes a command-line error."""

    def invoke(self, ctx: Any) -> Any:  # ctx: the click Context typer vendors
        try:
            return super().invoke(ctx)
        except TremplinError as error:
            raise fail(str(error)) from None


app = typer.Typer(
    cls=_Commands,
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


def plain(value: object) -> str:
    """``value`` as text to print literally: rich markup in it (``[/x]``, ``[bold]``) is escaped."""
    return escape(str(value))


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` (plain text, shown as written) in red on standard error and return the
    exit to raise."""
    errors.print(f"[bold red]Erreur :[/] {plain(message)}", highlight=False)
    return typer.Exit(code)


@app.callback()
def _main() -> None:
    """Tremplin : jeunes, formations et métiers de l'industrie en Auvergne-Rhône-Alpes."""
