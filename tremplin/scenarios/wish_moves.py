"""First wishes that move to a new or enlarged offer, in one cohort (demand follows the offer).

A :class:`~tremplin.scenarios.scenarios.Plan` lists moves (receiver, donor, expected first
wishes: :func:`~tremplin.scenarios.offer_demand.donors`). For one seed, :func:`move_first_wishes`
picks, among the pupils whose first wish is the donor, the expected number (rounded at random,
so that the mean over seeds is the expectation) and puts the receiver first on their list, their
former wishes following in order. The pupils, their grades and lottery stay: the cohort after
the change differs from the one before only by these lists (common random numbers). A wish put
first is not « de secteur » (the barème gives it no secteur bonus).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from tremplin.assignment.engine import Outcome
from tremplin.assignment.instance import Instance
from tremplin.scenarios.cohorts import Cohort

__all__ = ["Move", "before_in_new_lists", "first_wish_counts", "move_first_wishes"]

Move = tuple[int, int, float]
"""(receiver offer, donor offer, expected first wishes moved), rows of the plan's offers."""


def first_wish_counts(cohort: Cohort) -> NDArray[np.int64]:
    """First wishes per offer of ``cohort`` (pupils without a wish count nowhere)."""
    i = cohort.instance
    offsets = np.asarray(i.wish_offsets)
    has = offsets[1:] > offsets[:-1]
    first = np.asarray(i.wish_formations)[offsets[:-1][has]]
    return np.bincount(first, minlength=i.n_formations).astype(np.int64)


def move_first_wishes(cohort: Cohort, moves: Sequence[Move], seed: int) -> Cohort:
    """``cohort`` with the ``moves`` applied (see the module); the same cohort when none."""
    if not moves:
        return cohort
    i = cohort.instance
    offsets = np.asarray(i.wish_offsets, dtype=np.int64)
    formations = np.asarray(i.wish_formations, dtype=np.int64)
    has = offsets[1:] > offsets[:-1]
    first = np.full(i.n_pupils, -1, dtype=np.int64)
    first[has] = formations[offsets[:-1][has]]
    rng = np.random.default_rng([seed, 104_729])
    receiver_of = np.full(i.n_pupils, -1, dtype=np.int64)
    for receiver, donor, expected in moves:
        candidates = np.flatnonzero((first == donor) & (receiver_of < 0))
        whole = int(np.floor(expected))
        count = whole + int(rng.random() < expected - whole)
        count = min(count, candidates.size)
        if count:
            receiver_of[rng.choice(candidates, count, replace=False)] = receiver
    moved = np.flatnonzero(receiver_of >= 0)
    if moved.size == 0:
        return cohort
    secteur = np.asarray(cohort.secteur, dtype=np.bool_)
    scores = np.asarray(i.scores, dtype=np.float64)
    wishes: list[NDArray[np.int64]] = []
    flags: list[NDArray[np.bool_]] = []
    points: list[NDArray[np.float64]] = []
    counts = np.diff(offsets)
    start = 0
    for p in moved.tolist():
        a, b = int(offsets[p]), int(offsets[p + 1])
        wishes.append(formations[offsets[start] : a])
        flags.append(secteur[offsets[start] : a])
        points.append(scores[offsets[start] : a])
        keep = formations[a:b] != receiver_of[p]
        wishes.append(np.concatenate([[receiver_of[p]], formations[a:b][keep]]))
        flags.append(np.concatenate([[False], secteur[a:b][keep]]))
        points.append(np.concatenate([[0.0], scores[a:b][keep]]))
        counts[p] = 1 + int(keep.sum())
        start = p + 1
    wishes.append(formations[offsets[start] :])
    flags.append(secteur[offsets[start] :])
    points.append(scores[offsets[start] :])
    new_offsets = np.zeros(i.n_pupils + 1, dtype=np.int64)
    np.cumsum(counts, out=new_offsets[1:])
    instance = Instance.from_arrays(
        i.capacities,
        new_offsets,
        np.concatenate(wishes),
        np.concatenate(points),
        i.seed,
        boursier=i.boursier,
        formation_ids=i.formation_ids,
        pupil_ids=i.pupil_ids,
    )
    return Cohort(
        offers=cohort.offers,
        pupils=cohort.pupils,
        instance=instance,
        grades=cohort.grades,
        secteur=np.concatenate(flags),
        formation_groups=cohort.formation_groups,
        seed=cohort.seed,
    )


def before_in_new_lists(before: Outcome, cohort: Cohort, moved: Cohort) -> NDArray[np.int64]:
    """The ranks of ``before`` (the assignment of ``cohort``), each moved pupil's read in its
    list after the move (``moved``): a pupil placed where it was is then neither better nor
    worse off; placed on the offer it now asks first, better off."""
    old, new = cohort.instance, moved.instance
    o_off, n_off = np.asarray(old.wish_offsets), np.asarray(new.wish_offsets)
    has = (o_off[1:] > o_off[:-1]) & (n_off[1:] > n_off[:-1])
    first_old = np.full(old.n_pupils, -1, dtype=np.int64)
    first_new = np.full(old.n_pupils, -1, dtype=np.int64)
    first_old[has] = np.asarray(old.wish_formations)[o_off[:-1][has]]
    first_new[has] = np.asarray(new.wish_formations)[n_off[:-1][has]]
    rank = np.array(before.rank, copy=True)
    for p in np.flatnonzero(first_old != first_new).tolist():
        if rank[p] < 0:
            continue
        wishes = np.asarray(new.wish_formations)[n_off[p] : n_off[p + 1]]
        rank[p] = int(np.flatnonzero(wishes == before.formation[p])[0])
    return rank
