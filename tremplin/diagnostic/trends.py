"""Years side by side: the diagnostic's figures of each year a source was loaded for, per
territory × trade group, on all offers and on like-for-like offers.

``trend(facts, query)`` gives one row per territory × group × year × set of offers (``offres``):

* « toutes »: every offer of that year, as :func:`~tremplin.diagnostic.indicators.compute`
  counts it for ``annee=year``;
* « comparables »: the offers present both that year and the reference year (same source, UAI,
  MEF STAT 11 and statut), counted the same way on both years.

**Each year against the first.** The reference year is the first year loaded among the sources
the palier reads (2021 on the real files), and every later year is compared with it: the
committee reads the change since a fixed year, and a pair of consecutive years would compare the
Parcoursup 2022 file with the 2021 file it repeats (no change, not a fact). ``<measure>_reference``
gives the reference year's figure on the same set of offers, ``evolution_<measure>`` the relative
change (0.101 for +10.1 %).

**What a year lacks is said, never 0.** A source without a file for a year leaves its figures
blank that year (Affelnet has one dated year on the real files); a file whose rows repeat those
of an earlier millésime (:func:`~tremplin.store.provenance.year_warnings`) has its figures left
blank too, and the row says why (``avertissements``). InserJeunes figures are those of the latest
millésime the facts keep, whatever the year (``millesime_insertion`` says which).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import polars as pl

from tremplin.diagnostic import rules
from tremplin.diagnostic.facts import Facts
from tremplin.diagnostic.indicators import ORDER as INDICATOR_ORDER
from tremplin.diagnostic.indicators import ROUNDING, Query, compute
from tremplin.errors import InputError

SOURCES = {"affelnet": "Affelnet", "parcoursup": "Parcoursup"}
"""The sources of the offers, as users read their names."""
SOURCE_DATASETS = {"affelnet": "affelnet_offres", "parcoursup": "parcoursup_bts"}
"""The dataset whose millésimes are each source's years."""

PALIER_SOURCES: dict[str, tuple[str, ...]] = {
    rules.Palier.TOUS.value: ("affelnet", "parcoursup"),
    rules.Palier.ENTREE.value: ("affelnet",),
    rules.Palier.PREMIERE_PRO.value: ("affelnet",),
    rules.Palier.AUTRE.value: ("affelnet",),
    rules.Palier.BTS.value: ("parcoursup",),
}
"""The sources whose offers a palier counts."""

SOURCE_MEASURES: dict[str, tuple[str, ...]] = {
    "affelnet": ("capacite", "demandes_voeux_1", "taux_pression"),
    "parcoursup": ("capacite_bts", "voeux_confirmes", "taux_demande"),
}
"""The figures that come from one source only: blank the years it lacks."""
SHARED_MEASURES = ("nb_offres", "places")
"""The figures that add up every source: blank when one of the palier's sources lacks the year."""
COUNTS = ("nb_offres", "places", "capacite", "demandes_voeux_1", "capacite_bts", "voeux_confirmes")
RATES = ("taux_pression", "taux_demande")
INSERTION = ("sortants", "taux_emploi_6_mois", "taux_devenir_favorable")
MEASURES = (*COUNTS, *RATES)
"""The figures compared with the reference year."""

OFFER_SETS = ("toutes", "comparables")
OFFER_SET_LABELS = {
    "toutes": "Toutes les offres",
    "comparables": "Offres présentes l'année de référence (même UAI × formation × statut)",
}
OFFER_KEY = ("source", "uai", "mef_stat_11", "statut")
"""What makes an offer the same offer from one year to the next."""

KEYS = ("code_territoire", "code_groupe")
LABELS = ("territoire", "groupe")

_MEASURE_LABELS = {
    "nb_offres": "Offres de formation",
    "places": "Places offertes",
    "capacite": "Capacité (CAP, bac pro)",
    "demandes_voeux_1": "Demandes en vœu 1",
    "capacite_bts": "Capacité (BTS)",
    "voeux_confirmes": "Vœux confirmés (BTS)",
    "taux_pression": "Taux de pression",
    "taux_demande": "Taux de demande",
}
LABELS_FR: dict[str, str] = {
    "annee": "Année",
    "offres": "Offres comptées",
    "annee_reference": "Année de référence",
    **{f"{m}_reference": f"{label}, année de référence" for m, label in _MEASURE_LABELS.items()},
    **{f"evolution_{m}": f"{label}, évolution" for m, label in _MEASURE_LABELS.items()},
    "avertissements": "Avertissements",
}
"""The French headers of the trend's own columns (the others are the diagnostic's)."""
EVOLUTIONS = frozenset(f"evolution_{m}" for m in MEASURES)
"""Relative changes, written as percentages."""

