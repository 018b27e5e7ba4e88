"""``tremplin metiers``: find a trade from one's own words."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tremplin.cli._app import app, console, plain, settings

metiers = typer.Typer(
    help="Métiers : trouver un métier avec ses propres mots.", no_args_is_help=True
)
app.add_typer(metiers, name="metiers")


@metiers.command("chercher")
def search_command(
    requete: Annotated[str, typer.Argument(help="Ce que tu aimes faire, avec tes mots.")],
    commune: Annotated[
        str | None, typer.Option("--commune", help="Code INSEE de ta commune (ex. 01283).")
    ] = None,
    limite: Annotated[int, typer.Option("--limite", help="Nombre de métiers (1 à 100).")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Sortie JSON : un objet par métier, le meilleur d'abord.")
    ] = False,
) -> None:
    """Classe les métiers du ROME pour une requête en français (fautes, féminins, mots courants)."""
    from tremplin.formats import format_decimal
    from tremplin.orientation.search import TradeSearch, search_json
    from tremplin.referentials.perimeter import Perimeter
    from tremplin.store.database import open_store

    current = settings()
    engine = open_store(current.database_url)
    try:
        index = TradeSearch(engine, Perimeter.load(current.perimetre)).index()
        found = search_json(index, requete, commune=commune, limite=limite)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        console.print(f"Aucun métier trouvé pour « {plain(requete)} ».")
        return
    where = f" — commune {plain(index.commune_name(commune))}" if commune else ""
    table = Table(
        "Rang",
        "Code ROME",
        "Métier",
        "Appellation",
        "Pertinence",
        "Industrie",
        title=f"Métiers pour « {plain(requete)} »{where}",
    )
    for rank, hit in enumerate(found, start=1):
        table.add_row(
            str(rank),
            hit["code_rome"],
            plain(hit["libelle"]),
            plain(hit["appellation"]),
            format_decimal(hit["score"], 2),
            "oui" if hit["industrie"] else "",
        )
    console.print(table)
