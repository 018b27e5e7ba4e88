"""Settings, declared once as data and read from the environment (prefix ``TREMPLIN_``).

Each :class:`Setting` carries its environment variable, default, French help and parser;
``Settings.from_env`` builds the values that are then passed down as arguments, and ``tremplin
config`` and the README's table are derived from the same declarations. Nothing deeper in the
package reads the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tremplin.errors import InputError

PREFIX = "TREMPLIN_"

DEFAULT_REGION = "84"
"""The partnership's région (Auvergne-Rhône-Alpes): the default of ``TREMPLIN_REGION``."""


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
"""The default of ``TREMPLIN_ALLOWED_HOSTS``: the loopback names only."""


def _names(value: str) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in value.split(",") if name.strip())


def _text(value: str) -> str:
    return value


def _optional_path(value: str) -> Path | None:
    return Path(value) if value else None


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise InputError(
            f"port invalide « {value} »", where=[PREFIX + "PORT"], expected="un entier de 1 à 65535"
        )
    return int(value)


def _niceness(value: str) -> int:
    if not value.isdigit() or int(value) > 19:
        raise InputError(
            f"priorité invalide « {value} »",
            where=[PREFIX + "JOBS_PRIORITE"],
            expected="un entier de 0 (priorité normale) à 19 (la plus basse)",
        )
    return int(value)


def _count(field: str) -> Callable[[str], int]:
    """The parser of a positive count, whose errors name the variable ``PREFIX + field``."""

    def parse(value: str) -> int:
        if not value.isdigit() or not 0 < int(value) <= 10_000:
            raise InputError(
                f"nombre invalide « {value} »",
                where=[PREFIX + field.upper()],
                expected="un entier de 1 à 10 000",
            )
        return int(value)

    return parse


def _region(value: str) -> str:
    if not re.fullmatch(r"[0-9]{2}", value):
        raise InputError(
            f"code de région invalide « {value} »",
            where=[PREFIX + "REGION"],
            expected="un code INSEE de région sur deux chiffres, par exemple 84",
        )
    return value


def _flag(value: str) -> bool:
    if value.strip().lower() in ("1", "true", "oui", "yes"):
        return True
    if value.strip().lower() in ("0", "false", "non", "no"):
        return False
    raise InputError(f"valeur « {value} » invalide", expected="1 (oui) ou 0 (non)")


