"""One assignment run, wrapped: build it from an instance and a rule, solve it, check it.

Following the ``matching`` package's game classes: the algorithms are the pure functions of
:mod:`engine`, :mod:`affelnet` and :mod:`parcoursup`; :class:`Simulation` only chooses the
priority each formation uses (``from_*``), runs the engine (:meth:`solve`) and hands the result to
the independent checker (:meth:`check_validity`, :meth:`check_stability`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tremplin.assignment.affelnet import Bareme, bareme_scores
from tremplin.assignment.engine import Outcome, solve
from tremplin.assignment.instance import Instance
from tremplin.assignment.json_io import read_instance
from tremplin.assignment.parcoursup import CallOrder, call_order
from tremplin.assignment.verify import (
    Placement,
    Problem,
    blocking_pairs,
    check_validity,
    placements_from_held,
)

__all__ = ["Rule", "Simulation"]

Rule = Literal["scores", "bareme", "ordre d'appel"]


class Simulation:
    """An instance, the priority its formations use, and once solved, the outcome."""

    def __init__(
        self,
        instance: Instance,
        priority: NDArray[np.float64],
        rule: Rule,
        calls: CallOrder | None = None,
    ) -> None:
        self.instance = instance
        self.priority = priority
        self.rule: Rule = rule
        self.calls = calls
        self.outcome: Outcome | None = None

    @classmethod
    def from_instance(cls, instance: Instance) -> Simulation:
        """Formations rank pupils by the instance's scores (then the lottery)."""
        return cls(instance, instance.scores, "scores")

    @classmethod
    def from_call_order(cls, instance: Instance) -> Simulation:
        """Parcoursup-like: formations rank pupils by their call order (boursier and residence
        quotas applied to the classement given by the scores)."""
        calls = call_order(instance)
        return cls(instance, calls.priority, "ordre d'appel", calls)

    @classmethod
    def from_bareme(
        cls,
        instance: Instance,
        bareme: Bareme,
        grades: ArrayLike,
        formation_groups: Sequence[str],
        voie_pro: ArrayLike | None = None,
        secteur: ArrayLike | None = None,
        socle: ArrayLike | None = None,
    ) -> Simulation:
        """Affelnet: formations rank pupils by the académie's barème (the instance's scores are
        replaced by it, so results report barème points)."""
        scores = bareme_scores(instance, bareme, grades, formation_groups, voie_pro, secteur, socle)
        scored = instance.with_scores(scores)
        return cls(scored, scored.scores, "bareme")

    @classmethod
    def from_json(cls, path: Path) -> Simulation:
        """The instance of a JSON file, with the call order when a formation has a quota."""
        instance = read_instance(path)
        if instance.has_quotas:
            return cls.from_call_order(instance)
        return cls.from_instance(instance)

    def solve(self) -> Outcome:
        """Run deferred acceptance (pupils propose) and keep the outcome."""
        self.outcome = solve(self.instance, self.priority)
        return self.outcome

    def _placements(self) -> tuple[Problem, list[Placement]]:
        if self.outcome is None:
            raise RuntimeError("simulation non résolue : appeler solve() d'abord")
        problem = Problem.from_instance(self.instance, self.priority)
        return problem, placements_from_held(problem, self.outcome.wish.tolist())

    def check_validity(self) -> list[str]:
        """Reasons why the outcome is not valid, from the independent checker (empty: valid)."""
        problem, placements = self._placements()
        return check_validity(problem, placements)

    def check_stability(self) -> list[Placement]:
        """Blocking pairs ``(pupil, formation)`` of the outcome (empty: stable)."""
        problem, placements = self._placements()
        return blocking_pairs(problem, placements)
