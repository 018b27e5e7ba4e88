"""The loaded data gathered into the few enriched frames the diagnostic aggregates.

* ``offres``: one row per offer (UAI × MEF STAT 11 × statut × year) from Affelnet and Parcoursup,
  with the Orion counting rules applied, its formation (level, NSF, famille de métiers), its
  establishment's territories, its primary trade and its share in the industrial perimeter;
* ``metiers``: each offer spread over its trades (one row per offer × trade, weights summing to
  1 per offer), read by the groupings by trade;
* ``recrutement``: BMO recruitment projects per bassin × FAP 2021, with territories and families
  (``projets_secret``: the cell was suppressed, « * »);
* ``tension``: DARES tension per FAP 2021 (bridged from FAP 2009) and territory level;
* ``insertion``: InserJeunes counts per région × CFD × voie (latest millésime).

Building them reads the store once (seconds); :func:`stored_facts` keeps them in the store, built
once per set of loaded files and perimeter, and ``FactsCache`` keeps them in memory until the store
changes.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
import sqlalchemy as sa

from tremplin.diagnostic import rules
from tremplin.referentials import territories, trades
from tremplin.referentials.derived import Referentials, build_referentials, referentials
from tremplin.referentials.fap_bridge import BridgeCoverage, FapBridge
from tremplin.referentials.perimeter import Perimeter
from tremplin.referentials.tables import read_query
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store import derived
from tremplin.store.derived import cached_frames, files_fingerprint
from tremplin.store.schema import source_files

FACTS_VERSION = "6"
"""Bump when building the facts changes what they hold: stored facts are then rebuilt."""

TRADE_COLUMNS = (
    "code_rome",
    "fap2009",
    "fap2021",
    "fap86",
    "libelle_fap86",
    "fap22",
    "libelle_fap22",
)


@dataclass(frozen=True)
class Facts:
    offres: pl.DataFrame
    recrutement: pl.DataFrame
    tension: pl.DataFrame
    insertion: pl.DataFrame
    territoires: pl.DataFrame  # maille, code, nom, parents, centroid, population
    etablissements: pl.DataFrame
    fingerprint: str
    passerelle: BridgeCoverage | None = None  # what the FAP 2009 ↔ 2021 bridge reaches
    # The offers spread over their trades (``METIER_COLUMNS``, weights summing to 1 per offer);
    # None: each offer counts once, under its primary trade.
    metiers: pl.DataFrame | None = None
    # The labels of the FAP codes ``metiers`` reaches (fap2021, fap86, fap22 and their labels).
    familles_fap: pl.DataFrame | None = None
    # Fingerprint of the files, perimeter and code these facts come from when they were stored
    # (see stored_facts), so that what is derived from them can be stored too; else empty.
    key: str = ""
    # Frames derived from these facts and asked for again and again (offers of a perimeter and
    # level, labels of a grouping…): computed once, kept as long as the facts.
    memo: dict[tuple[object, ...], pl.DataFrame] = field(
        default_factory=dict, compare=False, repr=False
    )

    def memoised(self, key: tuple[object, ...], build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = build()
        return found


def _read(conn: sa.Connection, query: sa.Select[tuple[object, ...]]) -> pl.DataFrame:
    # Typed after the store's columns, so that an empty table still joins.
    return read_query(conn, query)


def _with_millesime(conn: sa.Connection, dataset: str, *columns: str) -> pl.DataFrame:
    table = DATASET_TABLES[dataset]
    query = sa.select(
        *(table.c[c] for c in columns), source_files.c.millesime.label("millesime")
    ).join(source_files, source_files.c.id == table.c.source_file_id)
    frame = _read(conn, query)
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, pl.Int64).alias("annee"))
    year = pl.col("millesime").str.extract(r"^(20[0-9]{2})$").cast(pl.Int64, strict=False)
    return frame.with_columns(year.alias("annee"))


def _departement_code() -> pl.Expr:
    return territories.normalise_departement_expr(pl.col("code_departement")).alias(
        "code_departement"
    )


def all_territories(conn: sa.Connection, communes: pl.DataFrame) -> pl.DataFrame:
    """Every territory of every maille: maille, code, nom, its parents, population, centroid."""
    none = pl.lit(None, pl.String)
    levels = (
        # maille, its frame, code column, name column, parent columns it lacks
        (
            "region",
            territories.regions,
            "code_region",
            "region",
            ("code_academie", "code_departement"),
        ),
        ("academie", territories.academies, "code_academie", "academie", ("code_departement",)),
        ("departement", territories.departements, "code_departement", "departement", ()),
        ("bassin", territories.bassins, "bassin_bmo", "bassin", ()),
    )
    frames = [
        build(conn, communes_frame=communes)
        .with_columns(none.alias(parent) for parent in missing)
        .select(
            pl.lit(maille).alias("maille"),
            pl.col(code).alias("code"),
            pl.col(name).alias("nom"),
            "code_region",
            "code_academie",
            "code_departement",
            "population",
            "latitude",
            "longitude",
        )
        for maille, build, code, name, missing in levels
    ]
    return pl.concat(frames, how="vertical_relaxed")


def voie() -> pl.Expr:
    """The InserJeunes voie of an offer: « apprentissage » for apprentices, else « scolaire »."""
    return (
        pl.when(pl.col("statut") == "apprentissage")
        .then(pl.lit("apprentissage"))
        .otherwise(pl.lit("scolaire"))
    )


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator ÷ denominator``, null (never an error or an infinity) when the denominator is
    not positive."""
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)


