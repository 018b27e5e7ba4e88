"""Where each establishment (UAI) is: its commune, coordinates, and how precisely that is known.

Every UAI seen in a loaded table is placed from the best source that knows it, in this order:

1. the annuaire de l'éducation: INSEE code and coordinates of the establishment itself
   (« annuaire »);
2. Affelnet's detailed 1re pro file: a commune name and a département name, resolved to an INSEE
   code with the communes referential (« commune (Affelnet) »);
3. the list of lycées: a city and a postal code, resolved the same way
   (« commune (liste des lycées) »);
4. Parcoursup's GPS point of the establishment's formations: the point itself, in the commune
   whose centroid is nearest within the UAI's département (« coordonnées Parcoursup »);
5. the département written in the UAI's first characters, at the département's centroid
   (« département »);
6. nothing, for a UAI that names no département: French establishments abroad
   (« non localisé »).

A commune name is resolved (:mod:`tremplin.referentials.names`) inside the département first:
the commune bearing it (the most populous when two do), else the one whose name starts with it
(« Oullins » → Oullins-Pierre-Bénite, a commune nouvelle); then in the whole of France when
only one commune bears it; then, for the few names left, by a close spelling inside the
département. The lycées list's city is first looked for among the communes of its postal code.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.geo import haversine_expr
from tremplin.referentials.codes import commune_of_arrondissement_expr, departement_of_uai_expr
from tremplin.referentials.communes import communes, departements
from tremplin.referentials.names import (
    close_spelling,
    commune_keys,
    name_key,
    resolve_names,
    same_name,
    wanted_columns,
)
from tremplin.referentials.tables import read_columns, read_snapshot

ANNUAIRE = "annuaire"
COMMUNE_AFFELNET = "commune (Affelnet)"
COMMUNE_LYCEES = "commune (liste des lycées)"
COORDONNEES_PARCOURSUP = "coordonnées Parcoursup"
DEPARTEMENT = "département"
NON_LOCALISE = "non localisé"
PRECISIONS = (
    ANNUAIRE,
    COMMUNE_AFFELNET,
    COMMUNE_LYCEES,
    COORDONNEES_PARCOURSUP,
    DEPARTEMENT,
    NON_LOCALISE,
)
"""The placement precisions, from the most to the least precise (labels shown to users)."""

UAI_TABLES = (
    "affelnet_offres",
    "affelnet_1pro",
    "affelnet_2nde",
    "parcoursup_bts",
    "parcoursup_formations",
    "constat",
    "inserjeunes_lycees",
    "inserjeunes_cfa",
    "annuaire_education",
    "lycees",
)
"""The datasets whose rows name an establishment by its UAI."""

ETABLISSEMENT_COLUMNS = (
    "uai",
    "nom",
    "code_insee",
    "commune",
    "code_departement",
    "code_academie",
    "code_region",
    "bassin_bmo",
    "latitude",
    "longitude",
    "precision",
)

# The académie de Guadeloupe's UAIs (971…) also serve Saint-Barthélemy and Saint-Martin.
_SPANS = {"971": ["971", "977", "978"]}


_PLACED = {
    "uai": pl.String,
    "code_insee": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "precision": pl.String,
}


def _span(departement: pl.Expr) -> pl.Expr:
    """The départements in which to look for an establishment's commune (a list column)."""
    span = pl.lit(None, dtype=pl.List(pl.String))
    for code, codes in _SPANS.items():
        span = pl.when(departement == code).then(pl.lit(codes)).otherwise(span)
    return (
        pl.when(departement.is_null())
        .then(None)
        .otherwise(pl.coalesce(span, pl.concat_list(departement)))
    )


def _uais(conn: sa.Connection) -> pl.DataFrame:
    frames = [read_columns(conn, t, ["uai"], distinct=True) for t in UAI_TABLES]
    return pl.concat(frames).drop_nulls().unique().sort("uai")


