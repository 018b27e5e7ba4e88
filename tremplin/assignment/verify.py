"""An independent check that an assignment is valid and stable, in plain Python.

Nothing here comes from the engine (:mod:`tremplin.assignment.engine`): no numba, no numpy in the
checks, no shared helper. The problem is restated from plain lists (:class:`Problem`) and the
result is a list of placements ``(pupil, formation)``, so that a mistake in the engine's arrays
cannot hide itself.

- **Valid**: every pupil and formation exists, each pupil has at most one place, only in a
  formation it asked for, and no formation admits more pupils than its capacity.
- **Stable**: there is no *blocking pair* — a pupil ``p`` and a formation ``f`` such that ``p``
  asked for ``f``, prefers ``f`` to what it got (or got nothing), and ``f`` has a free seat or
  admitted someone it ranks below ``p``. A formation ranks pupils by score (higher first), then by
  lottery number (smaller first).

Both checks are linear in the number of wishes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from tremplin.assignment.instance import Instance

__all__ = ["Problem", "blocking_pairs", "check_validity", "placements_from_held"]

Placement = tuple[int, int]


@dataclass(frozen=True)
class Problem:
    """An assignment problem in plain lists: ``wishes[p]`` (formation indices, best first),
    ``scores[p][i]`` the priority of ``p`` at ``wishes[p][i]``, ``lottery[p]`` and
    ``capacities[f]``."""

    capacities: list[int]
    wishes: list[list[int]]
    scores: list[list[float]]
    lottery: list[int]

    @classmethod
    def from_instance(
        cls, instance: Instance, priority: NDArray[np.float64] | None = None
    ) -> Problem:
        """Restate an instance as lists (with ``priority`` instead of its scores if given)."""
        offsets: list[int] = instance.wish_offsets.tolist()
        formations: list[int] = instance.wish_formations.tolist()
        values: list[float] = (instance.scores if priority is None else priority).tolist()
        wishes = [formations[offsets[p] : offsets[p + 1]] for p in range(len(offsets) - 1)]
        scores = [values[offsets[p] : offsets[p + 1]] for p in range(len(offsets) - 1)]
        return cls(instance.capacities.tolist(), wishes, scores, instance.lottery.tolist())


def placements_from_held(problem: Problem, held: Sequence[int]) -> list[Placement]:
    """Placements from one wish *position in the flat wish list* per pupil (-1: none)."""
    placements: list[Placement] = []
    position = 0
    for pupil, wishes in enumerate(problem.wishes):
        index = held[pupil] - position
        if held[pupil] >= 0:
            if not 0 <= index < len(wishes):
                raise ValueError(f"élève {pupil} : le vœu tenu n'est pas l'un des siens")
            placements.append((pupil, wishes[index]))
        position += len(wishes)
    return placements


def check_validity(problem: Problem, placements: Iterable[Placement]) -> list[str]:
    """The reasons why ``placements`` is not a valid assignment (empty when it is)."""
    issues: list[str] = []
    n_pupils, n_formations = len(problem.wishes), len(problem.capacities)
    place_of: dict[int, int] = {}
    admitted = [0] * n_formations
    for pupil, formation in placements:
        if not 0 <= pupil < n_pupils:
            issues.append(f"élève {pupil} inexistant")
            continue
        if not 0 <= formation < n_formations:
            issues.append(f"élève {pupil} : formation {formation} inexistante")
            continue
        if pupil in place_of:
            issues.append(
                f"élève {pupil} : deux places (formations {place_of[pupil]} et {formation})"
            )
            continue
        place_of[pupil] = formation
        admitted[formation] += 1
        if formation not in problem.wishes[pupil]:
            issues.append(f"élève {pupil} : formation {formation} non demandée")
    for formation, count in enumerate(admitted):
        if count > problem.capacities[formation]:
            issues.append(
                f"formation {formation} : {count} admis pour {problem.capacities[formation]} places"
            )
    return issues


def blocking_pairs(problem: Problem, placements: Iterable[Placement]) -> list[Placement]:
    """The pairs ``(pupil, formation)`` that block ``placements`` (empty when it is stable).

    ``placements`` must be valid (see :func:`check_validity`).
    """
    place_of = dict(placements)
    n_formations = len(problem.capacities)
    admitted = [0] * n_formations
    # The weakest admitted pupil of each formation, as a comparable key (score, -lottery).
    weakest: list[tuple[float, int] | None] = [None] * n_formations
    for pupil, formation in place_of.items():
        key = (
            problem.scores[pupil][problem.wishes[pupil].index(formation)],
            -problem.lottery[pupil],
        )
        admitted[formation] += 1
        current = weakest[formation]
        if current is None or key < current:
            weakest[formation] = key
    pairs: list[Placement] = []
    for pupil, wishes in enumerate(problem.wishes):
        for position, formation in enumerate(wishes):
            if place_of.get(pupil) == formation:
                break  # wishes after the one obtained are less preferred
            capacity = problem.capacities[formation]
            if capacity == 0:
                continue
            if admitted[formation] < capacity:
                pairs.append((pupil, formation))
                continue
            key = (problem.scores[pupil][position], -problem.lottery[pupil])
            floor = weakest[formation]
            if floor is not None and key > floor:
                pairs.append((pupil, formation))
    return pairs