ORDER = [
    # The query's columns, as the diagnostic names them (maille … palier).
    *INDICATOR_ORDER[: INDICATOR_ORDER.index("palier") + 1],
    "annee",
    "offres",
    "annee_reference",
    *MEASURES,
    *(f"{m}_reference" for m in MEASURES),
    *(f"evolution_{m}" for m in MEASURES),
    *INSERTION,
    "millesime_insertion",
    "avertissements",
]
"""The columns of a trend, in order (stable snake_case names: the API's and the exports')."""


def source_years(facts: Facts) -> dict[str, list[int]]:
    """Each source's dated years among the offers (a file without a year is left out)."""
    frame = facts.offres.select("source", "annee").drop_nulls().unique()
    return {
        source: sorted(frame.filter(pl.col("source") == source).get_column("annee").to_list())
        for source in SOURCES
    }


def _listed(years: Sequence[int]) -> str:
    return ", ".join(str(y) for y in years) or "aucune"


def check_year(facts: Facts, annee: int | None, palier: str = rules.Palier.TOUS.value) -> None:
    """Raise :class:`InputError` when a source the palier counts has no file for ``annee``,
    naming the source and the years it has (instead of leaving its offers out in silence)."""
    if annee is None:
        return
    years = source_years(facts)
    missing = [
        f"{SOURCES[source]} n'a pas de fichier pour {annee} ; années chargées : "
        f"{_listed(years[source])}"
        for source in PALIER_SOURCES.get(palier, tuple(SOURCES))
        if annee not in years[source]
    ]
    if missing:
        raise InputError(" ; ".join(missing) + ".", where=("annee",))


def _year_warnings(
    warnings: Mapping[tuple[str, str], Sequence[str]], sources: Sequence[str], year: int
) -> dict[str, list[str]]:
    """Source → the warnings of its files of ``year`` (a repeated millésime…)."""
    found: dict[str, list[str]] = {}
    for source in sources:
        said = warnings.get((SOURCE_DATASETS[source], str(year)), [])
        if said:
            found[source] = list(said)
    return found


def _with_only(facts: Facts, offres: pl.DataFrame) -> Facts:
    """The same facts over other offers (nothing derived from the old ones kept)."""
    return dataclasses.replace(facts, offres=offres, memo={}, key="")


def _common_offers(facts: Facts, year: int, reference: int) -> pl.DataFrame:
    """The offers of ``year`` and ``reference`` whose key (:data:`OFFER_KEY`) both years have."""
    offres = facts.offres
    keys = list(OFFER_KEY)
    both = (
        offres.filter(pl.col("annee") == reference)
        .select(keys)
        .unique()
        .join(offres.filter(pl.col("annee") == year).select(keys).unique(), on=keys, how="inner")
    )
    return offres.filter(pl.col("annee").is_in([year, reference])).join(
        both, on=keys, how="semi", nulls_equal=True
    )


def _figures(facts: Facts, query: Query, year: int) -> pl.DataFrame:
    """The figures of ``year`` per territory × group (offer counts and insertion)."""
    rows = compute(facts, dataclasses.replace(query, annee=year))
    # Rows with recruitment figures but no offer are not part of a trend of offers.
    return rows.filter(pl.col("nb_offres") > 0).select(
        *KEYS, *LABELS, *MEASURES, *INSERTION, "millesime_insertion"
    )


def _lacking(
    palier: str, year: int, years: Mapping[str, Sequence[int]], doubtful: Sequence[str]
) -> list[str]:
    """The figures to leave blank for ``year``: those of a source the palier counts that has no
    file for it, or a doubtful one (and the sums over sources then), and those of a source the
    palier does not count (no object)."""
    counted = PALIER_SOURCES[palier]
    lacking = [s for s in counted if year not in years[s] or s in doubtful]
    blanks = [m for s in SOURCES if s in lacking or s not in counted for m in SOURCE_MEASURES[s]]
    # Sums over sources, and insertion over the offers of the year, lack a source's part.
    return [*blanks, *SHARED_MEASURES, *INSERTION] if lacking else blanks


