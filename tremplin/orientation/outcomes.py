"""What becomes of young people after a training (InserJeunes), told as « sur 10 jeunes ».

Two levels of figures, and which one a training shows:

1. **the establishment's**: the InserJeunes file of lycées (voie professionnelle, the line
   « ensemble » for school status; « dont apprentis » for apprentices in a lycée) and the
   file of CFA (apprenticeship): the shares of leavers in employment 6 months after leaving,
   in further study, and in another situation, which add up to 100, for all its formations
   together (InserJeunes publishes no figure per formation and establishment in these files);
2. **the région's, for the formation**: ``ij_region_data.csv``, counts per région × CFD × voie.

A training shows its establishment's figures of the latest year that has them; when the
establishment has none (InserJeunes leaves the cells empty when its cohort is too small), it
shows the région's figures for its diploma, when that cohort holds at least
:data:`MIN_COHORT` young people, and says so; else it says that no figure is published.

Words for the figures compare the rate shown with the quartiles, in the région, of the
formations of the same diploma type (CAP, bac pro, BTS) and voie (Futur Pro's rule): employment
at 6 months at or above the third quartile reads « très favorable » (and earns the tag « pour
travailler rapidement »), at or under the first « plutôt difficile », else « dans la moyenne »;
further study « très souvent » / « souvent » / « peu souvent » likewise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.frames import read_query
from tremplin.store.schema import source_files

MIN_COHORT = 20
"""Fewest young people of a région × formation × voie whose figures are shown (InserJeunes
publishes no establishment figure under 20 leavers either)."""

SOURCE_LYCEES = "InserJeunes (DEPP), fichier des lycées"
SOURCE_CFA = "InserJeunes (DEPP, DARES), fichier des CFA"
SOURCE_REGION = "InserJeunes (DEPP, DARES), ij_region_data.csv"

EMPLOYMENT_WORDS = ("plutôt difficile", "dans la moyenne", "très favorable")
STUDY_WORDS = ("peu souvent", "souvent", "très souvent")

OUTCOME_COLUMNS = (
    "uai",
    "voie",
    "part_emploi",
    "part_poursuite",
    "part_autres",
    "taux_emploi",
    "taux_poursuite",
    "millesime_devenir",
    "source_devenir",
)


def ten_young_people(shares: Sequence[float | None]) -> list[int] | None:
    """Shares (of any positive total) as whole young people out of 10, summing to 10: each
    gets the integer part of its tenth, and the ones left go to the largest remainders (ties
    to the first). None when a share is missing or when they add up to nothing."""
    if any(share is None or share < 0 for share in shares):
        return None
    values = [float(share) for share in shares if share is not None]
    total = sum(values)
    if total <= 0:
        return None
    tenths = [10 * value / total for value in values]
    counts = [int(tenth) for tenth in tenths]
    order = sorted(range(len(values)), key=lambda i: (-(tenths[i] - counts[i]), i))
    for i in order[: 10 - sum(counts)]:
        counts[i] += 1
    return counts


def ten_sentence(counts: Sequence[int]) -> str:
    """« sur 10 : 6 travaillent, 3 poursuivent leurs études, 1 autre situation »."""
    work, study, other = counts
    parts = [
        f"{work} travaille{'nt' if work > 1 else ''}",
        f"{study} poursui{'vent' if study > 1 else 't'} {'leurs' if study > 1 else 'ses'} études",
        f"{other} autre{'s' if other > 1 else ''} situation{'s' if other > 1 else ''}",
    ]
    return "sur 10 : " + ", ".join(parts)


def quartile_word(
    value: float | None, q1: float | None, q3: float | None, words: Sequence[str]
) -> str | None:
    """``words[2]`` at or above the third quartile, ``words[0]`` at or under the first,
    ``words[1]`` between; None when a figure is missing."""
    if value is None or q1 is None or q3 is None:
        return None
    if value >= q3:
        return words[2]
    if value <= q1:
        return words[0]
    return words[1]


@dataclass(frozen=True)
class Outcome:
    """What a training's leavers become, as shown to a young person."""

    ten: list[int] | None
    sentence: str | None
    source: str | None
    millesime: str | None
    regional: bool  # the région's figures of the formation, not the establishment's
    taux_emploi: float | None
    taux_poursuite: float | None
    mot_emploi: str | None
    mot_poursuite: str | None
    travailler_rapidement: bool

    @classmethod
    def of(cls, row: dict[str, object]) -> Outcome:
        """The outcome of one row of :func:`with_outcomes`."""
        shares = [row.get(c) for c in ("part_emploi", "part_poursuite", "part_autres")]
        ten = ten_young_people([float(s) if isinstance(s, int | float) else None for s in shares])
        emploi, poursuite = _number(row.get("taux_emploi")), _number(row.get("taux_poursuite"))
        q1e, q3e = _number(row.get("q1_emploi")), _number(row.get("q3_emploi"))
        q1p, q3p = _number(row.get("q1_poursuite")), _number(row.get("q3_poursuite"))
        return cls(
            ten=ten,
            sentence=ten_sentence(ten) if ten is not None else None,
            source=_text(row.get("source_devenir")),
            millesime=_text(row.get("millesime_devenir")),
            regional=row.get("source_devenir") == SOURCE_REGION,
            taux_emploi=emploi,
            taux_poursuite=poursuite,
            mot_emploi=quartile_word(emploi, q1e, q3e, EMPLOYMENT_WORDS),
            mot_poursuite=quartile_word(poursuite, q1p, q3p, STUDY_WORDS),
            travailler_rapidement=emploi is not None and q3e is not None and emploi >= q3e,
        )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