def entry_offers(
    facts: Facts,
    perimetre: str,
    niveau: str,
    annee: int | None,
    palier: str | None = None,
) -> pl.DataFrame:
    """The offers the diagnostic counts: palier (None: the entry year of every cycle — 2nde
    pro, CAP year 1, BTS year 1; « tous »: every offer), perimeter (an offer with any weight in
    it), level, and the given year or else the latest year of each source (kept in
    ``facts.memo``)."""

    def build() -> pl.DataFrame:
        offres = facts.offres
        if palier is None:
            offres = offres.filter(pl.col("entree"))
        elif palier != rules.Palier.TOUS.value:
            offres = offres.filter(pl.col("palier") == palier)
        if perimetre == "industrie":
            offres = offres.filter(pl.col("industrie"))
        if niveau != "tous":
            offres = offres.filter(pl.col("niveau") == niveau)
        if annee is not None:
            return offres.filter(pl.col("annee") == annee)
        return offres.filter(pl.col("annee") == pl.col("annee").max().over("source"))

    return facts.memoised(("offres", perimetre, niveau, annee, palier), build)


def _valid_capacity(column: str) -> pl.Expr:
    value = pl.col(column)
    return (
        pl.when(value.is_between(rules.CAPACITY_MIN, rules.CAPACITY_MAX))
        .then(value)
        .otherwise(None)
    )


def _affelnet(conn: sa.Connection) -> pl.DataFrame:
    frame = _with_millesime(
        conn,
        "affelnet_offres",
        "uai",
        "mef_stat_11",
        "statut_offre",
        "voeu_recensement",
        "capacite_carte_scolaire",
        "demandes_voeux_1",
    )
    return frame.filter(
        (pl.col("statut_offre") == rules.AFFELNET_STATUS)
        & ~pl.col("voeu_recensement").fill_null(False)
    ).select(
        pl.lit("affelnet").alias("source"),
        "annee",
        "uai",
        "mef_stat_11",
        pl.lit("scolaire").alias("statut"),
        _valid_capacity("capacite_carte_scolaire").alias("capacite"),
        pl.col("capacite_carte_scolaire").alias("capacite_brute"),
        pl.col("demandes_voeux_1").alias("demandes_voeux_1"),
        pl.lit(None, pl.Int64).alias("voeux_confirmes"),
        pl.lit(False).alias("a_distance"),
    )


