"""Formations: MEF STAT 11 → CFD → diploma, level, NSF group, famille de métiers.

``formations(conn)`` gives one row per MEF STAT 11 of the BCN with what the diagnostic needs to
group and filter offers: the diploma (CFD) and its label, the diploma level grouped as planners
speak of it (CAP, Bac pro, BTS, Autre), the NSF group, the year of the cycle (1 = entry year) and,
for the voie professionnelle, its famille de métiers (the 2nde commune and its specialities).
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.referentials.tables import read_query
from tremplin.sources.tables import DATASET_TABLES

# BCN « niveau formation diplôme » codes grouped into the levels of the diagnostic.
LEVELS: dict[str, str] = {
    "500": "CAP",
    "503": "CAP",  # CAP agricole
    "400": "Bac pro",
    "403": "Bac pro",  # bac pro agricole
    "320": "BTS",
    "323": "BTS",  # BTS agricole
}
OTHER_LEVEL = "Autre"
LEVEL_ORDER = ("CAP", "Bac pro", "BTS", OTHER_LEVEL)


def _frame(conn: sa.Connection, query: sa.Select[tuple[object, ...]]) -> pl.DataFrame:
    # Typed after the store's columns, so that an empty table still joins.
    return read_query(conn, query)


def _bcn_familles(conn: sa.Connection) -> pl.DataFrame:
    """MEF STAT 11 → famille de métiers, from the BCN's link between MEF and familles."""
    mef = DATASET_TABLES["bcn_mef"]
    link = DATASET_TABLES["bcn_mef_familles_metiers"]
    names = DATASET_TABLES["bcn_familles_metiers"]
    query = (
        sa.select(mef.c.mef_stat_11, names.c.libelle_edition.label("famille_bcn"))
        .join(link, link.c.mef == mef.c.mef)
        .join(names, names.c.famille_metier == link.c.famille_metier)
        .order_by(mef.c.mef_stat_11, names.c.famille_metier)
    )
    return _frame(conn, query).unique("mef_stat_11", keep="first")


def _familles(conn: sa.Connection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(2nde commune MEF STAT 11 → famille, speciality CFD → famille)."""
    table = DATASET_TABLES["familles_metiers_specialites"]
    rows = _frame(
        conn, sa.select(table.c.famille, table.c.mef_stat_11_commun, table.c.cfd_specialite)
    )
    commune = rows.select(
        pl.col("mef_stat_11_commun").alias("mef_stat_11"),
        pl.col("famille").alias("famille_metiers"),
        pl.lit(True).alias("seconde_commune"),
    ).unique("mef_stat_11")
    speciality = rows.select(
        pl.col("cfd_specialite").alias("cfd"), pl.col("famille").alias("famille_specialite")
    ).unique("cfd")
    return commune, speciality


def formations(conn: sa.Connection) -> pl.DataFrame:
    """One row per MEF STAT 11: cfd, libelle_mef, libelle_formation, niveau_code, niveau,
    groupe_nsf, libelle_nsf, duree, annee (of the cycle), entree (first year), famille_metiers,
    seconde_commune."""
    mef = DATASET_TABLES["bcn_mef"]
    diplomas = DATASET_TABLES["bcn_formations"]
    groups = DATASET_TABLES["bcn_nsf_groupes"]
    levels = DATASET_TABLES["bcn_niveaux"]
    mefs = (
        _frame(
            conn,
            sa.select(
                mef.c.mef_stat_11,
                mef.c.cfd,
                mef.c.libelle_long.label("libelle_mef"),
                mef.c.duree_dispositif.label("duree"),
                mef.c.annee_dispositif.label("annee"),
                mef.c.date_fermeture,
            ),
        )
        # A MEF STAT 11 can stand for several MEF (options): keep the one still open, then any.
        .sort(["mef_stat_11", pl.col("date_fermeture").is_null()], descending=[False, True])
        .unique("mef_stat_11", keep="first")
        .drop("date_fermeture")
    )
    cfds = _frame(
        conn,
        sa.select(
            diplomas.c.cfd,
            diplomas.c.libelle_long.label("libelle_formation"),
            diplomas.c.niveau_formation_diplome.label("niveau_code"),
            diplomas.c.groupe_specialite.label("groupe_nsf"),
        ),
    ).unique("cfd")
    nsf = _frame(
        conn,
        sa.select(
            groups.c.groupe_specialite.label("groupe_nsf"),
            groups.c.libelle_long.label("libelle_nsf"),
        ),
    ).unique("groupe_nsf")
    level_labels = _frame(
        conn,
        sa.select(
            levels.c.niveau_formation_diplome.label("niveau_code"),
            levels.c.libelle_court.label("niveau_libelle"),
        ),
    ).unique("niveau_code")
    commune, speciality = _familles(conn)
    frame = (
        mefs.join(cfds, on="cfd", how="left")
        .join(nsf, on="groupe_nsf", how="left")
        .join(level_labels, on="niveau_code", how="left")
        .join(commune, on="mef_stat_11", how="left")
        .join(speciality, on="cfd", how="left")
        .join(_bcn_familles(conn), on="mef_stat_11", how="left")
        .with_columns(
            pl.col("niveau_code").replace_strict(LEVELS, default=OTHER_LEVEL).alias("niveau"),
            (pl.col("annee") == 1).fill_null(False).alias("entree"),
            pl.col("seconde_commune").fill_null(False),
            pl.coalesce("famille_metiers", "famille_specialite", "famille_bcn").alias(
                "famille_metiers"
            ),
            pl.col("libelle_nsf").str.replace(r"^DO[0-9]+ : ", ""),
        )
        .drop("famille_specialite", "famille_bcn")
    )
    return frame
