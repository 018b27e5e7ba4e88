"""Settings, declared once as data and read from the environment (prefix ``TREMPLIN_``).

Each setting has a name, a default and a help text; ``Settings.from_env`` builds the values that
are then passed down as arguments. Nothing deeper in the package reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "TREMPLIN_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "sqlite:///var/tremplin.sqlite",
        "Base de données (URL SQLAlchemy) : fichier SQLite par défaut, ou postgresql+psycopg://…",
    ),
    Setting(
        "SOURCES",
        "var/sources",
        "Dossier des fichiers officiels à charger (celui que remplit « tremplin fetch »).",
    ),
    Setting(
        "DEMO_DIR",
        "var/demo",
        "Dossier où « tremplin demo » écrit le territoire fictif de démonstration.",
    ),
    Setting(
        "FETCH_MIRROR",
        "",
        "Adresse d'un miroir des fichiers publiés "
        "(remplace les adresses officielles de « fetch »).",
    ),
    Setting(
        "PERIMETRE",
        "",
        "Fichier TOML du périmètre « industrie » (vide : le périmètre par défaut, documenté).",
    ),
    Setting("HOST", "127.0.0.1", "Adresse d'écoute du serveur web."),
    Setting("PORT", "8000", "Port du serveur web."),
)


@dataclass(frozen=True)
class Settings:
    database_url: str
    sources: Path
    demo_dir: Path
    fetch_mirror: str
    perimetre: Path | None
    host: str
    port: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        values = {s.name: env.get(PREFIX + s.name, s.default) for s in SETTINGS}
        return cls(
            database_url=values["DATABASE_URL"],
            sources=Path(values["SOURCES"]),
            demo_dir=Path(values["DEMO_DIR"]),
            fetch_mirror=values["FETCH_MIRROR"],
            perimetre=Path(values["PERIMETRE"]) if values["PERIMETRE"] else None,
            host=values["HOST"],
            port=int(values["PORT"]),
        )

    def as_rows(self) -> list[tuple[str, str, str]]:
        """(environment variable, value, help) for each setting, in declaration order."""
        current = {
            "DATABASE_URL": self.database_url,
            "SOURCES": str(self.sources),
            "DEMO_DIR": str(self.demo_dir),
            "FETCH_MIRROR": self.fetch_mirror,
            "PERIMETRE": str(self.perimetre or ""),
            "HOST": self.host,
            "PORT": str(self.port),
        }
        return [(PREFIX + s.name, current[s.name], s.help) for s in SETTINGS]
