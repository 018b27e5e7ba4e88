"""Orion's counts of a campaign, and more: taux de transformation, ratio de fermeture, places
opened in Q1 and closed in Q4 of the insertion quadrant — by level, sector and territory.

Definitions (docs/carte.md):

- **Places ouvertes / fermées** of a validated request: per voie (scolaire, apprentissage), the
  rise (``après − avant`` when positive) or the fall (``avant − après``); **places colorées**:
  the rise of coloured places. A transfer between voies at constant capacity opens in one voie
  and closes in the other, as Orion counts it.
- **Taux de transformation** = (places ouvertes + fermées + colorées by validated requests) ÷
  first-year intake (constat de rentrée) of the formations in InserJeunes' scope (CAP, bac pro,
  BTS) in the territory. Orion takes the intake of the campaign's first rentrée; the store holds
  one constat (its rentrée is given with the figure, ``rentree_effectif``), so that one is used
  and said. National target: 6 %.
- **Ratio de fermeture** = places fermées ÷ (places ouvertes + places fermées).
- **Quadrant** of a formation (CFD × voie) in a région: its InserJeunes taux d'emploi à 6 mois
  (in employment ÷ leavers) and taux de poursuite d'études (continuing ÷ final-year students)
  against the regional medians of its level and voie (over formations with at least
  :data:`QUADRANT_MIN_LEAVERS` leavers, like Orion): Q1 both at or above, Q2 poursuite above and
  emploi below, Q3 emploi above and poursuite below, Q4 both below; « hors quadrant » with too
  few leavers or no InserJeunes figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from tremplin.diagnostic.facts import Facts, ratio
from tremplin.planning.requests import Request

TARGET = 0.06
"""The national target of the taux de transformation (Orion)."""
QUADRANT_MIN_LEAVERS = 20
INSERJEUNES_LEVELS = ("CAP", "Bac pro", "BTS")
GROUPINGS = {
    "region": "Région",
    "academie": "Académie",
    "departement": "Département",
    "niveau": "Niveau",
    "secteur": "Domaine de formation (NSF)",
    "type": "Type de demande",
}
"""The groupings of the counts and their labels: « secteur » is the formation's NSF group (the
files loaded say nothing of public or private establishments)."""

_VOIES = ("scolaire", "apprentissage")


def quadrants(facts: Facts) -> pl.DataFrame:
    """The quadrant of every formation × voie × région with InserJeunes figures: ``code_region,
    cfd, voie, niveau, taux_emploi_6_mois, taux_poursuite, mediane_emploi, mediane_poursuite,
    quadrant, millesime``."""
    levels = facts.offres.select("cfd", "niveau").drop_nulls("cfd").unique("cfd")
    rates = (
        facts.insertion.join(levels, on="cfd", how="left")
        .with_columns(
            ratio(pl.col("nb_en_emploi_6_mois"), pl.col("nb_sortant")).alias("taux_emploi_6_mois"),
            ratio(pl.col("nb_poursuite_etudes"), pl.col("nb_annee_term")).alias("taux_poursuite"),
            (pl.col("nb_sortant").fill_null(0) >= QUADRANT_MIN_LEAVERS).alias("_assez"),
        )
        .with_columns(pl.col("niveau").fill_null("Autre"))
    )
    medians = (
        rates.filter("_assez")
        .group_by("code_region", "niveau", "voie")
        .agg(
            pl.col("taux_emploi_6_mois").median().alias("mediane_emploi"),
            pl.col("taux_poursuite").median().alias("mediane_poursuite"),
        )
    )
    emploi = pl.col("taux_emploi_6_mois") >= pl.col("mediane_emploi")
    poursuite = pl.col("taux_poursuite") >= pl.col("mediane_poursuite")
    return (
        rates.join(medians, on=["code_region", "niveau", "voie"], how="left")
        .with_columns(
            pl.when(~pl.col("_assez") | pl.col("taux_emploi_6_mois").is_null())
            .then(pl.lit("hors quadrant"))
            .when(emploi & poursuite)
            .then(pl.lit("Q1"))
            .when(poursuite)
            .then(pl.lit("Q2"))
            .when(emploi)
            .then(pl.lit("Q3"))
            .otherwise(pl.lit("Q4"))
            .alias("quadrant")
        )
        .select(
            "code_region",
            "cfd",
            "voie",
            "niveau",
            "millesime",
            "taux_emploi_6_mois",
            "taux_poursuite",
            "mediane_emploi",
            "mediane_poursuite",
            "quadrant",
        )
    )


def request_frame(requests: Sequence[Request], facts: Facts | None) -> pl.DataFrame:
    """One row per request with its places opened, closed and coloured by voie, its level,
    sector (NSF), territories and quadrant (of the scolaire voie, else apprentissage)."""
    rows: list[dict[str, Any]] = []
    for request in requests:
        f = request.fields
        row: dict[str, Any] = {"id": request.id, "statut": request.statut, "type": f.type}
        row |= {"uai": f.uai, "mef_stat_11": f.mef_stat_11, "cfd": f.cfd, "rentree": f.rentree}
        for voie in _VOIES:
            before, after = (
                getattr(f, f"capacite_{voie}_avant"),
                getattr(f, f"capacite_{voie}_apres"),
            )
            row[f"ouvertes_{voie}"] = max(after - before, 0)
            row[f"fermees_{voie}"] = max(before - after, 0)
            row[f"colorees_{voie}"] = max(
                getattr(f, f"capacite_{voie}_coloree_apres")
                - getattr(f, f"capacite_{voie}_coloree_avant"),
                0,
            )
        territories = dict(t.split(":", 1) for t in request.territoires if ":" in t)
        for maille in ("region", "academie", "departement"):
            row[maille] = territories.get(maille)
        rows.append(row)
    schema: dict[str, Any] = {
        "id": pl.Int64, "statut": pl.String, "type": pl.String, "uai": pl.String,
        "mef_stat_11": pl.String, "cfd": pl.String, "rentree": pl.Int64,
        **{f"{k}_{v}": pl.Int64 for k in ("ouvertes", "fermees", "colorees") for v in _VOIES},
        "region": pl.String, "academie": pl.String, "departement": pl.String,
    }  # fmt: skip
    frame = pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        (pl.col("ouvertes_scolaire") + pl.col("ouvertes_apprentissage")).alias("places_ouvertes"),
        (pl.col("fermees_scolaire") + pl.col("fermees_apprentissage")).alias("places_fermees"),
        (pl.col("colorees_scolaire") + pl.col("colorees_apprentissage")).alias("places_colorees"),
    )
    return _describe(frame, facts)


def _describe(frame: pl.DataFrame, facts: Facts | None) -> pl.DataFrame:
    if facts is None:
        return frame.with_columns(
            pl.lit(None, pl.String).alias(c)
            for c in ("niveau", "secteur", "libelle_formation", "etablissement", "commune")
        ).with_columns(
            pl.lit("hors quadrant").alias("quadrant"),
            *(pl.lit(None, pl.Float64).alias(c) for c in _RATE_COLUMNS),
        )
    formations = (
        facts.offres.select(
            "mef_stat_11", "cfd", "niveau", pl.col("libelle_nsf").alias("secteur"),
            pl.coalesce("libelle_formation", "libelle_mef").alias("libelle_formation"),
        )
        .unique("mef_stat_11", keep="first")
        .rename({"cfd": "cfd_connu"})
    )  # fmt: skip
    places = facts.etablissements.select("uai", pl.col("nom").alias("etablissement"), "commune")
    frame = (
        frame.join(formations, on="mef_stat_11", how="left")
        .with_columns(pl.coalesce("cfd", "cfd_connu").alias("cfd"))
        .drop("cfd_connu")
        .join(places, on="uai", how="left")
    )
    quadrant = quadrants(facts)
    by_voie = [
        quadrant.filter(pl.col("voie") == voie).select(
            "code_region", "cfd", *(pl.col(c).alias(f"{c}_{voie}") for c in _RATE_COLUMNS),
            pl.col("quadrant").alias(f"quadrant_{voie}"),
        )
        for voie in _VOIES
    ]  # fmt: skip
    for part in by_voie:
        frame = frame.join(
            part, left_on=["region", "cfd"], right_on=["code_region", "cfd"], how="left"
        )
    return frame.with_columns(
        *(pl.coalesce(f"{c}_scolaire", f"{c}_apprentissage").alias(c) for c in _RATE_COLUMNS),
        pl.coalesce("quadrant_scolaire", "quadrant_apprentissage")
        .fill_null("hors quadrant")
        .alias("quadrant"),
    ).drop(
        *(f"{c}_{v}" for c in (*_RATE_COLUMNS, "quadrant") for v in _VOIES),
    )


_RATE_COLUMNS = ("taux_emploi_6_mois", "taux_poursuite", "mediane_emploi", "mediane_poursuite")


def intake(facts: Facts) -> pl.DataFrame:
    """First-year students (constat de rentrée) of every offer of the voie scolaire in
    InserJeunes' scope, once per establishment × formation: ``uai, mef_stat_11, effectif,
    rentree_effectif, niveau, secteur, region, academie, departement``."""
    offers = facts.offres.filter(
        pl.col("entree")
        & (pl.col("statut") == "scolaire")
        & pl.col("niveau").is_in(INSERJEUNES_LEVELS)
        & pl.col("effectif").is_not_null()
    )
    # Sections of one establishment × formation share its students (facts): summed per source
    # and year, then the latest year of each establishment × formation, counted once.
    return (
        offers.group_by("source", "annee", "uai", "mef_stat_11")
        .agg(
            pl.col("effectif").sum(), pl.col("rentree_effectif").max(), pl.col("niveau").first(),
            pl.col("libelle_nsf").first().alias("secteur"),
            pl.col("code_region").first().alias("region"),
            pl.col("code_academie").first().alias("academie"),
            pl.col("code_departement").first().alias("departement"),
        )
        .sort("annee", "source", descending=True)
        .unique(["uai", "mef_stat_11"], keep="first")
        .drop("source", "annee")
    )  # fmt: skip


@dataclass(frozen=True)
class Counts:
    """The counts of a campaign's validated requests, overall and by a grouping."""

    total: dict[str, Any]
    rows: pl.DataFrame
    grouping: str


