"""Labelling indicator rows with the partnership's objectives, each with the sentence that says why.

* **attractivité** — jobs are hard to fill (many BMO projects judged difficult, or a strong DARES
  tension) yet young people do not ask for the training (low pressure or demand) or places stay
  empty (low fill rate);
* **accès** — young people ask for more than the places (high pressure or demand);
* **compétences** — companies plan far more recruitment than the schools train places;
* **vigilance** — leavers' insertion is weak.

Thresholds are those of :data:`tremplin.diagnostic.rules.THRESHOLDS`.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tremplin.diagnostic.ranking import with_sizes
from tremplin.diagnostic.rules import THRESHOLDS, UNPLACED, Thresholds
from tremplin.formats import format_decimal, format_number, format_percent

OBJECTIVES = ("attractivite", "acces", "competences", "vigilance")
OBJECTIVE_LABELS = {
    "attractivite": "Attractivité et orientation",
    "acces": "Accès à la formation",
    "competences": "Compétences pour les entreprises",
    "vigilance": "Vigilance (insertion)",
}


def _present(row: dict[str, Any], name: str) -> bool:
    return row.get(name) is not None


def _projects(row: dict[str, Any]) -> str:
    """The BMO projects of ``row``, « au moins N » when part of its cells are secret (« * »)."""
    text = format_number(row["projets_recrutement"])
    return f"au moins {text}" if row.get("part_cellules_bmo_secretes") else text


def _projects_of(row: dict[str, Any]) -> str:
    if row.get("part_cellules_bmo_secretes"):
        return (
            f"projets de recrutement connus (au moins {format_number(row['projets_recrutement'])})"
        )
    return f"{format_number(row['projets_recrutement'])} projets de recrutement"


def _hard_to_fill(row: dict[str, Any], t: Thresholds) -> str | None:
    share = row.get("part_projets_difficiles")
    if (
        share is not None
        and share >= t.difficulte_forte
        and (row.get("projets_recrutement") or 0) > 0
    ):
        return (
            f"{format_percent(share, 0)} des {_projects_of(row)} "
            f"sont jugés difficiles (BMO {row.get('annee_bmo') or ''})".replace(" )", ")")
        )
    category = row.get("categorie_tension")
    if category is not None and category >= t.categorie_tension_forte:
        year = row.get("annee_tension") or ""
        return (
            f"la tension sur ces métiers est forte (catégorie {format_decimal(category, 1)} "
            f"sur 5, DARES {year})"
        ).replace(" )", ")")
    return None


def _low_demand(row: dict[str, Any], t: Thresholds) -> str | None:
    reasons = []
    pressure = row.get("taux_pression")
    if pressure is not None and pressure < t.pression_faible:
        reasons.append(
            f"le taux de pression n'est que de {format_decimal(pressure, 2)} "
            f"({format_number(row['demandes_voeux_1'])} vœux 1 pour "
            f"{format_number(row['capacite'])} places)"
        )
    demand = row.get("taux_demande")
    if demand is not None and demand < t.demande_faible:
        reasons.append(f"le taux de demande en BTS n'est que de {format_decimal(demand, 1)}")
    fill = row.get("taux_remplissage")
    if fill is not None and fill < t.remplissage_faible:
        reasons.append(f"les places ne sont remplies qu'à {format_percent(fill, 0)}")
    return " et ".join(reasons) or None


def explain(row: dict[str, Any], thresholds: Thresholds = THRESHOLDS) -> dict[str, str]:
    """The objectives ``row`` calls for, each with a sentence giving the numbers behind it
    (none for a « Non rattaché » row: its territory or trade is unknown, it calls for nothing)."""
    t = thresholds
    found: dict[str, str] = {}
    if UNPLACED in (row.get("code_territoire"), row.get("code_groupe")):
        return found
    hard, low = _hard_to_fill(row, t), _low_demand(row, t)
    if hard and low:
        found["attractivite"] = f"Métiers difficiles à pourvoir : {hard}, mais {low}."
    pressure, demand = row.get("taux_pression"), row.get("taux_demande")
    access = []
    if pressure is not None and pressure >= t.pression_forte:
        access.append(
            f"{format_number(row['demandes_voeux_1'])} jeunes demandent ces formations en vœu 1 "
            f"pour "
            f"{format_number(row['capacite'])} places (taux de pression "
            f"{format_decimal(pressure, 2)})"
        )
    if demand is not None and demand >= t.demande_forte:
        access.append(
            f"{format_number(row['voeux_confirmes'])} vœux confirmés en BTS pour "
            f"{format_number(row['capacite_bts'])} places (taux de demande "
            f"{format_decimal(demand, 1)})"
        )
    if access:
        found["acces"] = (
            "Demande supérieure aux places : " + " ; ".join(access) + _other_level(row, t) + "."
        )
    projects, places = row.get("projets_recrutement") or 0, row.get("places") or 0
    if projects >= t.projets_minimum and projects >= t.projets_par_place * max(places, 1):
        per_place = (
            f"{format_decimal(projects / places, 1)} projets par place"
            if places
            else "aucune place de formation"
        )
        found["competences"] = (
            f"Recrutements très supérieurs à la formation : {_projects(row)} projets de "
            f"recrutement pour {format_number(places)} places offertes par an ({per_place})."
        )
    weak = []
    favourable, employment = (
        _pooled(row, "taux_devenir_favorable"),
        _pooled(row, "taux_emploi_6_mois"),
    )
    if favourable is not None and favourable < t.devenir_favorable_faible:
        weak.append(
            f"taux de devenir favorable de {format_percent(favourable, 0)}"
            + _by_route(row, "taux_devenir_favorable")
        )
    if employment is not None and employment < t.emploi_faible:
        weak.append(
            f"taux d'emploi à 6 mois de {format_percent(employment, 0)}"
            + _by_route(row, "taux_emploi_6_mois")
        )
    if weak:
        leavers = _pooled(row, "sortants") or 0
        found["vigilance"] = (
            f"Insertion fragile : {' et '.join(weak)} ({format_number(leavers)} "
            f"jeunes "
            f"en année terminale, InserJeunes {row.get('millesime_insertion') or ''})."
        ).replace(" )", ")")
    return found


def _other_level(row: dict[str, Any], t: Thresholds) -> str:
    """When Affelnet pressure and BTS demand disagree, the level where demand is low, said
    beside the one where it is high: both are shown, by level."""
    pressure, demand = row.get("taux_pression"), row.get("taux_demande")
    if pressure is None or demand is None:
        return ""
    if pressure >= t.pression_forte and demand < t.demande_faible:
        return (
            f" ; en BTS en revanche, le taux de demande n'est que de {format_decimal(demand, 1)} "
            f"({format_number(row['voeux_confirmes'])} vœux confirmés pour "
            f"{format_number(row['capacite_bts'])} places)"
        )
    if demand >= t.demande_forte and pressure < t.pression_faible:
        return (
            f" ; en CAP et bac pro en revanche, le taux de pression n'est que de "
            f"{format_decimal(pressure, 2)} ({format_number(row['demandes_voeux_1'])} vœux 1 "
            f"pour {format_number(row['capacite'])} places)"
        )
    return ""


def _pooled(row: dict[str, Any], measure: str) -> Any:
    """The insertion figure vigilance reads: both routes pooled where known (a school route's
    weak rate is not the formation's when its apprentices do better), else the offers' own."""
    pooled = row.get(f"{measure}_ensemble")
    return pooled if pooled is not None else row.get(measure)


def _by_route(row: dict[str, Any], measure: str) -> str:
    """« (voie scolaire 24 %, apprentissage 43 %) » when both routes are known."""
    school, apprentices = row.get(f"{measure}_scolaire"), row.get(f"{measure}_apprentissage")
    if school is None or apprentices is None:
        return ""
    return (
        f" toutes voies (voie scolaire {format_percent(school, 0)}, "
        f"apprentissage {format_percent(apprentices, 0)})"
    )


def _pooled_expr(measure: str, columns: list[str]) -> pl.Expr:
    """:func:`_pooled` as a polars expression (rows without per-route columns read the own)."""
    pooled = f"{measure}_ensemble"
    return pl.coalesce(pooled, measure) if pooled in columns else pl.col(measure)


def _opposed(t: Thresholds, columns: list[str]) -> pl.Expr:
    """Affelnet pressure and BTS demand disagree: one high, the other low (null when either is
    unknown)."""
    if "taux_pression" not in columns or "taux_demande" not in columns:
        return pl.lit(None, pl.Boolean)
    pressure, demand = pl.col("taux_pression"), pl.col("taux_demande")
    return ((pressure >= t.pression_forte) & (demand < t.demande_faible)) | (
        (demand >= t.demande_forte) & (pressure < t.pression_faible)
    )


def _flags(t: Thresholds, columns: list[str]) -> dict[str, pl.Expr]:
    """The objectives as polars conditions: the same rules as :func:`explain`, vectorised."""
    projects = pl.col("projets_recrutement").fill_null(0)
    places = pl.col("places").fill_null(0)
    hard = ((pl.col("part_projets_difficiles") >= t.difficulte_forte) & (projects > 0)).fill_null(
        False
    ) | (pl.col("categorie_tension") >= t.categorie_tension_forte).fill_null(False)
    low = (
        (pl.col("taux_pression") < t.pression_faible).fill_null(False)
        | (pl.col("taux_demande") < t.demande_faible).fill_null(False)
        | (pl.col("taux_remplissage") < t.remplissage_faible).fill_null(False)
    )
    return {
        "attractivite": hard & low,
        "acces": (pl.col("taux_pression") >= t.pression_forte).fill_null(False)
        | (pl.col("taux_demande") >= t.demande_forte).fill_null(False),
        "competences": (projects >= t.projets_minimum)
        & (projects >= t.projets_par_place * pl.max_horizontal(places, pl.lit(1))),
        "vigilance": (
            _pooled_expr("taux_devenir_favorable", columns) < t.devenir_favorable_faible
        ).fill_null(False)
        | (_pooled_expr("taux_emploi_6_mois", columns) < t.emploi_faible).fill_null(False),
    }


def classify(
    rows: pl.DataFrame, thresholds: Thresholds = THRESHOLDS, *, reasons: bool = True
) -> pl.DataFrame:
    """``rows`` with ``objectifs`` (list of objective codes) and, with ``reasons``,
    ``explications`` (one sentence per objective, with the numbers behind it)."""
    flags = _flags(thresholds, rows.columns)
    placed = pl.lit(True)
    for key in ("code_territoire", "code_groupe"):
        if key in rows.columns:
            placed = placed & (pl.col(key) != UNPLACED).fill_null(True)
    labelled = rows.with_columns(
        pl.concat_list(
            pl.when(condition & placed)
            .then(pl.lit([name]))
            .otherwise(pl.lit([], dtype=pl.List(pl.String)))
            for name, condition in flags.items()
        ).alias("objectifs"),
        _opposed(thresholds, rows.columns).alias("pression_demande_opposees"),
    )
    labelled = with_sizes(labelled, thresholds)
    return with_reasons(labelled, thresholds) if reasons else labelled


def with_reasons(rows: pl.DataFrame, thresholds: Thresholds = THRESHOLDS) -> pl.DataFrame:
    """``rows`` (already classified) with ``explications``: worth doing only on the rows shown."""
    sentences = [list(explain(row, thresholds).values()) for row in rows.iter_rows(named=True)]
    return rows.with_columns(pl.Series("explications", sentences, dtype=pl.List(pl.String)))
