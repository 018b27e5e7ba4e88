"""Communes and départements: the base of the territorial chain, built from the COG tables.

``communes(conn)`` gives one row per commune with every level above it (département, académie,
région, bassin BMO), its population and centroid; ``departements`` aggregates it. The rest of
the chain (académies, régions, bassins) and the establishments' placement build on them: see
:mod:`tremplin.referentials.territories`, which re-exports everything.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.referentials.codes import (
    commune_of_arrondissement_expr,
    normalise_departement_expr,
)
from tremplin.referentials.names import name_key
from tremplin.referentials.tables import read_columns, read_snapshot

__all__ = [
    "COMMUNE_COLUMNS",
    "communes",
    "communes_or",
    "departements",
    "region_names",
    "weighted_centroid",
]

COMMUNE_COLUMNS = (
    "code_insee",
    "nom",
    "code_departement",
    "departement",
    "code_academie",
    "academie",
    "code_region",
    "region",
    "population",
    "latitude",
    "longitude",
    "bassin_bmo",
    "bassin",
)


def weighted_centroid(population: str = "population") -> list[pl.Expr]:
    """Aggregations giving ``latitude`` and ``longitude`` weighted by ``population``.

    Communes without coordinates weigh nothing; a group whose population is unknown or zero
    falls back to the plain mean of its communes' coordinates.
    """
    located = pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null()
    weight = pl.when(located).then(pl.col(population).fill_null(0).cast(pl.Float64)).otherwise(0.0)
    total = weight.sum()

    def mean(column: str) -> pl.Expr:
        weighted = (pl.col(column) * weight).sum() / total
        return pl.when(total > 0).then(weighted).otherwise(pl.col(column).mean()).alias(column)

    return [mean("latitude"), mean("longitude")]


def _departement_names(conn: sa.Connection) -> pl.DataFrame:
    """code_departement, departement (name), code_region of the COG's départements."""
    rows = read_snapshot(
        conn, "departements", ["code_departement", "nom", "code_region"], ["code_departement"]
    )
    return rows.select(
        normalise_departement_expr(pl.col("code_departement")).alias("code_departement"),
        pl.col("nom").alias("departement"),
        pl.col("code_region").alias("region_departement"),
    ).unique("code_departement", keep="last", maintain_order=True)


def _departement_academies(conn: sa.Connection) -> pl.DataFrame:
    """code_departement → code_academie, academie, and the file's département label."""
    rows = read_snapshot(
        conn,
        "departements_academies",
        ["code_departement", "code_academie", "academie", "departement"],
        ["code_departement"],
    )
    return rows.select(
        normalise_departement_expr(pl.col("code_departement")).alias("code_departement"),
        "code_academie",
        "academie",
        pl.col("departement").alias("libelle_academies"),
    ).unique("code_departement", keep="last", maintain_order=True)


def region_names(conn: sa.Connection) -> pl.DataFrame:
    rows = read_snapshot(conn, "regions", ["code_region", "nom"], ["code_region"])
    return rows.select("code_region", pl.col("nom").alias("region"))


def _commune_bassins(conn: sa.Connection) -> pl.DataFrame:
    """code_insee → bassin_bmo, bassin, from the BMO table of communes.

    The table may list a city's municipal arrondissements rather than the commune: a commune
    with no row of its own takes the bassin of most of its arrondissements. A row whose bassin
    name is, in the BMO data, the name of another code is given that code (the 2024 table files
    the communes of the « Îles du Nord » under Grande-Terre's code 102, while BMO counts their
    recruitment under 104).
    """
    rows = read_snapshot(
        conn, "bmo_bassins_communes", ["code_insee", "bassin_bmo", "bassin"], ["code_insee"]
    ).drop_nulls("bassin_bmo")
    rows = _correct_bassin_codes(conn, rows)
    own = rows.filter(commune_of_arrondissement_expr(pl.col("code_insee")) == pl.col("code_insee"))
    by_arrondissement = (
        rows.with_columns(commune_of_arrondissement_expr(pl.col("code_insee")).alias("commune"))
        .filter(pl.col("commune") != pl.col("code_insee"))
        .group_by("commune", "bassin_bmo")
        .agg(pl.len().alias("n"), pl.col("bassin").first())
        .sort(["commune", "n", "bassin_bmo"], descending=[False, True, False])
        .unique("commune", keep="first", maintain_order=True)
        .select(pl.col("commune").alias("code_insee"), "bassin_bmo", "bassin")
        .join(own, on="code_insee", how="anti")
    )
    return pl.concat([own, by_arrondissement])


