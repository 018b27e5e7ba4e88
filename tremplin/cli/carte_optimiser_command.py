"""``tremplin carte optimiser``: the sections to open or close that serve young people and
companies best, within a budget (docs/optimiser.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from tremplin.cli._app import console, plain, settings
from tremplin.cli.carte_command import carte
from tremplin.formats import format_decimal, format_number, format_percent


@carte.command("optimiser")
def optimiser_command(
    territoire: Annotated[
        str,
        typer.Option(
            "--territoire",
            help="Code de région (84), ou region:CODE, academie:CODE, departement:CODE.",
        ),
    ] = "84",
    perimetre: Annotated[
        str,
        typer.Option("--perimetre", help="Offres candidates : industrie (défaut) ou tous."),
    ] = "industrie",
    budget_places: Annotated[
        int,
        typer.Option(
            "--budget-places", help="Places nettes ajoutées au plus (0 : à places constantes)."
        ),
    ] = 0,
    sections_max: Annotated[
        int, typer.Option("--sections-max", min=0, help="Sections ouvertes ou fermées au plus.")
    ] = 40,
    as_json: Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON.")] = False,
) -> None:
    """Propose des ouvertures et fermetures de sections (HiGHS), chacune avec sa raison."""
    from tremplin.companies.needs import declared_needs
    from tremplin.diagnostic.facts import stored_facts
    from tremplin.planning.optimisation import run_optimisation
    from tremplin.referentials.perimeter import Perimeter
    from tremplin.store.database import open_store

    current = settings()
    engine = open_store(current.database_url)
    try:
        with engine.connect() as conn:
            facts = stored_facts(conn, Perimeter.load(current.perimetre))
            declared = declared_needs(conn, per_company=True)
    finally:
        engine.dispose()
    parameters: dict[str, Any] = {
        "territoire": territoire,
        "perimetre": perimetre,
        "budget_places": budget_places,
        "sections_max": sections_max,
    }
    result = run_optimisation(facts, parameters, declared=declared)
    if as_json:
        keys = ("uai", "mef_stat_11", "statut", "places_avant", "places_apres", "raison")
        out = {
            "changes": [
                {k: c[k] for k in (*keys, "libelle", "etablissement")} for c in result["changes"]
            ],
            "objective": result["objective"],
            "gap": result["gap"],
            "seconds": result["seconds"],
            "components": result["components"],
            "status": result["status"],
            "besoins_declares": result["besoins_declares"],
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    table = Table(title="Changements proposés")
    for header in ("Établissement", "Formation", "Statut", "Avant", "Après", "Raison"):
        table.add_column(header)
    for c in result["changes"]:
        table.add_row(
            plain(f"{c['etablissement'] or c['uai']} ({c['uai']})"),
            plain(c["libelle"]),
            c["statut"],
            format_number(c["places_avant"]),
            format_number(c["places_apres"]),
            plain(c["raison"]),
        )
    console.print(table)
    parts = result["components"]
    console.print(
        f"{format_number(len(result['changes']))} changements sur "
        f"{format_number(result['candidates'])} offres candidates ; objectif "
        f"{format_decimal(result['objective'], 1)} (jeunes {format_decimal(parts['jeunes'], 1)}, "
        f"besoins {format_decimal(parts['besoins'], 1)}, insertion "
        f"{format_decimal(parts['insertion'], 1)}) ; places nettes "
        f"{format_number(int(parts['places_nettes']))} ; écart prouvé "
        f"{format_percent(result['gap'], 2)} ; {format_decimal(result['seconds'], 1)} s.",
        highlight=False,
    )
    read = result["besoins_declares"]
    console.print(
        f"Besoins déclarés lus : {format_number(read['besoins'])} besoins, "
        f"{format_number(read['personnes'])} personnes, {format_number(read['entreprises'])} "
        f"entreprises ; {format_number(read['personnes_comptees'])} personnes comptées dans "
        "l'objectif (plafonnées aux projets BMO de leur cellule)."
        if read["besoins"]
        else "Aucun besoin déclaré ouvert dans le territoire.",
        highlight=False,
    )