def _parcoursup(conn: sa.Connection) -> pl.DataFrame:
    frame = _with_millesime(
        conn,
        "parcoursup_bts",
        "uai",
        "mef_stat_11",
        "mef_stat_11_rectifie",
        "statut",
        "capacite",
        "nb_voeux_confirmes",
        "libelle_formation",
    )
    capacity = pl.col("capacite")
    return frame.select(
        pl.lit("parcoursup").alias("source"),
        "annee",
        "uai",
        pl.coalesce("mef_stat_11_rectifie", "mef_stat_11").alias("mef_stat_11"),
        pl.col("statut").str.to_lowercase().alias("statut"),
        pl.when(capacity.is_in(rules.PARCOURSUP_CAPACITY_MISSING))
        .then(None)
        .otherwise(capacity)
        .alias("capacite"),
        capacity.alias("capacite_brute"),
        pl.lit(None, pl.Int64).alias("demandes_voeux_1"),
        pl.col("nb_voeux_confirmes").alias("voeux_confirmes"),
        # Taught wholly at a distance: places open to the whole country, kept apart from the
        # territory's capacity (see indicators).
        pl.col("libelle_formation")
        .str.contains(rules.DISTANCE_LEARNING_MARK)
        .fill_null(False)
        .alias("a_distance"),
    )


def _students(conn: sa.Connection) -> pl.DataFrame:
    """Students per UAI × MEF STAT 11 and rentrée (constat)."""
    table = DATASET_TABLES["constat"]
    frame = _read(
        conn,
        sa.select(table.c.rentree_scolaire, table.c.uai, table.c.mef_stat_11, table.c.effectif),
    )
    return frame.group_by("uai", "mef_stat_11", "rentree_scolaire").agg(pl.col("effectif").sum())


def _attach_students(offres: pl.DataFrame, students: pl.DataFrame) -> pl.DataFrame:
    """The pupils of each school offer, from the constat of its rentrée when loaded, else the
    latest earlier one (``rentree_effectif`` says which, ``ecart_rentree`` how many years apart).

    The constat counts pupils under statut scolaire: an apprenticeship offer's pupils are unknown
    (null), never those of the school offer of the same UAI × MEF. Offers of one UAI × MEF ×
    source × year × statut (sections) share its pupils in proportion to their places, so that
    pupils are counted once. An offer whose pupils exceed ``FILL_RATE_MAX`` × its places is marked
    ``remplissage_incoherent``: the two counts do not describe the same thing.
    """
    group = ["source", "annee", "uai", "mef_stat_11", "statut"]
    school = (pl.col("statut") == "scolaire") & ~pl.col("a_distance")
    if students.is_empty():
        return offres.with_columns(
            pl.lit(None, pl.Float64).alias("effectif"),
            pl.lit(None, pl.Int64).alias("rentree_effectif"),
            pl.lit(None, pl.Int64).alias("ecart_rentree"),
            pl.lit(False).alias("remplissage_incoherent"),
        )
    latest = (
        offres.select("uai", "mef_stat_11", "annee")
        .unique()
        .join(students, on=["uai", "mef_stat_11"], how="inner")
        .filter(pl.col("rentree_scolaire") <= pl.col("annee").fill_null(9999))
        .sort("rentree_scolaire")
        .group_by("uai", "mef_stat_11", "annee")
        .agg(
            pl.col("effectif").last().alias("_eleves"),
            pl.col("rentree_scolaire").last().alias("rentree_effectif"),
        )
    )
    joined = offres.join(latest, on=["uai", "mef_stat_11", "annee"], how="left", nulls_equal=True)
    pupils = pl.when(school).then(pl.col("_eleves"))
    places = pl.col("capacite").sum().over(group)
    all_known = pl.col("capacite").is_not_null().all().over(group)
    sections = pl.len().over(group)
    share = (
        pl.when(sections == 1)
        .then(pl.lit(1.0))
        .when(all_known & (places > 0))
        .then(pl.col("capacite") / places)
        .otherwise(1.0 / sections)
    )
    return (
        joined.with_columns((pupils * share).alias("effectif"))
        .with_columns(
            pl.when(school).then(pl.col("rentree_effectif")).alias("rentree_effectif"),
            pl.when(school & pl.col("_eleves").is_not_null())
            .then(pl.col("annee") - pl.col("rentree_effectif"))
            .alias("ecart_rentree"),
            # Sharing in proportion to places, an offer's rate is that of its group.
            (ratio(pl.col("effectif"), pl.col("capacite")) > rules.FILL_RATE_MAX)
            .fill_null(False)
            .alias("remplissage_incoherent"),
        )
        .drop("_eleves")
    )