def _names(conn: sa.Connection) -> pl.DataFrame:
    """uai → nom: the annuaire's, else the lycées list's, Affelnet's, InserJeunes', Parcoursup's."""
    affelnet = read_columns(conn, "affelnet_1pro", ["uai", "sigle", "etablissement"], distinct=True)
    sources = [
        read_columns(conn, "annuaire_education", ["uai", "appellation"], distinct=True),
        read_columns(conn, "lycees", ["uai", "nom"], distinct=True),
        affelnet.select(
            "uai",
            pl.concat_str(["sigle", "etablissement"], separator=" ", ignore_nulls=True),
        ),
        read_columns(conn, "inserjeunes_lycees", ["uai", "etablissement"], distinct=True),
        read_columns(conn, "inserjeunes_cfa", ["uai", "libelle"], distinct=True),
        read_columns(conn, "parcoursup_formations", ["uai", "etablissement"], distinct=True),
    ]
    ranked = [
        frame.select(
            "uai",
            pl.col(frame.columns[1]).str.strip_chars().str.replace_all(r"\s+", " ").alias("nom"),
            pl.lit(rank).alias("rank"),
        )
        for rank, frame in enumerate(sources)
    ]
    return (
        pl.concat(ranked)
        .filter(pl.col("nom").str.len_chars() > 0)
        .sort(["uai", "rank", "nom"])
        .unique("uai", keep="first", maintain_order=True)
        .select("uai", "nom")
    )


def _from_annuaire(conn: sa.Connection, frame: pl.DataFrame) -> pl.DataFrame:
    """The annuaire's commune (an arrondissement counts as its city) and coordinates."""
    rows = read_snapshot(
        conn, "annuaire_education", ["uai", "code_insee", "latitude", "longitude"], ["uai"]
    )
    return rows.with_columns(commune_of_arrondissement_expr(pl.col("code_insee"))).join(
        frame.select("code_insee"), on="code_insee", how="semi"
    )


def _from_affelnet(
    conn: sa.Connection, keys: pl.DataFrame, depts: pl.DataFrame, uais: pl.DataFrame
) -> pl.DataFrame:
    """Affelnet's commune name, looked for in the département Affelnet names (« AIN »)."""
    rows = read_columns(conn, "affelnet_1pro", ["uai", "commune", "departement"], distinct=True)
    departement_keys = (
        depts.select(name_key(pl.col("departement")).alias("departement_key"), "code_departement")
        .drop_nulls()
        .unique("departement_key", keep="first")
    )
    wanted = (
        rows.drop_nulls(["uai", "commune"])
        .sort(["uai", "commune", "departement"])
        .unique("uai", keep="first", maintain_order=True)
        .with_columns(name_key(pl.col("departement")).alias("departement_key"))
        .join(departement_keys, on="departement_key", how="left")
        .join(uais.select("uai", "departement_uai"), on="uai", how="left")
        .select(
            wanted_columns(
                pl.col("uai"),
                pl.col("commune"),
                _span(pl.coalesce("code_departement", "departement_uai")),
            )
        )
    )
    return resolve_names(wanted, keys)


def _postcodes(conn: sa.Connection, keys: pl.DataFrame) -> pl.DataFrame:
    """(code_postal, code_insee, population, key_commune, spaced_commune) per postal code."""
    rows = read_snapshot(conn, "communes", ["code_insee", "codes_postaux"], ["code_insee"])
    return (
        rows.select("code_insee", pl.col("codes_postaux").str.split(" ").alias("code_postal"))
        .explode("code_postal")
        .filter(pl.col("code_postal").str.len_chars() > 0)
        .join(keys.drop("code_departement"), on="code_insee")
    )


