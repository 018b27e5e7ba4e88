"""An assignment instance as compact arrays: who wishes what, in which order, with which priority.

Pupils rank formations (their *vœux*); each formation ranks the pupils who asked for it by a
priority score (higher is better) and has a capacity. The arrays are laid out for the engine:

- wishes in CSR form: pupil ``p``'s wishes, best first, are
  ``wish_formations[wish_offsets[p]:wish_offsets[p + 1]]``, and ``scores`` (aligned with
  ``wish_formations``) holds the pupil's priority at each of them;
- ``capacities[f]`` seats per formation (0 allowed: nobody is admitted);
- ``lottery[p]``: a seeded lottery number per pupil, the same for every formation (*single tie
  breaking*), so that equal scores still give a strict order: at equal score, the smaller lottery
  number comes first. It is ``numpy.random.default_rng(seed).permutation(n_pupils)``.

Optional data for the variants: ``boursier`` per pupil, ``resident`` per wish (residence is a
relation between a pupil and the place of a formation, so it is stored per wish), and per-formation
quotas (``quota_boursiers``, ``quota_residents``, shares between 0 and 1) used by the
Parcoursup-like call order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Instance"]


def _ids(prefix: str, count: int, given: Sequence[str] | None) -> tuple[str, ...]:
    if given is None:
        return tuple(f"{prefix}{i + 1}" for i in range(count))
    if len(given) != count:
        raise ValueError(f"{len(given)} identifiants pour {count} éléments ({prefix})")
    return tuple(given)


def _checked_size(array: NDArray[np.generic], size: int, name: str) -> None:
    if array.shape != (size,):
        raise ValueError(f"{name} : {array.size} valeurs, {size} attendues")


def _flags(values: ArrayLike | None, size: int, name: str) -> NDArray[np.bool_]:
    if values is None:
        return np.zeros(size, dtype=np.bool_)
    array = np.ascontiguousarray(values, dtype=np.bool_)
    _checked_size(array, size, name)
    return array


def _shares(values: ArrayLike | None, size: int, name: str) -> NDArray[np.float64]:
    if values is None:
        return np.zeros(size, dtype=np.float64)
    array = np.ascontiguousarray(values, dtype=np.float64)
    _checked_size(array, size, name)
    if not np.all((array >= 0) & (array <= 1)):
        raise ValueError(f"{name} : un quota doit être compris entre 0 et 1")
    return array


@dataclass(frozen=True, eq=False)
class Instance:
    """Wishes, priorities and capacities of one assignment round, as arrays.

    Build it with :meth:`from_arrays` (cohorts, benchmarks) or :meth:`from_lists` (small cases);
    both validate the arrays. :mod:`tremplin.assignment.json_io` reads the JSON format.
    """

    capacities: NDArray[np.int64]
    wish_offsets: NDArray[np.int64]
    wish_formations: NDArray[np.int32]
    scores: NDArray[np.float64]
    seed: int
    boursier: NDArray[np.bool_]
    resident: NDArray[np.bool_]
    quota_boursiers: NDArray[np.float64]
    quota_residents: NDArray[np.float64]
    formation_ids: tuple[str, ...]
    pupil_ids: tuple[str, ...]

    @classmethod
    def from_arrays(
        cls,
        capacities: ArrayLike,
        wish_offsets: ArrayLike,
        wish_formations: ArrayLike,
        scores: ArrayLike,
        seed: int = 0,
        *,
        boursier: ArrayLike | None = None,
        resident: ArrayLike | None = None,
        quota_boursiers: ArrayLike | None = None,
        quota_residents: ArrayLike | None = None,
        formation_ids: Sequence[str] | None = None,
        pupil_ids: Sequence[str] | None = None,
    ) -> Instance:
        """Check and wrap the arrays (copied only when their dtype or layout differs).

        Raises ``ValueError`` when offsets are not a CSR index, a wish names no formation, a pupil
        asks twice for the same formation, a capacity is negative, a score is not finite or a
        quota is outside [0, 1].
        """
        caps = np.ascontiguousarray(capacities, dtype=np.int64)
        offsets = np.ascontiguousarray(wish_offsets, dtype=np.int64)
        formations = np.ascontiguousarray(wish_formations, dtype=np.int32)
        prio = np.ascontiguousarray(scores, dtype=np.float64)
        n_formations, n_wishes = caps.size, formations.size
        if offsets.ndim != 1 or offsets.size < 1 or offsets[0] != 0 or offsets[-1] != n_wishes:
            raise ValueError("wish_offsets doit commencer à 0 et finir au nombre de vœux")
        if np.any(np.diff(offsets) < 0):
            raise ValueError("wish_offsets doit être croissant")
        if prio.shape != formations.shape:
            raise ValueError(f"{prio.size} scores pour {n_wishes} vœux")
        if n_wishes and (formations.min() < 0 or formations.max() >= n_formations):
            raise ValueError("un vœu désigne une formation inexistante")
        if np.any(caps < 0):
            raise ValueError("une capacité est négative")
        if not np.all(np.isfinite(prio)):
            raise ValueError("un score n'est pas un nombre fini")
        n_pupils = offsets.size - 1
        if n_wishes:
            pupils = np.repeat(np.arange(n_pupils, dtype=np.int64), np.diff(offsets))
            pairs = np.sort(pupils * n_formations + formations)
            if np.any(pairs[1:] == pairs[:-1]):
                raise ValueError("un élève demande deux fois la même formation")
        return cls(
            capacities=caps,
            wish_offsets=offsets,
            wish_formations=formations,
            scores=prio,
            seed=int(seed),
            boursier=_flags(boursier, n_pupils, "boursier"),
            resident=_flags(resident, n_wishes, "resident"),
            quota_boursiers=_shares(quota_boursiers, n_formations, "quota_boursiers"),
            quota_residents=_shares(quota_residents, n_formations, "quota_residents"),
            formation_ids=_ids("F", n_formations, formation_ids),
            pupil_ids=_ids("P", n_pupils, pupil_ids),
        )

    @classmethod
    def from_lists(
        cls,
        capacities: Sequence[int],
        wishes: Sequence[Sequence[int]],
        scores: Sequence[Sequence[float]] | None = None,
        seed: int = 0,
        **optional: Any,
    ) -> Instance:
        """An instance from plain lists: ``wishes[p]`` lists formation indices, best first.

        ``scores[p][i]`` is pupil ``p``'s priority at ``wishes[p][i]`` (all 0 when omitted: a
        pure lottery). Keyword arguments are those of :meth:`from_arrays`.
        """
        counts = [len(w) for w in wishes]
        offsets = np.zeros(len(wishes) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        flat = [f for w in wishes for f in w]
        if scores is None:
            flat_scores = [0.0] * len(flat)
        else:
            if [len(s) for s in scores] != counts:
                raise ValueError("scores et vœux n'ont pas la même forme")
            flat_scores = [float(s) for row in scores for s in row]
        return cls.from_arrays(
            capacities,
            offsets,
            np.asarray(flat, dtype=np.int32),
            np.asarray(flat_scores, dtype=np.float64),
            seed,
            **optional,
        )

    def with_scores(self, scores: ArrayLike) -> Instance:
        """The same instance with other priorities (a barème, a call order…)."""
        prio = np.ascontiguousarray(scores, dtype=np.float64)
        if prio.shape != self.scores.shape or not np.all(np.isfinite(prio)):
            raise ValueError("les scores doivent être finis, un par vœu")
        return dataclasses.replace(self, scores=prio)

    @property
    def n_pupils(self) -> int:
        return int(self.wish_offsets.size - 1)

    @property
    def n_formations(self) -> int:
        return int(self.capacities.size)

    @property
    def n_wishes(self) -> int:
        return int(self.wish_formations.size)

    @property
    def has_quotas(self) -> bool:
        """Whether some formation has a boursier or residence quota (Parcoursup-like rule)."""
        return bool(np.any(self.quota_boursiers > 0) or np.any(self.quota_residents > 0))

    @cached_property
    def wish_counts(self) -> NDArray[np.int64]:
        """Number of wishes of each pupil."""
        return np.diff(self.wish_offsets)

    @cached_property
    def wish_pupils(self) -> NDArray[np.int64]:
        """The pupil of each wish (aligned with ``wish_formations``)."""
        return np.repeat(np.arange(self.n_pupils, dtype=np.int64), self.wish_counts)

    @cached_property
    def wish_ranks(self) -> NDArray[np.int64]:
        """The rank of each wish in its pupil's list (0 = first wish)."""
        return np.arange(self.n_wishes, dtype=np.int64) - self.wish_offsets[self.wish_pupils]

    @cached_property
    def lottery(self) -> NDArray[np.int64]:
        """Each pupil's lottery number (a permutation of ``range(n_pupils)``; smaller wins)."""
        return np.random.default_rng(self.seed).permutation(self.n_pupils).astype(np.int64)
