"""Where a company's site or need is: a commune's INSEE code and the territories it lies in.

A need keeps its commune's bassin BMO, département, académie and région (written with the
need), so that a territory's needs are read with one query and a partner's scope is checked
without the referentials."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from tremplin.errors import InputError
from tremplin.referentials.derived import referentials
from tremplin.referentials.territory_ref import TerritoryRef
from tremplin.store.derived import files_fingerprint

TERRITORY_COLUMNS = {
    "region": "code_region",
    "academie": "code_academie",
    "departement": "code_departement",
    "bassin": "bassin_bmo",
}
"""The column of a need holding its territory of each maille."""


@dataclass(frozen=True)
class Place:
    """A commune and the territories it lies in (a code is None when the referentials lack
    it: a commune outside any bassin BMO, for instance)."""

    code_insee: str
    nom: str
    bassin_bmo: str | None
    bassin: str | None
    code_departement: str | None
    code_academie: str | None
    code_region: str | None

    def territories(self) -> frozenset[str]:
        """Its territories as the policy's references: « region:84 », « bassin:8401 »…"""
        return territories_of(
            {
                "code_region": self.code_region,
                "code_academie": self.code_academie,
                "code_departement": self.code_departement,
                "bassin_bmo": self.bassin_bmo,
            }
        )


def territories_of(row: dict[str, str | None]) -> frozenset[str]:
    """The territory references of a row holding the columns of :data:`TERRITORY_COLUMNS`."""
    return frozenset(
        f"{maille}:{row[column]}" for maille, column in TERRITORY_COLUMNS.items() if row[column]
    )


_COMMUNES: dict[str, pl.DataFrame] = {}
"""The communes' frame of the last state of the loaded files this process read: a need
written reads its commune without reading every referential again (one small query checks
the files)."""
_COMMUNES_LOCK = threading.Lock()


def _communes(conn: sa.Connection) -> pl.DataFrame:
    files = files_fingerprint(conn)
    with _COMMUNES_LOCK:
        found = _COMMUNES.get(files)
    if found is None:
        found = referentials(conn, files).communes.select(
            "code_insee", "nom", *TERRITORY_COLUMNS.values(), "bassin", "latitude", "longitude"
        )
        with _COMMUNES_LOCK:
            _COMMUNES.clear()
            _COMMUNES[files] = found
    return found


def places(conn: sa.Connection, codes: Iterable[str]) -> dict[str, Place]:
    """The place of each known INSEE code among ``codes`` (unknown codes are left out)."""
    wanted = sorted({c.strip() for c in codes if c})
    if not wanted:
        return {}
    frame = _communes(conn).filter(pl.col("code_insee").is_in(wanted))
    found = {}
    for row in frame.iter_rows(named=True):
        found[row["code_insee"]] = Place(
            code_insee=row["code_insee"],
            nom=row["nom"],
            bassin_bmo=row["bassin_bmo"],
            bassin=row["bassin"],
            code_departement=row["code_departement"],
            code_academie=row["code_academie"],
            code_region=row["code_region"],
        )
    return found


def place(conn: sa.Connection, code_insee: str, *, where: str = "code_insee") -> Place:
    """The place of ``code_insee``; raises :class:`InputError` when no commune has it."""
    code = (code_insee or "").strip()
    found = places(conn, [code]).get(code)
    if found is None:
        raise InputError(
            f"commune « {code_insee} » inconnue",
            where=[where],
            expected="le code INSEE d’une commune (5 caractères, par ex. 01283 pour Oyonnax)",
        )
    return found


def territory_filter(table: sa.Table, territoire: str) -> sa.ColumnElement[bool]:
    """The rows of ``table`` (with :data:`TERRITORY_COLUMNS`) that lie in ``territoire``."""
    ref = TerritoryRef.parse(territoire)
    return table.c[TERRITORY_COLUMNS[ref.maille]] == ref.code


def coordinates(conn: sa.Connection) -> pl.DataFrame:
    """code_insee, nom, latitude, longitude of every located commune (its population-weighted
    centre, from the referentials; kept per state of the files, as :func:`places`), for
    distances."""
    return (
        _communes(conn)
        .select("code_insee", "nom", "latitude", "longitude")
        .drop_nulls(["latitude", "longitude"])
    )
