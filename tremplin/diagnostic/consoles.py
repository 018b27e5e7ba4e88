"""The two consoles: by formation, and by formation × establishment (one row per offer).

Each row carries the figures behind the diagnostic's aggregates, so a planner can go from a
territory × trade figure to the establishments and formations that make it. Insertion comes from
InserJeunes per région × formation × voie; the quadrant places a formation against the regional
mean of its diploma level (Q1: employment and further study at or above the mean; Q2: employment
at or above, further study below; Q3: employment below, further study at or above; Q4: both
below; « hors quadrant » when a rate is missing or masked).

Both consoles give each row its gap in places (``places_manquantes``: the access objective's
size; ``places_vacantes``: capacity − students where both are known) and are ranked, unless
``tri`` asks otherwise, by places missing, largest first. The territory filters take several
codes at once (``"01,38"``); thresholds and the sort follow :mod:`~tremplin.diagnostic.selection`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tremplin.diagnostic import rules
from tremplin.diagnostic.facts import Facts, entry_offers, ratio, voie
from tremplin.diagnostic.ranking import size_exprs
from tremplin.diagnostic.selection import Sort, Threshold, apply_thresholds, codes, sort_rows

OUTSIDE = "hors quadrant"


@dataclass(frozen=True)
class ConsoleQuery:
    perimetre: str = "industrie"
    niveau: str = "tous"
    annee: int | None = None
    code_region: str | None = None
    code_academie: str | None = None
    code_departement: str | None = None
    bassin_bmo: str | None = None
    fap22: str | None = None
    fap86: str | None = None
    famille_metiers: str | None = None
    cfd: str | None = None
    uai: str | None = None
    statut: str | None = None
    texte: str | None = None
    seuils: tuple[Threshold, ...] = ()
    tri: str | None = None
    ordre: str | None = None

    @property
    def sort(self) -> Sort:
        """The rows' order: ``tri`` / ``ordre``, else places missing, largest first."""
        if self.tri:
            return Sort(self.tri, self.ordre or "asc")
        return DEFAULT_SORT


DEFAULT_SORT = Sort("places_manquantes", "desc")
"""The consoles' order when none is asked: the access objective's size, largest first (then
the table's own order: département, UAI, formation)."""

MULTIPLE_FILTERS = ("code_region", "code_academie", "code_departement", "bassin_bmo")
"""The filters that take several codes at once (« 01,38 »: the Ain and the Isère)."""

TEXT_FILTERS = (
    "code_region",
    "code_academie",
    "code_departement",
    "bassin_bmo",
    "fap22",
    "fap86",
    "famille_metiers",
    "cfd",
    "uai",
    "statut",
    "texte",
)
"""The filters that take a code or a text (the others: perimeter, level, year, thresholds,
sort)."""


