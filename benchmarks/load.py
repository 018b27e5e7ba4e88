"""The load target of issue 9: 50 concurrent clients on PostgreSQL, then a restart.

Usage: ``python benchmarks/load.py [SOURCES]`` (default ``TREMPLIN_SOURCES`` or
``../shared/data``). Not timed: a throwaway PostgreSQL cluster (as ``benchmarks/ingest.py``
starts it), ``tremplin load`` of the real files, accounts created with ``tremplin comptes
creer``. Then ``tremplin serve --workers 2`` and two ``tremplin worker`` processes (at their
default priority, nice 10), and locust headless (``benchmarks/load_locustfile.py``: 50 users,
0.5–1.5 s between clicks) mixing pages, API reads, logins and small simulations, twice 60 s:
the first run once the servers have started and prepared the région's pages in the background
(``web/diagnostic/warm_pages.py``: the benchmark waits until the store's shared responses stop
growing, and prints how many and when; a query outside them is computed once for both web
processes), the second on the same servers. Printed for each, with its target:

- requests, and errors other than the quotas' intended 429 / 503 (target 0);
- page p95 (target ≤ 200 ms), API p95, logins' and simulation requests' p95;
- simulations accepted, refused (429, 503), finished, still queued;
- one password check (the measure of ``benchmarks/passwords.py``, target 20–100 ms);
- a restart: simulations are queued (as many as the quotas take), the servers and workers
  are stopped (SIGTERM) while jobs are queued or running and started again; every job finished
  or queued before must be finished or still queued after (target: none lost).

The machine's load average is printed next to the figures: the cores may be shared.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from ingest import ThrowawayPostgres  # noqa: E402
from passwords import check_cost, measure, verdict  # noqa: E402
from web import _free_port, _wait, locust_command  # noqa: E402

from tremplin.formats import format_decimal, format_number  # noqa: E402
from tremplin.jobs import records  # noqa: E402
from tremplin.store.database import open_store  # noqa: E402
from tremplin.store.schema import jobs as jobs_table  # noqa: E402
from tremplin.store.shared_responses import count as shared_count  # noqa: E402

USERS = 50
DURATION = os.environ.get("TREMPLIN_BENCH_DURATION", "60s")
PAGE_P95_MS = 200.0
PASSWORD = "un mot de passe de banc d'essai"
ACCOUNTS = [
    ("pilote", "pilote.lyon@charge.test", ["--territoire", "academie:10"]),
    ("pilote", "pilote.grenoble@charge.test", ["--territoire", "academie:08"]),
    ("region", "carte@charge.test", []),
    ("chef_etablissement", "proviseur@charge.test", ["--uai", "0010034G"]),
    ("partenaire_industrie", "uimm@charge.test", ["--territoire", "departement:01"]),
    ("entreprise", "rh@charge.test", ["--siret", "35600000000048"]),
    ("expert", "expert@charge.test", []),
    ("lecteur", "lecteur@charge.test", []),
]
WARM_UP = [
    "/",
    "/diagnostic",
    "/diagnostic/territoire/academie/10?perimetre=industrie",
    "/diagnostic/formations?code_departement=01&niveau=tous",
    "/diagnostic/offres?code_academie=10&perimetre=industrie",
    "/api/v1/diagnostic?maille=bassin&dans=region:84&perimetre=industrie&niveau=tous&taille=100",
    "/api/v1/offres?code_departement=01&taille=100",
    "/connexion",
]
DRAIN_TIMEOUT = 900.0
STOP_TIMEOUT = 120.0


def _load_average() -> str:
    return ", ".join(format_decimal(value, 1) for value in os.getloadavg())


def _ms(value: float) -> str:
    return f"{format_decimal(value, 0)} ms"


def _p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[0] if times else 0.0
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


class Servers:
    """``tremplin serve --workers 2`` and two ``tremplin worker`` processes on one store."""

    def __init__(self, env: dict[str, str], port: int, logs: Path) -> None:
        self.env, self.port, self.logs = env, port, logs
        self.processes: list[subprocess.Popen[bytes]] = []
        self.starts = 0

    def start(self) -> None:
        binaries = Path(sys.executable).parent
        self.starts += 1
        commands = [
            ["serve", "--workers", "2", "--port", str(self.port)],
            ["worker"],
            ["worker"],
        ]
        for n, command in enumerate(commands):
            log = open(self.logs / f"{self.starts}-{n}-{command[0]}.log", "wb")  # noqa: SIM115
            self.processes.append(
                subprocess.Popen(
                    [binaries / "tremplin", *command],
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        _wait(f"http://127.0.0.1:{self.port}/", timeout=300)

    def stop(self) -> float:
        """SIGTERM to every process (and its children), then wait; seconds it took."""
        began = time.perf_counter()
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []
        return time.perf_counter() - began


def _prepared(engine: Any, began: float, quiet: float = 5.0) -> tuple[int, float]:
    """Wait until the pages the web processes prepare after a start are in the store (their
    number unchanged for ``quiet`` s, at most ``DRAIN_TIMEOUT``): how many, and when."""
    last, since = -1, time.perf_counter()
    while time.perf_counter() - began < DRAIN_TIMEOUT:
        now = shared_count(engine)
        if now != last:
            last, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            break
        time.sleep(0.5)
    return last, since - began


def _request(url: str, document: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(document).encode() if document is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def _statuses(engine: Any) -> dict[str, str]:
    """Every simulation of the store: id → status."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(jobs_table.c.id, jobs_table.c.status))
        return {row.id: row.status for row in rows}


