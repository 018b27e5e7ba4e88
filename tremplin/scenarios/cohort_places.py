"""Where the pupils of a cohort live, and which lycées are within their reach.

Individual addresses are confidential, so a pupil is placed at an *origin*:

- in the départements the annuaire covers (Auvergne-Rhône-Alpes), at a **collège** of the
  annuaire with coordinates. A collège weighs the population of its commune divided by the
  number of collèges there, plus the population of every commune without a collège whose
  nearest collège it is (a proxy of the carte scolaire);
- elsewhere, at a **commune** centroid, weighing its population.

The pupils asking first for an offer are spread over the origins within ``radius_km`` of its
lycée with probability ∝ weight × exp(−distance / scale_km) (:func:`place_pupils`); when no origin
is that close, at the nearest one. Distances are great-circle distances between coordinates
(haversine, Earth radius 6,371 km): commune centroids are enough for trips to a lycée.

:func:`lycees_within_reach` lists, for each origin, the lycées within ``reach_km``, nearest first
and at most ``max_lycees`` of them: the offers of these lycées are the pupil's reachable offers,
and the nearest few are its *secteur*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import sqlalchemy as sa
from numba import njit
from numpy.typing import NDArray

from tremplin.geo import KM_PER_DEGREE, distance_km, haversine_km
from tremplin.referentials.codes import commune_of_arrondissement_expr
from tremplin.referentials.tables import read_snapshot
from tremplin.referentials.territories import communes

__all__ = [
    "ORIGIN_COLLEGE",
    "ORIGIN_COMMUNE",
    "Placement",
    "haversine_km",
    "lycees_within_reach",
    "origins",
    "place_pupils",
    "placement",
]

ORIGIN_COLLEGE = "collège"
ORIGIN_COMMUNE = "commune"


ORIGIN_COLUMNS = (
    "origine",
    "type_origine",
    "nom_origine",
    "code_insee",
    "code_departement",
    "code_academie",
    "code_region",
    "latitude",
    "longitude",
    "poids",
)


_distance = njit(cache=True, nogil=True)(distance_km)
"""The scalar haversine, compiled for the loops below."""


def _colleges(conn: sa.Connection) -> pl.DataFrame:
    rows = read_snapshot(
        conn,
        "annuaire_education",
        ["uai", "appellation", "nature", "etat", "code_insee", "latitude", "longitude"],
        ["uai"],
    )
    return rows.filter(
        pl.col("nature").str.to_uppercase().str.starts_with("COLLEGE").fill_null(False)
        & (pl.col("etat").fill_null("OUVERT") == "OUVERT")
        & pl.col("latitude").is_not_null()
        & pl.col("longitude").is_not_null()
    ).with_columns(commune_of_arrondissement_expr(pl.col("code_insee")))


def origins(conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every place a pupil can live, one row each: origine (collège UAI or INSEE code),
    type_origine (« collège » or « commune »), nom_origine, code_insee, code_departement,
    code_academie, code_region, latitude, longitude, poids (a population)."""
    frame = communes(conn) if communes_frame is None else communes_frame
    located = frame.filter(
        pl.col("latitude").is_not_null() & (pl.col("population").fill_null(0) > 0)
    ).select(
        "code_insee",
        "nom",
        "code_departement",
        "code_academie",
        "code_region",
        pl.col("population").cast(pl.Float64),
        "latitude",
        "longitude",
    )
    colleges = _colleges(conn).join(
        frame.select("code_insee", "code_departement", "code_academie", "code_region"),
        on="code_insee",
        how="inner",
    )
    covered = colleges.get_column("code_departement").unique().implode()
    outside = located.filter(~pl.col("code_departement").is_in(covered))
    commune_origins = outside.select(
        pl.col("code_insee").alias("origine"),
        pl.lit(ORIGIN_COMMUNE).alias("type_origine"),
        pl.col("nom").alias("nom_origine"),
        "code_insee",
        "code_departement",
        "code_academie",
        "code_region",
        "latitude",
        "longitude",
        pl.col("population").alias("poids"),
    )
    if colleges.is_empty():
        return commune_origins.select(ORIGIN_COLUMNS).sort("origine")
    inside = located.filter(pl.col("code_departement").is_in(covered))
    count = colleges.group_by("code_insee").len("colleges")
    with_college = inside.join(count, on="code_insee", how="inner")
    # Communes without a collège send their pupils to the nearest collège.
    without = inside.join(count, on="code_insee", how="anti")
    nearest = np.zeros(without.height, dtype=np.int64)
    c_lat = colleges.get_column("latitude").to_numpy()
    c_lon = colleges.get_column("longitude").to_numpy()
    w_lat = without.get_column("latitude").to_numpy()
    w_lon = without.get_column("longitude").to_numpy()
    for start in range(0, without.height, 2048):
        block = slice(start, start + 2048)
        d = haversine_km(w_lat[block, None], w_lon[block, None], c_lat[None, :], c_lon[None, :])
        nearest[block] = np.argmin(d, axis=1)
    catchment = np.bincount(
        nearest,
        weights=without.get_column("population").to_numpy(),
        minlength=colleges.height,
    )
    own = colleges.join(
        with_college.select(
            "code_insee", (pl.col("population") / pl.col("colleges")).alias("part_commune")
        ),
        on="code_insee",
        how="left",
    ).get_column("part_commune")
    college_origins = colleges.select(
        pl.col("uai").alias("origine"),
        pl.lit(ORIGIN_COLLEGE).alias("type_origine"),
        pl.col("appellation").alias("nom_origine"),
        "code_insee",
        "code_departement",
        "code_academie",
        "code_region",
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
        (pl.Series(catchment) + own.fill_null(0.0)).alias("poids"),
    )
    return (
        pl.concat([college_origins, commune_origins], how="vertical_relaxed")
        .select(ORIGIN_COLUMNS)
        .sort("origine")
    )