def _famille_trades(conn: sa.Connection, cfd_trades: pl.DataFrame) -> pl.DataFrame:
    """A 2nde commune has no trade of its own: it takes the most frequent FAP 2021 among the
    primary trades of its famille's specialities (ties: the smallest code)."""
    table = DATASET_TABLES["familles_metiers_specialites"]
    links = _read(conn, sa.select(table.c.mef_stat_11_commun, table.c.cfd_specialite).distinct())
    if links.is_empty():
        return pl.DataFrame(
            schema={"mef_stat_11": pl.String, **{c: pl.String for c in TRADE_COLUMNS}}
        )
    chosen = (
        links.join(cfd_trades, left_on="cfd_specialite", right_on="cfd", how="inner")
        .filter(pl.col("fap2021").is_not_null())
        .group_by("mef_stat_11_commun", *TRADE_COLUMNS)
        .len()
        .sort(["mef_stat_11_commun", "len", "fap2021"], descending=[False, True, False])
        .unique("mef_stat_11_commun", keep="first")
    )
    return chosen.select(pl.col("mef_stat_11_commun").alias("mef_stat_11"), *TRADE_COLUMNS)


def _speciality_cfds(conn: sa.Connection) -> pl.DataFrame:
    """2nde commune MEF STAT 11 → the CFDs of its famille's specialities: a 2nde commune has
    no leavers of its own, so its insertion is that of the specialities it leads to."""
    table = DATASET_TABLES["familles_metiers_specialites"]
    links = _read(conn, sa.select(table.c.mef_stat_11_commun, table.c.cfd_specialite).distinct())
    return links.group_by(pl.col("mef_stat_11_commun").alias("mef_stat_11")).agg(
        pl.col("cfd_specialite").drop_nulls().unique().sort().alias("cfds_specialites")
    )


def palier_expr() -> pl.Expr:
    """The palier of an offer (``rules.Palier``) from its source, level and year of the cycle."""
    cycle = pl.col("annee_cycle")
    return (
        pl.when(pl.col("source") == "parcoursup")
        .then(pl.lit(rules.Palier.BTS.value))
        .when(cycle == 1)
        .then(pl.lit(rules.Palier.ENTREE.value))
        .when((cycle == 2) & (pl.col("niveau") == "Bac pro"))
        .then(pl.lit(rules.Palier.PREMIERE_PRO.value))
        .otherwise(pl.lit(rules.Palier.AUTRE.value))
    )


SHARE_BASES = ("académie", "région", "France", "parts égales")
"""Where the speciality shares of a 2nde commune come from, in order of preference."""


def _successors(conn: sa.Connection) -> pl.DataFrame:
    """cfd → successeur: each diploma the BCN says replaces a CFD (``NOUVEAU_DIPLOME_1…7``)."""
    table = DATASET_TABLES["bcn_formations"]
    names = [f"nouveau_diplome_{n}" for n in range(1, 8)]
    frame = _read(conn, sa.select(table.c.cfd, *(table.c[n] for n in names)))
    return (
        frame.unpivot(index="cfd", on=names, value_name="successeur")
        .drop_nulls("successeur")
        .select("cfd", "successeur")
        .unique()
    )


def _as_specialities(
    first: pl.DataFrame, links: pl.DataFrame, successors: pl.DataFrame
) -> pl.DataFrame:
    """The 1re pro offers' first wishes by the speciality they stand for: a CFD the BCN says was
    replaced by specialities of a famille (MEI 40025007 → MSPC 40025012) counts for them, its
    wishes shared equally among them, when it is not itself a speciality."""
    specialities = links.get_column("cfd_specialite").drop_nulls().unique().implode()
    replaced = (
        successors.filter(
            pl.col("successeur").is_in(specialities) & ~pl.col("cfd").is_in(specialities)
        )
        .with_columns((1.0 / pl.len().over("cfd")).alias("_part"))
        .rename({"cfd": "cfd_metier"})
    )
    return (
        first.join(replaced, on="cfd_metier", how="left")
        .with_columns(
            pl.coalesce("successeur", "cfd_metier").alias("cfd_metier"),
            pl.col("demandes_voeux_1") * pl.col("_part").fill_null(1.0),
        )
        .drop("successeur", "_part")
    )


