"""The stores the web tests run on, written in the official formats: a few files, the demo
territory with a map of its académie, the real files that cohorts read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from tests.scenarios.test_cohorts import SUBSET
from tremplin.demo import generate_demo
from tremplin.sources.ingest import DEMO_MARKER, load_paths
from tremplin.store.database import open_store

CONSTAT_HEADER = "Rentrée scolaire;UAI;Mef Bcp 11;Nombre d'élèves : Total"
BASSINS_HEADER = "reg,dep,code_commune_insee,code_bassin_BMO,lib_bassin_BMO"
BAD_UAI = "075033"
NNBSP = "\u202f"


def write_constat(
    folder: Path, year: int, students: Sequence[int], bad_uai_rows: int = 0, demo: bool = False
) -> Path:
    """A constat de rentrée file in the official format: one row per student count, then
    ``bad_uai_rows`` rows whose UAI is malformed (the loader rejects them)."""
    folder.mkdir(parents=True, exist_ok=True)
    if demo:
        (folder / DEMO_MARKER).touch()
    lines = [CONSTAT_HEADER]
    lines += [f"{year};{690000 + i:07d}A;32211022207;{n}" for i, n in enumerate(students)]
    lines += [f"{year};{BAD_UAI};32211022207;{i}" for i in range(bad_uai_rows)]
    path = folder / f"constat_{year}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def write_bassins(folder: Path) -> Path:
    """The BMO list of communes per bassin d'emploi (a file with no millésime)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bassin_emploi_BMO_communes.csv"
    path.write_text(
        f"{BASSINS_HEADER}\n84,63,63113,8457,CLERMONT FERRAND\n84,69,69123,8470,LYON\n",
        encoding="utf-8",
    )
    return path


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


@dataclass(frozen=True)
class DemoStore:
    url: str
    folder: Path


def build_demo_store(root: Path) -> DemoStore:
    """A SQLite store in ``root`` holding the demo territory and a map of its académie."""
    folder = root / "demo"
    generate_demo(folder)
    write_academy_map(folder)
    url = f"sqlite:///{root / 'tremplin.sqlite'}"
    engine = open_store(url)
    report = load_paths(engine, [folder])
    assert not [o for o in report.outcomes if o.problems], report
    engine.dispose()
    return DemoStore(url, folder)


OYONNAX, VILLEURBANNE, CHAUDRONNERIE = "0010034G", "0690103M", "23820025411"
SEEDS = 2
EXAMPLE: dict[str, Any] = {
    "titre": "Chaudronnerie à Oyonnax",
    "graines": SEEDS,
    "changements": [
        {"action": "ouvrir", "uai": OYONNAX, "mef_stat_11": CHAUDRONNERIE, "places": 15},
        {"action": "ajuster", "uai": VILLEURBANNE, "mef_stat_11": CHAUDRONNERIE, "places": -15},
    ],
}


TRANSFER: dict[str, Any] = {
    "titre": "Transfert de 10 places vers Oyonnax",
    "changements": [
        {
            "action": "transferer",
            "uai": VILLEURBANNE,
            "mef_stat_11": CHAUDRONNERIE,
            "places": 10,
            "vers_uai": OYONNAX,
        }
    ],
}


def load_cohort_store(sources_dir: Path, folder: Path) -> str:
    """A SQLite store of the real files cohorts read; its URL."""
    url = f"sqlite:///{folder / 'tremplin.sqlite'}"
    engine = open_store(url)
    try:
        load_paths(engine, [sources_dir / p for p in SUBSET])
    finally:
        engine.dispose()
    return url