def _sums(frame: pl.DataFrame) -> list[pl.Expr]:
    validated = pl.col("statut") == "validee"
    inserjeunes = pl.col("niveau").is_in(INSERJEUNES_LEVELS)
    counted = validated & inserjeunes

    def total(column: str, where: pl.Expr) -> pl.Expr:
        return pl.col(column).filter(where).sum()

    return [
        pl.len().alias("demandes"),
        validated.sum().alias("demandes_validees"),
        total("places_ouvertes", counted).alias("places_ouvertes"),
        total("places_fermees", counted).alias("places_fermees"),
        total("places_colorees", counted).alias("places_colorees"),
        total("places_ouvertes", counted & (pl.col("quadrant") == "Q1")).alias("ouvertes_q1"),
        total("places_fermees", counted & (pl.col("quadrant") == "Q4")).alias("fermees_q4"),
    ]


def campaign_counts(
    requests: Sequence[Request], facts: Facts | None, grouping: str = "region"
) -> Counts:
    """Orion's counts of ``requests`` (only validated ones count, in InserJeunes' levels),
    overall and by ``grouping`` (one of :data:`GROUPINGS`)."""
    frame = request_frame(requests, facts)
    if frame.is_empty():
        return Counts(total={}, rows=pl.DataFrame(), grouping=grouping)
    students = intake(facts) if facts is not None else None
    regions = {r for r in frame["region"].drop_nulls()} if not frame.is_empty() else set()
    total = frame.select(_sums(frame)).row(0, named=True) if not frame.is_empty() else {}
    by = frame.group_by(grouping).agg(_sums(frame)) if not frame.is_empty() else pl.DataFrame()
    if students is not None:
        scope = students.filter(pl.col("region").is_in(sorted(regions))) if regions else students
        total["effectif_entree"] = int(scope["effectif"].sum()) if not scope.is_empty() else None
        rentrees = scope["rentree_effectif"].drop_nulls().unique().sort().to_list()
        total["rentree_effectif"] = rentrees[-1] if rentrees else None
        if grouping != "type" and not by.is_empty():
            by = by.join(
                scope.group_by(grouping).agg(pl.col("effectif").sum().alias("effectif_entree")),
                on=grouping,
                how="left",
            )
    else:
        total |= {"effectif_entree": None, "rentree_effectif": None}
    if not by.is_empty():
        if "effectif_entree" not in by.columns:
            by = by.with_columns(pl.lit(None, pl.Float64).alias("effectif_entree"))
        by = _rates(by).sort(grouping, nulls_last=True)
    if total:
        total = _rates(pl.DataFrame([total])).row(0, named=True)
    return Counts(total=total, rows=by, grouping=grouping)


def _rates(frame: pl.DataFrame) -> pl.DataFrame:
    transformed = pl.col("places_ouvertes") + pl.col("places_fermees") + pl.col("places_colorees")
    return frame.with_columns(
        ratio(transformed, pl.col("effectif_entree").cast(pl.Float64)).alias("taux_transformation"),
        ratio(
            pl.col("places_fermees").cast(pl.Float64),
            (pl.col("places_ouvertes") + pl.col("places_fermees")).cast(pl.Float64),
        ).alias("ratio_fermeture"),
    )
