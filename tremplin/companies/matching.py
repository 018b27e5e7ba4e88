"""Matching: candidates ranked for an offer, offers ranked for a candidate, each rank explained
in one French sentence with its numbers.

The score of a pair (offer, candidate) weighs four terms, each from 0 to 1:

- **trade** (0.5): 1 when a trade the candidate wishes is the offer's ROME code, 0.6 when one
  is in the same ROME domain (the code's first three characters, « H29 »), 0.3 when one shares
  the offer's FAP 2009 (through the ROME → FAP table, when the caller gives it), else 0;
- **distance** (0.25): 1 − d / radius, d the great-circle distance between the two communes'
  coordinates, the radius the candidate's mobility (for an offer) — 0 at the edge;
- **level** (0.15): 1 for the level asked, 0.5 one level apart or when either is unknown, else 0;
- **dates** (0.10): 1 when the candidate is available by the start date, then 1/90 less per day
  late (0 three months late), 0.5 when either date is unknown.

A pair outside the radius scores its terms minus 1 (from −1 to 0): it always ranks after every
pair inside, whatever its trade and level. Ties keep the smaller id first. Everything is
computed on whole columns (polars), so that 100,000 profiles rank in a few tens of
milliseconds (``benchmarks/matching.py``); the sentences are written for the rows shown only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from tremplin.formats import format_date, format_decimal

WEIGHTS = {"metier": 0.5, "distance": 0.25, "niveau": 0.15, "dates": 0.10}
SAME_DOMAIN, SAME_FAP = 0.6, 0.3
LATE_DAYS = 90
EARTH_KM = 6371.0088

PROFILE_COLUMNS = {
    "id": pl.Int64,
    "codes_rome": pl.List(pl.String),
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "rayon_km": pl.Float64,
    "niveau": pl.String,
    "disponible_le": pl.Date,
}
"""The candidates' profiles :func:`rank_candidates` reads (one row per candidate)."""
OFFER_COLUMNS = {
    "id": pl.Int64,
    "code_rome": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "niveau": pl.String,
    "debut": pl.Date,
}
"""The offers :func:`rank_offers` reads (one row per offer)."""


@dataclass(frozen=True)
class OfferPoint:
    """What matching reads of one offer."""

    code_rome: str
    latitude: float
    longitude: float
    niveau: str | None = None
    debut: date | None = None


@dataclass(frozen=True)
class CandidatePoint:
    """What matching reads of one candidate's profile."""

    codes_rome: tuple[str, ...]
    latitude: float
    longitude: float
    rayon_km: float
    niveau: str | None = None
    disponible_le: date | None = None


def _trade(wished: pl.Expr, code: str | pl.Expr, fap: Mapping[str, str] | None) -> pl.Expr:
    """The trade term of ``wished`` (a list of ROME codes) against ``code``: one code for all
    rows (ranking candidates: the fast path, no per-row string work), or a column."""
    if isinstance(code, str):
        domain = wished.list.eval(pl.element().str.starts_with(code[:3])).list.any()
        score = pl.when(wished.list.contains(pl.lit(code))).then(1.0).when(domain).then(SAME_DOMAIN)
        family = fap.get(code) if fap else None
        if fap and family is not None:
            kin = [rome for rome, other in fap.items() if other == family]
            near = wished.list.eval(pl.element().is_in(kin)).list.any()
            score = score.when(near).then(SAME_FAP)
        return score.otherwise(0.0)
    domains = wished.list.eval(pl.element().str.slice(0, 3))
    score = (
        pl.when(wished.list.contains(code))
        .then(1.0)
        .when(domains.list.contains(code.str.slice(0, 3)))
        .then(SAME_DOMAIN)
    )
    if fap:
        faps = wished.list.eval(pl.element().replace_strict(fap, default=None)).list.drop_nulls()
        target = code.replace_strict(fap, default=None)
        score = score.when(target.is_not_null() & faps.list.contains(target)).then(SAME_FAP)
    return score.otherwise(0.0)


