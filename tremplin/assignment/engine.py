"""Pupil-proposing deferred acceptance on the arrays of an :class:`Instance` (numba).

Reference: D. Gale and L. S. Shapley, « College admissions and the stability of marriage »,
*American Mathematical Monthly* 69 (1962); with capacities, the *hospitals/residents* problem of
D. Gusfield and R. W. Irving, *The Stable Marriage Problem* (MIT Press, 1989). The
result is the pupil-optimal stable assignment: no pupil can do better in any stable assignment,
and it does not depend on the order in which pupils propose.

Steps, in the McVitie–Wilson order (each rejected pupil proposes again at once):

1. every formation keeps its admitted pupils in a binary min-heap keyed by priority, so that its
   weakest admitted pupil is at the top; heaps live side by side in one array of
   ``sum(capacities)`` slots;
2. pupils are taken one by one; a pupil proposes to its next wish: if the formation has a free
   seat it is admitted; if the formation is full and ranks it above its weakest admitted pupil,
   it takes that pupil's seat and the displaced pupil proposes in turn to its own next wish;
   otherwise it is rejected and proposes to its next wish;
3. a pupil whose wishes are exhausted stays without a place.

Each wish is proposed at most once, and each proposal costs ``O(log capacity)``: the whole run is
``O(W log C)`` for ``W`` wishes. Priorities are strict: a higher score first, then the smaller
lottery number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit
from numpy.typing import NDArray

from tremplin.assignment.instance import Instance

__all__ = ["Outcome", "deferred_acceptance", "solve"]


@njit(cache=True, nogil=True)
def _deferred_acceptance(
    offsets: NDArray[np.int64],
    formations: NDArray[np.int32],
    priority: NDArray[np.float64],
    lottery: NDArray[np.int64],
    capacities: NDArray[np.int64],
) -> NDArray[np.int64]:  # pragma: no cover - compiled
    n_pupils = offsets.size - 1
    n_formations = capacities.size
    start = np.zeros(n_formations + 1, np.int64)
    for f in range(n_formations):
        start[f + 1] = start[f] + capacities[f]
    heap_pupil = np.empty(start[n_formations], np.int64)
    heap_score = np.empty(start[n_formations], np.float64)
    heap_lot = np.empty(start[n_formations], np.int64)
    size = np.zeros(n_formations, np.int64)
    next_wish = offsets[:-1].copy()
    held = np.full(n_pupils, -1, np.int64)
    for first in range(n_pupils):
        p = first
        while p >= 0:
            w = next_wish[p]
            end = offsets[p + 1]
            lot = lottery[p]
            displaced = -1
            placed = False
            while w < end:
                f = formations[w]
                cap = capacities[f]
                score = priority[w]
                base = start[f]
                n = size[f]
                if n < cap:
                    # A free seat: sift the newcomer up while its parent ranks above it.
                    i = n
                    while i > 0:
                        parent = (i - 1) >> 1
                        ps = heap_score[base + parent]
                        pl = heap_lot[base + parent]
                        if ps > score or (ps == score and pl < lot):
                            heap_pupil[base + i] = heap_pupil[base + parent]
                            heap_score[base + i] = ps
                            heap_lot[base + i] = pl
                            i = parent
                        else:
                            break
                    heap_pupil[base + i] = p
                    heap_score[base + i] = score
                    heap_lot[base + i] = lot
                    size[f] = n + 1
                    placed = True
                elif cap > 0:
                    ts = heap_score[base]
                    tl = heap_lot[base]
                    if score > ts or (score == ts and lot < tl):
                        # Full, but the newcomer ranks above the weakest: it takes the root's
                        # seat and sifts down below every weaker child.
                        displaced = heap_pupil[base]
                        i = 0
                        while True:
                            c = 2 * i + 1
                            if c >= cap:
                                break
                            cs = heap_score[base + c]
                            cl = heap_lot[base + c]
                            if c + 1 < cap:
                                ds = heap_score[base + c + 1]
                                dl = heap_lot[base + c + 1]
                                if ds < cs or (ds == cs and dl > cl):
                                    c += 1
                                    cs = ds
                                    cl = dl
                            if cs < score or (cs == score and cl > lot):
                                heap_pupil[base + i] = heap_pupil[base + c]
                                heap_score[base + i] = cs
                                heap_lot[base + i] = cl
                                i = c
                            else:
                                break
                        heap_pupil[base + i] = p
                        heap_score[base + i] = score
                        heap_lot[base + i] = lot
                        placed = True
                if placed:
                    break
                w += 1
            if placed:
                held[p] = w
                next_wish[p] = w + 1
            else:
                next_wish[p] = end
            if displaced >= 0:
                held[displaced] = -1
            p = displaced
    return held


def deferred_acceptance(
    wish_offsets: NDArray[np.int64],
    wish_formations: NDArray[np.int32],
    priority: NDArray[np.float64],
    lottery: NDArray[np.int64],
    capacities: NDArray[np.int64],
) -> NDArray[np.int64]:
    """The pupil-optimal stable assignment, as the index of the wish each pupil holds (-1: none).

    Takes the CSR wish lists (``wish_offsets``, ``wish_formations``), one priority per wish
    (higher is better), one lottery number per pupil (smaller wins ties) and one capacity per
    formation. Arrays are converted to the engine's dtypes when needed.
    """
    return np.asarray(
        _deferred_acceptance(
            np.ascontiguousarray(wish_offsets, dtype=np.int64),
            np.ascontiguousarray(wish_formations, dtype=np.int32),
            np.ascontiguousarray(priority, dtype=np.float64),
            np.ascontiguousarray(lottery, dtype=np.int64),
            np.ascontiguousarray(capacities, dtype=np.int64),
        ),
        dtype=np.int64,
    )


@dataclass(frozen=True, eq=False)
class Outcome:
    """What each pupil holds at the end: ``wish[p]`` is the index (into the instance's wish
    arrays) of the wish pupil ``p`` obtained, or -1 when it has no place; ``priority`` is the
    priority per wish the run used (the instance's scores unless a variant gave others)."""

    instance: Instance
    wish: NDArray[np.int64]
    priority: NDArray[np.float64]

    @cached_property
    def placed(self) -> NDArray[np.bool_]:
        """Whether each pupil has a place."""
        return self.wish >= 0

    @cached_property
    def formation(self) -> NDArray[np.int64]:
        """The formation obtained by each pupil (-1: none)."""
        result = np.full(self.wish.size, -1, dtype=np.int64)
        result[self.placed] = self.instance.wish_formations[self.wish[self.placed]]
        return result

    @cached_property
    def rank(self) -> NDArray[np.int64]:
        """The rank of the wish obtained by each pupil (0 = first wish, -1: none)."""
        starts = self.instance.wish_offsets[:-1]
        return np.where(self.placed, self.wish - starts, -1)


def solve(instance: Instance, priority: NDArray[np.float64] | None = None) -> Outcome:
    """Run deferred acceptance on ``instance``, with its scores or with ``priority`` (one value
    per wish, higher is better: a barème, a call order turned into scores…)."""
    used = instance.scores if priority is None else np.ascontiguousarray(priority, np.float64)
    if used.shape != instance.scores.shape:
        raise ValueError(f"{used.size} priorités pour {instance.n_wishes} vœux")
    held = deferred_acceptance(
        instance.wish_offsets, instance.wish_formations, used, instance.lottery, instance.capacities
    )
    return Outcome(instance, held, used)
