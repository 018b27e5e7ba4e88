"""What the FAP bridge reads from the store: FAP 2009 labels (from their PCS and ROME codes),
national employment per FAP 2009, BMO projects and the FAP 2021 nomenclature."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa

from tremplin.referentials.fap_bridge.labels import token_similarity
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.frames import read_query


def fap2009_labels(conn: sa.Connection) -> pl.DataFrame:
    """One row per FAP 2009 code known to the sources (FAP ↔ PCS, FAP ↔ ROME, tensions):
    fap2009, libelle, libelles_pcs and libelles_rome (lists, in file order).

    No source gives FAP 2009 labels; ``libelle`` is indicative: the PCS label closest to the
    family's other PCS labels (:func:`representative_label`), else the ROME one likewise."""
    pcs = DATASET_TABLES["fap2009_pcs"]
    rome = DATASET_TABLES["fap2009_rome"]
    tensions = DATASET_TABLES["dares_tensions"]
    pcs_rows = read_query(conn, sa.select(pcs.c.fap2009, pcs.c.libelle_pcs, pcs.c.line))
    rome_rows = read_query(conn, sa.select(rome.c.fap2009, rome.c.libelle_rome, rome.c.line))
    tension_codes = read_query(
        conn,
        sa.select(tensions.c.fap2009).where(tensions.c.niveau_fap == "fap 225").distinct(),
    )
    codes = pl.concat(
        [pcs_rows.select("fap2009"), rome_rows.select("fap2009"), tension_codes]
    ).unique()

    def lists(rows: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
        return (
            rows.drop_nulls(column)
            .sort("line")
            .group_by("fap2009", maintain_order=True)
            .agg(pl.col(column).unique(maintain_order=True).alias(name))
        )

    return (
        codes.drop_nulls()
        .join(lists(pcs_rows, "libelle_pcs", "libelles_pcs"), on="fap2009", how="left")
        .join(lists(rome_rows, "libelle_rome", "libelles_rome"), on="fap2009", how="left")
        .with_columns(
            pl.col("libelles_pcs").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("libelles_rome").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
        .with_columns(
            pl.struct("libelles_pcs", "libelles_rome")
            .map_elements(
                lambda r: representative_label(r["libelles_pcs"] or r["libelles_rome"]),
                return_dtype=pl.String,
            )
            .alias("libelle")
        )
        .select("fap2009", "libelle", "libelles_pcs", "libelles_rome")
        .sort("fap2009")
    )


def representative_label(labels: Sequence[str]) -> str | None:
    """The label most similar to the others (the first one on a tie); None for no label."""
    if not labels:
        return None
    totals = [sum(token_similarity(a, b) for b in labels) for a in labels]
    return labels[totals.index(max(totals))]


def _latest(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows of the newest year (``annee``) only."""
    if rows.is_empty():
        return rows
    return rows.filter(pl.col("annee") == pl.col("annee").max())


def national_employment(conn: sa.Connection) -> pl.DataFrame:
    """fap2009, emploi_moyen: DARES national employment per FAP 2009, newest year."""
    t = DATASET_TABLES["dares_tensions"]
    rows = read_query(
        conn,
        sa.select(t.c.fap2009, t.c.emploi_moyen, t.c.annee).where(
            t.c.niveau_geo == "nat", t.c.niveau_fap == "fap 225"
        ),
    )
    return _latest(rows).group_by("fap2009").agg(pl.col("emploi_moyen").sum()).sort("fap2009")


def bmo_projects(conn: sa.Connection) -> pl.DataFrame:
    """fap2021 (BMO code), projets: national BMO recruitment projects, newest survey year."""
    t = DATASET_TABLES["bmo"]
    rows = read_query(conn, sa.select(t.c.fap2021, t.c.projets, t.c.annee))
    return (
        _latest(rows).group_by("fap2021").agg(pl.col("projets").fill_null(0).sum()).sort("fap2021")
    )


def fap2021_codes(conn: sa.Connection) -> pl.DataFrame:
    """The FAP 2021 nomenclature: fap2021 (341 level), libelle, fap228, libelle_fap228, fap86,
    libelle_fap86, fap22, libelle_fap22 — one row per code."""
    t = DATASET_TABLES["fap2021"]
    columns = ("fap2021", "libelle", "fap228", "libelle_fap228", "fap86", "libelle_fap86")
    query = sa.select(*(t.c[c] for c in (*columns, "fap22", "libelle_fap22")))
    return read_query(conn, query).drop_nulls("fap2021").unique("fap2021").sort("fap2021")