def _from_lycees(
    conn: sa.Connection, keys: pl.DataFrame, postcodes: pl.DataFrame, uais: pl.DataFrame
) -> pl.DataFrame:
    """The lycées list's city, looked for among the communes of its postal code, then in the
    UAI's département (a CEDEX code is no commune's postal code)."""
    rows = (
        read_snapshot(conn, "lycees", ["uai", "ville", "code_postal"], ["uai"])
        .join(uais.select("uai", "departement_uai"), on="uai", how="left")
        .select(
            *wanted_columns(pl.col("uai"), pl.col("ville"), _span(pl.col("departement_uai"))),
            "code_postal",
        )
        .drop_nulls(["uai", "key", "span"])
    )
    pairs = rows.drop("span").join(postcodes, on="code_postal").drop("code_postal")
    named = same_name(pairs)
    named = pl.concat([named, close_spelling(pairs.join(named, on="uai", how="anti"))])
    in_span = resolve_names(rows.join(named, on="uai", how="anti").drop("code_postal"), keys)
    found = pl.concat([named, in_span])
    # A postal code of one commune whose name the city is not: the city written is a locality
    # of that commune (« Vaitape », in Bora-Bora; « Mata-Utu », in Uvéa).
    alone = (
        pairs.join(found, on="uai", how="anti")
        .filter(pl.col("code_insee").n_unique().over("uai") == 1)
        .unique("uai")
        .select("uai", "code_insee")
    )
    return pl.concat([found, alone])


def _from_parcoursup(
    conn: sa.Connection, frame: pl.DataFrame, uais: pl.DataFrame, pending: pl.DataFrame
) -> pl.DataFrame:
    """The median GPS point of each pending UAI's Parcoursup formations, in the commune whose
    centroid is nearest among those of the UAI's département."""
    rows = read_columns(conn, "parcoursup_formations", ["uai", "latitude", "longitude"])
    points = (
        rows.join(pending, on="uai", how="semi")
        .drop_nulls()
        .filter(
            pl.col("latitude").is_between(-90, 90)
            & pl.col("longitude").is_between(-180, 180)
            & ~((pl.col("latitude").abs() < 1e-6) & (pl.col("longitude").abs() < 1e-6))
        )
        .group_by("uai")
        .agg(pl.col("latitude").median(), pl.col("longitude").median())
        .join(uais.select("uai", "departement_uai"), on="uai")
        .with_columns(_span(pl.col("departement_uai")).alias("code_departement"))
        .explode("code_departement")
    )
    centroids = frame.drop_nulls(["latitude", "longitude"]).select(
        "code_insee",
        "code_departement",
        pl.col("latitude").alias("latitude_commune"),
        pl.col("longitude").alias("longitude_commune"),
    )
    return (
        points.join(centroids, on="code_departement")
        .with_columns(
            haversine_expr(
                pl.col("latitude"),
                pl.col("longitude"),
                pl.col("latitude_commune"),
                pl.col("longitude_commune"),
            ).alias("distance")
        )
        .filter(pl.col("distance") == pl.col("distance").min().over("uai"))
        .sort(["uai", "code_insee"])
        .unique("uai", keep="first", maintain_order=True)
        .select("uai", "code_insee", "latitude", "longitude")
    )


