"""The offers a cohort is drawn on: one row per Affelnet offer, with what the cohort needs.

- :func:`entry_offers`: the entry-year offers of the diagnostic (palier 3e: 2nde
  professionnelle, 1re année de CAP), statut ST, not « vœux de recensement »;
- :func:`premiere_offers`: the 1re professionnelle offers of ``affelnet1PROspe.csv`` (palier
  2nde), with the real numbers of pupils assigned, which calibration compares with;
- :func:`offers_in_territory`: the offers of a région, académie or département.

Every frame has the columns :data:`OFFER_COLUMNS`.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.diagnostic import rules
from tremplin.diagnostic.facts import Facts
from tremplin.errors import InputError
from tremplin.referentials.formations import formations
from tremplin.referentials.names import name_key
from tremplin.referentials.territory_ref import TerritoryRef
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.frames import read_query
from tremplin.store.schema import source_files

__all__ = [
    "OFFER_COLUMNS",
    "PALIERS",
    "entry_offers",
    "offers_in_territory",
    "premiere_offers",
    "territory_filter",
]

PALIERS = ("3e", "2nde")
"""Affelnet's *paliers*: after the 3e (entry year: 2nde pro, 1re année de CAP) and after the
2nde (1re professionnelle, ``affelnet1PROspe.csv``)."""

OFFER_COLUMNS = (
    "formation_id",
    "uai",
    "mef_stat_11",
    "libelle",
    "etablissement",
    "commune",
    "code_departement",
    "code_academie",
    "code_region",
    "latitude",
    "longitude",
    "capacite",
    "capacite_estimee",
    "demandes_voeux_1",
    "popularite",
    "niveau",
    "famille",
    "groupe_bareme",
    "industrie",
    "affectes_voeu_1",
    "affectes_tous_voeux",
)
"""One row per offer (a section of a UAI × MEF counts as its own offer). ``capacite`` is the
capacity simulated; ``capacite_estimee`` says it was not read (see :func:`entry_offers`);
``popularite`` is what the choice model reads (the real first wishes); ``famille`` the key of
similarity (famille de métiers, else NSF group); ``affectes_*`` the real assigned pupils when
known (1re pro file)."""


def _famille_key() -> pl.Expr:
    """The famille de métiers (spelling-insensitive), else the NSF group: CAP have no famille."""
    famille = name_key(pl.col("famille_metiers"))
    return (
        pl.when(famille.is_not_null() & (famille != ""))
        .then(pl.lit("FAM ") + famille)
        .otherwise(pl.lit("NSF ") + pl.col("groupe_nsf"))
    )


def _groupe_bareme() -> pl.Expr:
    """The barème's row of coefficients: NSF 2xx are production, 3xx services."""
    nsf = pl.col("groupe_nsf").cast(pl.String)
    return (
        pl.when(nsf.str.starts_with("2"))
        .then(pl.lit("production"))
        .when(nsf.str.starts_with("3"))
        .then(pl.lit("services"))
        .otherwise(pl.lit("general"))
    )


def _with_ids(frame: pl.DataFrame) -> pl.DataFrame:
    """``formation_id``: « UAI:MEF », and « UAI:MEF:2 »… for the further sections of an offer."""
    key = pl.coalesce("mef_stat_11", "libelle")
    section = pl.int_range(pl.len()).over("uai", key)
    return frame.with_columns(
        pl.when(section == 0)
        .then(pl.col("uai") + ":" + key)
        .otherwise(pl.col("uai") + ":" + key + ":" + (section + 1).cast(pl.String))
        .alias("formation_id")
    )


def _places(facts: Facts) -> pl.DataFrame:
    return facts.etablissements.select(
        "uai",
        pl.col("nom").alias("etablissement_ref"),
        pl.col("commune").alias("commune_ref"),
        "latitude",
        "longitude",
    )


