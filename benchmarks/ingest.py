"""Time and peak memory to load every real file into the store, and to load it again unchanged.

Usage: ``python benchmarks/ingest.py [SOURCES]`` (default: ``TREMPLIN_SOURCES`` or
``../shared/data``). Each measurement runs in a fresh process, so its peak resident memory is its
own; PostgreSQL runs in a throwaway cluster started for the benchmark (as the ``postgres`` system
user when run as root). Targets (issue « Foundation »): SQLite load ≤ 30 s and ≤ 2 GiB peak;
reload of unchanged files ≤ 5 s.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOAD_ONCE = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from tremplin.store.database import open_store\n"
    "from tremplin.sources.ingest import load_paths\n"
    "start = time.perf_counter()\n"
    "engine = open_store(sys.argv[1])\n"
    "report = load_paths(engine, [Path(sys.argv[2])])\n"
    "print(time.perf_counter() - start, sum(o.rows_loaded for o in report.loaded))\n"
)
TARGETS = {"load": (30.0, 2048.0), "reload": (5.0, 2048.0)}


def measure(url: str, sources: Path) -> tuple[float, float, float, int]:
    """(seconds of the whole process, seconds inside the load, peak resident MiB, rows loaded).

    The whole process counts Python's start and the imports, as a person running
    ``tremplin load`` waits for them too; the verdict is on that figure.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", LOAD_ONCE, url, str(sources)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.stdout.close()
    if status != 0:
        raise SystemExit(f"load failed for {url} (status {status})")
    seconds, rows = output.split()
    return wall, float(seconds), usage.ru_maxrss / 1024, int(rows)


class ThrowawayPostgres:
    """initdb + pg_ctl in a temporary folder; as root, through ``runuser -u postgres``."""

    def __init__(self, port: int = 54329) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="tremplin-bench-pg-"))
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        self.bin = bins[-1] if bins else Path(shutil.which("pg_ctl") or "pg_ctl").parent
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, cwd=self.folder, capture_output=True)

    def __enter__(self) -> str:
        data = self.folder / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "log"),
            "start",
        )
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "tremplin",
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/tremplin"

    def __exit__(self, *_exc: object) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def _row(backend: str, step: str, wall: float, inside: float, mib: float, rows: int) -> str:
    limit_s, limit_mib = TARGETS[step]
    verdict = "OK" if wall <= limit_s and mib <= limit_mib else "AU-DELÀ"
    return (
        f"{backend:<11} {step:<7} {wall:7.2f} s (dont chargement {inside:6.2f} s)  {mib:6.0f} MiB  "
        f"{rows:>9,d} lignes   cible ≤ {limit_s:.0f} s : marge ×{limit_s / wall:4.1f}  {verdict}"
    ).replace(",", " ")


def main() -> None:
    default = os.environ.get("TREMPLIN_SOURCES") or str(HERE.parent.parent / "shared" / "data")
    sources = Path(sys.argv[1] if len(sys.argv) > 1 else default)
    if not sources.is_dir():
        raise SystemExit(f"dossier de sources introuvable : {sources}")
    print(f"Sources : {sources} — {os.cpu_count()} cœurs")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        for step in ("load", "reload"):
            print(_row("SQLite", step, *measure(url, sources)), flush=True)
    if shutil.which("runuser") or os.geteuid() != 0:
        with ThrowawayPostgres() as url:
            for step in ("load", "reload"):
                print(_row("PostgreSQL", step, *measure(url, sources)), flush=True)
    self_usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(processus du banc : {self_usage:.0f} MiB)")


if __name__ == "__main__":
    main()
