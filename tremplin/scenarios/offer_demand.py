"""Demand follows the offer: the first wishes a new or enlarged offer draws (docs/optimiser.md).

Affelnet publishes, per offer (UAI × MEF STAT 11), its capacity and its first wishes; a new offer
has none. This model estimates the first wishes ``W`` an offer of ``P`` places would draw, from
the offers *other* than itself (every section of the same UAI × MEF is left out):

1. **the formation's demand elsewhere**: the pressure ``π_m`` (first wishes ÷ places) of the same
   MEF over the whole of the offers given (France), else of its famille, else of all offers;
   ``naive = P × π_m`` is the naive estimate the model must beat;
2. **local demand**: around the offer, the pressure of the offers of its *famille* (famille de
   métiers, else NSF group), of the same *MEF*, and of *all* offers, each weighted by
   ``exp(-d / tau_km)`` within ``radius_km`` and shrunk towards the national pressure by
   ``shrink_places`` fictitious places; each divided by its national pressure (1 = as elsewhere);
3. **competition**: the places of the same MEF nearby (same kernel) per place of the offer.

``log(1 + W) = a + b₀ log(1 + naive) + b₁ log L_famille + b₂ log L_mef + b₃ log L_tous
+ b₄ log(1 + competition)``, fitted by least squares (:func:`fit`) on the real offers with their
own features computed leaving them out. :func:`validate` leaves out a fold of real offers at a
time, fits on the others and estimates the fold as if its offers were new: the mean absolute
error of the model and of the naive estimate (``benchmarks/planning.py`` prints both).

**Wishes move, they are not created.** :func:`donors` says where the estimated wishes come from:
``1 - part_autres_familles`` of them from the offers of the same famille nearby, the rest (and
what the famille could not give) from any offer nearby (pupils drawn to a new trade), each in
proportion to its first wishes × the
kernel, an offer giving at most ``max_part_donneur`` of its first wishes. The created share is
zero: in a scenario the cohort's pupils keep their number, some ask the new offer first
(:mod:`~tremplin.scenarios.scenarios`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl
from numpy.typing import NDArray

from tremplin.geo import haversine_km

__all__ = [
    "DemandModel",
    "Validation",
    "donors",
    "estimate",
    "features",
    "fit",
    "naive",
    "training_offers",
    "validate",
]

_CHUNK = 256


@dataclass(frozen=True)
class DemandModel:
    """Coefficients of the model (``coefficients``: a, b₀…b₄) and its kernel."""

    coefficients: tuple[float, ...] = (0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    tau_km: float = 15.0
    radius_km: float = 45.0
    shrink_places: float = 30.0
    part_autres_familles: float = 0.2
    max_part_donneur: float = 0.5


@dataclass(frozen=True)
class Validation:
    """Offers left out and estimated as if new: mean absolute errors of the model and of the
    naive estimate, and the same relative to the mean real first wishes."""

    offers: int
    folds: int
    mean_wishes: float
    mae_model: float
    mae_naive: float

    @property
    def relative_model(self) -> float:
        return self.mae_model / self.mean_wishes if self.mean_wishes else float("nan")

    @property
    def relative_naive(self) -> float:
        return self.mae_naive / self.mean_wishes if self.mean_wishes else float("nan")

    def as_dict(self) -> dict[str, float | int]:
        return {
            "offres": self.offers,
            "plis": self.folds,
            "voeux_1_moyens": self.mean_wishes,
            "erreur_absolue_moyenne_modele": self.mae_model,
            "erreur_absolue_moyenne_naive": self.mae_naive,
            "erreur_relative_modele": self.relative_model,
            "erreur_relative_naive": self.relative_naive,
        }


def training_offers(offers: pl.DataFrame) -> pl.DataFrame:
    """The offers whose capacity was read (not estimated), with a position and coordinates:
    the ones the model learns from and is validated on."""
    frame = offers
    if "capacite_estimee" in frame.columns:
        frame = frame.filter(~pl.col("capacite_estimee").fill_null(False))
    return frame.filter(
        (pl.col("capacite").fill_null(0) > 0)
        & pl.col("latitude").is_not_null()
        & pl.col("longitude").is_not_null()
    )


@dataclass(frozen=True, eq=False)
class _Pool:
    """The offers the estimate reads, as arrays."""

    uai: NDArray[np.object_]
    mef: NDArray[np.object_]
    famille: NDArray[np.object_]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    capacity: NDArray[np.float64]
    wishes: NDArray[np.float64]

    @classmethod
    def of(cls, offers: pl.DataFrame) -> _Pool:
        def text(name: str) -> NDArray[np.object_]:
            return np.asarray(
                offers.get_column(name).cast(pl.String).fill_null("").to_list(), object
            )

        def number(name: str) -> NDArray[np.float64]:
            if name not in offers.columns:  # a target's wishes: unknown, never read
                return np.zeros(offers.height, dtype=np.float64)
            column = offers.get_column(name).cast(pl.Float64).fill_null(np.nan)
            return column.to_numpy().astype(np.float64)

        return cls(
            text("uai"),
            text("mef_stat_11"),
            text("famille"),
            number("latitude"),
            number("longitude"),
            np.nan_to_num(number("capacite")),
            np.nan_to_num(number("demandes_voeux_1")),
        )


def _totals(keys: NDArray[np.object_], values: NDArray[np.float64]) -> dict[object, float]:
    out: dict[object, float] = {}
    for key, value in zip(keys.tolist(), values.tolist(), strict=True):
        out[key] = out.get(key, 0.0) + value
    return out


def _features(
    pool: _Pool,
    uai: NDArray[np.object_],
    mef: NDArray[np.object_],
    famille: NDArray[np.object_],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    places: NDArray[np.float64],
    model: DemandModel,
) -> NDArray[np.float64]:
    """Columns: naive, L_famille, L_mef, L_tous, competition (one row per target)."""
    cap_m, wish_m = _totals(pool.mef, pool.capacity), _totals(pool.mef, pool.wishes)
    cap_f, wish_f = _totals(pool.famille, pool.capacity), _totals(pool.famille, pool.wishes)
    cap_all, wish_all = float(pool.capacity.sum()), float(pool.wishes.sum())
    overall = wish_all / cap_all if cap_all else 1.0
    # Each offer's wishes expected from its MEF's national pressure: a lycée's other offers
    # drawing more than expected make it attractive.
    pressure_m = {k: wish_m[k] / v if v > 0 else overall for k, v in cap_m.items()}
    expected = pool.capacity * np.asarray([pressure_m[m] for m in pool.mef.tolist()])
    out = np.zeros((uai.size, 6), dtype=np.float64)
    for start in range(0, uai.size, _CHUNK):
        stop = min(start + _CHUNK, uai.size)
        t = slice(start, stop)
        d = haversine_km(lat[t, None], lon[t, None], pool.lat[None, :], pool.lon[None, :])
        own = (pool.uai[None, :] == uai[t, None]) & (pool.mef[None, :] == mef[t, None])
        w = np.where((d <= model.radius_km) & ~own, np.exp(-d / model.tau_km), 0.0)
        w = np.nan_to_num(w)
        same_m = pool.mef[None, :] == mef[t, None]
        same_f = pool.famille[None, :] == famille[t, None]
        own_cap = np.where(own, pool.capacity[None, :], 0.0).sum(axis=1)
        own_wish = np.where(own, pool.wishes[None, :], 0.0).sum(axis=1)
        for k, i in enumerate(range(start, stop)):
            cm = cap_m.get(mef[i], 0.0) - own_cap[k]
            wm = wish_m.get(mef[i], 0.0) - own_wish[k]
            cf = cap_f.get(famille[i], 0.0) - (own_cap[k] if famille[i] else 0.0)
            wf = wish_f.get(famille[i], 0.0) - (own_wish[k] if famille[i] else 0.0)
            pi_f = wf / cf if cf > 0 else overall
            pi_m = wm / cm if cm > 0 else pi_f
            out[i, 0] = places[i] * pi_m
            kf, km_, ka = w[k] * same_f[k], w[k] * same_m[k], w[k]
            s = model.shrink_places
            for col, weights, national in ((1, kf, pi_f), (2, km_, pi_m), (3, ka, overall)):
                if national <= 0:
                    out[i, col] = 1.0
                    continue
                local = (float(weights @ pool.wishes) + s * national) / (
                    float(weights @ pool.capacity) + s
                )
                out[i, col] = local / national
            out[i, 4] = float(km_ @ pool.capacity) / max(places[i], 1.0)
            lycee = (pool.uai == uai[i]) & (pool.mef != mef[i])
            s_l = model.shrink_places * overall
            expected_l = float(expected[lycee].sum()) + s_l
            out[i, 5] = (float(pool.wishes[lycee].sum()) + s_l) / expected_l if expected_l else 1.0
    return out


def _design(raw: NDArray[np.float64]) -> NDArray[np.float64]:
    floor = 1e-3
    return np.column_stack(
        [
            np.ones(raw.shape[0]),
            np.log1p(raw[:, 0]),
            np.log(np.maximum(raw[:, 1], floor)),
            np.log(np.maximum(raw[:, 2], floor)),
            np.log(np.maximum(raw[:, 3], floor)),
            np.log1p(raw[:, 4]),
            np.log(np.maximum(raw[:, 5], floor)),
        ]
    )


def features(
    offers: pl.DataFrame, targets: pl.DataFrame, model: DemandModel | None = None
) -> NDArray[np.float64]:
    """The raw features of ``targets`` (uai, mef_stat_11, famille, latitude, longitude,
    capacite: the places it would have) against ``offers`` (leaving the target's own UAI × MEF
    out): naive, L_famille, L_mef, L_tous, competition."""
    model = model or DemandModel()
    pool = _Pool.of(training_offers(offers))
    t = _Pool.of(targets)
    return _features(pool, t.uai, t.mef, t.famille, t.lat, t.lon, t.capacity, model)


def _predict(model: DemandModel, raw: NDArray[np.float64]) -> NDArray[np.float64]:
    fitted = _design(raw) @ np.asarray(model.coefficients, dtype=np.float64)
    estimate = np.expm1(fitted)
    estimate = np.where(np.isfinite(estimate), estimate, raw[:, 0])
    return np.maximum(estimate, 0.0)


def estimate(
    offers: pl.DataFrame, targets: pl.DataFrame, model: DemandModel | None = None
) -> NDArray[np.float64]:
    """The first wishes each of ``targets`` would draw with ``capacite`` places (≥ 0)."""
    model = model or DemandModel()
    if targets.is_empty():
        return np.zeros(0, dtype=np.float64)
    return _predict(model, features(offers, targets, model))


def naive(offers: pl.DataFrame, targets: pl.DataFrame) -> NDArray[np.float64]:
    """« places × the formation's national pressure » (the target's own offer left out)."""
    return features(offers, targets)[:, 0]


def _least_squares(raw: NDArray[np.float64], wishes: NDArray[np.float64]) -> tuple[float, ...]:
    design = _design(raw)
    solution, *_ = np.linalg.lstsq(design, np.log1p(wishes), rcond=None)
    return tuple(float(c) for c in solution)


def fit(
    offers: pl.DataFrame, model: DemandModel | None = None, *, sample: int | None = None
) -> DemandModel:
    """The model's coefficients fitted on the real offers (each one's features leaving it
    out; ``sample``: on that many of them, drawn with a fixed seed, against all). Fewer than 10
    offers: the naive estimate's coefficients are kept."""
    model = model or DemandModel()
    pool = training_offers(offers)
    train = pool if sample is None or pool.height <= sample else pool.sample(sample, seed=0)
    if train.height < 10:
        return model
    raw = features(pool, train, model)
    wishes = train.get_column("demandes_voeux_1").cast(pl.Float64).fill_null(0.0).to_numpy()
    return replace(model, coefficients=_least_squares(raw, wishes))


