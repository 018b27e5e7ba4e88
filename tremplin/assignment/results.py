"""What an assignment gives: per pupil, per formation, and aggregated (optionally by group).

- per pupil: the rank of the wish obtained (``Outcome.rank``; 0 = first wish, -1 = none);
- per formation (:func:`formation_results`): capacity, seats filled, seats left, first wishes
  received, and the *last admitted*: the admitted pupil the formation ranks lowest in the
  priority the run used, with that pupil's score;
- aggregates (:func:`summarise`): pupils, pupils with at least one wish, placed, placed on their
  first wish, and the shares of the last two among pupils with at least one wish; seats, filled
  and unfilled. Both can be broken down by labels given per pupil (territory of residence,
  boursier…) or per formation (territory, industrial perimeter…).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tremplin.assignment.engine import Outcome

__all__ = [
    "FormationResults",
    "Labels",
    "PlacesSummary",
    "PupilsSummary",
    "Summary",
    "formation_results",
    "summarise",
]


@dataclass(frozen=True)
class PupilsSummary:
    """Counts over a set of pupils; shares are of the pupils with at least one wish."""

    pupils: int
    with_wishes: int
    placed: int
    first_wish: int

    @property
    def unplaced(self) -> int:
        """Pupils who asked for something and got nothing."""
        return self.with_wishes - self.placed

    @property
    def share_placed(self) -> float | None:
        return self.placed / self.with_wishes if self.with_wishes else None

    @property
    def share_first_wish(self) -> float | None:
        return self.first_wish / self.with_wishes if self.with_wishes else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "pupils": self.pupils,
            "with_wishes": self.with_wishes,
            "placed": self.placed,
            "first_wish": self.first_wish,
            "unplaced": self.unplaced,
            "share_placed": self.share_placed,
            "share_first_wish": self.share_first_wish,
        }


@dataclass(frozen=True)
class PlacesSummary:
    """Counts over a set of formations."""

    formations: int
    capacity: int
    filled: int
    first_wishes: int

    @property
    def unfilled(self) -> int:
        return self.capacity - self.filled

    def as_dict(self) -> dict[str, Any]:
        return {
            "formations": self.formations,
            "capacity": self.capacity,
            "filled": self.filled,
            "unfilled": self.unfilled,
            "first_wishes": self.first_wishes,
        }


@dataclass(frozen=True)
class Summary:
    """Aggregates of one outcome, overall and by group label."""

    pupils: PupilsSummary
    places: PlacesSummary
    by_pupil_group: dict[str, dict[str, PupilsSummary]]
    by_formation_group: dict[str, dict[str, PlacesSummary]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "pupils": self.pupils.as_dict(),
            "places": self.places.as_dict(),
            "by_pupil_group": {
                name: {label: s.as_dict() for label, s in groups.items()}
                for name, groups in self.by_pupil_group.items()
            },
            "by_formation_group": {
                name: {label: s.as_dict() for label, s in groups.items()}
                for name, groups in self.by_formation_group.items()
            },
        }


@dataclass(frozen=True, eq=False)
class FormationResults:
    """Per formation arrays: ``filled``, ``first_wishes`` (pupils whose first wish it is),
    ``last_admitted_wish`` (wish index of the last admitted, -1 when empty) and its score
    (``last_admitted_score``, NaN when empty)."""

    capacity: NDArray[np.int64]
    filled: NDArray[np.int64]
    first_wishes: NDArray[np.int64]
    last_admitted_wish: NDArray[np.int64]
    last_admitted_score: NDArray[np.float64]

    @property
    def unfilled(self) -> NDArray[np.int64]:
        return self.capacity - self.filled


def formation_results(outcome: Outcome) -> FormationResults:
    """Fill, first wishes and last admitted of every formation."""
    instance = outcome.instance
    n_formations = instance.n_formations
    placed = np.flatnonzero(outcome.placed)
    formation = outcome.formation[placed]
    filled = np.bincount(formation, minlength=n_formations).astype(np.int64)
    firsts = instance.wish_offsets[:-1][instance.wish_counts > 0]
    first_wishes = np.bincount(instance.wish_formations[firsts], minlength=n_formations).astype(
        np.int64
    )
    wish = outcome.wish[placed]
    # The weakest admitted comes first: by formation, then lowest priority, then largest lottery.
    order = np.lexsort((-instance.lottery[placed], outcome.priority[wish], formation))
    starts = np.flatnonzero(np.r_[True, formation[order][1:] != formation[order][:-1]])
    last_wish = np.full(n_formations, -1, dtype=np.int64)
    if placed.size:
        last_wish[formation[order][starts]] = wish[order][starts]
    last_score = np.full(n_formations, np.nan, dtype=np.float64)
    admitting = last_wish >= 0
    last_score[admitting] = instance.scores[last_wish[admitting]]
    return FormationResults(instance.capacities.copy(), filled, first_wishes, last_wish, last_score)


@dataclass(frozen=True, eq=False)
class Labels:
    """One label per item, encoded once: the distinct labels as text, sorted, and the index of
    each item's label among them. A caller that summarises many outcomes of the same pupils or
    formations passes it instead of the raw labels to encode them once."""

    names: tuple[str, ...]
    inverse: NDArray[np.intp]

    @classmethod
    def of(cls, values: Sequence[Any] | ArrayLike) -> Labels:
        """The labels of ``values``, compared as text."""
        array = np.asarray(values)
        names, inverse = np.unique(array.astype(str), return_inverse=True)
        return cls(tuple(str(n) for n in names), np.asarray(inverse, dtype=np.intp).reshape(-1))


def _labels(
    values: Labels | Sequence[Any] | ArrayLike, size: int, name: str
) -> tuple[list[str], NDArray[np.intp]]:
    array = values.inverse if isinstance(values, Labels) else np.asarray(values)
    if array.shape != (size,):
        raise ValueError(f"groupe « {name} » : {array.size} étiquettes, {size} attendues")
    encoded = values if isinstance(values, Labels) else Labels.of(array)
    return list(encoded.names), encoded.inverse


def _count(inverse: NDArray[np.intp], size: int, where: NDArray[Any] | None = None) -> list[int]:
    counts = np.bincount(inverse, weights=where, minlength=size)
    return [int(c) for c in counts]


def _pupils_by(outcome: Outcome, inverse: NDArray[np.intp], size: int) -> list[PupilsSummary]:
    pupils = _count(inverse, size)
    with_wishes = _count(inverse, size, outcome.instance.wish_counts > 0)
    placed = _count(inverse, size, outcome.placed)
    first = _count(inverse, size, outcome.rank == 0)
    return [
        PupilsSummary(*counts) for counts in zip(pupils, with_wishes, placed, first, strict=True)
    ]


def _places_by(
    results: FormationResults, inverse: NDArray[np.intp], size: int
) -> list[PlacesSummary]:
    formations = _count(inverse, size)
    capacity = _count(inverse, size, results.capacity)
    filled = _count(inverse, size, results.filled)
    firsts = _count(inverse, size, results.first_wishes)
    return [
        PlacesSummary(*counts) for counts in zip(formations, capacity, filled, firsts, strict=True)
    ]


def summarise(
    outcome: Outcome,
    pupil_groups: Mapping[str, Labels | Sequence[Any] | ArrayLike] | None = None,
    formation_groups: Mapping[str, Labels | Sequence[Any] | ArrayLike] | None = None,
) -> Summary:
    """Aggregates of ``outcome``, overall and for each label of each group.

    ``pupil_groups`` maps a group name (``"boursier"``, ``"territoire"``…) to one label per pupil;
    ``formation_groups`` to one label per formation (``"perimetre"``…). Labels are compared as
    text; :class:`Labels` are labels already encoded.
    """
    instance = outcome.instance
    results = formation_results(outcome)
    by_pupil: dict[str, dict[str, PupilsSummary]] = {}
    for name, values in (pupil_groups or {}).items():
        labels, inverse = _labels(values, instance.n_pupils, name)
        by_pupil[name] = dict(zip(labels, _pupils_by(outcome, inverse, len(labels)), strict=True))
    by_formation: dict[str, dict[str, PlacesSummary]] = {}
    for name, values in (formation_groups or {}).items():
        labels, inverse = _labels(values, instance.n_formations, name)
        by_formation[name] = dict(
            zip(labels, _places_by(results, inverse, len(labels)), strict=True)
        )
    everyone = np.zeros(instance.n_pupils, dtype=np.intp)
    every_formation = np.zeros(instance.n_formations, dtype=np.intp)
    (pupils,) = _pupils_by(outcome, everyone, 1)
    (places,) = _places_by(results, every_formation, 1)
    return Summary(pupils, places, by_pupil, by_formation)
