"""What a user waits for when a process starts: cold commands, the first page, a scenario.

Usage: ``python benchmarks/startup.py [SOURCES]`` (default ``TREMPLIN_SOURCES`` or
``../shared/data``). Writes the package's bytecode as ``make install`` does, loads the files into
a fresh SQLite store in a temporary folder (not timed, like ``tremplin load`` followed by
whatever it builds), then measures, each run in a fresh process, the median of
``TREMPLIN_BENCH_REPEATS`` runs (default 3):

- ``tremplin sources --json`` (the trivial command) and a cold ``tremplin diagnostic
  --territoire 84 --maille departement --format json``: target ≤ 2× the trivial one;
- ``tremplin serve``: once it accepts connections, the first ``/diagnostic`` response, then a
  warm one (median of 5, each after a pause of 0.25 s), each on a fresh connection; medians
  over at least 5 launches of the server (a response takes a few milliseconds: one launch is
  noise): target first ≤ 1.5× warm;
- ``tremplin --help``: target ≤ 1 s;
- the planner's example (docs/cohorts.md), 20 seeds over AURA, store to printed result:
  ``tremplin simulate scenario oyonnax.toml --territoire region:84 --graines 20``: target ≤ 5 s.

Every figure and its margin come from the same run, on the same machine.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPEATS = int(os.environ.get("TREMPLIN_BENCH_REPEATS", "3"))
LAUNCHES = max(REPEATS, 5)
WARM_REQUESTS = 5
WARM_PAUSE = 0.25
"""Seconds before each warm request: the first request finds a server that has been waiting for
it, so the warm ones do too (back to back, they would find it hotter than any visitor does)."""
DIAGNOSTIC_RATIO = 2.0
FIRST_PAGE_RATIO = 1.5
HELP_SECONDS = 1.0
SCENARIO_SECONDS = 5.0
SCENARIO = """\
titre = "15 places de chaudronnerie industrielle à Oyonnax, 15 de moins à Villeurbanne"
palier = "2nde"

[[changements]]
action = "ouvrir"
uai = "0010034G"
mef_stat_11 = "23820025411"
places = 15

[[changements]]
action = "ajuster"
uai = "0690103M"
mef_stat_11 = "23820025411"
places = -15
"""


def _seconds(value: float) -> str:
    return f"{value:.2f} s".replace(".", ",")


def _milliseconds(value: float) -> str:
    return f"{value * 1000:.1f} ms".replace(".", ",")


def _verdict(ok: bool) -> str:
    return "OK" if ok else "AU-DELÀ"


def _timed(command: list[str], env: dict[str, str]) -> float:
    """Seconds a fresh process takes to run ``command`` to the end (it must succeed)."""
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _median(measure: Callable[[], float], repeats: int = REPEATS) -> float:
    return statistics.median(measure() for _ in range(repeats))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"le serveur n'accepte pas de connexion sur le port {port}")


def _get(port: int, path: str) -> float:
    """Seconds to get ``path`` on a fresh connection (the server must answer 200)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"{path} : statut {response.status}")
    return time.perf_counter() - started


def _paused_get(port: int, path: str) -> float:
    time.sleep(WARM_PAUSE)
    return _get(port, path)