def entry_offers(facts: Facts) -> pl.DataFrame:
    """The entry-year Affelnet offers of the diagnostic (palier 3e), in :data:`OFFER_COLUMNS`.

    Capacity: the offer's capacity when the diagnostic holds it valid (5–500); a raw capacity of
    1 to 4 as it is (small sections); otherwise (0, missing, 999 « no limit ») the offer's first
    wishes, at least 1, flagged ``capacite_estimee``: such an offer neither turns away nor draws
    pupils.
    """
    rows = facts.offres.filter((pl.col("source") == "affelnet") & pl.col("entree"))
    raw = pl.col("capacite_brute")
    capacity = (
        pl.when(pl.col("capacite").is_not_null())
        .then(pl.col("capacite"))
        .when(raw.is_between(1, rules.CAPACITY_MIN - 1))
        .then(raw)
        .otherwise(pl.max_horizontal(pl.col("demandes_voeux_1").fill_null(0), pl.lit(1)))
    )
    frame = (
        rows.sort(
            ["uai", "mef_stat_11", "capacite_brute", "demandes_voeux_1"],
            descending=[False, False, True, True],
            nulls_last=True,
        )
        .join(_places(facts), on="uai", how="left")
        .select(
            "uai",
            "mef_stat_11",
            pl.coalesce("libelle_mef", "mef_stat_11").alias("libelle"),
            pl.coalesce("etablissement", "etablissement_ref").alias("etablissement"),
            pl.coalesce("commune", "commune_ref").alias("commune"),
            "code_departement",
            "code_academie",
            "code_region",
            "latitude",
            "longitude",
            capacity.cast(pl.Int64).alias("capacite"),
            pl.col("capacite").is_null().alias("capacite_estimee"),
            pl.col("demandes_voeux_1").fill_null(0).cast(pl.Int64),
            pl.col("demandes_voeux_1").fill_null(0).cast(pl.Float64).alias("popularite"),
            "niveau",
            _famille_key().alias("famille"),
            _groupe_bareme().alias("groupe_bareme"),
            "industrie",
            pl.lit(None, pl.Int64).alias("affectes_voeu_1"),
            pl.lit(None, pl.Int64).alias("affectes_tous_voeux"),
        )
    )
    return _with_ids(frame).select(OFFER_COLUMNS)