@njit(cache=True, nogil=True)
def _placement(
    lycee_lat: NDArray[np.float64],
    lycee_lon: NDArray[np.float64],
    lycee_pupils: NDArray[np.int64],
    origin_lat: NDArray[np.float64],
    origin_lon: NDArray[np.float64],
    origin_weight: NDArray[np.float64],
    scale_km: float,
    radius_km: float,
) -> tuple[
    NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]
]:  # pragma: no cover - compiled
    n_lycees = lycee_lat.size
    n_origins = origin_lat.size
    offsets = np.zeros(n_lycees + 1, np.int64)
    nearest = np.full(n_lycees, -1, np.int64)
    chosen = np.empty(max(n_origins, 1), np.int64)
    cumulative = np.empty(max(n_origins, 1), np.float64)
    buffer_c = np.empty(n_origins, np.float64)
    buffer_o = np.empty(n_origins, np.int64)
    lat_span = radius_km / KM_PER_DEGREE
    for j in range(n_lycees):
        m = 0
        if lycee_pupils[j] > 0 and not np.isnan(lycee_lat[j]) and n_origins > 0:
            total = 0.0
            for o in range(n_origins):
                if abs(origin_lat[o] - lycee_lat[j]) > lat_span:
                    continue
                d = _distance(lycee_lat[j], lycee_lon[j], origin_lat[o], origin_lon[o])
                if d <= radius_km and origin_weight[o] > 0:
                    total += origin_weight[o] * np.exp(-d / scale_km)
                    buffer_c[m] = total
                    buffer_o[m] = o
                    m += 1
            if m == 0:
                # No origin that close (an island, a far-off lycée): the nearest one.
                nearest_d = np.inf
                for o in range(n_origins):
                    d = _distance(lycee_lat[j], lycee_lon[j], origin_lat[o], origin_lon[o])
                    if d < nearest_d:
                        nearest_d = d
                        nearest[j] = o
        offsets[j + 1] = offsets[j] + m
        if offsets[j + 1] > chosen.size:  # grow geometrically
            size = max(2 * chosen.size, offsets[j + 1])
            grown_o = np.empty(size, np.int64)
            grown_c = np.empty(size, np.float64)
            grown_o[: offsets[j]] = chosen[: offsets[j]]
            grown_c[: offsets[j]] = cumulative[: offsets[j]]
            chosen, cumulative = grown_o, grown_c
        chosen[offsets[j] : offsets[j + 1]] = buffer_o[:m]
        cumulative[offsets[j] : offsets[j + 1]] = buffer_c[:m]
    return (
        offsets,
        chosen[: offsets[n_lycees]].copy(),
        cumulative[: offsets[n_lycees]].copy(),
        nearest,
    )


