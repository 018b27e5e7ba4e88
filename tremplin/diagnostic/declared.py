"""The needs companies declare on Tremplin, beside BMO in the diagnostic's rows.

:func:`tremplin.companies.needs.declared_needs` gives the open needs per code ROME × bassin
(× company), with each ROME's FAP 2021 and the BMO code it falls under. Here they are counted
per territory of a maille × trade group, as BMO's projects are: the BMO code gives the FAP
family and domain (``famille_fap``: FAP 2021 domain, ``fap``: FAP 86 family) and whether the
trade is in the industrial perimeter. A need whose ROME reaches no BMO code, and the groupings
by formation, have no figure. A row without a declared need keeps an empty cell, which pages
write « aucun besoin déclaré » (never 0).
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from tremplin.companies.needs import declared_needs
from tremplin.diagnostic.facts import Facts
from tremplin.diagnostic.indicators import GROUP_KEYS, RECRUITMENT_GROUPINGS, TERRITORY_KEYS, Query

DECLARED_COLUMNS = (
    "besoins_declares",
    "personnes_besoins_declares",
    "entreprises_besoins_declares",
    "date_besoins_declares",
)


def trade_families(recrutement: pl.DataFrame) -> pl.DataFrame:
    """code_bmo → fap86, fap22, industrie: the BMO codes' families (from the facts' BMO rows)."""
    if recrutement.is_empty():
        return pl.DataFrame(
            schema={
                "code_bmo": pl.String,
                "fap86": pl.String,
                "fap22": pl.String,
                "industrie": pl.Boolean,
            }
        )
    return recrutement.select(
        pl.col("fap2021").alias("code_bmo"),
        pl.col("fap86").cast(pl.String),
        pl.col("fap22").cast(pl.String),
        pl.col("industrie"),
    ).unique("code_bmo", keep="first", maintain_order=True)


def declared_indicators(needs: pl.DataFrame, families: pl.DataFrame, query: Query) -> pl.DataFrame:
    """code_territoire, code_groupe and the :data:`DECLARED_COLUMNS` of ``query``'s maille,
    grouping and perimeter, from ``needs`` (``declared_needs(..., per_company=True)``)."""
    schema = {"code_territoire": pl.String, "code_groupe": pl.String}
    if needs.is_empty() or query.groupement not in RECRUITMENT_GROUPINGS:
        return pl.DataFrame(schema=schema)
    code, _label = GROUP_KEYS[query.groupement]
    rows = needs.join(families, on="code_bmo", how="inner")
    if query.perimetre == "industrie":
        rows = rows.filter(pl.col("industrie"))
    return (
        rows.filter(pl.col(TERRITORY_KEYS[query.maille]).is_not_null() & pl.col(code).is_not_null())
        .group_by(
            pl.col(TERRITORY_KEYS[query.maille]).alias("code_territoire"),
            pl.col(code).alias("code_groupe"),
        )
        .agg(
            pl.col("besoins").sum().cast(pl.Int64).alias("besoins_declares"),
            pl.col("personnes").sum().cast(pl.Int64).alias("personnes_besoins_declares"),
            pl.col("company_id").n_unique().cast(pl.Int64).alias("entreprises_besoins_declares"),
            pl.col("dernier_besoin").max().alias("date_besoins_declares"),
        )
    )


def with_declared_needs(rows: pl.DataFrame, declared: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (the diagnostic's) with their declared needs, columns in the same order."""
    order = rows.columns
    base = rows.drop([c for c in DECLARED_COLUMNS if c in rows.columns])
    if declared.is_empty():
        joined = base.with_columns(
            pl.lit(None, pl.Int64).alias(c) for c in DECLARED_COLUMNS[:3]
        ).with_columns(pl.lit(None, pl.String).alias(DECLARED_COLUMNS[3]))
    else:
        joined = base.join(declared, on=["code_territoire", "code_groupe"], how="left")
    return joined.select(order)


def declared_for(conn: sa.Connection, facts: Facts, query: Query) -> pl.DataFrame:
    """:func:`declared_indicators` of ``query`` read from the store now (the command line's
    way; the web keeps the needs and the trades between requests)."""
    needs = declared_needs(conn, per_company=True)
    return declared_indicators(needs, trade_families(facts.recrutement), query)
