"""The ``matching`` package (D. Wilde, PyPI) as an oracle: its ``HospitalResident`` game solved
resident-optimal on the same problem, for tests and the benchmark.

``matching`` is a test dependency (extra ``test``), imported only when this module's functions
run. It is pure Python and slow (minutes for tens of thousands of pupils), and its game rules
exclude what the engine allows, so the problem is translated first:

- a formation ranks exactly the pupils who asked for it, by score (higher first) then lottery
  number (smaller first): the engine's strict order, built here independently from plain lists;
- formations of capacity 0 are left out of the pupils' lists (nobody can get them), as are pupils
  left with no wish and formations nobody asks for (``matching`` warns about them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tremplin.assignment.verify import Problem

__all__ = ["OracleGame", "matching_game", "solve_with_matching"]


@dataclass(frozen=True)
class OracleGame:
    """The translated preferences, ready for ``HospitalResident.create_from_dictionaries``."""

    resident_prefs: dict[int, list[int]]
    hospital_prefs: dict[int, list[int]]
    capacities: dict[int, int]
    n_pupils: int

    def create(self) -> Any:
        """The ``matching`` game (built: ``matching`` checks its inputs here)."""
        from matching.games import HospitalResident

        return HospitalResident.create_from_dictionaries(
            self.resident_prefs, self.hospital_prefs, self.capacities
        )

    @staticmethod
    def read(game: Any, n_pupils: int) -> list[int | None]:
        """The formation of each pupil in a solved game (``None``: no place)."""
        result: list[int | None] = [None] * n_pupils
        for hospital, residents in game.matching.items():
            for resident in residents:
                result[resident.name] = hospital.name
        return result


def matching_game(problem: Problem) -> OracleGame:
    """Translate ``problem`` into ``matching``'s hospital/resident preferences."""
    resident_prefs: dict[int, list[int]] = {}
    applicants: dict[int, list[tuple[float, int, int]]] = {}
    for pupil, wishes in enumerate(problem.wishes):
        kept = [f for f in wishes if problem.capacities[f] > 0]
        if not kept:
            continue
        resident_prefs[pupil] = kept
        for formation, score in zip(wishes, problem.scores[pupil], strict=True):
            if problem.capacities[formation] > 0:
                entry = (-score, problem.lottery[pupil], pupil)
                applicants.setdefault(formation, []).append(entry)
    hospital_prefs = {f: [p for _, _, p in sorted(entries)] for f, entries in applicants.items()}
    capacities = {f: problem.capacities[f] for f in hospital_prefs}
    return OracleGame(resident_prefs, hospital_prefs, capacities, len(problem.wishes))


def solve_with_matching(problem: Problem) -> list[int | None]:
    """The resident-optimal stable assignment according to ``matching``: a formation or ``None``
    per pupil."""
    oracle = matching_game(problem)
    game = oracle.create()
    game.solve(optimal="resident")
    return OracleGame.read(game, oracle.n_pupils)
