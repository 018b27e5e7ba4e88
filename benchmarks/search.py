"""Relevance and speed of the trade search (« trouver un métier avec ses mots », issue 11).

Usage: ``python benchmarks/search.py [DATABASE_URL]``; without a URL, loads the ROME and
territory files of ``TREMPLIN_SOURCES`` (or ``../shared/data``) into a temporary SQLite file
first (not timed). Measured:

- relevance: precision@5 over the queries of ``benchmarks/search_queries.toml`` (written before
  tuning): per query, expected fiches among the first five ÷ min(5, expected fiches); the mean
  over queries. Target ≥ 0.8. The failing queries are listed with what came first.
- speed: every query of the file, 20 rounds, over the whole index (every fiche, appellation and
  ONISEP name); p50 and p95 of one query. Target p95 ≤ 50 ms. Building the index (once per set
  of loaded files) is timed apart.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

from tremplin.formats import format_decimal, format_number
from tremplin.orientation.search import SearchIndex, codes_of
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "search_queries.toml"
TARGET_PRECISION = 0.8
TARGET_P95_MS = 50.0
ROUNDS = 20


def load_queries(path: Path = QUERIES) -> list[tuple[str, list[str]]]:
    """(query, expected ROME codes) of the relevance file."""
    with path.open("rb") as file:
        document = tomllib.load(file)
    return [(q["texte"], list(q["attendus"])) for q in document["requete"]]


def precision_at_5(found: list[str], expected: list[str]) -> float:
    """Expected fiches among the first five found ÷ min(5, number expected)."""
    hits = len(set(found[:5]) & set(expected))
    return hits / min(5, len(expected))


def _ms(value: float) -> str:
    return format_decimal(value, 1)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        if len(sys.argv) > 1:
            url = sys.argv[1]
        else:
            url = f"sqlite:///{folder}/bench.sqlite"
            sources = Path(
                os.environ.get("TREMPLIN_SOURCES")
                or Path(__file__).resolve().parents[2] / "shared" / "data"
            )
            load_paths(open_store(url), [sources / "rome", sources / "territoires"])
        engine = open_store(url)
        started = time.perf_counter()
        with engine.connect() as conn:
            index = SearchIndex.build(conn, Perimeter.load(None))
        built = time.perf_counter() - started
        engine.dispose()
    queries = load_queries()
    scores: list[float] = []
    failing: list[str] = []
    for text, expected in queries:
        found = codes_of(index.search(text, limite=5).hits)
        score = precision_at_5(found, expected)
        scores.append(score)
        if score < 1:
            failing.append(
                f"  « {text} » : {format_decimal(score, 2)} — trouvés {', '.join(found) or 'aucun'}"
                f" ; attendus {', '.join(expected[:8])}{'…' if len(expected) > 8 else ''}"
            )
    timings: list[float] = []
    for _ in range(ROUNDS):
        for text, _ in queries:
            begun = time.perf_counter()
            index.search(text)
            timings.append((time.perf_counter() - begun) * 1000)
    precision = float(np.mean(scores))
    p50, p95 = (float(v) for v in np.percentile(timings, [50, 95]))
    documents = format_number(index.size)
    print(
        f"Index : {format_number(len(index.trades))} fiches ROME, {documents} libellés "
        f"(fiches, appellations, métiers ONISEP), construit en {format_decimal(built, 2)} s"
    )
    ok = precision >= TARGET_PRECISION
    print(
        f"Pertinence : précision@5 = {format_decimal(precision, 3)} sur "
        f"{len(queries)} requêtes (cible ≥ {format_decimal(TARGET_PRECISION, 1)} : marge "
        f"{format_decimal(precision - TARGET_PRECISION, 3)}) {'OK' if ok else 'EN DEÇÀ'}"
    )
    fast = p95 <= TARGET_P95_MS
    print(
        f"Vitesse : {format_number(len(timings))} requêtes, p50 {_ms(p50)} ms, p95 {_ms(p95)} ms "
        f"(cible ≤ {format_number(TARGET_P95_MS)} ms : "
        f"marge ×{format_decimal(TARGET_P95_MS / p95, 1)})"
        f" {'OK' if fast else 'AU-DELÀ'}"
    )
    if failing:
        print(f"Requêtes imparfaites ({len(failing)}) :")
        print("\n".join(failing))


if __name__ == "__main__":
    main()
