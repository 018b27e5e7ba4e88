"""``tremplin simulate scenario``: a change of places replayed on many cohorts, before and after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from tremplin.cli._app import console, fail, plain, settings
from tremplin.cli.simulate_command import simulate
from tremplin.formats import MISSING, format_decimal, format_number, format_percent

# The scenario pipeline (polars, numpy, numba, SQLAlchemy) is imported by the command.
if TYPE_CHECKING:
    from tremplin.scenarios.scenario_comparison import Comparison, Estimate

RATES = {"taux_premier_voeu"}
GROUP_LABELS = {"perimetre": "Périmètre", "boursier": "Boursiers", "academie": "Académie"}
GROUP_INDICATORS = ("affectes", "premier_voeu", "sans_affectation", "places_vacantes")


def _value(key: str, value: Estimate | None) -> str:
    if value is None:
        return MISSING
    if key in RATES:
        return format_percent(value.mean, 2)
    return format_decimal(value.mean, 1)


def _signed(x: float, digits: int, sign: bool = False) -> str:
    """``x`` with ``digits`` decimals, without « -0,0 »; with its « + » when asked."""
    if round(x, digits) == 0:
        x = 0.0
    text = format_decimal(x, digits)
    return "+" + text if sign and x > 0 else text


def _difference(key: str, value: Estimate | None) -> tuple[str, str]:
    """The difference and its interval: in pupils or places, in points for a rate."""
    if value is None:
        return MISSING, MISSING
    scale, digits, unit = (100.0, 2, " pt") if key in RATES else (1.0, 1, "")
    low, high = (_signed(scale * v, digits) + unit for v in (value.low, value.high))
    return _signed(scale * value.mean, digits, sign=True) + unit, f"[{low} ; {high}]"


def _overall(comparison: Comparison) -> Table:
    table = Table(
        "Indicateur",
        "Avant",
        "Après",
        "Différence",
        "IC 95 %",
        title=f"{plain(comparison.scenario.titre)} — moyennes sur {len(comparison.seeds)} cohortes",
    )
    for row in comparison.overall:
        difference, interval = _difference(row.key, row.difference)
        table.add_row(
            row.label, _value(row.key, row.before), _value(row.key, row.after), difference, interval
        )
    return table


def _offers(comparison: Comparison) -> Table:
    table = Table(
        "Établissement",
        "Commune",
        "Formation",
        "Places",
        "Vœux 1",
        "Vœux 1 estimés",
        "Affectés avant",
        "Affectés après",
        title="Offres modifiées",
    )
    for offer in comparison.changed_offers:
        before, after = offer["filled_before"], offer["filled_after"]
        table.add_row(
            plain(f"{offer['etablissement'] or ''} ({offer['uai']})"),
            plain(offer["commune"] or MISSING),
            plain(offer["libelle"] or offer["mef_stat_11"]),
            f"{format_number(offer['capacity_before'])} → {format_number(offer['capacity_after'])}",
            format_number(offer["first_wishes"]),
            MISSING
            if offer.get("voeux_1_estimes") is None
            else format_decimal(offer["voeux_1_estimes"], 1),
            MISSING if before is None else format_decimal(before["mean"], 1),
            MISSING if after is None else format_decimal(after["mean"], 1),
        )
    return table


def _groups(comparison: Comparison) -> Table:
    from tremplin.scenarios.scenario_comparison import INDICATORS

    labels = dict(INDICATORS)
    table = Table(
        "Groupe", *(f"{labels.get(k, k)} (diff.)" for k in GROUP_INDICATORS), title="Par groupe"
    )
    for kind, title in GROUP_LABELS.items():
        for code, rows in comparison.groups.get(kind, {}).items():
            by_key = {r.key: r for r in rows}
            name = comparison.group_names.get(kind, {}).get(code, code)
            differences = [by_key[k].difference if k in by_key else None for k in GROUP_INDICATORS]
            if kind == "academie" and all(d is None or d.mean == 0 for d in differences):
                continue  # académies the scenario does not touch (pupils near a border)
            cells = [
                _difference(k, d)[0] for k, d in zip(GROUP_INDICATORS, differences, strict=True)
            ]
            table.add_row(plain(f"{title} : {name}"), *cells)
    return table


@simulate.command("scenario")
def scenario_command(
    file: Annotated[
        Path, typer.Argument(help="Scénario (TOML ou JSON) : ouvertures, fermetures, transferts.")
    ],
    territoire: Annotated[
        str | None,
        typer.Option(
            "--territoire",
            help="Territoire simulé : region:84, academie:10, departement:01 ou france "
            "(défaut : celui du scénario, sinon la région TREMPLIN_REGION, 84).",
        ),
    ] = None,
    graines: Annotated[
        int, typer.Option("--graines", min=1, help="Nombre de cohortes tirées (graines 1 à N).")
    ] = 20,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Fichier JSON où écrire la comparaison."),
    ] = None,
) -> None:
    """Compare l'affectation avant et après un changement de places, sur plusieurs cohortes."""
    from tremplin.diagnostic.facts import stored_facts
    from tremplin.referentials.perimeter import Perimeter
    from tremplin.scenarios.scenario_comparison import run_scenario
    from tremplin.scenarios.scenarios import Scenario
    from tremplin.store.database import open_store

    scenario = Scenario.from_file(file)
    territory = territoire or scenario.territoire or f"region:{settings().region}"
    current = settings()
    engine = open_store(current.database_url)
    try:
        with engine.connect() as conn, Progress(console=console, transient=True) as progress:
            task = progress.add_task("Cohortes simulées", total=graines)
            facts = stored_facts(conn, Perimeter.load(current.perimetre))
            comparison = run_scenario(
                conn,
                facts,
                scenario,
                territoire=territory,
                seeds=range(1, graines + 1),
                progress=lambda done: progress.update(task, completed=done),
            )
    finally:
        engine.dispose()
    palier = "entrée en lycée (palier 3e)" if comparison.palier == "3e" else "1re pro (palier 2nde)"
    console.print(
        f"{format_number(comparison.pupils)} élèves et {format_number(comparison.offers)} offres "
        f"({palier}, territoire {plain(territory)}) ; cohortes des graines 1 à {graines}.",
        highlight=False,
    )
    console.print(_overall(comparison))
    console.print(_offers(comparison))
    console.print(_groups(comparison))
    if output is not None:
        try:
            output.write_text(
                json.dumps(comparison.as_dict(), ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
        except OSError as error:
            raise fail(f"écriture impossible de {output} ({error.strerror})") from None
        console.print(f"Comparaison écrite dans {plain(output)}.", highlight=False)