def _first_page(tremplin: str, env: dict[str, str]) -> tuple[float, float, float]:
    """(seconds from launch to the first /diagnostic, that first response, a warm one: the
    median of ``WARM_REQUESTS``), each request on a fresh connection, as a new visitor's."""
    port = _free_port()
    launched = time.perf_counter()
    server = subprocess.Popen(
        [tremplin, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        first = _get(port, "/diagnostic")
        since_launch = time.perf_counter() - launched
        warm = statistics.median(_paused_get(port, "/diagnostic") for _ in range(WARM_REQUESTS))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return since_launch, first, warm


def _compile(env: dict[str, str]) -> None:
    """Write the bytecode of the package the command imports, as ``make install`` does (the
    environment may forbid writing it at run time: every process would compile it again)."""
    locate = "import tremplin, pathlib; print(pathlib.Path(tremplin.__file__).parent)"
    package = subprocess.run(
        [sys.executable, "-c", locate], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], env=env, check=True)


def main() -> None:
    default = os.environ.get("TREMPLIN_SOURCES") or str(HERE.parent.parent / "shared" / "data")
    sources = Path(sys.argv[1] if len(sys.argv) > 1 else default)
    tremplin = str(Path(sys.executable).parent / "tremplin")
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TREMPLIN_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite"}
        _compile(env)
        started = time.perf_counter()
        subprocess.run([tremplin, "load", str(sources)], env=env, check=True, capture_output=True)
        loaded = time.perf_counter() - started
        print(f"Chargement des fichiers réels (non compté) : {_seconds(loaded)}")
        scenario = Path(folder) / "oyonnax.toml"
        scenario.write_text(SCENARIO, encoding="utf-8")

        trivial = _median(lambda: _timed([tremplin, "sources", "--json"], env))
        diagnostic_command = [
            tremplin,
            "diagnostic",
            "--territoire",
            "84",
            "--maille",
            "departement",
            "--format",
            "json",
        ]
        diagnostic = _median(lambda: _timed(diagnostic_command, env))
        launches = [_first_page(tremplin, env) for _ in range(LAUNCHES)]
        since_launch = statistics.median(run[0] for run in launches)
        first = statistics.median(run[1] for run in launches)
        warm = statistics.median(run[2] for run in launches)
        help_ = _median(lambda: _timed([tremplin, "--help"], env))
        simulate = [tremplin, "simulate", "scenario", str(scenario)]
        simulate += ["--territoire", "region:84", "--graines", "20"]
        scenario_seconds = _median(lambda: _timed(simulate, env))

    print(f"Médianes de {REPEATS} exécutions, chacune dans un nouveau processus")
    # Wall-clock figures on a shared machine: the load says how busy it was meanwhile.
    load = ", ".join(f"{value:.1f}".replace(".", ",") for value in os.getloadavg())
    print(f"Charge moyenne de la machine (1, 5, 15 min) : {load} pour {os.cpu_count()} cœurs")
    ratio = diagnostic / trivial
    print(f"« tremplin sources --json » : {_seconds(trivial)}")
    print(
        f"« tremplin diagnostic --territoire 84 --maille departement --format json » à froid : "
        f"{_seconds(diagnostic)}, soit ×{ratio:.1f} (cible ≤ ×{DIAGNOSTIC_RATIO:.0f} : "
        f"marge ×{DIAGNOSTIC_RATIO / ratio:.2f}) {_verdict(ratio <= DIAGNOSTIC_RATIO)}"
    )
    page_ratio = first / warm
    print(
        f"« tremplin serve » : première réponse de /diagnostic {_milliseconds(first)} "
        f"({_seconds(since_launch)} après le lancement), réponse à chaud {_milliseconds(warm)}, "
        f"soit ×{page_ratio:.1f} (cible ≤ ×{FIRST_PAGE_RATIO} : "
        f"marge ×{FIRST_PAGE_RATIO / page_ratio:.2f}) {_verdict(page_ratio <= FIRST_PAGE_RATIO)}"
    )
    print(
        f"« tremplin --help » : {_seconds(help_)} (cible ≤ {_seconds(HELP_SECONDS)} : "
        f"marge ×{HELP_SECONDS / help_:.2f}) {_verdict(help_ <= HELP_SECONDS)}"
    )
    print(
        f"Scénario d'Oyonnax, AURA, 20 graines, du magasin au résultat imprimé : "
        f"{_seconds(scenario_seconds)} (cible ≤ {_seconds(SCENARIO_SECONDS)} : "
        f"marge ×{SCENARIO_SECONDS / scenario_seconds:.2f}) "
        f"{_verdict(scenario_seconds <= SCENARIO_SECONDS)}"
    )


if __name__ == "__main__":
    main()