def insertion_rates(facts: Facts) -> pl.DataFrame:
    """Per région × CFD × voie: rates (masked below 20 young people) and quadrant."""
    frame = facts.insertion
    if frame.is_empty():
        return pl.DataFrame(schema={"code_region": pl.String, "cfd": pl.String, "voie": pl.String})
    levels = facts.offres.select("cfd", "niveau").drop_nulls().unique("cfd")
    minimum = rules.INSERTION_MIN_YOUNG
    rates = frame.join(levels, on="cfd", how="left").with_columns(
        pl.when(pl.col("nb_sortant") >= minimum)
        .then(ratio(pl.col("nb_en_emploi_6_mois"), pl.col("nb_sortant")))
        .alias("taux_emploi_6_mois"),
        pl.when(pl.col("nb_annee_term") >= minimum)
        .then(ratio(pl.col("nb_poursuite_etudes"), pl.col("nb_annee_term")))
        .alias("taux_poursuite"),
        pl.when(pl.col("nb_annee_term") >= minimum)
        .then(
            ratio(
                pl.col("nb_poursuite_etudes") + pl.col("nb_en_emploi_6_mois"),
                pl.col("nb_annee_term"),
            )
        )
        .alias("taux_devenir_favorable"),
    )
    means = rates.group_by("code_region", "niveau", "voie").agg(
        ratio(pl.col("nb_en_emploi_6_mois").sum(), pl.col("nb_sortant").sum()).alias(
            "_emploi_moyen"
        ),
        ratio(pl.col("nb_poursuite_etudes").sum(), pl.col("nb_annee_term").sum()).alias(
            "_poursuite_moyenne"
        ),
    )
    high_job = pl.col("taux_emploi_6_mois") >= pl.col("_emploi_moyen")
    high_study = pl.col("taux_poursuite") >= pl.col("_poursuite_moyenne")
    quadrant = (
        pl.when(pl.col("taux_emploi_6_mois").is_null() | pl.col("taux_poursuite").is_null())
        .then(pl.lit(OUTSIDE))
        .when(high_job & high_study)
        .then(pl.lit("Q1"))
        .when(high_job)
        .then(pl.lit("Q2"))
        .when(high_study)
        .then(pl.lit("Q3"))
        .otherwise(pl.lit("Q4"))
    )
    return (
        rates.join(means, on=["code_region", "niveau", "voie"], how="left", nulls_equal=True)
        .with_columns(quadrant.alias("quadrant"))
        .select(
            "code_region",
            "cfd",
            "voie",
            pl.col("millesime").alias("millesime_insertion"),
            pl.col("nb_annee_term").alias("sortants"),
            "taux_emploi_6_mois",
            "taux_poursuite",
            "taux_devenir_favorable",
            "quadrant",
        )
    )


ROUTE_COLUMNS = tuple(
    f"{measure}_{voie}"
    for voie in ("scolaire", "apprentissage", "ensemble")
    for measure in ("taux_emploi_6_mois", "taux_devenir_favorable")
)
"""A formation's insertion by voie, side by side, whatever the route of the row."""


def insertion_by_route(facts: Facts) -> pl.DataFrame:
    """Per région × CFD: employment at 6 months and devenir favorable of school leavers, of
    apprentices and of both pooled (masked below 20 young people), :data:`ROUTE_COLUMNS`."""
    frame = facts.insertion
    if frame.is_empty():
        return pl.DataFrame(schema={"code_region": pl.String, "cfd": pl.String})
    minimum = rules.INSERTION_MIN_YOUNG
    parts = []
    for name in ("scolaire", "apprentissage", "ensemble"):
        rows = frame if name == "ensemble" else frame.filter(pl.col("voie") == name)
        parts.append(
            rows.group_by("code_region", "cfd")
            .agg(pl.col(c).sum() for c in ("nb_annee_term", "nb_sortant", "nb_en_emploi_6_mois"))
            .join(
                rows.group_by("code_region", "cfd").agg(pl.col("nb_poursuite_etudes").sum()),
                on=["code_region", "cfd"],
            )
            .select(
                "code_region",
                "cfd",
                pl.when(pl.col("nb_sortant") >= minimum)
                .then(ratio(pl.col("nb_en_emploi_6_mois"), pl.col("nb_sortant")))
                .alias(f"taux_emploi_6_mois_{name}"),
                pl.when(pl.col("nb_annee_term") >= minimum)
                .then(
                    ratio(
                        pl.col("nb_poursuite_etudes") + pl.col("nb_en_emploi_6_mois"),
                        pl.col("nb_annee_term"),
                    )
                )
                .alias(f"taux_devenir_favorable_{name}"),
            )
        )
    found = parts[0]
    for part in parts[1:]:
        found = found.join(part, on=["code_region", "cfd"], how="full", coalesce=True)
    return found.select("code_region", "cfd", *ROUTE_COLUMNS)


