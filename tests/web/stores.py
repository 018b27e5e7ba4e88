"""What the web tests write in the official formats (a few files), and the scenarios they post
(the demo and real-data stores they run on are the session's, see ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tremplin.sources.ingest import DEMO_MARKER

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
