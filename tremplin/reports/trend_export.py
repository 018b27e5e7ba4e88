"""What an export of a trend says of itself (shared by the web and the command line)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tremplin.diagnostic.indicators import Query
from tremplin.diagnostic.trends import SOURCE_MEASURES, SOURCES
from tremplin.reports.exports import ExportInfo
from tremplin.reports.figures import query_filters

TREND_DATASETS = ("affelnet_offres", "parcoursup_bts", "inserjeunes_regions")
"""The datasets a trend reads (their files are listed in its exports)."""


def trend_info(
    rows: pl.DataFrame, query: Query, files: Sequence[tuple[str, str]] = ()
) -> ExportInfo:
    """The preamble of a trend's export: filters, reference year, sources and their years."""
    sources = []
    for source, measures in SOURCE_MEASURES.items():
        # The years where the source's figures are given (not blank: a file lacks, or repeats).
        years = rows.filter(pl.col(measures[1]).is_not_null()).get_column("annee").unique().sort()
        if years.len():
            sources.append((SOURCES[source], ", ".join(str(y) for y in years)))
    insertion = rows.get_column("millesime_insertion").drop_nulls().unique().sort()
    if insertion.len():
        sources.append(("InserJeunes", ", ".join(insertion)))
    reference = rows.get_column("annee_reference").drop_nulls()
    filters = query_filters(query)
    if reference.len():
        filters.append(("Année de référence", str(reference.min())))
    return ExportInfo(
        title="Tendances",
        filters=filters,
        sources=sources,
        files=list(files),
    )
