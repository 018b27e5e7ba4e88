"""The territories of a maille as map shapes (GeoJSON): académies as their stored polygons, the
others as a point at their population-weighted centroid."""

from __future__ import annotations

import itertools
import json
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.schema import source_files

COORDINATE_DIGITS = 3
"""Polygon coordinates are rounded to 0.001° (about 100 m), which a map of a région cannot show
anyway, and consecutive equal points dropped: the shapes weigh about a third of the stored
GeoJSON."""


def academy_polygons(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    """code_academie → GeoJSON geometry (rounded, see :data:`COORDINATE_DIGITS`), from the
    newest loaded map of the académies; an académie whose geometry is unusable is left out."""
    table = DATASET_TABLES["carte_academies"]
    query = (
        sa.select(table.c.code_academie, table.c.geometry)
        .join(source_files, source_files.c.id == table.c.source_file_id)
        .order_by(source_files.c.id.desc())
    )
    found: dict[str, dict[str, Any]] = {}
    for code, text in conn.execute(query):
        if code is None or text is None or code in found:
            continue
        geometry = json.loads(text)
        if isinstance(geometry, dict) and "coordinates" in geometry:
            found[code] = {
                "type": geometry.get("type"),
                "coordinates": rounded(geometry["coordinates"]),
            }
    return found


def territory_shapes(
    territories: pl.DataFrame, polygons: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``territories`` (code, nom, population, latitude,
    longitude): the polygon of ``polygons`` when there is one, else a point at the territory's
    centroid (a territory with neither is left out). Properties: code, nom, population, forme
    (« polygone » or « point »)."""
    features = []
    for row in territories.iter_rows(named=True):
        geometry = polygons.get(row["code"])
        if geometry is None:
            if row.get("latitude") is None or row.get("longitude") is None:
                continue
            geometry = {
                "type": "Point",
                "coordinates": [round(row["longitude"], 5), round(row["latitude"], 5)],
            }
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": row["code"],
                    "nom": row["nom"],
                    "population": row.get("population"),
                    "forme": "point" if geometry["type"] == "Point" else "polygone",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def rounded(coordinates: Any) -> Any:
    """Nested GeoJSON coordinates rounded to :data:`COORDINATE_DIGITS`, repeats dropped."""
    if coordinates and isinstance(coordinates[0], int | float):
        return [round(float(c), COORDINATE_DIGITS) for c in coordinates]
    parts = [rounded(part) for part in coordinates]
    if parts and isinstance(parts[0], list) and parts[0] and isinstance(parts[0][0], float):
        # A ring of positions: drop a position equal to the one before it.
        kept = [parts[0]]
        kept += [p for prev, p in itertools.pairwise(parts) if p != prev]
        return kept
    return parts