def validate(
    offers: pl.DataFrame,
    *,
    within: pl.Expr | None = None,
    folds: int = 5,
    seed: int = 0,
    model: DemandModel | None = None,
) -> Validation:
    """Leave out each fold of the real offers (``within``: only those, e.g. a région), fit the
    model on the other offers, estimate the fold's offers as if new; compare with the naive
    estimate (the offer's own wishes are never read for its estimate)."""
    model = model or DemandModel()
    pool = training_offers(offers)
    targets = pool if within is None else pool.filter(within)
    if targets.height < folds:
        raise ValueError("trop peu d'offres à valider")
    raw = features(pool, targets, model)
    wishes = targets.get_column("demandes_voeux_1").cast(pl.Float64).fill_null(0.0).to_numpy()
    fold = np.random.default_rng(seed).integers(0, folds, targets.height)
    predicted = np.zeros(targets.height)
    for k in range(folds):
        test = fold == k
        coefficients = _least_squares(raw[~test], wishes[~test])
        predicted[test] = _predict(replace(model, coefficients=coefficients), raw[test])
    return Validation(
        offers=targets.height,
        folds=folds,
        mean_wishes=float(wishes.mean()),
        mae_model=float(np.abs(predicted - wishes).mean()),
        mae_naive=float(np.abs(raw[:, 0] - wishes).mean()),
    )