def _scored(
    pairs: pl.LazyFrame, fap: Mapping[str, str] | None, code: str | None = None
) -> pl.LazyFrame:
    """``pairs`` (columns codes_rome, code_rome, lat/lon of both sides as latitude, longitude,
    o_latitude, o_longitude, rayon_km, niveau, o_niveau, disponible_le, debut) with the four
    terms, distance_km, dans_rayon and score."""
    lat1, lat2 = pl.col("latitude").radians(), pl.col("o_latitude").radians()
    dlat = lat2 - lat1
    dlon = (pl.col("o_longitude") - pl.col("longitude")).radians()
    haversine = (dlat / 2).sin().pow(2) + lat1.cos() * lat2.cos() * (dlon / 2).sin().pow(2)
    distance = 2 * EARTH_KM * haversine.sqrt().arcsin()
    levels = pl.col("niveau").cast(pl.Int32, strict=False) - pl.col("o_niveau").cast(
        pl.Int32, strict=False
    )
    late = (pl.col("disponible_le") - pl.col("debut")).dt.total_days()
    return (
        pairs.with_columns(
            t_metier=_trade(pl.col("codes_rome"), code or pl.col("code_rome"), fap),
            distance_km=distance,
            t_niveau=pl.when(levels.is_null() | (levels.abs() == 1))
            .then(0.5)
            .when(levels == 0)
            .then(1.0)
            .otherwise(0.0),
            t_dates=pl.when(late.is_null())
            .then(0.5)
            .otherwise((1 - late.clip(lower_bound=0) / LATE_DAYS).clip(lower_bound=0.0)),
        )
        .with_columns(
            dans_rayon=pl.col("distance_km") <= pl.col("rayon_km"),
            t_distance=(1 - pl.col("distance_km") / pl.col("rayon_km")).clip(lower_bound=0.0),
        )
        .with_columns(
            score=WEIGHTS["metier"] * pl.col("t_metier")
            + WEIGHTS["distance"] * pl.col("t_distance")
            + WEIGHTS["niveau"] * pl.col("t_niveau")
            + WEIGHTS["dates"] * pl.col("t_dates")
            - pl.when(pl.col("dans_rayon")).then(0.0).otherwise(1.0)
        )
        .sort(["dans_rayon", "score", "id"], descending=[True, True, False])
    )


def rank_candidates(
    offer: OfferPoint,
    profiles: pl.DataFrame,
    *,
    fap: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> pl.DataFrame:
    """``profiles`` (:data:`PROFILE_COLUMNS`) ranked for ``offer``, best first: their id,
    score, the four terms (t_metier, t_distance, t_niveau, t_dates), distance_km, dans_rayon;
    ``limit`` rows when given. ``fap``: code ROME → FAP 2009, for the third trade tier."""
    pairs = profiles.lazy().with_columns(
        code_rome=pl.lit(offer.code_rome),
        o_latitude=pl.lit(offer.latitude),
        o_longitude=pl.lit(offer.longitude),
        o_niveau=pl.lit(offer.niveau, dtype=pl.String),
        debut=pl.lit(offer.debut, dtype=pl.Date),
    )
    ranked = _scored(pairs, fap, offer.code_rome)
    return (ranked.head(limit) if limit is not None else ranked).collect()


def rank_offers(
    candidate: CandidatePoint,
    offers: pl.DataFrame,
    *,
    fap: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> pl.DataFrame:
    """``offers`` (:data:`OFFER_COLUMNS`) ranked for ``candidate``, best first (same columns
    as :func:`rank_candidates`, ``id`` the offer's); the radius is the candidate's."""
    pairs = offers.lazy().select(
        "id",
        "code_rome",
        pl.col("latitude").alias("o_latitude"),
        pl.col("longitude").alias("o_longitude"),
        pl.col("niveau").alias("o_niveau"),
        "debut",
        codes_rome=pl.lit(pl.Series([list(candidate.codes_rome)], dtype=pl.List(pl.String))),
        latitude=pl.lit(candidate.latitude),
        longitude=pl.lit(candidate.longitude),
        rayon_km=pl.lit(candidate.rayon_km),
        niveau=pl.lit(candidate.niveau, dtype=pl.String),
        disponible_le=pl.lit(candidate.disponible_le, dtype=pl.Date),
    )
    ranked = _scored(pairs, fap)
    return (ranked.head(limit) if limit is not None else ranked).collect()


_TRADES = {1.0: "même métier", SAME_DOMAIN: "même domaine professionnel", SAME_FAP: "même famille"}


def explain(row: Mapping[str, Any]) -> str:
    """One French sentence for a ranked row (a dict of :func:`rank_candidates` or
    :func:`rank_offers`): trade, distance against the radius, level, dates, score."""
    trade = _TRADES.get(float(row["t_metier"]), "autre métier")
    where = "dans le" if row["dans_rayon"] else "hors du"
    parts = [
        f"{trade.capitalize()} que l’offre ({row['code_rome']})",
        f"à {format_decimal(row['distance_km'])} km, {where} rayon de "
        f"{format_decimal(row['rayon_km'], 0)} km",
    ]
    if row.get("niveau") and row.get("o_niveau"):
        parts.append(f"niveau {row['niveau']} pour un niveau {row['o_niveau']} demandé")
    else:
        parts.append("niveau non précisé")
    if row.get("disponible_le") and row.get("debut"):
        parts.append(
            f"disponible le {format_date(row['disponible_le'])} pour un début le "
            f"{format_date(row['debut'])}"
        )
    else:
        parts.append("dates non précisées")
    return " ; ".join(parts) + f" : score {format_decimal(row['score'], 2)}."
