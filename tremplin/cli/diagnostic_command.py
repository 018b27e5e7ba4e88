"""``tremplin diagnostic`` and ``tremplin coverage``: the territorial diagnostic in a terminal or
a file, and what each join of the chain keeps."""

from __future__ import annotations

import json
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tremplin.cli._app import app, console, fail, plain, settings
from tremplin.diagnostic.rules import Groupement, Maille, Niveau, Palier, Perimetre
from tremplin.formats import format_decimal, format_number, format_percent

# The analyses (polars, SQLAlchemy…) are imported by the commands that run them, so that
# ``tremplin --help`` and the other commands start without them.
if TYPE_CHECKING:
    import polars as pl

    from tremplin.diagnostic.facts import Facts
    from tremplin.diagnostic.indicators import Query
    from tremplin.diagnostic.selection import Threshold
    from tremplin.reports.exports import ExportInfo

FORMATS = ("table", "csv", "xlsx", "json")


def _one_of(vocabulary: type[StrEnum]) -> str:
    """« region, academie, departement ou bassin. » from the vocabulary's declaration."""
    values = [member.value for member in vocabulary]
    return f"{', '.join(values[:-1])} ou {values[-1]}."


def _facts() -> Facts:
    """The facts of the store, read from it (built and stored there once per set of files)."""
    from tremplin.diagnostic.facts import stored_facts
    from tremplin.referentials.perimeter import Perimeter
    from tremplin.store.database import open_store

    current = settings()
    engine = open_store(current.database_url)
    try:
        with engine.connect() as conn:
            return stored_facts(conn, Perimeter.load(current.perimetre))
    finally:
        engine.dispose()


def _with_needs(facts: Facts, queries: list[Query]) -> pl.DataFrame:
    """The rows of ``queries``, with the needs companies declared (read from the store now)."""
    import polars as pl

    from tremplin.diagnostic.declared import declared_for, with_declared_needs
    from tremplin.diagnostic.indicators import compute
    from tremplin.store.database import open_store

    engine = open_store(settings().database_url)
    try:
        with engine.connect() as conn:
            return pl.concat(
                [
                    with_declared_needs(compute(facts, q), declared_for(conn, facts, q))
                    for q in queries
                ],
                how="diagonal_relaxed",
            )
    finally:
        engine.dispose()


def _info(rows: pl.DataFrame, query: Query) -> ExportInfo:
    from tremplin.reports.exports import ExportInfo
    from tremplin.reports.figures import SOURCE_YEAR_COLUMNS

    def years(column: str) -> str:
        values = rows.get_column(column).drop_nulls().unique().sort().to_list()
        return ", ".join(str(v) for v in values) or "—"

    filters = [
        ("Maille", query.maille),
        ("Territoire", query.dans or "France"),
        ("Regroupement", query.groupement),
        ("Périmètre", query.perimetre),
        ("Niveau", query.niveau),
        ("Palier", query.palier),
    ]
    return ExportInfo(
        title="Diagnostic territorial",
        filters=filters,
        sources=[(source, years(column)) for source, column in SOURCE_YEAR_COLUMNS],
    )


def _table(rows: pl.DataFrame) -> Table:
    from tremplin.diagnostic.classify import OBJECTIVE_LABELS
    from tremplin.reports.figures import format_cell

    table = Table(
        "Territoire",
        "Métiers",
        "Places",
        "Vœux 1",
        "Pression",
        "Demande BTS",
        "Projets BMO",
        "Difficiles",
        "Devenir fav.",
        "Objectifs",
        title="Diagnostic territorial",
    )
    for row in rows.iter_rows(named=True):
        table.add_row(
            plain(row["territoire"]),
            plain(row["groupe"]),
            format_number(row["places"]),
            format_number(row["demandes_voeux_1"]),
            format_decimal(row["taux_pression"], 2),
            format_decimal(row["taux_demande"], 1),
            format_cell(row, "projets_recrutement"),
            format_percent(row["part_projets_difficiles"], 0),
            format_percent(row["taux_devenir_favorable"], 0),
            ", ".join(OBJECTIVE_LABELS[o] for o in row["objectifs"]),
        )
    return table


def _thresholds(given: list[str]) -> tuple[Threshold, ...]:
    """« min_taux_pression=1,3 » options as thresholds (a French error when one is not)."""
    from tremplin.diagnostic.selection import threshold_parameters, thresholds

    values: dict[str, str | None] = {}
    for item in given:
        name, _, value = item.partition("=")
        if name.strip() not in threshold_parameters() or not value.strip():
            raise fail(
                f"seuil « {item} » : « min_<colonne>=valeur » ou « max_<colonne>=valeur » "
                "attendu (par ex. min_taux_pression=1,3)"
            )
        values[name.strip()] = value
    return thresholds(values)