def donors(
    offers: pl.DataFrame,
    target: int,
    wishes: float,
    model: DemandModel | None = None,
) -> list[tuple[int, float]]:
    """Where ``wishes`` first wishes of the offer at row ``target`` of ``offers`` come from:
    (row, expected wishes taken) pairs, ``1 - part_autres_familles`` from its famille nearby, the
    rest (and what the famille could not give) from any offer nearby, in proportion to first wishes
    × kernel, each offer giving at most ``max_part_donneur`` of its first wishes (so the total may
    fall short of ``wishes`` where few pupils live nearby). Rows of the same UAI × MEF never
    give."""
    model = model or DemandModel()
    if wishes <= 0:
        return []
    pool = _Pool.of(offers)
    d = haversine_km(pool.lat[target], pool.lon[target], pool.lat, pool.lon)
    own = (pool.uai == pool.uai[target]) & (pool.mef == pool.mef[target])
    w = np.nan_to_num(np.where((d <= model.radius_km) & ~own, np.exp(-d / model.tau_km), 0.0))
    limit = model.max_part_donneur * pool.wishes
    taken = np.zeros(pool.wishes.size)
    same = pool.famille == pool.famille[target]
    # First the famille's share from the famille, then whatever is still wanted from any offer.
    for mask, want in (
        (same, (1.0 - model.part_autres_familles) * wishes),
        (np.ones_like(same), None),
    ):
        want = wishes - float(taken.sum()) if want is None else want
        weight = w * pool.wishes * mask
        # Offers at their limit give no more; the rest is spread over the others.
        for _ in range(8):
            room = np.maximum(limit - taken, 0.0)
            weight = np.where(room > 0, weight, 0.0)
            total = float(weight.sum())
            if want <= 1e-9 or total <= 0:
                break
            give = np.minimum(want * weight / total, room)
            taken += give
            want -= float(give.sum())
    rows = np.flatnonzero(taken > 1e-9)
    return [(int(j), float(taken[j])) for j in rows]
