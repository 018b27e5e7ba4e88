"""``tremplin simulate``: assignment simulations (``instance`` now; ``scenario`` to come)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tremplin.cli._app import app, console, fail, plain
from tremplin.formats import format_number, format_percent

simulate = typer.Typer(
    help="Simulations d'affectation (Affelnet, Parcoursup) par acceptation différée.",
    no_args_is_help=True,
)
app.add_typer(simulate, name="simulate")


@simulate.command("instance")
def instance_command(
    file: Annotated[Path, typer.Argument(help="Instance JSON (formations, élèves, graine).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Fichier JSON où écrire l'affectation.")
    ],
    verifier: Annotated[
        bool,
        typer.Option(
            "--verifier/--sans-verifier",
            help="Contrôler le résultat avec le vérificateur indépendant (validité, stabilité).",
        ),
    ] = False,
) -> None:
    """Résout une instance JSON : chaque élève reçoit le meilleur vœu stable possible."""
    # The engine (numpy, numba) is imported by the command that runs it.
    from tremplin.assignment.json_io import InstanceError, write_result
    from tremplin.assignment.results import summarise
    from tremplin.assignment.simulation import Simulation

    try:
        simulation = Simulation.from_json(file)
    except InstanceError as error:
        raise fail(
            str(error) if error.about_file else f"instance invalide ({file})\n{error}"
        ) from None
    outcome = simulation.solve()
    try:
        write_result(outcome, output, simulation.calls)
    except OSError as error:
        raise fail(f"écriture impossible de {output} ({error.strerror})") from None
    stats = summarise(outcome)
    pupils, places = stats.pupils, stats.places
    rule = (
        "ordre d'appel avec quotas" if simulation.calls is not None else "scores et tirage au sort"
    )
    console.print(
        f"{format_number(pupils.pupils)} élève(s), {format_number(pupils.with_wishes)} avec au "
        f"moins un vœu : {format_number(pupils.placed)} affecté(s) "
        f"({format_percent(pupils.share_placed)}), dont {format_number(pupils.first_wish)} sur "
        f"leur premier vœu ({format_percent(pupils.share_first_wish)}) ; "
        f"{format_number(pupils.unplaced)} sans affectation. "
        f"{format_number(places.unfilled)} place(s) vacante(s) sur {format_number(places.capacity)}"
        f" dans {format_number(places.formations)} formation(s). Priorités : {rule}.",
        highlight=False,
    )
    if verifier:
        issues = simulation.check_validity()
        pairs = [] if issues else simulation.check_stability()
        if issues or pairs:
            details = issues or [f"élève {p} et formation {f}" for p, f in pairs[:10]]
            raise fail("le vérificateur rejette le résultat :\n" + "\n".join(details))
        console.print("Vérification indépendante : affectation valide et stable.")
    console.print(f"Résultat écrit dans {plain(output)}.", highlight=False)
