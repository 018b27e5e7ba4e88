"""Latency of the diagnostic's pages and API under 20 concurrent users, on the real data.

Usage: ``python benchmarks/web.py [SOURCES]`` (default ``TREMPLIN_SOURCES`` or ``../shared/data``).
Loads the files into a temporary SQLite store (not timed), serves the app on 127.0.0.1 with
``tremplin serve``, warms it (the first request builds the facts), then runs locust headless
(``benchmarks/locustfile.py``: 20 users, 0.5–1.5 s between clicks) for 60 s and prints each
page's p50/p95/p99. Target (issue « diagnostic »): every page and API call ≤ 150 ms p95.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_P95_MS = 150.0
USERS = 20
DURATION = os.environ.get("TREMPLIN_BENCH_DURATION", "60s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"le serveur ne répond pas : {url}")


def locust_command(locustfile: Path, users: int, duration: str, host: str) -> list[str]:
    """locust headless: ``users`` users all started at once, for ``duration``, on ``host``."""
    return [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(locustfile),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        duration,
        "--host",
        host,
        "--only-summary",
    ]


@contextmanager
def serving(sources: Path) -> Iterator[tuple[str, str]]:
    """The files of ``sources`` loaded into a temporary SQLite store (not timed) and served by
    ``tremplin serve`` on a free loopback port; yields its address and the temporary folder."""
    binaries = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TREMPLIN_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite"}
        subprocess.run(
            [binaries / "tremplin", "load", str(sources)], env=env, check=True, capture_output=True
        )
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [binaries / "tremplin", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(f"{host}/")
            yield host, folder
        finally:
            server.terminate()
            server.wait(timeout=30)


def run_locust(locustfile: Path, host: str, folder: str) -> list[dict[str, str]]:
    """Run ``locustfile`` headless (:data:`USERS` users, :data:`DURATION`) on ``host``; the rows
    of its statistics (one per request name, then « Aggregated »)."""
    subprocess.run(
        [*locust_command(locustfile, USERS, DURATION, host), "--csv", f"{folder}/locust"],
        check=True,
        capture_output=True,
    )
    with open(f"{folder}/locust_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def sources_of(argv: list[str]) -> Path:
    """The folder of the files: the first argument, else ``TREMPLIN_SOURCES``, else
    ``../shared/data``."""
    default = os.environ.get("TREMPLIN_SOURCES") or str(HERE.parent.parent / "shared" / "data")
    return Path(argv[1] if len(argv) > 1 else default)


def main() -> None:
    with serving(sources_of(sys.argv)) as (host, folder):
        started = time.perf_counter()
        _wait(f"{host}/api/v1/diagnostic?maille=bassin&dans=region:84")
        print(f"Premier appel (construction des faits) : {time.perf_counter() - started:.1f} s")
        stats = run_locust(HERE / "locustfile.py", host, folder)
    print(f"{USERS} utilisateurs simultanés, {DURATION}, pauses de 0,5 à 1,5 s entre deux clics")
    print(f"{'page ou appel':<42} {'requêtes':>8} {'échecs':>6} {'p50':>6} {'p95':>6} {'p99':>6}")
    worst = 0.0
    for row in stats:
        p95 = float(row["95%"])
        if row["Name"] != "Aggregated":
            worst = max(worst, p95)
        print(
            f"{row['Name']:<42} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{row['50%']:>4}ms {row['95%']:>4}ms {row['99%']:>4}ms"
        )
    verdict = "OK" if worst <= TARGET_P95_MS else "AU-DELÀ"
    print(
        f"Pire p95 : {worst:.0f} ms (cible ≤ {TARGET_P95_MS:.0f} ms : "
        f"marge ×{TARGET_P95_MS / worst:.1f}) {verdict}"
    )


if __name__ == "__main__":
    main()
