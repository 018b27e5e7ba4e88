"""Codes of the store a test writes needs with: a ROME code with an appellation, communes in
two départements (from the demo's real extracts)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from tremplin.referentials.derived import referentials
from tremplin.sources.tables import DATASET_TABLES

SIRET = "12345678200010"
OTHER_SIRET = "73282932000074"


@dataclass(frozen=True)
class Codes:
    code_rome: str
    code_ogr: str
    appellation: str
    other_rome: str
    commune: str
    departement: str
    bassin: str
    far_commune: str
    far_departement: str


def sample_codes(conn: sa.Connection) -> Codes:
    """A ROME code with an appellation, another ROME code, two communes of different
    départements, each in a bassin."""
    names = DATASET_TABLES["rome_appellations"]
    fiches = DATASET_TABLES["rome_fiches"]
    first = conn.execute(
        sa.select(names.c.code_rome, names.c.code_ogr, names.c.libelle_long)
        .join(fiches, fiches.c.code_rome == names.c.code_rome)
        .order_by(names.c.code_ogr)
        .limit(1)
    ).one()
    other = conn.execute(
        sa.select(fiches.c.code_rome).where(fiches.c.code_rome != first.code_rome).limit(1)
    ).scalar_one()
    communes = (
        referentials(conn)
        .communes.drop_nulls("bassin_bmo")
        .sort("population", descending=True)
        .unique("code_departement", keep="first", maintain_order=True)
    )
    a, b = communes.row(0, named=True), communes.row(1, named=True)
    assert a["code_departement"] != b["code_departement"]
    return Codes(
        first.code_rome,
        first.code_ogr,
        first.libelle_long,
        other,
        a["code_insee"],
        a["code_departement"],
        a["bassin_bmo"],
        b["code_insee"],
        b["code_departement"],
    )


def commune_count(conn: sa.Connection) -> int:
    return referentials(conn).communes.filter(pl.col("bassin_bmo").is_not_null()).height
