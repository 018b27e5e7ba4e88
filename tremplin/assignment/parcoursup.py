"""Parcoursup-like *ordre d'appel*: each formation's ranking reordered for its quotas.

Each formation first ranks the pupils who asked for it (its *classement*: score, higher first,
then the lottery). The call order then follows the published rule of Parcoursup (« Document de
présentation des algorithmes de Parcoursup », ministère de l'Enseignement supérieur, § ordre
d'appel), with two minimum shares per formation:

- **boursiers**: among the first ``k`` pupils called, at least ``ceil(q_b · k)`` are boursiers,
  for every ``k``, as long as boursiers remain to be called;
- **résidents**: likewise with ``q_r`` for pupils resident in the formation's sector (the
  published rule caps non-residents at ``1 - q_r``, which is the same thing).

Steps, for each formation: keep four queues in ranking order (boursier or not × resident or
not); for call ``k = 1, 2, …`` a quota *binds* when calling a pupil outside it would leave fewer
than ``ceil(q · k)`` of its pupils among the first ``k`` while some remain; call the best-ranked
head among the queues that satisfy every binding quota. When both bind and no boursier resident
is left, the boursier quota prevails, as in the published rule. Quotas are read to the hundredth
of a percent (``round(q · 10 000)``), so the ceilings are computed in integers.

The assignment is then deferred acceptance with the call order as priority: the state
Parcoursup's daily rounds converge to when every pupil keeps its best offer, stable with respect
to the call order, within capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from tremplin.assignment.engine import Outcome, solve
from tremplin.assignment.instance import Instance

__all__ = ["CallOrder", "call_order", "quota_basis_points", "required"]

BASIS = 10_000


def quota_basis_points(shares: NDArray[np.float64]) -> NDArray[np.int64]:
    """Quotas as integers out of 10 000 (hundredths of a percent)."""
    return np.rint(np.asarray(shares, dtype=np.float64) * BASIS).astype(np.int64)


def required(basis_points: int, called: int) -> int:
    """``ceil(q · called)`` for a quota of ``basis_points`` / 10 000, in exact integers."""
    return -(-basis_points * called // BASIS)


@njit(cache=True, nogil=True)
def _classement(
    wishes_by_lottery: NDArray[np.int64],
    formations: NDArray[np.int32],
    scores: NDArray[np.float64],
    n_formations: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # pragma: no cover - compiled
    # A stable counting sort by formation keeps the lottery order inside each formation; a
    # stable sort by score within each formation then gives (score descending, lottery).
    segment = np.zeros(n_formations + 1, np.int64)
    for w in wishes_by_lottery:
        segment[formations[w] + 1] += 1
    for f in range(n_formations):
        segment[f + 1] += segment[f]
    fill = segment[:-1].copy()
    order = np.empty(wishes_by_lottery.size, np.int64)
    for w in wishes_by_lottery:
        f = formations[w]
        order[fill[f]] = w
        fill[f] += 1
    for f in range(n_formations):
        lo = segment[f]
        hi = segment[f + 1]
        if hi - lo > 1:
            part = order[lo:hi].copy()
            keys = np.empty(hi - lo, np.float64)
            for i in range(hi - lo):
                keys[i] = -scores[part[i]]
            order[lo:hi] = part[np.argsort(keys, kind="mergesort")]
    return order, segment


@njit(cache=True, nogil=True)
def _call_positions(
    order: NDArray[np.int64],
    segment: NDArray[np.int64],
    kind: NDArray[np.int8],
    quota_b: NDArray[np.int64],
    quota_r: NDArray[np.int64],
) -> NDArray[np.int64]:  # pragma: no cover - compiled
    # kind: bit 1 = boursier, bit 0 = resident, so 3 = boursier resident, 0 = neither.
    positions = np.empty(order.size, np.int64)
    heads = np.empty(4, np.int64)
    remaining = np.zeros(4, np.int64)
    for f in range(segment.size - 1):
        lo = segment[f]
        hi = segment[f + 1]
        remaining[:] = 0
        for i in range(lo, hi):
            remaining[kind[order[i]]] += 1
        for t in range(4):
            heads[t] = lo
            while heads[t] < hi and kind[order[heads[t]]] != t:
                heads[t] += 1
        called_b = 0
        called_r = 0
        for k in range(1, hi - lo + 1):
            left_b = remaining[2] + remaining[3]
            left_r = remaining[1] + remaining[3]
            need_b = left_b > 0 and called_b < -(-quota_b[f] * k // BASIS)
            need_r = left_r > 0 and called_r < -(-quota_r[f] * k // BASIS)
            if need_b and need_r and remaining[3] == 0:
                need_r = False  # the boursier quota prevails
            best = -1
            for t in range(4):
                if remaining[t] == 0:
                    continue
                if need_b and t < 2:
                    continue
                if need_r and t % 2 == 0:
                    continue
                if best < 0 or heads[t] < heads[best]:
                    best = t
            i = heads[best]
            positions[order[i]] = k
            remaining[best] -= 1
            if best >= 2:
                called_b += 1
            if best % 2 == 1:
                called_r += 1
            i += 1
            while i < hi and kind[order[i]] != best:
                i += 1
            heads[best] = i
    return positions


@dataclass(frozen=True, eq=False)
class CallOrder:
    """The call order of every formation: ``position[w]`` (1 = called first) for each wish
    ``w``, and ``ranking[w]``, its place in the formation's classement before quotas."""

    instance: Instance
    position: NDArray[np.int64]
    ranking: NDArray[np.int64]

    @property
    def priority(self) -> NDArray[np.float64]:
        """The call order as priorities for the engine (called earlier = higher)."""
        return -self.position.astype(np.float64)

    def solve(self) -> Outcome:
        """Deferred acceptance with the call order as each formation's priority."""
        return solve(self.instance, self.priority)


def call_order(instance: Instance) -> CallOrder:
    """Each formation's classement (score, then lottery) reordered for its boursier and residence
    quotas (``instance.quota_boursiers``, ``instance.quota_residents``; ``instance.boursier``
    per pupil, ``instance.resident`` per wish)."""
    pupils = instance.wish_pupils
    formations = instance.wish_formations
    # Every wish, pupils taken in lottery order (the lottery is a permutation of the pupils).
    by_lottery = np.argsort(instance.lottery)
    counts = instance.wish_counts[by_lottery]
    shift = instance.wish_offsets[:-1][by_lottery] - (np.cumsum(counts) - counts)
    wishes_by_lottery = np.repeat(shift, counts) + np.arange(instance.n_wishes, dtype=np.int64)
    order, segment = _classement(
        wishes_by_lottery, formations, instance.scores, instance.n_formations
    )
    ranking = np.empty(instance.n_wishes, dtype=np.int64)
    ranking[order] = np.arange(instance.n_wishes, dtype=np.int64) - segment[formations[order]] + 1
    kind = (
        instance.boursier[pupils].astype(np.int8) * 2 + instance.resident.astype(np.int8)
    ).astype(np.int8)
    position = _call_positions(
        order,
        segment,
        kind,
        quota_basis_points(instance.quota_boursiers),
        quota_basis_points(instance.quota_residents),
    )
    return CallOrder(instance, np.asarray(position, dtype=np.int64), ranking)
