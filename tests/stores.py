"""The stores the whole test session shares, read-only: the real files and the demo territory,
each loaded once with its derived data (referentials, diagnostic facts, scenarios' inputs) built
and kept in the store, as ``tremplin load`` does — so a test reads them instead of rebuilding."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tremplin.diagnostic.facts import build_derived
from tremplin.referentials.perimeter import Perimeter
from tremplin.scenarios.scenario_comparison import build_scenario_inputs
from tremplin.sources.ingest import LoadReport, load_paths
from tremplin.store.database import open_store


@dataclass(frozen=True)
class LoadedStore:
    """A SQLite store loaded once: its URL and the load's report."""

    url: str
    report: LoadReport


def load_store(url: str, paths: list[Path]) -> LoadedStore:
    """Load ``paths`` into the store at ``url``, then build its derived data for the default
    perimeter, as ``tremplin load`` does."""
    engine = open_store(url)
    try:
        report = load_paths(engine, paths)
        facts = build_derived(engine, Perimeter.load(None))
        build_scenario_inputs(engine, facts)
    finally:
        engine.dispose()
    return LoadedStore(url, report)


DEMO_ACADEMIE = "08"


def _hull(points: list[tuple[float, float]]) -> list[list[float]]:
    """The convex hull of ``points`` (monotone chain), closed, as GeoJSON positions."""
    ordered = sorted(set(points))

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for point in ordered:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], point) <= 0:
            lower.pop()
        lower.append(point)
    for point in reversed(ordered):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], point) <= 0:
            upper.pop()
        upper.append(point)
    ring = lower[:-1] + upper[:-1]
    return [[x, y] for x, y in [*ring, ring[0]]]


def write_academy_map(demo: Path) -> Path:
    """The map of académies in the official GeoJSON layout, with one fictional polygon: the
    convex hull of the demo's communes (the demo writes no map of its own)."""
    communes = pl.read_csv(
        demo / "territoires" / "communes_2026_pop_geopoint.csv", infer_schema_length=0
    )
    points = [
        (round(float(lon), 4), round(float(lat), 4))
        for lat, lon in communes.select("latitude", "longitude").iter_rows()
    ]
    feature = {
        "type": "Feature",
        "geometry": {"coordinates": [_hull(points)], "type": "Polygon"},
        "properties": {
            "libelle_aca_majuscules": "GRENOBLE",
            "code_academie": DEMO_ACADEMIE,
            "geo_point_2d": [45.2, 5.6],
            "name": "Grenoble",
            "code_region_2016": "84",
            "libelle_region_2016": "Auvergne-Rhône-Alpes",
        },
    }
    path = demo / "territoires" / "fond_carte_academies.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    return path
