"""Great-circle distances (haversine) between points given in degrees, written once.

Commune centroids are enough for trips to a lycée, so the Earth is a sphere of radius
6,371 km. Three forms of the same formula: numpy arrays (broadcast), a polars expression, and a
scalar that numba can compile into a loop (``njit(distance_km)``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["EARTH_RADIUS_KM", "KM_PER_DEGREE", "distance_km", "haversine_expr", "haversine_km"]

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0
"""Length of one degree of latitude (and of longitude at the equator)."""


def haversine_km(
    lat1: NDArray[np.float64],
    lon1: NDArray[np.float64],
    lat2: NDArray[np.float64],
    lon2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Great-circle distances in km between points given in degrees (arrays broadcast)."""
    import numpy as np  # numpy is loaded by the array code that needs it, not by every command

    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in km between two points given in degrees.

    Plain ``math`` only, so that numba compiles it inside a loop (``njit(distance_km)``)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dlat = p2 - p1
    dlon = math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    a = min(max(a, 0.0), 1.0)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def haversine_expr(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """The great-circle distance in km between two points given in degrees, as a polars
    expression."""
    half_dlat = ((lat2 - lat1) / 2).radians().sin()
    half_dlon = ((lon2 - lon1) / 2).radians().sin()
    a = half_dlat.pow(2) + lat1.radians().cos() * lat2.radians().cos() * half_dlon.pow(2)
    return 2 * EARTH_RADIUS_KM * a.sqrt().arcsin()