def _latest(frame: pl.DataFrame) -> pl.DataFrame:
    """The latest millésime of each UAI × voie that has the three shares."""
    return (
        frame.drop_nulls(["part_emploi", "part_poursuite", "part_autres"])
        .sort("millesime_devenir", descending=True)
        .unique(["uai", "voie"], keep="first")
    )


def establishment_outcomes(conn: sa.Connection) -> pl.DataFrame:
    """Per UAI × voie (scolaire, apprentissage): the shares in employment, further study and
    other situations (fractions), the rates of employment at 6 months and of further study,
    their millésime and source (:data:`OUTCOME_COLUMNS`), latest year of each."""
    lycees = DATASET_TABLES["inserjeunes_lycees"]
    rows = read_query(
        conn,
        sa.select(
            lycees.c.uai,
            lycees.c.champ,
            lycees.c.part_emploi_6_mois,
            lycees.c.part_poursuite,
            lycees.c.part_autres,
            lycees.c.taux_emploi_6_mois,
            lycees.c.taux_poursuite,
            source_files.c.variant,
            source_files.c.millesime,
        ).join(source_files, source_files.c.id == lycees.c.source_file_id),
    )
    voie = (
        pl.when((pl.col("variant") == "lycee_pro") & (pl.col("champ") == "ensemble"))
        .then(pl.lit("scolaire"))
        .when(pl.col("variant") == "apprentissage")
        .then(pl.lit("apprentissage"))
        .when((pl.col("variant") == "lycee_pro") & (pl.col("champ") == "dont apprentis"))
        .then(pl.lit("apprentissage"))
    )
    # In a lycée, a CFA's own line comes before the line « dont apprentis » of a lycée pro.
    rank = pl.when(pl.col("variant") == "apprentissage").then(0).otherwise(1)
    lycee = (
        rows.with_columns(voie.alias("voie"), rank.alias("_rang"))
        .drop_nulls("voie")
        .sort("_rang")
        .unique(["uai", "voie", "millesime"], keep="first", maintain_order=True)
        .select(_shares(SOURCE_LYCEES, pl.col("voie"), pl.col("millesime")))
    )
    cfa_table = DATASET_TABLES["inserjeunes_cfa"]
    cfa = read_query(
        conn,
        sa.select(
            cfa_table.c.uai,
            cfa_table.c.annee,
            cfa_table.c.part_emploi_6_mois,
            cfa_table.c.part_poursuite,
            cfa_table.c.part_autres,
            cfa_table.c.taux_emploi_6_mois,
            cfa_table.c.taux_poursuite,
        ),
    ).select(
        _shares(
            SOURCE_CFA,
            pl.lit("apprentissage"),
            pl.col("annee").str.replace(r"^cumul\s*", ""),
        )
    )
    # The CFA file (cumulated years) is preferred to the lycées' file for apprentices.
    best_cfa = _latest(cfa)
    others = _latest(lycee).join(best_cfa.select("uai", "voie"), on=["uai", "voie"], how="anti")
    return pl.concat([best_cfa, others]).select(OUTCOME_COLUMNS).sort("uai", "voie")


def _shares(source: str, voie: pl.Expr, millesime: pl.Expr) -> list[pl.Expr]:
    percent = [
        (pl.col(raw).cast(pl.Float64) / 100).alias(name)
        for raw, name in (
            ("part_emploi_6_mois", "part_emploi"),
            ("part_poursuite", "part_poursuite"),
            ("part_autres", "part_autres"),
            ("taux_emploi_6_mois", "taux_emploi"),
            ("taux_poursuite", "taux_poursuite"),
        )
    ]
    return [
        pl.col("uai"),
        voie.alias("voie"),
        *percent,
        millesime.cast(pl.String).alias("millesime_devenir"),
        pl.lit(source).alias("source_devenir"),
    ]