@app.command("diagnostic")
def diagnostic_command(
    territoire: Annotated[
        list[str] | None,
        typer.Option(
            help="Territoire englobant, « maille:code » ou code de région (84) ; plusieurs, "
            "répétés ou séparés par des virgules (departement:01,departement:38) : les lignes "
            "de chacun."
        ),
    ] = None,
    maille: Annotated[str, typer.Option(help=_one_of(Maille))] = Maille.REGION.value,
    groupement: Annotated[
        str, typer.Option(help=_one_of(Groupement))
    ] = Groupement.FAMILLE_FAP.value,
    perimetre: Annotated[str, typer.Option(help=_one_of(Perimetre))] = Perimetre.INDUSTRIE.value,
    niveau: Annotated[str, typer.Option(help=_one_of(Niveau))] = Niveau.TOUS.value,
    palier: Annotated[str, typer.Option(help=_one_of(Palier))] = Palier.TOUS.value,
    annee: Annotated[
        int | None, typer.Option(help="Année de rentrée (défaut : la dernière de chaque source).")
    ] = None,
    objectif: Annotated[
        str | None,
        typer.Option(
            help="Ne garder que les lignes qui appellent cet objectif (attractivite, acces, "
            "competences, vigilance), classées par sa taille, de la plus grande à la plus petite."
        ),
    ] = None,
    seuil: Annotated[
        list[str] | None,
        typer.Option(
            help="Seuil « min_<colonne>=valeur » ou « max_<colonne>=valeur » (par ex. "
            "min_taux_pression=1,3), répétable ; une ligne sans ce chiffre est écartée."
        ),
    ] = None,
    tri: Annotated[str | None, typer.Option(help="Colonne selon laquelle trier.")] = None,
    ordre: Annotated[str, typer.Option(help="asc ou desc.")] = "asc",
    format: Annotated[str, typer.Option("--format", help="table, csv, xlsx ou json.")] = "table",
    sortie: Annotated[
        Path | None, typer.Option(help="Fichier de sortie (obligatoire pour xlsx).")
    ] = None,
) -> None:
    """Indicateurs par métier et territoire, classés selon les objectifs du partenariat."""

    from tremplin.diagnostic.classify import OBJECTIVES, classify
    from tremplin.diagnostic.indicators import ORDER, Query
    from tremplin.diagnostic.ranking import SIZE_COLUMNS, rank
    from tremplin.diagnostic.selection import Selection, codes, sort_of
    from tremplin.diagnostic.trends import check_year

    if objectif is not None and objectif not in OBJECTIVES:
        raise fail(f"objectif « {objectif} » inconnu ; valeurs possibles : {', '.join(OBJECTIVES)}")
    if format not in FORMATS:
        raise fail(f"format « {format} » inconnu ; valeurs possibles : {', '.join(FORMATS)}")
    columns = [
        *ORDER,
        "objectifs",
        "pression_demande_opposees",
        *SIZE_COLUMNS.values(),
        "explications",
    ]
    selection = Selection(seuils=_thresholds(seuil or []), sort=sort_of(tri, ordre, columns))
    places: list[str | None] = [c if ":" in c else f"region:{c}" for c in codes(territoire)]
    queries = [
        Query(
            maille=maille,
            groupement=groupement,
            perimetre=perimetre,
            niveau=niveau,
            annee=annee,
            dans=dans,
            palier=palier,
        ).checked()
        for dans in places or [None]
    ]
    facts = _facts()
    check_year(facts, queries[0].annee, queries[0].palier)
    # Several territories: the rows of each, once (a row can lie in two of them).
    rows = _with_needs(facts, queries).unique(
        ["code_territoire", "code_groupe"], keep="first", maintain_order=True
    )
    query = (
        queries[0] if len(queries) == 1 else replace(queries[0], dans=", ".join(map(str, places)))
    )
    rows = classify(rows)
    if objectif is not None:
        rows = rank(rows, objectif)
    rows = selection.apply(rows)
    if format == "table":
        console.print(_table(rows))
        return
    write_rows(rows, columns, _info(rows, query), "Diagnostic", format, sortie)


def write_rows(
    rows: pl.DataFrame,
    columns: list[str],
    info: ExportInfo,
    sheet: str,
    format: str,
    sortie: Path | None,
) -> None:
    """Write ``rows`` as JSON, CSV or XLSX (``format``) on standard output or in ``sortie``."""
    from tremplin.reports.exports import to_csv, to_xlsx

    if format == "json":
        content = json.dumps(rows.to_dicts(), ensure_ascii=False, indent=2).encode()
    elif format == "csv":
        content = to_csv(rows, columns, info)
    else:
        if sortie is None:
            raise fail(f"le format xlsx demande un fichier : --sortie {sheet.lower()}.xlsx")
        content = to_xlsx(rows, columns, info, sheet)
    if sortie is None:
        typer.echo(content.decode("utf-8-sig"), nl=False)
    else:
        sortie.write_bytes(content)
        console.print(f"{format_number(rows.height)} lignes écrites dans {plain(sortie)}.")


@app.command("coverage")
def coverage_command(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Ce que chaque jointure conserve : part des lignes et des volumes, France et la région
    du partenariat (TREMPLIN_REGION)."""
    from tremplin.diagnostic.coverage import coverage, placement

    facts = _facts()
    region = settings().region
    rows = coverage(facts, region)
    placed = placement(facts, region)
    if as_json:
        document = {"jointures": rows.to_dicts(), "localisation": placed.to_dicts()}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    table = Table(
        "Source",
        "Jointure",
        "Territoire",
        "Volume",
        "Lignes conservées",
        "Volume conservé",
        title="Couverture des jointures",
    )
    for row in rows.iter_rows(named=True):
        table.add_row(
            row["source"],
            row["jointure"],
            plain(row["territoire"]),
            row["volume"],
            format_percent(row["part_lignes"], 1),
            format_percent(row["part_volume"], 1),
        )
    console.print(table)
    places = Table(
        "Territoire", "Précision", "Établissements", "Part", title="Localisation des établissements"
    )
    for row in placed.iter_rows(named=True):
        places.add_row(
            plain(row["territoire"]),
            row["precision"],
            format_number(row["etablissements"]),
            format_percent(row["part"], 1),
        )
    console.print(places)
