"""The three forms of the haversine agree, and with distances known by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tremplin.geo import distance_km, haversine_expr, haversine_km

LYON = (45.7640, 4.8357)
PARIS = (48.8566, 2.3522)


def test_lyon_paris_is_about_392_km() -> None:
    assert distance_km(*LYON, *PARIS) == pytest.approx(392, abs=2)


def test_numpy_polars_and_scalar_forms_agree() -> None:
    rng = np.random.default_rng(7)
    lat1, lat2 = rng.uniform(-80, 80, 50), rng.uniform(-80, 80, 50)
    lon1, lon2 = rng.uniform(-180, 180, 50), rng.uniform(-180, 180, 50)
    arrays = haversine_km(lat1, lon1, lat2, lon2)
    frame = pl.DataFrame({"a": lat1, "b": lon1, "c": lat2, "d": lon2})
    expr = frame.select(
        haversine_expr(pl.col("a"), pl.col("b"), pl.col("c"), pl.col("d"))
    ).to_series()
    scalars = [distance_km(*row) for row in zip(lat1, lon1, lat2, lon2, strict=True)]
    np.testing.assert_allclose(arrays, scalars, rtol=1e-9)
    np.testing.assert_allclose(expr.to_numpy(), scalars, rtol=1e-9)
    assert distance_km(*LYON, *LYON) == 0.0