def _libelle_key(expr: pl.Expr) -> pl.Expr:
    """« 1ERPRO LOGISTIQUE (Nouveau) » and « 1ERPRO  LOGISTIQUE » → « 1ERPRO LOGISTIQUE »."""
    return (
        expr.str.to_uppercase()
        .str.replace(r"\s*\([^)]*\)\s*$", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _premiere_rows(conn: sa.Connection) -> pl.DataFrame:
    """The rows of the newest loaded millésime of ``affelnet1PROspe.csv``."""
    table = DATASET_TABLES["affelnet_1pro"]
    columns = [
        "uai",
        "etablissement",
        "commune",
        "libelle_mef",
        "statut_offre",
        "voeu_recensement",
        "capacite_carte_scolaire",
        "capacite_affectation",
        "demandes_voeux_1",
        "affectes_voeu_1",
        "affectes_tous_voeux",
    ]
    query = (
        sa.select(*(table.c[c] for c in columns), source_files.c.millesime, table.c.line)
        .join(source_files, source_files.c.id == table.c.source_file_id)
        .order_by(table.c.source_file_id, table.c.line)
    )
    frame = read_query(conn, query)
    if frame.is_empty():
        return frame
    newest = frame.get_column("millesime").cast(pl.String).fill_null("").max()
    return frame.filter(pl.col("millesime").cast(pl.String).fill_null("") == newest)


def _mef_of_libelle(conn: sa.Connection) -> pl.DataFrame:
    """Libellé of a 1re pro MEF → its MEF STAT 11, famille, NSF group and CFD. When several MEF
    bear a label (an old one and the one of a famille de métiers), the one with a famille, then
    the newest code, is kept."""
    frame = formations(conn).filter(pl.col("annee") == 2)
    return (
        frame.with_columns(_libelle_key(pl.col("libelle_mef")).alias("cle"))
        .sort(
            [pl.col("famille_metiers").is_null(), "mef_stat_11"],
            descending=[False, True],
        )
        .unique("cle", keep="first", maintain_order=True)
        .select("cle", "mef_stat_11", "cfd", "groupe_nsf", "famille_metiers")
    )


def premiere_offers(conn: sa.Connection, facts: Facts) -> pl.DataFrame:
    """The 1re professionnelle offers of ``affelnet1PROspe.csv`` (palier 2nde), statut ST and not
    « vœux de recensement », in :data:`OFFER_COLUMNS`, with their real assigned pupils.

    The file names formations by label only: the MEF STAT 11 is the BCN's MEF of 1re année
    bearing that label. The establishment is placed by the territories referential (which reads
    this very file's commune and département names). Capacity: *capacité d'affectation*."""
    rows = _premiere_rows(conn)
    if rows.is_empty():
        return pl.DataFrame(schema=entry_offers(facts).schema).select(OFFER_COLUMNS)
    rows = rows.filter(
        (pl.col("statut_offre") == rules.AFFELNET_STATUS)
        & ~pl.col("voeu_recensement").fill_null(False)
    )
    perimeter = (
        facts.offres.filter(pl.col("mef_stat_11").is_not_null())
        .group_by("mef_stat_11")
        .agg(pl.col("industrie").any().alias("industrie_mef"))
    )
    perimeter_cfd = (
        facts.offres.filter(pl.col("cfd").is_not_null())
        .group_by("cfd")
        .agg(pl.col("industrie").any().alias("industrie_cfd"))
    )
    places = facts.etablissements.select(
        "uai",
        pl.col("commune").alias("commune_ref"),
        "code_departement",
        "code_academie",
        "code_region",
        "latitude",
        "longitude",
    )
    capacity = pl.coalesce(
        "capacite_affectation", "capacite_carte_scolaire", "demandes_voeux_1"
    ).fill_null(0)
    frame = (
        rows.with_columns(_libelle_key(pl.col("libelle_mef")).alias("cle"))
        .join(_mef_of_libelle(conn), on="cle", how="left")
        .join(perimeter, on="mef_stat_11", how="left")
        .join(perimeter_cfd, on="cfd", how="left")
        .join(places, on="uai", how="left")
        .select(
            "uai",
            "mef_stat_11",
            pl.col("libelle_mef").alias("libelle"),
            "etablissement",
            pl.coalesce("commune_ref", "commune").alias("commune"),
            "code_departement",
            "code_academie",
            "code_region",
            "latitude",
            "longitude",
            capacity.cast(pl.Int64).alias("capacite"),
            pl.col("capacite_affectation").is_null().alias("capacite_estimee"),
            pl.col("demandes_voeux_1").fill_null(0).cast(pl.Int64),
            pl.col("demandes_voeux_1").fill_null(0).cast(pl.Float64).alias("popularite"),
            pl.lit("Bac pro").alias("niveau"),
            _famille_key().alias("famille"),
            _groupe_bareme().alias("groupe_bareme"),
            pl.coalesce("industrie_mef", "industrie_cfd").fill_null(False).alias("industrie"),
            pl.col("affectes_voeu_1").cast(pl.Int64),
            pl.col("affectes_tous_voeux").cast(pl.Int64),
        )
    )
    return _with_ids(frame).select(OFFER_COLUMNS)


def territory_filter(spec: str | None) -> pl.Expr:
    """The offers of a territory: « region:84 », « academie:10 », « departement:01 », or
    « france » / nothing for all. Raises :class:`TerritoryRefError` (in French) on a bad spec."""
    if spec is None or spec.strip().lower() in {"", "france"}:
        return pl.lit(True)
    ref = TerritoryRef.parse(
        spec,
        mailles=("region", "academie", "departement"),
        expected="region:CODE, academie:CODE, departement:CODE ou france",
    )
    return pl.col(f"code_{ref.maille}") == ref.code


def offers_in_territory(offers: pl.DataFrame, spec: str | None) -> pl.DataFrame:
    """The offers of ``spec`` (see :func:`territory_filter`); an empty result is an error."""
    chosen = offers.filter(territory_filter(spec))
    if chosen.is_empty():
        raise InputError(f"aucune offre dans le territoire « {spec} »")
    return chosen