@njit(cache=True, nogil=True)
def _place(
    offsets: NDArray[np.int64],
    chosen: NDArray[np.int64],
    cumulative: NDArray[np.float64],
    nearest: NDArray[np.int64],
    lycee_pupils: NDArray[np.int64],
    uniforms: NDArray[np.float64],
) -> NDArray[np.int64]:  # pragma: no cover - compiled
    result = np.full(uniforms.size, -1, np.int64)
    start = 0
    for j in range(lycee_pupils.size):
        end = start + lycee_pupils[j]
        first, last = offsets[j], offsets[j + 1]
        m = last - first
        for i in range(start, end):
            if m == 0:
                result[i] = nearest[j]
            else:
                total = cumulative[last - 1]
                k = np.searchsorted(cumulative[first:last], uniforms[i] * total, side="right")
                result[i] = chosen[first + min(k, m - 1)]
        start = end
    return result


@dataclass(frozen=True, eq=False)
class Placement:
    """Where the pupils of each lycée may live, for :func:`place_pupils`: for lycée ``j``, the
    origins ``chosen[offsets[j]:offsets[j + 1]]`` within the radius and the cumulative sums of
    their weights × exp(−distance / scale), or, when there is none, the ``nearest`` origin (-1:
    no coordinates, no origin, or no pupil). It depends on the lycées and origins only, so the
    cohorts of many seeds share it."""

    lycee_pupils: NDArray[np.int64]
    offsets: NDArray[np.int64]
    chosen: NDArray[np.int64]
    cumulative: NDArray[np.float64]
    nearest: NDArray[np.int64]

    def origins(self) -> NDArray[np.int64]:
        """Every origin a pupil can be placed at, sorted."""
        return np.unique(np.concatenate((self.chosen, self.nearest[self.nearest >= 0])))

    def place(self, uniforms: NDArray[np.float64]) -> NDArray[np.int64]:
        """The origin of each pupil, pupils grouped by lycée in order, one uniform number each:
        the one whose cumulative weight first exceeds ``uniform × total``."""
        if uniforms.size != int(self.lycee_pupils.sum()):
            raise ValueError("un nombre aléatoire par élève")
        return np.asarray(
            _place(
                self.offsets,
                self.chosen,
                self.cumulative,
                self.nearest,
                self.lycee_pupils,
                np.ascontiguousarray(uniforms, np.float64),
            ),
            dtype=np.int64,
        )


def placement(
    lycee_lat: NDArray[np.float64],
    lycee_lon: NDArray[np.float64],
    lycee_pupils: NDArray[np.int64],
    origin_frame: pl.DataFrame,
    *,
    scale_km: float,
    radius_km: float,
) -> Placement:
    """The :class:`Placement` of ``lycee_pupils[j]`` pupils for each lycée ``j`` among the rows
    of ``origin_frame``: origins within ``radius_km`` of the lycée, with probability ∝ weight ×
    exp(−distance / ``scale_km``)."""
    pupils = np.ascontiguousarray(lycee_pupils, np.int64)
    offsets, chosen, cumulative, nearest = _placement(
        np.ascontiguousarray(lycee_lat, np.float64),
        np.ascontiguousarray(lycee_lon, np.float64),
        pupils,
        origin_frame.get_column("latitude").to_numpy().astype(np.float64),
        origin_frame.get_column("longitude").to_numpy().astype(np.float64),
        origin_frame.get_column("poids").to_numpy().astype(np.float64),
        float(scale_km),
        float(radius_km),
    )
    return Placement(
        pupils,
        np.asarray(offsets, np.int64),
        np.asarray(chosen, np.int64),
        np.asarray(cumulative, np.float64),
        np.asarray(nearest, np.int64),
    )


