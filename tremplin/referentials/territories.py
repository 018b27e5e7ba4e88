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
``etablissements`` and ``placement_report`` (from ``places``) and the code helpers (from
``codes``) are re-exported, so that the whole referential reads from this module.
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
from tremplin.referentials.names import name_key
from tremplin.referentials.tables import read_columns, read_snapshot

__all__ = [
    "COMMUNE_COLUMNS",
    "REGION_AURA",
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

REGION_AURA = "84"
"""Auvergne-Rhône-Alpes, the partnership's région."""

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


def _region_names(conn: sa.Connection) -> pl.DataFrame:
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
        .join(_region_names(conn), on="code_region", how="left")
        .join(_commune_bassins(conn), on="code_insee", how="left")
        .select(COMMUNE_COLUMNS)
        .sort("code_insee")
    )


def _communes_or(conn: sa.Connection, communes_frame: pl.DataFrame | None) -> pl.DataFrame:
    return communes(conn) if communes_frame is None else communes_frame


def departements(
    conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per département (of the COG table or holding a commune).

    Columns: code_departement, departement, code_academie, academie, code_region, region,
    population, latitude, longitude (population-weighted centroid of its communes), communes
    (how many). ``communes_frame`` is the result of :func:`communes`, when already computed.
    """
    frame = _communes_or(conn, communes_frame)
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
        .join(_region_names(conn), on="code_region", how="left")
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


def academies(conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per académie that has at least one département of the referential.

    Columns: code_academie, academie, code_region, region (those of its most populous
    département), codes_departements (most populous first), population, latitude, longitude.
    """
    frame = _communes_or(conn, communes_frame)
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
    frame = _communes_or(conn, communes_frame)
    aggregated = frame.group_by("code_region").agg(
        pl.col("population").sum(),
        *weighted_centroid(),
        pl.col("code_academie").drop_nulls().unique().sort().alias("codes_academies"),
        pl.col("code_departement").drop_nulls().unique().sort().alias("codes_departements"),
    )
    names = _region_names(conn)
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
    frame = _communes_or(conn, communes_frame)
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


def etablissements(
    conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Every establishment (UAI) placed in the chain: see
    :func:`tremplin.referentials.places.etablissements`."""
    # Imported here: ``places`` builds on this module's communes and départements.
    from tremplin.referentials import places

    return places.etablissements(conn, communes_frame=communes_frame)


def placement_report(etablissements: pl.DataFrame, region: str | None = None) -> pl.DataFrame:
    """How many establishments were placed at each precision: see
    :func:`tremplin.referentials.places.placement_report`."""
    from tremplin.referentials import places

    return places.placement_report(etablissements, region)
