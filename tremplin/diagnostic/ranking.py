"""How large each objective a row calls for is, so that rows can be ranked and not only flagged.

* **attractivité** — unfilled places: capacity − students on the offers where both are known
  (``places_vacantes``); where no student count is known, the places no first wish asks for
  (capacity × (1 − pressure));
* **accès** — places missing: first wishes − capacity where pressure is high (Affelnet), and
  the places that would bring BTS demand back to its threshold (confirmed wishes ÷ 15 −
  capacity);
* **compétences** — recruitment projects per place offered (per place, or per 1 when there is
  none: the rule's own measure);
* **vigilance** — the young people concerned: leavers of the formations, both routes pooled.

A size is null when the row does not call for the objective: ``classify`` applies the rules,
this module measures. :func:`rank` sorts rows by the size of one objective, largest first.
"""

from __future__ import annotations

import polars as pl

from tremplin.diagnostic.rules import THRESHOLDS, Thresholds

SIZE_COLUMNS = {
    "attractivite": "taille_attractivite",
    "acces": "taille_acces",
    "competences": "taille_competences",
    "vigilance": "taille_vigilance",
}
"""Objective → the column that says how large it is for a row."""

SIZE_UNITS = {
    "attractivite": "places vacantes",
    "acces": "places manquantes",
    "competences": "projets par place",
    "vigilance": "jeunes concernés",
}
"""What each size counts, as a page says it."""


SIZE_DEFINITIONS = {
    "attractivite": "places vacantes : capacité − élèves sur les offres où les deux sont connus ; "
    "sans élèves connus, les places qu'aucun vœu 1 ne demande (capacité × (1 − taux de "
    "pression)).",
    "acces": "places manquantes : vœux 1 − capacité (CAP, bac pro) là où la pression est forte, "
    "plus les places de BTS qui ramèneraient le taux de demande à son seuil (vœux confirmés ÷ "
    "15 − capacité).",
    "competences": "projets de recrutement par place offerte (par place, ou pour 1 quand il n'y "
    "en a aucune).",
    "vigilance": "jeunes concernés : jeunes en année terminale des formations, voie scolaire et "
    "apprentissage réunies.",
}
"""Each size as the glossary says it."""


def _column(name: str, columns: list[str]) -> pl.Expr:
    return pl.col(name) if name in columns else pl.lit(None, pl.Float64)


def _positive(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr > 0).then(expr).otherwise(0.0)


def size_exprs(columns: list[str], t: Thresholds = THRESHOLDS) -> dict[str, pl.Expr]:
    """The size of each objective as a polars expression over rows with ``columns``, computed
    whether or not the row calls for it (:func:`with_sizes` keeps those it does)."""
    pressure, demand = _column("taux_pression", columns), _column("taux_demande", columns)
    capacity = _column("capacite", columns).fill_null(0)
    capacity_bts = _column("capacite_bts", columns).fill_null(0)
    # Unfilled places where students are known, else the places no first wish asks for.
    unasked = pl.when(pressure < t.pression_faible).then(_positive(capacity * (1 - pressure)))
    unfilled = pl.coalesce(_column("places_vacantes", columns).cast(pl.Float64), unasked)
    # First wishes beyond the places; BTS places short of bringing demand back to its threshold.
    missing_affelnet = pl.when(pressure >= t.pression_forte).then(
        _positive(capacity * (pressure - 1))
    )
    missing_bts = pl.when(demand >= t.demande_forte).then(
        _positive(capacity_bts * (demand / t.demande_forte - 1))
    )
    missing = pl.when(missing_affelnet.is_not_null() | missing_bts.is_not_null()).then(
        missing_affelnet.fill_null(0) + missing_bts.fill_null(0)
    )
    projects = _column("projets_recrutement", columns)
    places = _column("places", columns).fill_null(0)
    per_place = projects / pl.max_horizontal(places, pl.lit(1))
    leavers = pl.coalesce(
        _column("sortants_ensemble", columns).cast(pl.Float64),
        _column("sortants", columns).cast(pl.Float64),
    )
    return {
        "attractivite": unfilled.round(0),
        "acces": missing.round(0),
        "competences": per_place.round(1),
        "vigilance": leavers,
    }


def with_sizes(rows: pl.DataFrame, t: Thresholds = THRESHOLDS) -> pl.DataFrame:
    """``rows`` (classified: with ``objectifs``) with a ``taille_<objective>`` column each, null
    where the row does not call for that objective."""
    sizes = size_exprs(rows.columns, t)
    return rows.with_columns(
        pl.when(pl.col("objectifs").list.contains(code)).then(sizes[code]).alias(column)
        for code, column in SIZE_COLUMNS.items()
    )


def rank(rows: pl.DataFrame, objectif: str) -> pl.DataFrame:
    """The rows that call for ``objectif``, largest first (ties: by territory and group)."""
    column = SIZE_COLUMNS[objectif]
    keys = [c for c in ("code_territoire", "code_groupe") if c in rows.columns]
    return rows.filter(pl.col("objectifs").list.contains(objectif)).sort(
        [column, *keys], descending=[True, *[False] * len(keys)], nulls_last=True
    )
