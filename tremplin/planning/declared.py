"""Companies' open declared needs as the optimiser counts them: per département × FAP 86 family,
the cells in which it sums BMO's recruitment projects (docs/optimiser.md).

:func:`declared_cells` turns ``companies.needs.declared_needs(conn, per_company=True)`` (one row
per code ROME × bassin BMO × company) into one row per département × FAP 86 family: needs,
people still wanted, the companies' ids and the bassins' names. A need's trade reaches FAP 86
through its FAP 2021 (else the BMO code it falls under) and the facts' families, the chain the
carte's trades use; a need whose trade has no FAP 86 is left out (and counted as such).
"""

from __future__ import annotations

import polars as pl

__all__ = ["CELLS_SCHEMA", "declared_cells", "no_cells"]

CELLS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "code_departement": pl.String,
    "fap86": pl.String,
    "besoins": pl.Int64,
    "personnes": pl.Int64,
    "entreprises": pl.List(pl.Int64),
    "bassins": pl.List(pl.String),
}
"""The columns of :func:`declared_cells` (``entreprises``: the companies' ids)."""


def no_cells() -> pl.DataFrame:
    """No declared need."""
    return pl.DataFrame(schema=CELLS_SCHEMA)


def declared_cells(
    declared: pl.DataFrame | None,
    families: pl.DataFrame | None,
    bassins: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Open declared needs per département × FAP 86 (see the module). ``declared``: the frame of
    ``declared_needs(conn, per_company=True)``; ``families``: ``Facts.familles_fap`` (fap2021 →
    fap86); ``bassins``: bassin_bmo → bassin (its name; the code is kept without it)."""
    if declared is None or declared.is_empty() or families is None or families.is_empty():
        return no_cells()
    family = families.select("fap2021", "fap86").drop_nulls().unique("fap2021")
    names = (
        bassins.select("bassin_bmo", "bassin").drop_nulls().unique("bassin_bmo")
        if bassins is not None and not bassins.is_empty()
        else pl.DataFrame(schema={"bassin_bmo": pl.String, "bassin": pl.String})
    )
    rows = (
        declared.drop_nulls("code_departement")
        .join(family, on="fap2021", how="left")
        .join(
            family.rename({"fap2021": "code_bmo", "fap86": "fap86_bmo"}), on="code_bmo", how="left"
        )
        .with_columns(pl.coalesce("fap86", "fap86_bmo").alias("fap86"))
        .drop_nulls("fap86")
        .join(names, on="bassin_bmo", how="left")
        .with_columns(pl.coalesce("bassin", "bassin_bmo").alias("bassin"))
    )
    if rows.is_empty():
        return no_cells()
    return (
        rows.group_by("code_departement", "fap86")
        .agg(
            pl.col("besoins").sum().cast(pl.Int64),
            pl.col("personnes").sum().cast(pl.Int64),
            pl.col("company_id").unique().sort().alias("entreprises"),
            pl.col("bassin").drop_nulls().unique().sort().alias("bassins"),
        )
        .filter(pl.col("personnes") > 0)
        .sort("code_departement", "fap86")
        .select(list(CELLS_SCHEMA))
    )