def etablissements(
    conn: sa.Connection, *, communes_frame: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per UAI seen in any loaded table, placed from the best source available.

    Columns: uai, nom, code_insee, commune, code_departement, code_academie, code_region,
    bassin_bmo, latitude, longitude, precision (one of :data:`PRECISIONS`). The commune and its
    levels are null when only the département is known; everything but the UAI and the name is
    null for a « non localisé » establishment. Coordinates are the annuaire's and Parcoursup's
    own; else the commune's centroid; else the département's population-weighted centroid.
    ``communes_frame`` is the result of :func:`~tremplin.referentials.territories.communes`,
    when already computed.
    """
    frame = communes(conn) if communes_frame is None else communes_frame
    depts = departements(conn, communes_frame=frame)
    uais = _uais(conn).with_columns(departement_of_uai_expr(pl.col("uai")).alias("departement_uai"))
    placed = _placements(conn, uais, frame, depts)
    located = frame.select(
        "code_insee",
        pl.col("nom").alias("commune"),
        "code_departement",
        "code_academie",
        "code_region",
        "bassin_bmo",
        pl.col("latitude").alias("latitude_commune"),
        pl.col("longitude").alias("longitude_commune"),
    )
    by_departement = depts.select(
        pl.col("code_departement").alias("departement_uai"),
        pl.col("code_academie").alias("academie_uai"),
        pl.col("code_region").alias("region_uai"),
        pl.col("latitude").alias("latitude_departement"),
        pl.col("longitude").alias("longitude_departement"),
    )
    known_departement = pl.col("departement_uai").is_not_null()
    return (
        uais.join(placed, on="uai", how="left")
        .join(located, on="code_insee", how="left")
        .join(by_departement, on="departement_uai", how="left")
        .with_columns(
            pl.when(pl.col("precision").is_not_null())
            .then(pl.col("precision"))
            .when(known_departement)
            .then(pl.lit(DEPARTEMENT))
            .otherwise(pl.lit(NON_LOCALISE))
            .alias("precision"),
            pl.coalesce(
                "code_departement", pl.when(known_departement).then(pl.col("departement_uai"))
            ).alias("code_departement"),
        )
        .select(
            "uai",
            "code_insee",
            "commune",
            "code_departement",
            pl.coalesce("code_academie", "academie_uai").alias("code_academie"),
            pl.coalesce("code_region", "region_uai").alias("code_region"),
            "bassin_bmo",
            pl.coalesce("latitude", "latitude_commune", "latitude_departement").alias("latitude"),
            pl.coalesce("longitude", "longitude_commune", "longitude_departement").alias(
                "longitude"
            ),
            "precision",
        )
        .join(_names(conn), on="uai", how="left")
        .select(ETABLISSEMENT_COLUMNS)
        .sort("uai")
    )


def _placements(
    conn: sa.Connection, uais: pl.DataFrame, frame: pl.DataFrame, depts: pl.DataFrame
) -> pl.DataFrame:
    """(uai, code_insee, latitude, longitude, precision) of every UAI placed at a commune."""
    keys = commune_keys(frame)
    placed = _add(pl.DataFrame(schema=_PLACED), _from_annuaire(conn, frame), ANNUAIRE)
    placed = _add(placed, _from_affelnet(conn, keys, depts, uais), COMMUNE_AFFELNET)
    postcodes = _postcodes(conn, keys)
    placed = _add(placed, _from_lycees(conn, keys, postcodes, uais), COMMUNE_LYCEES)
    pending = uais.join(placed, on="uai", how="anti")
    return _add(placed, _from_parcoursup(conn, frame, uais, pending), COORDONNEES_PARCOURSUP)


def _add(placed: pl.DataFrame, found: pl.DataFrame, precision: str) -> pl.DataFrame:
    """``placed`` and the UAIs of ``found`` it does not hold yet, at ``precision``."""
    new = found.join(placed, on="uai", how="anti").with_columns(
        pl.lit(precision).alias("precision")
    )
    return pl.concat([placed, new], how="diagonal_relaxed").select(list(_PLACED))


def placement_report(etablissements: pl.DataFrame, region: str | None = None) -> pl.DataFrame:
    """How many establishments were placed at each precision, and their share.

    ``etablissements`` is the result of :func:`etablissements`; ``region`` (a code such as
    « 84 ») restricts the count to that région's establishments. One row per precision of
    :data:`PRECISIONS`, in that order, with columns precision, etablissements, part (share of
    the total, 0–1; null when there is no establishment at all).
    """
    rows = etablissements
    if region is not None:
        rows = rows.filter(pl.col("code_region") == region)
    counts = rows.group_by("precision").agg(pl.len().cast(pl.Int64).alias("etablissements"))
    total = rows.height
    return (
        pl.DataFrame({"precision": list(PRECISIONS)})
        .join(counts, on="precision", how="left")
        .with_columns(pl.col("etablissements").fill_null(0))
        .with_columns(
            (pl.col("etablissements") / total if total else pl.lit(None, dtype=pl.Float64)).alias(
                "part"
            )
        )
    )
