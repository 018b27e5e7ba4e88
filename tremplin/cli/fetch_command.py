"""``tremplin fetch``: download the openly published files into the sources folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from tremplin.cli._app import app, console, fail, plain, settings

# The HTTP client is imported by the command that downloads, not with the CLI.
if TYPE_CHECKING:
    from tremplin.sources.catalogue import CatalogueEntry
    from tremplin.sources.fetch import FetchResult

_LABELS = {
    "DOWNLOADED": "[green]téléchargé[/]",
    "RESUMED": "[green]repris[/]",
    "UNCHANGED": "inchangé",
    "UNPUBLISHED": "[yellow]non publié[/]",
    "FAILED": "[bold red]échec[/]",
}


@app.command("fetch")
def fetch_command(
    dest: Annotated[
        Path | None,
        typer.Option(
            "--dest",
            help="Dossier où ranger les fichiers (défaut : TREMPLIN_SOURCES).",
            file_okay=False,
        ),
    ] = None,
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            help="Adresse d'un miroir du dossier des sources (défaut : TREMPLIN_FETCH_MIRROR).",
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Ne télécharger que ce jeu (clé du catalogue ou dossier, ex. bcn) ; répétable.",
        ),
    ] = None,
) -> None:
    """Télécharge les jeux de données publiés en open data dans le dossier des sources."""
    from tremplin.sources.fetch import failures, fetch

    current = settings()
    folder = dest if dest is not None else current.sources
    mirror_url = mirror if mirror is not None else current.fetch_mirror
    origin = f"miroir {mirror_url}" if mirror_url else "adresses officielles"
    console.print(
        f"Téléchargement vers [bold]{plain(folder)}[/] ({plain(origin)})", highlight=False
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def on_progress(item: CatalogueEntry, done: int, total: int | None) -> None:
            if item.key not in tasks:
                tasks[item.key] = bar.add_task(item.path, total=total)
            bar.update(tasks[item.key], completed=done, total=total)

        results = fetch(folder, mirror=mirror_url, only=set(only or ()), progress=on_progress)

    console.print(_summary(results))
    failed = failures(results)
    if failed:
        details = "\n".join(f"- {r.entry.key} : {r.note}" for r in failed)
        raise fail(f"{len(failed)} fichier(s) non téléchargé(s) :\n{details}")


def _summary(results: list[FetchResult]) -> Table:
    from tremplin.sources.fetch import Outcome

    table = Table("Jeu", "Fichier", "État", "Taille", "Remarque", title="Récapitulatif")
    for result in results:
        size = _size(result.size_bytes) if result.size_bytes else ""
        table.add_row(
            result.entry.key,
            result.entry.path,
            _LABELS[result.outcome.name],
            size,
            plain(result.note),
        )
    counts = {outcome: 0 for outcome in Outcome}
    for result in results:
        counts[result.outcome] += 1
    table.caption = (
        f"{counts[Outcome.DOWNLOADED] + counts[Outcome.RESUMED]} téléchargé(s), "
        f"{counts[Outcome.UNCHANGED]} inchangé(s), {counts[Outcome.UNPUBLISHED]} non publié(s), "
        f"{counts[Outcome.FAILED]} en échec"
    )
    return table


def _size(size: int) -> str:
    """``1953931`` → ``"1,9 Mo"``: French units and decimal comma."""
    value = float(size)
    for unit in ("o", "ko", "Mo"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "o" else f"{value:.1f} {unit}".replace(".", ",")
        value /= 1000
    return f"{value:.1f} Go".replace(".", ",")