def _speciality_shares(
    offres: pl.DataFrame, links: pl.DataFrame, successors: pl.DataFrame
) -> pl.DataFrame:
    """Each 2nde commune offer (``id_offre``) over its famille's specialities: ``id_offre``,
    ``cfd_metier``, ``part_specialite`` (summing to 1 per offer), ``base_part`` — in proportion
    to the first wishes of the specialities' 1re pro offers of the same year (those of a CFD
    they replace included, :func:`_as_specialities`) in the offer's académie, else its région,
    else France, else in equal parts (:data:`SHARE_BASES`)."""
    communes = offres.filter(pl.col("seconde_commune")).select(
        "id_offre", "annee", "code_academie", "code_region", "mef_stat_11"
    )
    pairs = communes.join(
        links.select(
            pl.col("mef_stat_11_commun").alias("mef_stat_11"),
            pl.col("cfd_specialite").alias("cfd_metier"),
        ).drop_nulls(),
        on="mef_stat_11",
        how="inner",
    )
    first = offres.filter(pl.col("palier") == rules.Palier.PREMIERE_PRO.value).select(
        "annee",
        "code_academie",
        "code_region",
        pl.col("cfd").alias("cfd_metier"),
        pl.col("demandes_voeux_1").fill_null(0).cast(pl.Float64),
    )
    first = _as_specialities(first, links, successors)
    levels = (
        ("aca", ["annee", "code_academie"]),
        ("reg", ["annee", "code_region"]),
        ("fr", ["annee"]),
    )
    for name, keys in levels:
        wishes = first.group_by(*keys, "cfd_metier").agg(
            pl.col("demandes_voeux_1").sum().alias(f"_v_{name}")
        )
        pairs = (
            pairs.join(wishes, on=[*keys, "cfd_metier"], how="left")
            .with_columns(pl.col(f"_v_{name}").fill_null(0))
            .with_columns(pl.col(f"_v_{name}").sum().over("id_offre").alias(f"_t_{name}"))
        )
    aca, reg, fr = (pl.col(f"_t_{n}") > 0 for n in ("aca", "reg", "fr"))
    share = (
        pl.when(aca)
        .then(pl.col("_v_aca") / pl.col("_t_aca"))
        .when(reg)
        .then(pl.col("_v_reg") / pl.col("_t_reg"))
        .when(fr)
        .then(pl.col("_v_fr") / pl.col("_t_fr"))
    )
    base = (
        pl.when(aca)
        .then(pl.lit(SHARE_BASES[0]))
        .when(reg)
        .then(pl.lit(SHARE_BASES[1]))
        .when(fr)
        .then(pl.lit(SHARE_BASES[2]))
    )
    equal = 1.0 / pl.len().over("id_offre").cast(pl.Float64)
    return pairs.select(
        "id_offre",
        "cfd_metier",
        share.otherwise(equal).alias("part_specialite"),
        base.otherwise(pl.lit(SHARE_BASES[3])).alias("base_part"),
    )


METIER_COLUMNS = (
    "id_offre",
    "cfd_metier",
    "part_specialite",
    "base_part",
    "code_rome",
    "fap2021",
    "fap86",
    "fap22",
    "poids_metier",
    "poids",
    "industrie",
)
"""The columns of ``Facts.metiers``: one row per offer × trade it is spread over."""


