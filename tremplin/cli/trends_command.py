"""``tremplin tendances``: the years side by side for a territory, in a terminal or a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tremplin.cli._app import app, console, fail, plain, settings
from tremplin.cli.diagnostic_command import FORMATS, _facts, _one_of, write_rows
from tremplin.diagnostic.rules import Groupement, Niveau, Palier, Perimetre

# The analyses are imported by the command that runs them (see diagnostic_command).
if TYPE_CHECKING:
    import polars as pl

    from tremplin.diagnostic.indicators import Query


def _query(
    territoire: str | None,
    groupement: str,
    groupe: str | None,
    perimetre: str,
    niveau: str,
    palier: str,
) -> Query:
    """The trend's query: one territory (« maille:code », a région's code alone)."""
    from tremplin.diagnostic import rules
    from tremplin.diagnostic.indicators import Query
    from tremplin.referentials.territory_ref import TerritoryRef

    text = territoire or settings().region
    ref = TerritoryRef.parse(text if ":" in text else f"region:{text}", mailles=rules.MAILLES)
    return Query(
        maille=ref.maille,
        territoire=ref.code,
        groupement=groupement,
        groupe=groupe,
        perimetre=perimetre,
        niveau=niveau,
        palier=palier,
    ).checked()


def _warnings() -> dict[tuple[str, str], list[str]]:
    from tremplin.store.database import open_store
    from tremplin.store.provenance import list_loaded_files, year_warnings

    engine = open_store(settings().database_url)
    try:
        with engine.connect() as conn:
            return year_warnings(list_loaded_files(conn))
    finally:
        engine.dispose()


def _count(value: float | None) -> str:
    from tremplin.formats import format_number

    return format_number(None if value is None else round(value))


def _table(rows: pl.DataFrame, title: str) -> Table:
    from tremplin.diagnostic.trends import totals
    from tremplin.formats import format_decimal
    from tremplin.reports.figures import format_value

    table = Table(
        "Métiers",
        "Année",
        "Offres",
        "Places",
        "Vœux 1",
        "Pression",
        "Vœux confirmés",
        "Demande",
        "Évol. vœux 1",
        "Évol. vœux conf.",
        "Devenir fav.",
        title=title,
    )
    offers = {"toutes": "toutes", "comparables": "comparables"}
    for row in totals(rows).iter_rows(named=True):
        table.add_row(
            "Ensemble",
            str(row["annee"]),
            offers[row["offres"]],
            _count(row["places"]),
            _count(row["demandes_voeux_1"]),
            "",
            _count(row["voeux_confirmes"]),
            "",
            format_value("evolution_demandes_voeux_1", row["evolution_demandes_voeux_1"]),
            format_value("evolution_voeux_confirmes", row["evolution_voeux_confirmes"]),
            "",
        )
    for row in rows.iter_rows(named=True):
        table.add_row(
            plain(row["groupe"]),
            str(row["annee"]),
            offers[row["offres"]],
            _count(row["places"]),
            _count(row["demandes_voeux_1"]),
            format_decimal(row["taux_pression"], 2),
            _count(row["voeux_confirmes"]),
            format_decimal(row["taux_demande"], 1),
            format_value("evolution_demandes_voeux_1", row["evolution_demandes_voeux_1"]),
            format_value("evolution_voeux_confirmes", row["evolution_voeux_confirmes"]),
            format_value("taux_devenir_favorable", row["taux_devenir_favorable"]),
        )
    return table


@app.command("tendances")
def trends_command(
    territoire: Annotated[
        str | None,
        typer.Option(
            help="Territoire, « maille:code » (departement:38, bassin:8201) ou code de région "
            "(défaut : la région du partenariat, TREMPLIN_REGION)."
        ),
    ] = None,
    groupement: Annotated[
        str, typer.Option(help=_one_of(Groupement))
    ] = Groupement.FAMILLE_FAP.value,
    groupe: Annotated[
        str | None, typer.Option(help="Code d'un groupe de métiers (défaut : tous).")
    ] = None,
    perimetre: Annotated[str, typer.Option(help=_one_of(Perimetre))] = Perimetre.INDUSTRIE.value,
    niveau: Annotated[str, typer.Option(help=_one_of(Niveau))] = Niveau.TOUS.value,
    palier: Annotated[str, typer.Option(help=_one_of(Palier))] = Palier.TOUS.value,
    format: Annotated[str, typer.Option("--format", help="table, csv, xlsx ou json.")] = "table",
    sortie: Annotated[
        Path | None, typer.Option(help="Fichier de sortie (obligatoire pour xlsx).")
    ] = None,
) -> None:
    """Les années côte à côte : vœux, places, pression et demande, insertion, sur toutes les
    offres et sur les offres présentes l'année de référence."""
    from tremplin.diagnostic.trends import ORDER, trend
    from tremplin.reports.trend_export import trend_info

    if format not in FORMATS:
        raise fail(f"format « {format} » inconnu ; valeurs possibles : {', '.join(FORMATS)}")
    query = _query(territoire, groupement, groupe, perimetre, niveau, palier)
    rows = trend(_facts(), query, _warnings())
    if format == "table":
        name = rows.get_column("territoire").first() if rows.height else query.territoire
        console.print(_table(rows, f"Tendances — {plain(name)}"))
        for note in sorted({n for notes in rows.get_column("avertissements") for n in notes}):
            console.print(f"Attention : {plain(note)}")
        return
    write_rows(rows, ORDER, trend_info(rows, query), "Tendances", format, sortie)