def _summary(statuses: dict[str, str]) -> str:
    counts = Counter(statuses.values())
    return ", ".join(
        f"{label.lower()} {format_number(counts.get(status, 0))}"
        for status, label in records.STATUTS.items()
    )


def _run_locust(host: str, out: str) -> list[dict[str, Any]]:
    env = {
        **os.environ,
        "TREMPLIN_LOAD_ACCOUNTS": ",".join(email for _, email, _ in ACCOUNTS),
        "TREMPLIN_LOAD_PASSWORD": PASSWORD,
        "TREMPLIN_LOAD_OUT": out,
    }
    command = locust_command(HERE / "load_locustfile.py", USERS, DURATION, host)
    subprocess.run(
        [*command, "--exit-code-on-error", "0", "Member"],
        check=True,
        capture_output=True,
        env=env,
        cwd=HERE,
    )
    with open(out, encoding="utf-8") as handle:
        found: list[dict[str, Any]] = json.load(handle)
    return found


def _report(seen: list[dict[str, Any]], title: str) -> None:
    intended = [r for r in seen if r["statut"] in (429, 503) and not r["echec"]]
    errors = [r for r in seen if r["echec"]]
    print(title)
    print(
        f"{USERS} clients simultanés, {DURATION}, pauses de 0,5 à 1,5 s ; charge de la machine "
        f"(1, 5, 15 min) : {_load_average()} pour {os.cpu_count()} cœurs"
    )
    print(
        f"Requêtes : {format_number(len(seen))} ; refus voulus des quotas (429 / 503) : "
        f"{format_number(len(intended))}"
    )
    verdict_errors = "OK" if not errors else "ÉCHEC"
    print(f"Erreurs (hors 429 / 503 voulus) : {len(errors)} (cible 0) {verdict_errors}")
    for status, count in Counter((r["nom"], r["statut"]) for r in errors).most_common(5):
        print(f"  {status[0]} → {status[1]} : {count}")
    print(f"{'catégorie':<12} {'requêtes':>9} {'p50':>9} {'p95':>9} {'max':>9}")
    p95s = {}
    for category in ("page", "api", "connexion", "simulation"):
        times = [r["ms"] for r in seen if r["categorie"] == category]
        if not times:
            continue
        p95s[category] = _p95(times)
        print(
            f"{category:<12} {format_number(len(times)):>9} {_ms(statistics.median(times)):>9} "
            f"{_ms(p95s[category]):>9} {_ms(max(times)):>9}"
        )
    pages = p95s.get("page", 0.0)
    margin = format_decimal(PAGE_P95_MS / pages, 1) if pages else "—"
    ok_pages = pages <= PAGE_P95_MS
    print(
        f"p95 des pages : {_ms(pages)} (cible ≤ {_ms(PAGE_P95_MS)} : marge ×{margin}) "
        f"{'OK' if ok_pages else 'AU-DELÀ'}"
    )
    slowest = sorted(
        {r["nom"] for r in seen if r["categorie"] == "page"},
        key=lambda name: -_p95([r["ms"] for r in seen if r["nom"] == name]),
    )
    for name in slowest[:3]:
        times = [r["ms"] for r in seen if r["nom"] == name]
        print(f"  {name} : p95 {_ms(_p95(times))} ({format_number(len(times))} requêtes)")
    asked = [r for r in seen if r["categorie"] == "simulation"]
    print(
        f"Simulations demandées : {format_number(len(asked))} ; acceptées (202) "
        f"{format_number(sum(r['statut'] == 202 for r in asked))}, refusées 429 "
        f"{format_number(sum(r['statut'] == 429 for r in asked))}, 503 "
        f"{format_number(sum(r['statut'] == 503 for r in asked))}"
    )


def _fill_queue(host: str) -> int:
    """Ask for simulations as every account until the quotas refuse: jobs queued or running
    when the servers stop."""
    accepted = 0
    for n, (_, email, _) in enumerate(ACCOUNTS):
        status, answer = _request(f"{host}/api/v1/session", {"email": email, "password": PASSWORD})
        if status != 200:
            continue
        for k in range(3):
            scenario = {
                "titre": f"Avant redémarrage {n}-{k}",
                "territoire": "academie:10",
                "graines": 1,
                "changements": [
                    {
                        "action": "ouvrir",
                        "uai": "0010034G",
                        "mef_stat_11": "23820025411",
                        "places": 5 + n + k,
                    }
                ],
            }
            posted, _ = _request(f"{host}/api/v1/simulations", scenario, answer["token"])
            accepted += posted == 202
    return accepted