def _filter(facts: Facts, query: ConsoleQuery) -> pl.DataFrame:
    offres = entry_offers(facts, query.perimetre, query.niveau, query.annee)
    for column in TEXT_FILTERS[:-1]:
        value = getattr(query, column)
        if not value:
            continue
        if column in MULTIPLE_FILTERS:
            offres = offres.filter(pl.col(column).is_in(codes(value)))
        else:
            offres = offres.filter(pl.col(column) == value)
    if query.texte:
        needle = query.texte.lower()
        offres = offres.filter(
            pl.col("libelle_formation").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("etablissement").str.to_lowercase().str.contains(needle, literal=True)
        )
    return offres


TERRITORY_NAMES = {
    "code_region": ("region", "region"),
    "code_academie": ("academie", "academie"),
    "code_departement": ("departement", "departement"),
    "bassin_bmo": ("bassin", "nom_bassin_bmo"),
}
"""Each territory code column of an offer: its maille, and the column that names it."""


def with_territory_names(facts: Facts, offres: pl.DataFrame) -> pl.DataFrame:
    """``offres`` with the name of each of its territories next to the code (``region``,
    ``academie``, ``departement``, ``nom_bassin_bmo``), so that no code is read alone."""
    for column, (maille, name) in TERRITORY_NAMES.items():
        if column not in offres.columns or name in offres.columns:
            continue
        names = (
            facts.territoires.filter(pl.col("maille") == maille)
            .select(pl.col("code").cast(pl.String).alias(column), pl.col("nom").alias(name))
            .unique(column)
        )
        offres = offres.join(names, on=column, how="left", maintain_order="left")
    return offres


def offers_table(facts: Facts, query: ConsoleQuery) -> pl.DataFrame:
    """One row per offer (formation × establishment × statut) with its figures."""
    offres = with_territory_names(facts, _filter(facts, query).with_columns(voie().alias("voie")))
    rates = insertion_rates(facts)
    if rates.width > 3:
        offres = offres.join(rates, on=["code_region", "cfd", "voie"], how="left")
        offres = offres.join(insertion_by_route(facts), on=["code_region", "cfd"], how="left")
    known = pl.col("capacite").is_not_null()
    offres = offres.with_columns(
        pl.when(known & (pl.col("source") == "affelnet"))
        .then(ratio(pl.col("demandes_voeux_1"), pl.col("capacite")))
        .alias("taux_pression"),
        pl.when(known & (pl.col("source") == "parcoursup"))
        .then(ratio(pl.col("voeux_confirmes"), pl.col("capacite")))
        .alias("taux_demande"),
        # Above 150 % the rate is not a fact: flagged (``remplissage_incoherent``), not shown.
        pl.when(known & ~pl.col("remplissage_incoherent"))
        .then(ratio(pl.col("effectif"), pl.col("capacite")))
        .alias("taux_remplissage"),
    )
    bts = pl.col("source") == "parcoursup"
    filled = (
        known
        & pl.col("effectif").is_not_null()
        & ~pl.col("remplissage_incoherent")
        & ~pl.col("a_distance")
    )
    table = _with_gaps(
        offres,
        affelnet=pl.when(~bts).then(pl.col("capacite")),
        bts=pl.when(bts).then(pl.col("capacite")),
        vacant=pl.when(filled).then(pl.col("capacite") - pl.col("effectif")),
    ).sort("code_departement", "uai", "cfd", "statut", nulls_last=True)
    return _selected(table, query)


def _with_gaps(
    frame: pl.DataFrame, affelnet: pl.Expr, bts: pl.Expr, vacant: pl.Expr
) -> pl.DataFrame:
    """``frame`` with ``places_manquantes`` (the access objective's size,
    :func:`~tremplin.diagnostic.ranking.size_exprs`: first wishes beyond the places where
    pressure is high, BTS places short of bringing demand back to its threshold) and
    ``places_vacantes`` (capacity − students where both are known, else blank)."""
    measured = frame.select(
        pl.col("taux_pression"),
        pl.col("taux_demande"),
        affelnet.cast(pl.Float64).alias("capacite"),
        bts.cast(pl.Float64).alias("capacite_bts"),
    )
    missing = measured.select(size_exprs(measured.columns)["acces"].alias("places_manquantes"))
    return frame.with_columns(
        missing.get_column("places_manquantes"),
        vacant.clip(lower_bound=0).round(0).alias("places_vacantes"),
    )


