"""Time to recompute every indicator of the diagnostic for the whole of France.

Usage: ``python benchmarks/diagnostic.py [DATABASE_URL]``; without a URL, loads
``TREMPLIN_SOURCES`` (or ``../shared/data``) into a temporary SQLite file first (not timed).
Measured: building the referentials (establishments, formations, trades and their weights, the
FAP bridge: derived data built once after each load and kept in the store), then the facts from
the store, then computing and classifying every maille × grouping × perimeter × level — the whole
diagnostic. Target (issue « diagnostic »): facts and diagnostic ≤ 10 s on this 2-core machine;
the referentials, built at load, are timed apart and with them in the last line.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import classify
from tremplin.diagnostic.facts import build_facts, store_fingerprint
from tremplin.diagnostic.indicators import Query, compute
from tremplin.referentials.derived import build_referentials
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.ingest import load_paths
from tremplin.store.database import open_store

TARGET_SECONDS = 10.0


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
            load_paths(open_store(url), [sources])
        engine = open_store(url)
        begun = time.perf_counter()
        with engine.connect() as conn:
            refs = build_referentials(conn)
            started = time.perf_counter()
            facts = build_facts(conn, Perimeter.load(None), store_fingerprint(conn), refs)
        built = time.perf_counter() - started
        rows = 0
        combos = list(
            itertools.product(rules.MAILLES, rules.GROUPEMENTS, rules.PERIMETRES, rules.NIVEAUX)
        )
        for maille, groupement, perimetre, niveau in combos:
            query = Query(maille=maille, groupement=groupement, perimetre=perimetre, niveau=niveau)
            # Objectives for every row; the sentences explaining them are written for the rows
            # a page or an export shows, not for the whole of France at once.
            result = classify(compute(facts, query), reasons=False)
            rows += result.height
        total = time.perf_counter() - started
        engine.dispose()
    summary = f"{facts.offres.height:,} offres, {facts.recrutement.height:,} lignes BMO"
    print(f"Référentiels (construits au chargement) : {started - begun:.2f} s")
    print(f"Faits construits (France) : {built:.2f} s — {summary.replace(',', ' ')}")
    print(
        f"Diagnostic complet : {len(combos)} requêtes, {rows:,} lignes, {total:.2f} s "
        f"(cible ≤ {TARGET_SECONDS:.0f} s : marge ×{TARGET_SECONDS / total:.1f}) "
        f"{'OK' if total <= TARGET_SECONDS else 'AU-DELÀ'}".replace(",", " ")
    )
    print(f"Tout recalculé, référentiels compris : {total + started - begun:.2f} s")


if __name__ == "__main__":
    main()