def _restart(servers: Servers, engine: Any, host: str) -> None:
    accepted = _fill_queue(host)
    before = _statuses(engine)
    finished = {i for i, s in before.items() if s == records.TERMINEE}
    pending = {i for i, s in before.items() if s in records.ACTIVE}
    print(
        f"Avant l'arrêt ({format_number(accepted)} simulations de plus demandées) : "
        f"{_summary(before)}"
    )
    stopped = time.perf_counter()
    took = servers.stop()
    print(
        f"Serveurs et workers arrêtés (SIGTERM) en {format_decimal(took, 1)} s ; dans la base : "
        f"{_summary(_statuses(engine))}"
    )
    servers.start()
    while time.perf_counter() - stopped < DRAIN_TIMEOUT:
        now = _statuses(engine)
        if not any(now.get(i) in records.ACTIVE for i in pending):
            break
        time.sleep(2)
    after = _statuses(engine)
    lost_finished = [i for i in finished if after.get(i) != records.TERMINEE]
    lost_pending = [i for i in pending if after.get(i) not in (records.TERMINEE, *records.ACTIVE)]
    still = sum(after.get(i) in records.ACTIVE for i in pending)
    lost = len(lost_finished) + len(lost_pending)
    print(
        f"{format_decimal(time.perf_counter() - stopped, 0)} s après l'arrêt, redémarrés : "
        f"{_summary(after)}"
    )
    done = len(pending) - still - len(lost_pending)
    print(
        f"Redémarrage : {format_number(len(finished))} terminées et {format_number(len(pending))} "
        f"en file ou en cours avant ; après : {format_number(done)} de celles-ci terminées, "
        f"{format_number(still)} encore en file ; "
        f"{lost} perdue(s) (cible 0) {'OK' if lost == 0 else 'ÉCHEC'}"
    )


def main() -> None:
    default = os.environ.get("TREMPLIN_SOURCES") or str(HERE.parent.parent / "shared" / "data")
    sources = Path(sys.argv[1] if len(sys.argv) > 1 else default)
    if not sources.is_dir():
        raise SystemExit(f"dossier de sources introuvable : {sources}")
    binaries = Path(sys.executable).parent
    password_line = verdict(check_cost(measure()))
    with ThrowawayPostgres(port=_free_port()) as url, tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "TREMPLIN_DATABASE_URL": url,
            "TREMPLIN_COOKIE_SECURE": "0",
            "TREMPLIN_SOURCES": str(sources),
        }
        began = time.perf_counter()
        subprocess.run(
            [binaries / "tremplin", "load", str(sources)], env=env, check=True, capture_output=True
        )
        for role, email, scope in ACCOUNTS:
            subprocess.run(
                [
                    binaries / "tremplin",
                    "comptes",
                    "creer",
                    "--role",
                    role,
                    "--email",
                    email,
                    "--mot-de-passe-stdin",
                    *scope,
                ],
                env=env,
                input=PASSWORD.encode(),
                check=True,
                capture_output=True,
            )
        print(
            f"PostgreSQL : fichiers chargés et {len(ACCOUNTS)} comptes créés en "
            f"{format_decimal(time.perf_counter() - began, 0)} s (non chronométré)"
        )
        servers = Servers(env, _free_port(), Path(folder))
        host = f"http://127.0.0.1:{servers.port}"
        engine = open_store(url)
        try:
            servers.start()
            began = time.perf_counter()
            for _ in range(3):  # each web process builds what it keeps in memory once
                for path in WARM_UP:
                    _wait(f"{host}{path}")
            print(f"Préchauffage : {format_decimal(time.perf_counter() - began, 0)} s")
            prepared, seconds = _prepared(engine, began)
            print(
                f"Pages de la région préparées en arrière-plan par les 2 processus web (partagées "
                f"par la base) : {format_number(prepared)} en "
                f"{format_decimal(seconds, 0)} s après le démarrage"
            )
            _report(
                _run_locust(host, f"{folder}/froid.json"),
                "— Première minute de charge, les pages de la région préparées : une requête "
                "nouvelle ailleurs est calculée une fois pour les 2 processus web —",
            )
            _report(
                _run_locust(host, f"{folder}/chaud.json"),
                "— Mesure : la même charge, 60 s de plus (caches tenus par la première) —",
            )
            print(f"Simulations dans la base à la fin de la charge : {_summary(_statuses(engine))}")
            print(password_line)
            _restart(servers, engine, host)
        finally:
            servers.stop()
            engine.dispose()


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    main()
