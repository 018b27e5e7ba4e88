"""Who is about to leave a training, and how to reach its establishment.

**Pupils in their final year.** A training of the orientation frames is an *entry* offer (2nde
pro, 1re année de CAP, 1re année de BTS), named by its MEF STAT 11. Its final year is, in the
BCN (``nMef.csv``), every MEF STAT 11 of the same diploma (CFD) and the same length whose year
of the cycle is the last one (« TLEPRO », « 2CAP2 », « 2BTS2 »); for a 2nde commune (a famille
de métiers, whose CFD is the famille's), the terminales of the famille's specialities
(``familleMetiers.csv``, ``MEFSTAT11_SPECIALITE``). The pupils are those of the constat de
rentrée (DEPP) of its latest rentrée in those MEF STAT 11 at the training's UAI, summed.

What stays unknown, and is said so, never 0:

* an apprenticeship training: the constat counts pupils under statut scolaire only;
* a school training none of whose final-year MEF STAT 11 has a line at its UAI in the constat
  (not yet open that year, or not taught there);
* the options of a common first year of BTS that change the CFD in 2nde année are not
  followed (the BCN gives them no common code).

**Contacts.** What the establishment files loaded publish about a UAI: the annuaire de
l'éducation (address, postal code, commune) first, else the list of lycées (postal code and
city). Neither file holds a telephone, an e-mail or a website: those are said « non publiés ».
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.frames import read_query

SOURCE_CONSTAT = "constat de rentrée (DEPP)"
SOURCE_ANNUAIRE = "annuaire de l’éducation"
SOURCE_LYCEES = "liste des lycées"

FINAL_YEAR_COLUMNS = ("eleves_terminale", "rentree_terminale", "mefs_terminale")
CONTACT_COLUMNS = ("adresse", "code_postal", "ville", "source_contact")


def final_year_mefs(conn: sa.Connection) -> pl.DataFrame:
    """Entry MEF STAT 11 → final-year MEF STAT 11 (``mef_stat_11``, ``mef_terminale``), one
    row per pair, by the rules of the module's docstring."""
    mef = DATASET_TABLES["bcn_mef"]
    mefs = (
        read_query(
            conn,
            sa.select(mef.c.mef_stat_11, mef.c.cfd, mef.c.duree_dispositif, mef.c.annee_dispositif),
        )
        .drop_nulls()
        .unique(["mef_stat_11", "cfd", "duree_dispositif", "annee_dispositif"])
    )
    entries = mefs.filter(pl.col("annee_dispositif") == 1).select(
        "mef_stat_11", "cfd", "duree_dispositif"
    )
    finals = mefs.filter(pl.col("annee_dispositif") == pl.col("duree_dispositif")).select(
        "cfd", "duree_dispositif", pl.col("mef_stat_11").alias("mef_terminale")
    )
    by_diploma = entries.join(finals, on=["cfd", "duree_dispositif"], how="inner").select(
        "mef_stat_11", "mef_terminale"
    )
    familles = DATASET_TABLES["familles_metiers_specialites"]
    by_famille = (
        read_query(
            conn,
            sa.select(
                familles.c.mef_stat_11_commun.label("mef_stat_11"),
                familles.c.mef_stat_11_specialite.label("mef_terminale"),
            ),
        )
        .drop_nulls()
        .select("mef_stat_11", "mef_terminale")
    )
    return pl.concat([by_diploma, by_famille]).unique().sort("mef_stat_11", "mef_terminale")


def final_year_pupils(conn: sa.Connection, trainings: pl.DataFrame) -> pl.DataFrame:
    """For each ``uai`` × ``mef_stat_11`` × ``voie`` of ``trainings``: ``eleves_terminale``
    (pupils of the final year at that UAI, null when unknown), ``rentree_terminale`` (the
    constat's rentrée read) and ``mefs_terminale`` (the final-year MEF STAT 11, « , »-joined)."""
    keys = trainings.select("uai", "mef_stat_11", "voie").unique()
    table = DATASET_TABLES["constat"]
    constat = read_query(
        conn,
        sa.select(table.c.rentree_scolaire, table.c.uai, table.c.mef_stat_11, table.c.effectif),
    )
    mapping = final_year_mefs(conn)
    names = mapping.group_by("mef_stat_11").agg(
        pl.col("mef_terminale").sort().str.join(", ").alias("mefs_terminale")
    )
    if constat.is_empty():
        counted = keys.with_columns(
            pl.lit(None, pl.Int64).alias("eleves_terminale"),
            pl.lit(None, pl.Int64).alias("rentree_terminale"),
        )
    else:
        latest = constat["rentree_scolaire"].max()
        pupils = (
            constat.filter(pl.col("rentree_scolaire") == latest)
            .group_by("uai", pl.col("mef_stat_11").alias("mef_terminale"))
            .agg(pl.col("effectif").sum())
        )
        found = (
            keys.filter(pl.col("voie") == "scolaire")
            .join(mapping, on="mef_stat_11", how="inner")
            .join(pupils, on=["uai", "mef_terminale"], how="inner")
            .group_by("uai", "mef_stat_11", "voie")
            .agg(pl.col("effectif").sum().cast(pl.Int64).alias("eleves_terminale"))
            .with_columns(pl.lit(latest, pl.Int64).alias("rentree_terminale"))
        )
        counted = keys.join(found, on=["uai", "mef_stat_11", "voie"], how="left").with_columns(
            pl.col("rentree_terminale").fill_null(pl.lit(latest, pl.Int64))
        )
    return counted.join(names, on="mef_stat_11", how="left").select(
        "uai", "mef_stat_11", "voie", *FINAL_YEAR_COLUMNS
    )


def establishment_contacts(conn: sa.Connection) -> pl.DataFrame:
    """Per UAI: ``adresse``, ``code_postal``, ``ville`` and ``source_contact`` (which file),
    the annuaire's before the list of lycées'."""
    annuaire = DATASET_TABLES["annuaire_education"]
    lycees = DATASET_TABLES["lycees"]
    from_annuaire = read_query(
        conn,
        sa.select(annuaire.c.uai, annuaire.c.adresse, annuaire.c.code_postal, annuaire.c.commune),
    ).select(
        "uai",
        "adresse",
        "code_postal",
        pl.col("commune").alias("ville"),
        pl.lit(SOURCE_ANNUAIRE).alias("source_contact"),
    )
    from_lycees = read_query(
        conn, sa.select(lycees.c.uai, lycees.c.code_postal, lycees.c.ville)
    ).select(
        "uai",
        pl.lit(None, pl.String).alias("adresse"),
        "code_postal",
        "ville",
        pl.lit(SOURCE_LYCEES).alias("source_contact"),
    )
    return (
        pl.concat([from_annuaire, from_lycees])
        .unique("uai", keep="first", maintain_order=True)
        .sort("uai")
    )