def _trades_as_weights(
    conn: sa.Connection,
    offres: pl.DataFrame,
    perimeter: Perimeter,
    formation: pl.DataFrame,
    weights: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``offres`` with ``part_industrie`` (the weight of its trades inside the perimeter) and
    ``industrie`` (that share is positive), and the offers spread over their trades (a long
    frame of :data:`METIER_COLUMNS`: the trades of each offer's formation — of its famille's
    specialities for a 2nde commune —, ``poids`` summing to 1 per offer)."""
    table = DATASET_TABLES["familles_metiers_specialites"]
    links = _read(conn, sa.select(table.c.mef_stat_11_commun, table.c.cfd_specialite).distinct())
    shares = _speciality_shares(offres, links, _successors(conn))
    own = offres.filter(~pl.col("id_offre").is_in(shares["id_offre"].implode())).select(
        "id_offre",
        pl.col("cfd").alias("cfd_metier"),
        pl.lit(1.0).alias("part_specialite"),
        pl.lit(None, pl.String).alias("base_part"),
    )
    nsf = (
        formation.select(pl.col("cfd").alias("cfd_metier"), "groupe_nsf")
        .drop_nulls("cfd_metier")
        .unique("cfd_metier", keep="first")
    )
    by_cfd = weights.select(
        pl.col("cfd").alias("cfd_metier"),
        "code_rome",
        "fap2021",
        "fap86",
        "fap22",
        pl.col("poids").alias("poids_metier"),
    )
    metiers = (
        pl.concat([own, shares], how="vertical_relaxed")
        .join(by_cfd, on="cfd_metier", how="left")
        .join(nsf, on="cfd_metier", how="left")
        .with_columns(pl.col("poids_metier").fill_null(1.0))
        .with_columns((pl.col("part_specialite") * pl.col("poids_metier")).alias("poids"))
    )
    # The perimeter's rule, on each distinct speciality group × trade (a few thousand), not on
    # each of the hundreds of thousands of offer × trade rows.
    codes = ["groupe_nsf", "code_rome", "fap2021"]
    rule = (
        metiers.select(codes)
        .unique()
        .with_columns(perimeter.entry_expr().fill_null(False).alias("industrie"))
    )
    metiers = (
        metiers.join(rule, on=codes, how="left", nulls_equal=True)
        .select(METIER_COLUMNS)
        .sort("id_offre", "cfd_metier", "fap2021", nulls_last=True)
    )
    inside = metiers.group_by("id_offre").agg(
        pl.col("poids").filter(pl.col("industrie")).sum().alias("part_industrie")
    )
    offres = offres.join(inside, on="id_offre", how="left").with_columns(
        pl.col("part_industrie").fill_null(0.0),
        (pl.col("part_industrie") > 0).fill_null(False).alias("industrie"),
    )
    return offres, metiers


def build_offres(
    conn: sa.Connection,
    etablissements: pl.DataFrame,
    perimeter: Perimeter,
    formation: pl.DataFrame,
    cfd_trades: pl.DataFrame,
    trade_weights: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The offers (``id_offre`` numbers them) and, with ``trade_weights``, the offers spread
    over their trades (``Facts.metiers``)."""
    offres = pl.concat([_affelnet(conn), _parcoursup(conn)], how="vertical_relaxed")
    offres = _attach_students(offres, _students(conn))
    offres = offres.join(formation.rename({"annee": "annee_cycle"}), on="mef_stat_11", how="left")
    by_cfd = offres.join(cfd_trades.select("cfd", *TRADE_COLUMNS), on="cfd", how="left")
    commune_trades = _famille_trades(conn, cfd_trades).rename(
        {c: f"{c}_famille" for c in TRADE_COLUMNS}
    )
    offres = (
        by_cfd.join(commune_trades, on="mef_stat_11", how="left")
        .with_columns(pl.coalesce(c, f"{c}_famille").alias(c) for c in TRADE_COLUMNS)
        .drop(f"{c}_famille" for c in TRADE_COLUMNS)
        .join(_speciality_cfds(conn), on="mef_stat_11", how="left")
        .with_columns(
            pl.coalesce("cfds_specialites", pl.concat_list(pl.col("cfd"))).alias("cfds_insertion")
        )
        .drop("cfds_specialites")
    )
    places = etablissements.select(
        "uai",
        pl.col("nom").alias("etablissement"),
        "code_insee",
        "commune",
        "code_departement",
        "code_academie",
        "code_region",
        "bassin_bmo",
        "precision",
    )
    offres = offres.join(places, on="uai", how="left").with_columns(
        pl.col("niveau").fill_null(rules.NIVEAUX[-1]),
        pl.col("entree").fill_null(False),
        pl.col("seconde_commune").fill_null(False),
    )
    offres = offres.with_columns(
        palier_expr().alias("palier"), pl.int_range(pl.len(), dtype=pl.Int64).alias("id_offre")
    )
    if trade_weights is None:
        # One trade per offer, its primary chain (facts built without the weights).
        primary = offres.with_columns(
            perimeter.formation_expr().fill_null(False).alias("industrie")
        ).with_columns(pl.col("industrie").cast(pl.Float64).alias("part_industrie"))
        return primary, None
    return _trades_as_weights(conn, offres, perimeter, formation, trade_weights)


def build_recrutement(
    conn: sa.Connection, departements: pl.DataFrame, perimeter: Perimeter
) -> pl.DataFrame:
    frame = _with_millesime(
        conn,
        "bmo",
        "annee",
        "fap2021",
        "code_region",
        "code_departement",
        "bassin_bmo",
        "bassin",
        "projets",
        "projets_difficiles",
        "projets_secret",
        "projets_difficiles_secret",
    ).drop("millesime")
    if frame.is_empty():
        return frame
    # A secret cell (« * ») is no count: it stays null, flagged, never read as 0.
    frame = frame.with_columns(
        pl.col(f"{c}_secret").fill_null(False) for c in ("projets", "projets_difficiles")
    )
    frame = frame.filter(pl.col("annee") == pl.col("annee").max())
    families = trades.bmo_trades(conn).select(
        "fap2021", "fap86", "libelle_fap86", "fap22", "libelle_fap22"
    )
    academies = departements.select("code_departement", "code_academie")
    return (
        frame.with_columns(_departement_code())
        .join(families, on="fap2021", how="left")
        .join(academies, on="code_departement", how="left")
        .with_columns(perimeter.fap2021_expr().fill_null(False).alias("industrie"))
        .rename({"annee": "annee_bmo"})
    )


def build_tension(conn: sa.Connection, perimeter: Perimeter, bridge: FapBridge) -> pl.DataFrame:
    table = DATASET_TABLES["dares_tensions"]
    frame = _read(
        conn,
        sa.select(
            table.c.fap2009,
            table.c.annee,
            table.c.niveau_geo,
            table.c.niveau_fap,
            table.c.code_region,
            table.c.code_departement,
            table.c.tension,
            table.c.categorie_tension,
            table.c.emploi_moyen,
        ),
    )
    if frame.is_empty():
        return frame
    families = trades.bmo_trades(conn).select("fap2021", "fap86", "fap22")
    return (
        frame.filter(
            (pl.col("annee") == pl.col("annee").max()) & pl.col("niveau_fap").str.contains("225")
        )
        .with_columns(_departement_code())
        # BMO's families are keyed on the codes BMO uses (mostly the 228 level).
        .join(
            bridge.primary().select("fap2009", pl.col("code_bmo").alias("fap2021")),
            on="fap2009",
            how="inner",
        )
        .join(families, on="fap2021", how="left")
        .with_columns(perimeter.fap2021_expr().fill_null(False).alias("industrie"))
        .rename({"annee": "annee_tension"})
    )


def build_insertion(conn: sa.Connection, formation: pl.DataFrame) -> pl.DataFrame:
    """InserJeunes counts per région × CFD × voie, latest millésime of each voie."""
    table = DATASET_TABLES["inserjeunes_regions"]
    frame = _read(
        conn,
        sa.select(
            table.c.millesime,
            table.c.code_region,
            table.c.voie,
            table.c.cfd,
            table.c.mef_stat_11,
            table.c.nb_annee_term,
            table.c.nb_sortant,
            table.c.nb_en_emploi_6_mois,
            table.c.nb_poursuite_etudes,
        ),
    )
    if frame.is_empty():
        return frame
    mef_cfd = formation.select("mef_stat_11", pl.col("cfd").alias("cfd_mef"))
    counts = ["nb_annee_term", "nb_sortant", "nb_en_emploi_6_mois", "nb_poursuite_etudes"]
    return (
        frame.join(mef_cfd, on="mef_stat_11", how="left")
        .with_columns(pl.coalesce("cfd", "cfd_mef").alias("cfd"))
        .filter(pl.col("cfd").is_not_null())
        .filter(pl.col("millesime") == pl.col("millesime").max().over("voie"))
        .with_columns(pl.col("millesime").str.replace_all("_", "-"))
        .group_by("code_region", "cfd", "voie", "millesime")
        .agg(pl.col(c).sum() for c in counts)
    )


def build_facts(
    conn: sa.Connection,
    perimeter: Perimeter,
    fingerprint: str = "",
    referentials: Referentials | None = None,
) -> Facts:
    """Every frame of the diagnostic, from what the store holds now (and ``referentials``, built
    from it when not given)."""
    refs = referentials if referentials is not None else build_referentials(conn)
    offres, metiers = build_offres(
        conn,
        refs.etablissements,
        perimeter,
        refs.formations,
        refs.cfd_trades,
        refs.cfd_trade_weights,
    )
    families = refs.cfd_trade_weights.select(
        "fap2021", "fap86", "libelle_fap86", "fap22", "libelle_fap22"
    )
    return Facts(
        offres=offres,
        metiers=metiers,
        familles_fap=families.drop_nulls("fap2021").unique("fap2021").sort("fap2021"),
        recrutement=build_recrutement(conn, refs.departements, perimeter),
        tension=build_tension(conn, perimeter, refs.bridge),
        insertion=build_insertion(conn, refs.formations),
        territoires=all_territories(conn, refs.communes),
        etablissements=refs.etablissements,
        fingerprint=fingerprint,
        passerelle=refs.bridge.coverage,
    )


def store_fingerprint(conn: sa.Connection) -> str:
    """Changes whenever a file is loaded, replaced or removed: the sha256 of the loaded files
    (``0:…`` when none is), see :func:`~tremplin.store.derived.files_fingerprint`."""
    return files_fingerprint(conn)


_FRAMES = (
    "offres",
    "metiers",
    "familles_fap",
    "recrutement",
    "tension",
    "insertion",
    "territoires",
    "etablissements",
)
_NAMES = tuple(f"faits.{name}" for name in (*_FRAMES, "passerelle"))


def _facts_frames(facts: Facts) -> dict[str, pl.DataFrame]:
    frames = {
        f"faits.{name}": found if (found := getattr(facts, name)) is not None else pl.DataFrame()
        for name in _FRAMES
    }
    coverage = [dataclasses.asdict(facts.passerelle)] if facts.passerelle is not None else []
    frames["faits.passerelle"] = pl.DataFrame(coverage)
    return frames


def stored_facts(conn: sa.Connection, perimeter: Perimeter, files: str | None = None) -> Facts:
    """The facts of the store for ``perimeter``, read from the store when they were built from
    the same loaded files (``files``: their fingerprint, read when None), the same perimeter and
    the same version of this code; built from the stored referentials and stored otherwise."""
    files = files if files is not None else files_fingerprint(conn)
    key = derived.fingerprint(files, repr((perimeter.nom, perimeter.groupes)), FACTS_VERSION)

    def build() -> dict[str, pl.DataFrame]:
        return _facts_frames(build_facts(conn, perimeter, files, referentials(conn, files)))

    frames = cached_frames(conn, _NAMES, key, build)
    coverage = frames["faits.passerelle"]
    for optional in ("faits.metiers", "faits.familles_fap"):
        if not frames[optional].width:
            frames[optional] = None  # type: ignore[assignment]
    return Facts(
        **{name: frames[f"faits.{name}"] for name in _FRAMES},  # type: ignore[arg-type]
        fingerprint=files,
        passerelle=BridgeCoverage(**coverage.row(0, named=True)) if coverage.height else None,
        key=key,
    )


def _no_progress(_message: str, _done: int, _total: int) -> None:
    pass


def build_derived(
    engine: sa.Engine,
    perimeter: Perimeter,
    progress: Callable[[str, int, int], None] = _no_progress,
) -> Facts:
    """Build and store, if they are not yet, the referentials and the facts of the files loaded
    in the store (what :func:`stored_facts` reads), telling ``progress`` (message, steps done,
    steps) how far it is."""
    with engine.connect() as conn:
        files = files_fingerprint(conn)
        progress("Référentiels : établissements, formations, métiers, passerelle FAP", 0, 2)
        referentials(conn, files)
        progress("Faits du diagnostic", 1, 2)
        facts = stored_facts(conn, perimeter, files)
        progress("Données dérivées enregistrées", 2, 2)
        return facts


class FactsCache:
    """The facts of one store, kept in memory until its fingerprint changes, read from the store
    (built there once per set of loaded files) otherwise (thread-safe)."""

    def __init__(self, engine: sa.Engine, perimeter: Perimeter) -> None:
        self._engine = engine
        self._perimeter = perimeter
        self._facts: Facts | None = None
        self._lock = threading.Lock()

    def get(self) -> Facts:
        with self._engine.connect() as conn:
            fingerprint = store_fingerprint(conn)
            if self._facts is not None and self._facts.fingerprint == fingerprint:
                return self._facts
            with self._lock:
                if self._facts is None or self._facts.fingerprint != fingerprint:
                    self._facts = stored_facts(conn, self._perimeter, fingerprint)
                return self._facts
