"""Territories: commune → département → académie → région, and commune → bassin d'emploi BMO.

The chain is built from the loaded referential tables:

- ``src_communes`` (INSEE COG): each commune with its département, région, population and
  centroid;
- ``src_departements`` and ``src_regions`` (COG): their names;
- ``src_departements_academies`` (Éducation nationale): each département's académie (its
  département codes are written on three characters, « 001 », « 02A »);
- ``src_bmo_bassins_communes`` (France Travail): each commune's bassin d'emploi BMO.

``communes(conn)`` gives one row per commune with every level above it; ``departements``,
``academies``, ``regions`` and ``bassins`` aggregate it, with the population and a
population-weighted centroid. A commune absent from one of the tables keeps nulls there.
``communes`` and ``departements`` (from ``communes``), ``etablissements`` and
``placement_report`` (from ``places``) and the code helpers (from ``codes``) are re-exported, so
that the whole referential reads from this module; ``places`` builds on ``communes``, never on
this module.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.referentials.codes import (
    commune_of_arrondissement_expr,
    departement_of_uai,
    departement_of_uai_expr,
    normalise_departement,
    normalise_departement_expr,
)
from tremplin.referentials.communes import (
    COMMUNE_COLUMNS,
    communes,
    communes_or,
    departements,
    region_names,
    weighted_centroid,
)
from tremplin.referentials.places import etablissements, placement_report
from tremplin.referentials.tables import read_columns

__all__ = [
    "COMMUNE_COLUMNS",
    "academies",
    "bassins",
    "commune_of_arrondissement_expr",
    "communes",
    "departement_of_uai",
    "departement_of_uai_expr",
    "departements",
    "etablissements",
    "normalise_departement",
    "normalise_departement_expr",
    "placement_report",
    "regions",
    "weighted_centroid",
]


def academies(conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per académie that has at least one département of the referential.

    Columns: code_academie, academie, code_region, region (those of its most populous
    département), codes_departements (most populous first), population, latitude, longitude.
    """
    frame = communes_or(conn, communes_frame)
    depts = departements(conn, communes_frame=frame).filter(pl.col("code_academie").is_not_null())
    parents = (
        depts.sort(["population", "code_departement"], descending=[True, False], nulls_last=True)
        .group_by("code_academie", maintain_order=True)
        .agg(
            pl.col("academie").first(),
            pl.col("code_region").first(),
            pl.col("region").first(),
            pl.col("code_departement").alias("codes_departements"),
        )
    )
    aggregated = (
        frame.drop_nulls("code_academie")
        .group_by("code_academie")
        .agg(pl.col("population").sum(), *weighted_centroid())
    )
    return (
        parents.join(aggregated, on="code_academie", how="left")
        .select(
            "code_academie",
            "academie",
            "code_region",
            "region",
            "codes_departements",
            "population",
            "latitude",
            "longitude",
        )
        .sort("code_academie")
    )


def regions(conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per région (of the COG table or holding a commune).

    Columns: code_region, region, codes_academies, codes_departements, population, latitude,
    longitude.
    """
    frame = communes_or(conn, communes_frame)
    aggregated = frame.group_by("code_region").agg(
        pl.col("population").sum(),
        *weighted_centroid(),
        pl.col("code_academie").drop_nulls().unique().sort().alias("codes_academies"),
        pl.col("code_departement").drop_nulls().unique().sort().alias("codes_departements"),
    )
    names = region_names(conn)
    codes = pl.concat([names.select("code_region"), aggregated.select("code_region")]).unique()
    return (
        codes.drop_nulls()
        .join(names, on="code_region", how="left")
        .join(aggregated, on="code_region", how="left")
        .select(
            "code_region",
            "region",
            "codes_academies",
            "codes_departements",
            "population",
            "latitude",
            "longitude",
        )
        .sort("code_region")
    )


def bassins(conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per bassin d'emploi BMO (of the commune table or of the BMO data).

    A bassin can straddle départements (Annonay: Ardèche and Loire): ``code_departement`` is its
    main one, the one holding most of its population, and ``codes_departements`` lists them
    all, most populous first; its académie is the main département's, its région the one BMO
    counts it in (else the main département's). A bassin of the
    BMO data with no commune in the table takes its département from the BMO data, with no
    population or centroid.

    Columns: bassin_bmo, bassin, code_departement, codes_departements, code_academie,
    code_region, population, latitude, longitude, communes.
    """
    frame = communes_or(conn, communes_frame)
    located = frame.drop_nulls("bassin_bmo")
    per_departement = (
        located.group_by("bassin_bmo", "code_departement")
        .agg(pl.col("population").fill_null(0).sum().alias("weight"))
        .sort(["bassin_bmo", "weight", "code_departement"], descending=[False, True, False])
        .group_by("bassin_bmo", maintain_order=True)
        .agg(
            pl.col("code_departement").first(),
            pl.col("code_departement").alias("codes_departements"),
        )
    )
    aggregated = located.group_by("bassin_bmo").agg(
        pl.col("bassin").drop_nulls().mode().sort().first(),
        pl.col("population").sum(),
        *weighted_centroid(),
        pl.len().cast(pl.Int64).alias("communes"),
    )
    from_bmo = (
        read_columns(conn, "bmo", ["bassin_bmo", "bassin", "code_departement"], distinct=True)
        .drop_nulls("bassin_bmo")
        .join(aggregated, on="bassin_bmo", how="anti")
        .with_columns(normalise_departement_expr(pl.col("code_departement")))
        .sort(["bassin_bmo", "code_departement"])
        .group_by("bassin_bmo", maintain_order=True)
        .agg(
            pl.col("bassin").first(),
            pl.col("code_departement").first(),
            pl.col("code_departement").unique(maintain_order=True).alias("codes_departements"),
        )
    )
    parents = departements(conn, communes_frame=frame).select(
        "code_departement", "code_academie", "code_region"
    )
    # BMO counts each bassin in one région; it is the main département's, except for the
    # « Îles du Nord » (Saint-Martin and Saint-Barthélemy, counted with Guadeloupe).
    bmo_regions = (
        read_columns(conn, "bmo", ["bassin_bmo", "code_region"])
        .drop_nulls()
        .group_by("bassin_bmo")
        .agg(pl.col("code_region").mode().sort().first().alias("region_bmo"))
    )
    found = aggregated.join(per_departement, on="bassin_bmo", how="left")
    return (
        pl.concat([found, from_bmo], how="diagonal_relaxed")
        .join(parents, on="code_departement", how="left")
        .join(bmo_regions, on="bassin_bmo", how="left")
        .with_columns(
            pl.col("communes").fill_null(0),
            pl.coalesce("region_bmo", "code_region").alias("code_region"),
        )
        .select(
            "bassin_bmo",
            "bassin",
            "code_departement",
            "codes_departements",
            "code_academie",
            "code_region",
            "population",
            "latitude",
            "longitude",
            "communes",
        )
        .sort("bassin_bmo")
    )