def _days(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise InputError(f"nombre de jours invalide « {value} »", expected="un entier positif")
    return int(value)


@dataclass(frozen=True)
class Setting:
    """One setting: the ``Settings`` field it fills, its default, French help and parser."""

    field: str
    default: str
    help: str
    parse: Callable[[str], object] = _text

    @property
    def variable(self) -> str:
        """The environment variable that sets it."""
        return PREFIX + self.field.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "sqlite:///var/tremplin.sqlite",
        "Base de données (URL SQLAlchemy) : fichier SQLite par défaut, ou postgresql+psycopg://…",
    ),
    Setting(
        "sources",
        "var/sources",
        "Dossier des fichiers officiels à charger (celui que remplit « tremplin fetch »).",
        Path,
    ),
    Setting(
        "demo_dir",
        "var/demo",
        "Dossier où « tremplin demo » écrit le territoire fictif de démonstration.",
        Path,
    ),
    Setting(
        "fetch_mirror",
        "",
        "Adresse d'un miroir des fichiers publiés "
        "(remplace les adresses officielles de « fetch »).",
    ),
    Setting(
        "perimetre",
        "",
        "Fichier TOML du périmètre « industrie » (vide : le périmètre par défaut, documenté).",
        _optional_path,
    ),
    Setting(
        "region",
        DEFAULT_REGION,
        "Code INSEE de la région du partenariat (84 : Auvergne-Rhône-Alpes) : "
        "territoire par défaut des pages, des cartes et des simulations.",
        _region,
    ),
    Setting(
        "jobs_par_personne",
        "3",
        "Simulations en attente ou en cours qu'une même personne peut avoir à la fois "
        "(au-delà : 429).",
        _count("jobs_par_personne"),
    ),
    Setting(
        "jobs_max",
        "20",
        "Simulations en attente ou en cours, toutes personnes confondues (au-delà : 503).",
        _count("jobs_max"),
    ),
    Setting(
        "jobs_paralleles",
        "1",
        "Simulations exécutées en même temps par le serveur sur SQLite "
        "(sur PostgreSQL : par chaque « tremplin worker »).",
        _count("jobs_paralleles"),
    ),
    Setting(
        "jobs_priorite",
        "10",
        "Priorité des « tremplin worker » pour le processeur (nice, de 0 à 19) : 10 laisse la "
        "main aux serveurs web de la même machine pendant les simulations ; 0 pour une machine "
        "dédiée aux workers.",
        _niceness,
    ),
    Setting(
        "besoins_par_heure",
        "120",
        "Écritures des entreprises (besoins déclarés, modifiés, fichiers importés) qu'un même "
        "compte peut faire par heure (au-delà : 429).",
        _count("besoins_par_heure"),
    ),
    Setting("host", "127.0.0.1", "Adresse d'écoute du serveur web."),
    Setting("port", "8000", "Port du serveur web.", _port),
    Setting(
        "cookie_secure",
        "1",
        "Cookies de session marqués « Secure » (envoyés en HTTPS seulement) ; 0 pour essayer "
        "le site en HTTP ailleurs que sur 127.0.0.1 ou localhost.",
        _flag,
    ),
    Setting(
        "anonymisation_jours",
        "730",
        "Jours sans connexion après lesquels « tremplin comptes anonymiser » rend un compte "
        "anonyme (voir docs/rgpd.md).",
        _days,
    ),
    Setting(
        "journal_jours",
        "1825",
        "Jours pendant lesquels le journal des modifications est gardé "
        "(« tremplin comptes anonymiser » efface les lignes plus anciennes).",
        _days,
    ),
    Setting(
        "prechauffage",
        "1",
        "Après son démarrage, le serveur web calcule en arrière-plan les pages de la région "
        "que les planificateurs ouvrent d'abord (territoires, consoles, API du diagnostic), "
        "partagées par la base avec ses autres processus ; 0 pour ne pas le faire.",
        _flag,
    ),
    Setting(
        "allowed_hosts",
        ",".join(LOOPBACK_HOSTS),
        "Noms d'hôte acceptés dans l'en-tête Host, séparés par des virgules (les autres reçoivent "
        "une erreur 400) : un nom, « .exemple.fr » pour un domaine et ses sous-domaines, ou « * » "
        "pour tous. Par défaut, les noms locaux seulement : à compléter du nom public du site "
        "derrière son proxy TLS.",
        _names,
    ),
    Setting(
        "candidatures_par_heure",
        "30",
        "Écritures d'un candidat (candidatures envoyées ou retirées, profil publié, modifié, "
        "masqué ou supprimé) par heure (au-delà : 429).",
        _count("candidatures_par_heure"),
    ),
)


@dataclass(frozen=True)
class Settings:
    """The values of every setting (one field per :data:`SETTINGS` entry)."""

    database_url: str
    sources: Path
    demo_dir: Path
    fetch_mirror: str
    perimetre: Path | None
    region: str
    jobs_par_personne: int
    jobs_max: int
    jobs_paralleles: int
    jobs_priorite: int
    besoins_par_heure: int
    host: str
    port: int
    cookie_secure: bool = True
    anonymisation_jours: int = 730
    journal_jours: int = 1825
    prechauffage: bool = True
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    candidatures_par_heure: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from ``environ`` (default: the process environment); a value
        that does not parse raises :class:`InputError` naming the variable."""
        env = os.environ if environ is None else environ
        values = {s.field: s.parse(env.get(s.variable, s.default)) for s in SETTINGS}
        return cls(**values)  # type: ignore[arg-type]

    def as_rows(self) -> list[tuple[str, str, str]]:
        """(environment variable, value, help) for each setting, in declaration order."""
        rows = []
        for setting in SETTINGS:
            value = getattr(self, setting.field)
            shown = ",".join(value) if isinstance(value, tuple) else str(value)
            rows.append((setting.variable, "" if value is None else shown, setting.help))
        return rows


def markdown_table() -> str:
    """The README's table of settings: variable, default, meaning."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "(empty)"
        lines.append(f"| `{setting.variable}` | {default} | {setting.help} |")
    return "\n".join(lines)
