"""What each kind of job does: a function of its parameters (JSON) that gives its result (JSON).

A kind is looked up by name in :data:`KINDS` by whichever process runs the job (the web
process's pool on SQLite, a ``tremplin worker`` on PostgreSQL), so its parameters and result
must say everything: nothing is passed in memory from the process that queued it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tremplin.companies.needs import declared_needs
from tremplin.diagnostic.facts import Facts
from tremplin.planning.optimisation import run_optimisation
from tremplin.scenarios.scenario_comparison import run_scenario
from tremplin.scenarios.scenarios import Scenario

__all__ = [
    "KINDS",
    "OPTIMISATION",
    "SIMULATION",
    "JobContext",
    "Kind",
    "optimisation_steps",
    "simulation_parameters",
]

SIMULATION = "simulation"
OPTIMISATION = "optimisation"


@dataclass(frozen=True)
class JobContext:
    """What a job reads: the store, and the diagnostic's facts of its current files."""

    engine: sa.Engine
    facts: Callable[[], Facts]


Kind = Callable[[JobContext, Mapping[str, Any], Callable[[int], None]], dict[str, Any]]
"""Runs a job: (context, parameters, progress callback) → result."""


def simulation_parameters(
    scenario: Scenario, *, territoire: str, palier: str, graines: int, sources: tuple[str, ...]
) -> dict[str, Any]:
    """The parameters of a simulation job (what :func:`run_simulation` reads)."""
    return {
        "scenario": scenario.as_dict(),
        "territoire": territoire,
        "palier": palier,
        "graines": graines,
        "sources": list(sources),
    }


def run_simulation(
    context: JobContext, parameters: Mapping[str, Any], progress: Callable[[int], None]
) -> dict[str, Any]:
    """A scenario replayed before and after on the cohorts of seeds 1 to ``graines``
    (:func:`~tremplin.scenarios.scenario_comparison.run_scenario`); the comparison's JSON."""
    scenario = Scenario.from_mapping(parameters["scenario"])
    facts = context.facts()
    with context.engine.connect() as conn:
        comparison = run_scenario(
            conn,
            facts,
            scenario,
            territoire=str(parameters["territoire"]),
            seeds=tuple(range(1, int(parameters["graines"]) + 1)),
            progress=progress,
        )
    return comparison.as_dict()


def optimisation_steps(parameters: Mapping[str, Any]) -> int:
    """The steps of an optimiser run: the problem, the solution, and five more for a curve."""
    return 2 + (5 if parameters.get("courbe") else 0)


def run_optimisation_job(
    context: JobContext, parameters: Mapping[str, Any], progress: Callable[[int], None]
) -> dict[str, Any]:
    """An optimiser run (:func:`~tremplin.planning.optimisation.run_optimisation`) with the
    store's open declared needs, read once: its JSON."""
    with context.engine.connect() as conn:
        declared = declared_needs(conn, per_company=True)
    return run_optimisation(
        context.facts(), parameters, lambda done, _total: progress(done), declared
    )


KINDS: dict[str, Kind] = {SIMULATION: run_simulation, OPTIMISATION: run_optimisation_job}
"""Every kind of job, by the name the ``jobs`` table keeps."""
