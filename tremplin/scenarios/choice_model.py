"""The choice model of further wishes: a multinomial logit over the offers within reach.

A pupil's first wish is given (it reproduces the real first wishes). Its further wishes are
drawn from the offers of the lycées within its reach (see
:func:`~tremplin.scenarios.cohort_places.lycees_within_reach`), the first wish excluded, with
utility

    u(j) = −β_d · distance_km(j) + β_f · [same famille as the first wish]
           + β_n · [same level as the first wish] + β_p · log(1 + popularity(j))

where popularity is the offer's real number of first wishes (*Demandes vœux 1*). The pupil
ranks its further wishes as a sequence of logit choices without replacement — the
Plackett–Luce model: the second wish is ``j`` with probability ``exp(u_j) / Σ exp(u)``
(:func:`choice_probabilities`), the third is drawn the same way among the rest, and so on.
This is sampled exactly by the *Gumbel-top-k* trick: add a standard Gumbel noise to each
utility and keep the ``k`` largest, in order (W. Kool, H. van Hoof, M. Welling, « Stochastic
beams and where to find them », ICML 2019).

The noise of pupil ``p`` at offer ``j`` is a hash of (seed, p, j) (SplitMix64), not a stream:
the same pupil sees the same noise at the same offer whatever the other offers, so that two
runs differing by one offer differ only where that offer wins.

Number of wishes: ``1 + min(N, max_wishes − 1, reachable)``, ``N ~ Poisson(mean_further)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

__all__ = [
    "ChoiceModel",
    "choice_probabilities",
    "draw_further_wishes",
    "further_wish_counts",
    "utilities",
]


@dataclass(frozen=True)
class ChoiceModel:
    """The few parameters of the choice model (see the module's docstring).

    The defaults are those fitted on Affelnet's 1re professionnelle file
    (``tremplin simulate calibration``, docs/calibration.md)."""

    beta_distance: float = 0.0431
    beta_famille: float = 3.650
    beta_niveau: float = 1.0
    beta_popularite: float = 0.813
    mean_further: float = 2.231
    max_wishes: int = 10

    def __post_init__(self) -> None:
        if self.beta_distance < 0:
            raise ValueError("β_distance doit être positif ou nul")
        if self.mean_further < 0:
            raise ValueError("le nombre moyen de vœux supplémentaires doit être positif")
        if not 1 <= self.max_wishes <= 50:
            raise ValueError("le nombre maximal de vœux doit être compris entre 1 et 50")


def utilities(
    model: ChoiceModel,
    distance_km: NDArray[np.float64],
    same_famille: NDArray[np.bool_],
    same_niveau: NDArray[np.bool_],
    popularity: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The utility of each candidate offer for one pupil."""
    return np.asarray(
        -model.beta_distance * np.asarray(distance_km, np.float64)
        + model.beta_famille * np.asarray(same_famille, np.float64)
        + model.beta_niveau * np.asarray(same_niveau, np.float64)
        + model.beta_popularite * np.log1p(np.asarray(popularity, np.float64)),
        dtype=np.float64,
    )


def choice_probabilities(
    model: ChoiceModel,
    distance_km: NDArray[np.float64],
    same_famille: NDArray[np.bool_],
    same_niveau: NDArray[np.bool_],
    popularity: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The probability that each candidate is the pupil's second wish (a softmax of the
    utilities; the following wishes are the same choice among the candidates left)."""
    u = utilities(model, distance_km, same_famille, same_niveau, popularity)
    if u.size == 0:
        return u
    e = np.exp(u - u.max())
    return np.asarray(e / e.sum(), dtype=np.float64)


def further_wish_counts(model: ChoiceModel, uniforms: NDArray[np.float64]) -> NDArray[np.int64]:
    """How many further wishes each pupil asks for, before reach limits them: the inverse
    Poisson(``mean_further``) distribution at each uniform number, capped at ``max_wishes − 1``.
    (Inverting one uniform per pupil keeps the counts monotone in the mean: calibration moves
    smoothly.)"""
    cap = model.max_wishes - 1
    n = np.arange(cap + 1)
    log_pmf = -model.mean_further + n * np.log(max(model.mean_further, 1e-300))
    log_pmf -= np.cumsum(np.r_[0.0, np.log(n[1:])])
    cdf = np.cumsum(np.exp(log_pmf)) if model.mean_further > 0 else np.ones(cap + 1)
    cdf[-1] = 1.0  # the tail is folded into the cap
    return np.minimum(np.searchsorted(cdf, uniforms, side="left"), cap).astype(np.int64)


_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)


@njit(cache=True, nogil=True)
def _mix(x: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@njit(cache=True, nogil=True)
def _uniform(seed: np.uint64, pupil: int, offer: int) -> float:  # pragma: no cover - compiled
    h = _mix(seed + _GOLDEN * np.uint64(pupil + 1))
    h = _mix(h ^ (np.uint64(offer + 1) * _M2))
    return (np.float64(h >> _S11) + 0.5) * (1.0 / 9007199254740992.0)


_GAP_LOW = -4.0
_GAP_STEPS = 64.0
_GAP_ROWS = 64 * 48


@njit(cache=True, nogil=True)
def _gumbel_floor() -> NDArray[np.float64]:  # pragma: no cover - compiled
    """``floor[r]`` is a uniform number below which the Gumbel noise −log(−log U) is surely
    below the gap ``c = _GAP_LOW + r / _GAP_STEPS``: exp(−exp(−c)), lowered by a relative
    1e-9 (far more than the rounding of the logarithms). A candidate whose gap to the k-th best
    is at least ``c`` and whose uniform is at most ``floor[r]`` cannot enter the k best, so its
    noise need not be computed: the draw is exactly the same, several times faster (most
    candidates are far below the best ones)."""
    floor = np.empty(_GAP_ROWS, np.float64)
    for r in range(_GAP_ROWS):
        floor[r] = np.exp(-np.exp(-(_GAP_LOW + r / _GAP_STEPS))) * (1.0 - 1e-9)
    return floor


@njit(cache=True, nogil=True)
def _draw(
    seed: np.uint64,
    pupil_origin: NDArray[np.int64],
    pupil_first: NDArray[np.int64],
    wanted: NDArray[np.int64],
    reach_offsets: NDArray[np.int64],
    reach_lycees: NDArray[np.int32],
    reach_km: NDArray[np.float64],
    lycee_offsets: NDArray[np.int64],
    lycee_offers: NDArray[np.int64],
    offer_lycee: NDArray[np.int64],
    secteur_k: int,
    famille: NDArray[np.int64],
    niveau: NDArray[np.int64],
    log_popularity: NDArray[np.float64],
    beta_d: float,
    beta_f: float,
    beta_n: float,
    beta_p: float,
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.bool_]]:  # pragma: no cover
    n_pupils = pupil_origin.size
    max_k = 0
    for p in range(n_pupils):
        max_k = max(max_k, wanted[p])
    offsets = np.zeros(n_pupils + 1, np.int64)
    out = np.empty(n_pupils + int(wanted.sum()), np.int32)
    near = np.zeros(out.size, np.bool_)
    best_v = np.empty(max_k + 1, np.float64)
    best_j = np.empty(max_k + 1, np.int64)
    best_s = np.empty(max_k + 1, np.bool_)
    floor = _gumbel_floor()
    w = 0
    for p in range(n_pupils):
        first = pupil_first[p]
        k = wanted[p]
        o = pupil_origin[p]
        out[w] = first
        if o >= 0:
            for r in range(
                reach_offsets[o], min(reach_offsets[o] + secteur_k, reach_offsets[o + 1])
            ):
                if reach_lycees[r] == offer_lycee[first]:
                    near[w] = True
        w += 1
        m = 0
        if k > 0 and o >= 0:
            fam = famille[first]
            niv = niveau[first]
            for r in range(reach_offsets[o], reach_offsets[o + 1]):
                lyc = reach_lycees[r]
                base = -beta_d * reach_km[r]
                in_secteur = r - reach_offsets[o] < secteur_k
                for t in range(lycee_offsets[lyc], lycee_offsets[lyc + 1]):
                    j = lycee_offers[t]
                    if j == first:
                        continue
                    u = base + beta_p * log_popularity[j]
                    if fam >= 0 and famille[j] == fam:
                        u += beta_f
                    if niveau[j] == niv:
                        u += beta_n
                    uniform = _uniform(seed, p, j)
                    if m == k and best_v[m - 1] - u >= _GAP_LOW:
                        # The list is full: skip, without its two logarithms, a candidate whose
                        # noise cannot lift it above the k-th best (see _gumbel_floor).
                        gap = best_v[m - 1] - u
                        row = min(int((gap - _GAP_LOW) * _GAP_STEPS), floor.size - 1)
                        if uniform <= floor[row]:
                            continue
                    u -= np.log(-np.log(uniform))
                    # Keep the k largest, sorted (insertion into a short list).
                    if m < k:
                        i = m
                        m += 1
                    elif u > best_v[m - 1]:
                        i = m - 1
                    else:
                        continue
                    while i > 0 and best_v[i - 1] < u:
                        best_v[i] = best_v[i - 1]
                        best_j[i] = best_j[i - 1]
                        best_s[i] = best_s[i - 1]
                        i -= 1
                    best_v[i] = u
                    best_j[i] = j
                    best_s[i] = in_secteur
        for i in range(m):
            out[w] = best_j[i]
            near[w] = best_s[i]
            w += 1
        offsets[p + 1] = w
    return offsets, out[:w].copy(), near[:w].copy()


def draw_further_wishes(
    model: ChoiceModel,
    seed: int,
    pupil_origin: NDArray[np.int64],
    pupil_first: NDArray[np.int64],
    wanted: NDArray[np.int64],
    reach: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]],
    lycee_offers: tuple[NDArray[np.int64], NDArray[np.int64]],
    offer_lycee: NDArray[np.int64],
    famille: NDArray[np.int64],
    niveau: NDArray[np.int64],
    popularity: NDArray[np.float64],
    secteur_lycees: int = 0,
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.bool_]]:
    """Every pupil's wishes, first wish then ``wanted[p]`` further ones at most (fewer when
    fewer offers are within reach), as a CSR pair (``offsets``, ``offers``), and whether each
    wish is in the pupil's secteur (its lycée is one of the ``secteur_lycees`` nearest to the
    pupil's origin).

    ``pupil_origin[p]`` indexes the rows of ``reach`` (offsets, lycées, km: see
    :func:`~tremplin.scenarios.cohort_places.lycees_within_reach`; -1: nothing within reach);
    ``lycee_offers`` is a CSR index lycée → offers, ``offer_lycee`` its inverse; ``famille``
    (-1: unknown, never equal) and ``niveau`` are integer codes per offer; ``popularity`` its
    real first wishes."""
    reach_offsets, reach_lycees, reach_km = reach
    offsets, offers, secteur = _draw(
        np.uint64(seed & 0xFFFFFFFFFFFFFFFF),
        np.ascontiguousarray(pupil_origin, np.int64),
        np.ascontiguousarray(pupil_first, np.int64),
        np.ascontiguousarray(wanted, np.int64),
        reach_offsets,
        reach_lycees,
        reach_km,
        np.ascontiguousarray(lycee_offers[0], np.int64),
        np.ascontiguousarray(lycee_offers[1], np.int64),
        np.ascontiguousarray(offer_lycee, np.int64),
        int(secteur_lycees),
        np.ascontiguousarray(famille, np.int64),
        np.ascontiguousarray(niveau, np.int64),
        np.log1p(np.ascontiguousarray(popularity, np.float64)),
        float(model.beta_distance),
        float(model.beta_famille),
        float(model.beta_niveau),
        float(model.beta_popularite),
    )
    return (
        np.asarray(offsets, np.int64),
        np.asarray(offers, np.int32),
        np.asarray(secteur, np.bool_),
    )