def _selected(table: pl.DataFrame, query: ConsoleQuery) -> pl.DataFrame:
    """``table`` after the query's thresholds, in the query's order."""
    return sort_rows(apply_thresholds(table, query.seuils), query.sort)


def formations_table(facts: Facts, query: ConsoleQuery) -> pl.DataFrame:
    """One row per formation (CFD × statut) over the selected territory."""
    offres = _filter(facts, query).with_columns(voie().alias("voie"))
    known = pl.col("capacite").is_not_null()
    filled = (
        known
        & pl.col("effectif").is_not_null()
        & ~pl.col("remplissage_incoherent")
        & ~pl.col("a_distance")
    )
    affelnet = pl.col("source") == "affelnet"
    grouped = offres.group_by("cfd", "statut", "voie").agg(
        pl.col("libelle_formation").first(),
        pl.col("niveau").first(),
        pl.col("famille_metiers").first(),
        pl.col("libelle_fap22").first(),
        pl.col("libelle_fap86").first(),
        pl.col("code_rome").first(),
        pl.col("industrie").first(),
        pl.col("uai").n_unique().alias("nb_etablissements"),
        pl.col("capacite").sum().alias("capacite"),
        pl.col("demandes_voeux_1").sum().alias("demandes_voeux_1"),
        pl.col("demandes_voeux_1").filter(known & affelnet).sum().alias("_demandes"),
        pl.col("capacite").filter(affelnet).sum().alias("_capacite_affelnet"),
        pl.col("voeux_confirmes").sum().alias("voeux_confirmes"),
        pl.col("voeux_confirmes").filter(known & ~affelnet).sum().alias("_voeux"),
        pl.col("capacite").filter(~affelnet).sum().alias("_capacite_parcoursup"),
        pl.col("effectif").cast(pl.Float64).filter(filled).sum().alias("_eleves"),
        pl.col("capacite").filter(filled).sum().alias("_capacite_remplie"),
        pl.col("code_region").drop_nulls().unique().alias("_regions"),
    )
    grouped = grouped.with_columns(
        ratio(pl.col("_demandes"), pl.col("_capacite_affelnet")).alias("taux_pression"),
        ratio(pl.col("_voeux"), pl.col("_capacite_parcoursup")).alias("taux_demande"),
        ratio(pl.col("_eleves"), pl.col("_capacite_remplie")).alias("taux_remplissage"),
        # Unknown pupils stay blank, never 0.
        pl.when(pl.col("_capacite_remplie") > 0)
        .then(pl.col("_eleves").round(0).cast(pl.Int64))
        .alias("effectif"),
    )
    grouped = _with_gaps(
        grouped,
        affelnet=pl.col("_capacite_affelnet"),
        bts=pl.col("_capacite_parcoursup"),
        vacant=pl.when(pl.col("_capacite_remplie") > 0).then(
            pl.col("_capacite_remplie") - pl.col("_eleves")
        ),
    )
    rates = insertion_rates(facts)
    regions = codes(query.code_region)
    if rates.width > 3 and len(regions) == 1:
        # Insertion is read per région: with one région chosen.
        grouped = grouped.join(
            rates.filter(pl.col("code_region") == regions[0]).drop("code_region"),
            on=["cfd", "voie"],
            how="left",
        ).join(
            insertion_by_route(facts)
            .filter(pl.col("code_region") == regions[0])
            .drop("code_region"),
            on="cfd",
            how="left",
        )
    table = grouped.drop(c for c in grouped.columns if c.startswith("_")).sort(
        "niveau", "libelle_formation", "cfd", "statut", nulls_last=True
    )
    return _selected(table, query)