def place_pupils(
    lycee_lat: NDArray[np.float64],
    lycee_lon: NDArray[np.float64],
    lycee_pupils: NDArray[np.int64],
    origin_frame: pl.DataFrame,
    uniforms: NDArray[np.float64],
    *,
    scale_km: float,
    radius_km: float,
) -> NDArray[np.int64]:
    """The origin (row of ``origin_frame``) of each pupil, pupils grouped by lycée in order:
    ``lycee_pupils[j]`` pupils for lycée ``j``, one uniform number each. -1 when the lycée has no
    coordinates or there is no origin at all."""
    table = placement(
        lycee_lat, lycee_lon, lycee_pupils, origin_frame, scale_km=scale_km, radius_km=radius_km
    )
    return table.place(uniforms)


@njit(cache=True, nogil=True)
def _reach(
    origin_lat: NDArray[np.float64],
    origin_lon: NDArray[np.float64],
    lycee_lat: NDArray[np.float64],
    lycee_lon: NDArray[np.float64],
    reach_km: float,
    max_lycees: int,
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]:  # pragma: no cover
    n_origins = origin_lat.size
    n_lycees = lycee_lat.size
    counts = np.zeros(n_origins + 1, np.int64)
    found = np.empty((n_origins, max_lycees), np.int32)
    found_d = np.empty((n_origins, max_lycees), np.float64)
    lat_span = reach_km / KM_PER_DEGREE
    buffer_d = np.empty(n_lycees, np.float64)
    buffer_i = np.empty(n_lycees, np.int32)
    for o in range(n_origins):
        m = 0
        if not np.isnan(origin_lat[o]):
            for j in range(n_lycees):
                if np.isnan(lycee_lat[j]) or abs(lycee_lat[j] - origin_lat[o]) > lat_span:
                    continue
                d = _distance(origin_lat[o], origin_lon[o], lycee_lat[j], lycee_lon[j])
                if d <= reach_km:
                    buffer_d[m] = d
                    buffer_i[m] = j
                    m += 1
        order = np.argsort(buffer_d[:m], kind="mergesort")
        keep = min(m, max_lycees)
        for k in range(keep):
            found[o, k] = buffer_i[order[k]]
            found_d[o, k] = buffer_d[order[k]]
        counts[o + 1] = counts[o] + keep
    lycees = np.empty(counts[n_origins], np.int32)
    distances = np.empty(counts[n_origins], np.float64)
    for o in range(n_origins):
        for k in range(counts[o + 1] - counts[o]):
            lycees[counts[o] + k] = found[o, k]
            distances[counts[o] + k] = found_d[o, k]
    return counts, lycees, distances


def lycees_within_reach(
    origin_lat: NDArray[np.float64],
    origin_lon: NDArray[np.float64],
    lycee_lat: NDArray[np.float64],
    lycee_lon: NDArray[np.float64],
    *,
    reach_km: float,
    max_lycees: int,
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]:
    """For each origin, the lycées within ``reach_km``, nearest first, at most ``max_lycees``:
    a CSR index (``offsets``, ``lycees``) and the distance of each (km)."""
    offsets, lycees, distances = _reach(
        np.ascontiguousarray(origin_lat, np.float64),
        np.ascontiguousarray(origin_lon, np.float64),
        np.ascontiguousarray(lycee_lat, np.float64),
        np.ascontiguousarray(lycee_lon, np.float64),
        float(reach_km),
        int(max_lycees),
    )
    return (
        np.asarray(offsets, np.int64),
        np.asarray(lycees, np.int32),
        np.asarray(distances, np.float64),
    )