def _correct_bassin_codes(conn: sa.Connection, rows: pl.DataFrame) -> pl.DataFrame:
    bmo = (
        read_columns(conn, "bmo", ["bassin_bmo", "bassin"], distinct=True)
        .drop_nulls()
        .select("bassin_bmo", name_key(pl.col("bassin")).alias("key"))
        .unique()
    )
    if bmo.is_empty():
        return rows
    # A name that only one BMO code bears designates that code.
    code_of_name = (
        bmo.group_by("key")
        .agg(pl.col("bassin_bmo").first().alias("code_of_name"), pl.len().alias("codes"))
        .filter(pl.col("codes") == 1)
        .drop("codes")
    )
    names = rows.select("bassin").unique().with_columns(name_key(pl.col("bassin")).alias("key"))
    return (
        rows.join(names, on="bassin", how="left", nulls_equal=True)
        .join(bmo.with_columns(pl.lit(True).alias("known")), on=["bassin_bmo", "key"], how="left")
        .join(code_of_name, on="key", how="left")
        .with_columns(
            pl.when(pl.col("known").is_null() & pl.col("code_of_name").is_not_null())
            .then(pl.col("code_of_name"))
            .otherwise(pl.col("bassin_bmo"))
            .alias("bassin_bmo")
        )
        .select(rows.columns)
    )


def communes(conn: sa.Connection) -> pl.DataFrame:
    """One row per commune of ``src_communes`` (newest millésime), with every level above it.

    Columns: code_insee, nom, code_departement, departement, code_academie, academie,
    code_region, region, population, latitude, longitude, bassin_bmo, bassin. The région is the
    commune's own (COG), else its département's; names come from the COG tables (the
    département's, else the académies file's label).
    """
    base = read_snapshot(
        conn,
        "communes",
        [
            "code_insee",
            "nom",
            "code_departement",
            "code_region",
            "population",
            "latitude",
            "longitude",
        ],
        ["code_insee"],
    ).with_columns(normalise_departement_expr(pl.col("code_departement")))
    departements_ = _departement_names(conn)
    academies_ = _departement_academies(conn)
    return (
        base.join(departements_, on="code_departement", how="left")
        .join(academies_, on="code_departement", how="left")
        .with_columns(
            pl.coalesce("code_region", "region_departement").alias("code_region"),
            pl.coalesce("departement", "libelle_academies").alias("departement"),
        )
        .join(region_names(conn), on="code_region", how="left")
        .join(_commune_bassins(conn), on="code_insee", how="left")
        .select(COMMUNE_COLUMNS)
        .sort("code_insee")
    )


def communes_or(conn: sa.Connection, communes_frame: pl.DataFrame | None) -> pl.DataFrame:
    return communes(conn) if communes_frame is None else communes_frame


def departements(
    conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per département (of the COG table or holding a commune).

    Columns: code_departement, departement, code_academie, academie, code_region, region,
    population, latitude, longitude (population-weighted centroid of its communes), communes
    (how many). ``communes_frame`` is the result of :func:`communes`, when already computed.
    """
    frame = communes_or(conn, communes_frame)
    aggregated = frame.group_by("code_departement").agg(
        pl.col("population").sum(),
        *weighted_centroid(),
        pl.len().cast(pl.Int64).alias("communes"),
        pl.col("code_region").drop_nulls().mode().sort().first().alias("region_commune"),
    )
    names = _departement_names(conn)
    codes = pl.concat(
        [names.select("code_departement"), aggregated.select("code_departement")]
    ).unique()
    return (
        codes.join(names, on="code_departement", how="left")
        .join(_departement_academies(conn), on="code_departement", how="left")
        .join(aggregated, on="code_departement", how="left")
        .with_columns(
            pl.coalesce("region_departement", "region_commune").alias("code_region"),
            pl.coalesce("departement", "libelle_academies").alias("departement"),
            pl.col("communes").fill_null(0),
        )
        .join(region_names(conn), on="code_region", how="left")
        .select(
            "code_departement",
            "departement",
            "code_academie",
            "academie",
            "code_region",
            "region",
            "population",
            "latitude",
            "longitude",
            "communes",
        )
        .sort("code_departement")
    )