def trend(
    facts: Facts,
    query: Query,
    warnings: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> pl.DataFrame:
    """The trend of ``query`` (its ``annee`` ignored): see the module's docstring. ``warnings``
    maps (dataset, millésime) to what to be wary of in its files
    (:func:`~tremplin.store.provenance.year_warnings`)."""
    query = dataclasses.replace(query.checked(), annee=None)
    sources = PALIER_SOURCES[query.palier]
    years_of = source_years(facts)
    years = sorted({y for s in sources for y in years_of[s]})
    empty = pl.DataFrame(schema={c: pl.String for c in ORDER})
    if not years:
        return empty.select(ORDER)
    reference = years[0]
    parts: list[pl.DataFrame] = []
    base = _figures(facts, query, reference)
    blank_base = _lacking(query.palier, reference, years_of, ())
    said = warnings or {}
    for year in years:
        told = _year_warnings(said, sources, year)
        notes = [
            f"{SOURCES[s]} {year} : {' '.join(t)} Ses chiffres de {year} ne sont pas retenus."
            for s, t in told.items()
        ]
        notes.extend(
            f"{SOURCES[s]} n'a pas de fichier pour {year}."
            for s in sources
            if year not in years_of[s]
        )
        blanks = (_lacking(query.palier, year, years_of, list(told)), blank_base)
        current = base if year == reference else _figures(facts, query, year)
        parts.append(_compared(current, base, blanks, (year, reference), "toutes", notes))
        if year == reference:
            continue
        common = _with_only(facts, _common_offers(facts, year, reference))
        then = _figures(common, query, reference)
        now = _figures(common, query, year)
        parts.append(_compared(now, then, blanks, (year, reference), "comparables", notes))
    rows = pl.concat(parts, how="diagonal_relaxed")
    return (
        rows.with_columns(
            pl.lit(query.maille).alias("maille"),
            pl.lit(query.groupement).alias("groupement"),
            pl.lit(query.perimetre).alias("perimetre"),
            pl.lit(query.niveau).alias("niveau"),
            pl.lit(query.palier).alias("palier"),
        )
        .select(ORDER)
        .with_columns(pl.col(pl.Float64).round(ROUNDING))
        .sort(
            "code_territoire",
            "code_groupe",
            "offres",
            "annee",
            descending=[False, False, True, False],
        )
    )


def _compared(
    now: pl.DataFrame,
    then: pl.DataFrame,
    blanks: tuple[list[str], list[str]],
    years: tuple[int, int],
    offres: str,
    notes: list[str],
) -> pl.DataFrame:
    """The figures of a year beside those of the reference year (``years``), for every
    territory × group either has: a group without offers one year has none that year (0),
    unless the year's figures are blank (``blanks``: those of the year, of the reference)."""
    year, reference = years
    keys = list(KEYS)
    before = then.select(*keys, *LABELS, *(pl.col(m).alias(f"{m}_reference") for m in MEASURES))
    joined = now.join(before, on=keys, how="full", coalesce=True, suffix="_avant")
    for label in LABELS:
        joined = joined.with_columns(pl.coalesce(label, f"{label}_avant").alias(label)).drop(
            f"{label}_avant"
        )
    blank_now, blank_then = blanks
    return (
        joined.with_columns(
            *(pl.col(m).fill_null(0.0) for m in COUNTS),
            *(pl.col(f"{m}_reference").fill_null(0.0) for m in COUNTS),
        )
        .with_columns(
            *(pl.lit(None, pl.Float64).alias(m) for m in blank_now),
            *(
                pl.lit(None, pl.Float64).alias(f"{m}_reference")
                for m in blank_then
                if m in MEASURES
            ),
        )
        .with_columns(
            pl.lit(year, pl.Int64).alias("annee"),
            pl.lit(offres).alias("offres"),
            pl.lit(reference, pl.Int64).alias("annee_reference"),
            pl.lit(notes, pl.List(pl.String)).alias("avertissements"),
            *(
                pl.when(pl.lit(year != reference) & (pl.col(f"{m}_reference") > 0))
                .then(pl.col(m) / pl.col(f"{m}_reference") - 1)
                .alias(f"evolution_{m}")
                for m in MEASURES
            ),
        )
    )


def totals(rows: pl.DataFrame) -> pl.DataFrame:
    """The counts of a trend added up over its territories and groups, per year and set of
    offers, with their evolution (a blank figure stays blank: it is not 0)."""

    def summed(column: str) -> pl.Expr:
        return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).alias(column)

    return (
        rows.group_by("annee", "offres", "annee_reference", maintain_order=True)
        .agg(*(summed(m) for m in COUNTS), *(summed(f"{m}_reference") for m in COUNTS))
        .with_columns(
            pl.when((pl.col("annee") != pl.col("annee_reference")) & (pl.col(f"{m}_reference") > 0))
            .then(pl.col(m) / pl.col(f"{m}_reference") - 1)
            .alias(f"evolution_{m}")
            for m in COUNTS
        )
        .sort("offres", "annee", descending=[True, False])
    )