def regional_outcomes(insertion: pl.DataFrame, diploma_types: pl.DataFrame) -> pl.DataFrame:
    """Per région × CFD × voie (the diagnostic's ``Facts.insertion``, latest millésime), the
    shares, rates and quartiles of its diploma type: code_region, cfd, voie, part_emploi,
    part_poursuite, part_autres, taux_emploi, taux_poursuite, millesime_devenir,
    source_devenir, cohorte, niveau, q1_emploi, q3_emploi, q1_poursuite, q3_poursuite.

    ``diploma_types``: cfd → niveau (CAP, Bac pro, BTS…). Rates: employment = in employment
    ÷ leavers (not in further study), further study = in further study ÷ young people in
    their last year (InserJeunes' definitions); shares are over the young people in their
    last year. Cohorts under :data:`MIN_COHORT` are left out (nor counted in the quartiles).
    """
    if insertion.is_empty():
        return pl.DataFrame()
    term = pl.col("nb_annee_term").cast(pl.Float64)
    employed = pl.col("nb_en_emploi_6_mois").cast(pl.Float64)
    studying = pl.col("nb_poursuite_etudes").cast(pl.Float64)
    leavers = pl.col("nb_sortant").cast(pl.Float64)
    rows = (
        insertion.filter(pl.col("nb_annee_term") >= MIN_COHORT)
        .join(diploma_types, on="cfd", how="left")
        .with_columns(
            (employed / term).alias("part_emploi"),
            (studying / term).alias("part_poursuite"),
            ((term - employed - studying).clip(lower_bound=0) / term).alias("part_autres"),
            pl.when(leavers > 0).then(employed / leavers).alias("taux_emploi"),
            (studying / term).alias("taux_poursuite"),
            pl.col("millesime").alias("millesime_devenir"),
            pl.lit(SOURCE_REGION).alias("source_devenir"),
            pl.col("nb_annee_term").alias("cohorte"),
        )
    )
    group = ["code_region", "voie", "niveau"]
    quartiles = rows.group_by(group).agg(
        pl.col("taux_emploi").quantile(0.25, "linear").alias("q1_emploi"),
        pl.col("taux_emploi").quantile(0.75, "linear").alias("q3_emploi"),
        pl.col("taux_poursuite").quantile(0.25, "linear").alias("q1_poursuite"),
        pl.col("taux_poursuite").quantile(0.75, "linear").alias("q3_poursuite"),
    )
    return rows.join(quartiles, on=group, how="left", nulls_equal=True).select(
        "code_region",
        "cfd",
        "voie",
        "part_emploi",
        "part_poursuite",
        "part_autres",
        "taux_emploi",
        "taux_poursuite",
        "millesime_devenir",
        "source_devenir",
        "cohorte",
        "niveau",
        "q1_emploi",
        "q3_emploi",
        "q1_poursuite",
        "q3_poursuite",
    )


def with_outcomes(
    trainings: pl.DataFrame, establishments: pl.DataFrame, regional: pl.DataFrame
) -> pl.DataFrame:
    """``trainings`` (uai, cfd, voie, code_region, niveau) with the figures each shows: its
    establishment's for its voie, else the région's for its CFD (:data:`OUTCOME_COLUMNS` but
    uai and voie, plus the quartiles of its diploma type in its région)."""
    figures = [c for c in OUTCOME_COLUMNS if c not in ("uai", "voie")]
    if regional.is_empty():
        regional = pl.DataFrame(
            schema={
                "code_region": pl.String,
                "cfd": pl.String,
                "voie": pl.String,
                "niveau": pl.String,
                **{c: pl.Float64 for c in ("q1_emploi", "q3_emploi")},
                **{c: pl.Float64 for c in ("q1_poursuite", "q3_poursuite")},
                **{c: pl.Float64 for c in figures[:5]},
                "millesime_devenir": pl.String,
                "source_devenir": pl.String,
            }
        )
    own = trainings.join(establishments, on=["uai", "voie"], how="left")
    by_formation = regional.select(
        "code_region", "cfd", "voie", *(pl.col(c).alias(f"{c}_region") for c in figures)
    )
    quartiles = regional.select(
        "code_region", "voie", "niveau", "q1_emploi", "q3_emploi", "q1_poursuite", "q3_poursuite"
    ).unique(["code_region", "voie", "niveau"])
    has_own = pl.col("part_emploi").is_not_null()
    return (
        own.join(by_formation, on=["code_region", "cfd", "voie"], how="left")
        .with_columns(
            pl.when(has_own).then(pl.col(c)).otherwise(pl.col(f"{c}_region")).alias(c)
            for c in figures
        )
        .drop(f"{c}_region" for c in figures)
        .join(quartiles, on=["code_region", "voie", "niveau"], how="left")
    )
