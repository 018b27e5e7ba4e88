"""Latency of the trainings-near-me page under 20 concurrent clients, on the real data.

Usage: ``python benchmarks/near_me.py [SOURCES]`` (default ``TREMPLIN_SOURCES`` or
``../shared/data``). Loads the files into a temporary SQLite store (not timed), serves the app
with ``tremplin serve``, asks one trainings-near-me page (the first reads the orientation
frames ``tremplin load`` built and indexes them, timed apart), then runs locust headless
(``benchmarks/near_me_locustfile.py``: 20 users, 0.5–1.5 s between clicks, communes × trades
× levels of AURA varied so that most requests are a first computation) and prints the
p50/p95/p99 of the page and of its API. Target (issue 11): the page ≤ 150 ms p95.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from web import DURATION, USERS, _wait, run_locust, serving, sources_of  # noqa: E402

from tremplin.formats import format_decimal, format_number  # noqa: E402

TARGET_P95_MS = 150.0
PAGE = "/orientation/formations"


def main() -> None:
    with serving(sources_of(sys.argv)) as (host, folder):
        started = time.perf_counter()
        _wait(f"{host}{PAGE}?rome=H2913&commune=38185&niveau=apres-3e")
        first = time.perf_counter() - started
        print(
            f"Première page (données d’orientation lues et indexées) : {format_decimal(first, 1)} s"
        )
        stats = run_locust(HERE / "near_me_locustfile.py", host, folder)
    print(f"{USERS} clients simultanés, {DURATION}, pauses de 0,5 à 1,5 s entre deux clics")
    print(f"{'page ou appel':<34} {'requêtes':>8} {'échecs':>6} {'p50':>7} {'p95':>7} {'p99':>7}")
    page_p95 = None
    for row in stats:
        if row["Name"] == PAGE:
            page_p95 = float(row["95%"])
        print(
            f"{row['Name']:<34} {format_number(int(row['Request Count'])):>8} "
            f"{format_number(int(row['Failure Count'])):>6} "
            + " ".join(f"{format_number(float(row[q])):>4} ms" for q in ("50%", "95%", "99%"))
        )
    if page_p95 is None:
        raise SystemExit("aucune requête de la page mesurée")
    verdict = "OK" if page_p95 <= TARGET_P95_MS else "AU-DELÀ"
    print(
        f"Formations près de chez moi, p95 : {format_number(page_p95)} ms "
        f"(cible ≤ {format_number(TARGET_P95_MS)} ms : "
        f"marge ×{format_decimal(TARGET_P95_MS / max(page_p95, 1.0), 1)}) {verdict}"
    )


if __name__ == "__main__":
    main()
