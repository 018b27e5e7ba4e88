"""The impact of a list of changes to the carte, at once (without simulation).

A change is an offer (UAI × MEF STAT 11 × statut) with its places before and after — what a
campaign's validated requests or a scenario give. :func:`impact` returns:

- ``offres``: each change with its demand (Affelnet first wishes; Parcoursup confirmed wishes in
  pupils, see :mod:`~tremplin.planning.carte`) and its pressure before and after (a new offer:
  the pressure of its formation in the territory, flagged ``pression_estimee``);
- ``groupes``: per département × FAP 22 domain the offers' places spread over their trades
  (``Facts.metiers``: weights summing to 1 per offer), before and after, against the BMO 2024
  recruitment projects of that domain (secret cells left out) — places per 100 projects;
- beside BMO in each group, ``besoins_declares``: the people companies still want in that
  département × domain (open declared needs, ``declared_needs``, FAP 2021 → FAP 22),
  None where no need is declared (« aucun besoin déclaré », never 0);
- ``totaux``: places before and after, and the places of the industrial perimeter.

**Every year of a formation.** The carte holds entry years only. A change on another year (1re
pro, terminale, 2nd year of CAP or BTS) finds its offer, when :func:`prepared` is given the
store, in :func:`other_years`: the 1re professionnelle offers of Affelnet's
``affelnet1PROspe.csv`` (places: *capacité d'affectation*; demand: its first wishes, so a
pressure), else the pupils of the latest constat de rentrée per UAI × MEF (places: the pupils
enrolled; no demand is known for those years: the pressure is « sans objet »,
``pression_sans_objet``). Each offer says where its places come from (``source``,
``millesime``). Its places are spread over the trades of its diploma (CFD, the weights
``Facts.metiers`` gives that diploma's entry year), so that a 1re pro change moves the places of
its trade groups against BMO and declared needs like an entry-year one.

Everything but the changes is prepared once per territory (:func:`prepared`, memoised with the
facts), so that an edit is recomputed in milliseconds (``benchmarks/planning.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import sqlalchemy as sa

from tremplin.diagnostic.facts import Facts
from tremplin.errors import InputError
from tremplin.planning.carte import Carte, carte, territory_column
from tremplin.referentials.formations import formations
from tremplin.scenarios.scenario_comparison import stored_premiere_offers
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store.frames import read_query
from tremplin.store.provenance import list_loaded_files

__all__ = [
    "OTHER_YEARS_VERSION",
    "ChangeOfPlaces",
    "Prepared",
    "changes_from",
    "declared_by_group",
    "impact",
    "other_years",
    "prepared",
]

OTHER_YEARS_VERSION = "1"
"""Bump when what :func:`other_years` or the diplomas' weights keep changes (memoised under it)."""

OTHER_SCHEMA = {
    "uai": pl.String,
    "mef_stat_11": pl.String,
    "statut": pl.String,
    "cfd": pl.String,
    "libelle": pl.String,
    "etablissement": pl.String,
    "commune": pl.String,
    "code_departement": pl.String,
    "capacite": pl.Int64,
    "demande": pl.Float64,
    "source": pl.String,
    "fichier": pl.String,
    "millesime": pl.String,
}
CFD_WEIGHTS_SCHEMA = {
    "cfd": pl.String,
    "fap22": pl.String,
    "poids": pl.Float64,
    "industrie": pl.Boolean,
}

DECLARED_SCHEMA = {"code_departement": pl.String, "fap22": pl.String, "besoins_declares": pl.Int64}


def declared_by_group(declared: pl.DataFrame | None, families: pl.DataFrame | None) -> pl.DataFrame:
    """The people still wanted by companies' open declared needs (``declared_needs``' frame:
    ``fap2021``, ``code_departement``, ``personnes``) per département × FAP 22 domain, through
    ``families`` (``Facts.familles_fap``: fap2021 → fap22, the chain the carte's trades use)."""
    if declared is None or declared.is_empty() or families is None or families.is_empty():
        return pl.DataFrame(schema=DECLARED_SCHEMA)
    return (
        declared.drop_nulls("fap2021")
        .join(families.select("fap2021", "fap22").unique("fap2021"), on="fap2021", how="inner")
        .group_by("code_departement", "fap22")
        .agg(pl.col("personnes").sum().cast(pl.Int64).alias("besoins_declares"))
    )


@dataclass(frozen=True)
class ChangeOfPlaces:
    uai: str
    mef_stat_11: str
    places_apres: int
    statut: str = "scolaire"
    places_avant: int | None = None  # None: the carte's places


def changes_from(items: Iterable[Mapping[str, Any]]) -> list[ChangeOfPlaces]:
    """Changes from JSON objects; raises :class:`InputError` naming the field at fault."""
    out = []
    for n, item in enumerate(items, start=1):
        where = f"changements[{n}]"
        if not isinstance(item, Mapping):
            raise InputError(f"changement n° {n} : un objet est attendu", where=[where])
        uai, mef = (
            str(item.get("uai") or "").strip().upper(),
            str(item.get("mef_stat_11") or "").strip(),
        )
        if not uai or not mef:
            raise InputError(
                f"changement n° {n} : « uai » et « mef_stat_11 » sont obligatoires",
                where=[where],
                expected="{uai, mef_stat_11, places_apres}",
            )
        values: dict[str, int | None] = {}
        for name in ("places_apres", "places_avant"):
            value = item.get(name)
            if value is None and name == "places_avant":
                values[name] = None
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InputError(
                    f"changement n° {n} : « {name} » doit être un entier positif ou nul",
                    where=[f"{where}.{name}"],
                    expected="un entier ≥ 0",
                )
            values[name] = value
        statut = str(item.get("statut") or "scolaire")
        if statut not in {"scolaire", "apprentissage"}:
            raise InputError(
                f"changement n° {n} : statut « {statut} » inconnu",
                where=[f"{where}.statut"],
                expected="scolaire ou apprentissage",
            )
        after = values["places_apres"]
        assert after is not None
        out.append(ChangeOfPlaces(uai, mef, after, statut, values["places_avant"]))
    if not out:
        raise InputError(
            "aucun changement", where=["changements"], expected="au moins un changement"
        )
    return out


def _territory_places(facts: Facts) -> pl.DataFrame:
    return facts.etablissements.select(
        "uai",
        pl.col("nom").alias("etablissement_ref"),
        pl.col("commune").alias("commune_ref"),
        "code_departement",
        "code_academie",
        "code_region",
    ).unique("uai")


def _newest_file(conn: sa.Connection, dataset: str) -> tuple[str | None, str | None]:
    """The name and millésime of the newest loaded file of ``dataset`` (None, None: none)."""
    files = sorted(
        (f for f in list_loaded_files(conn) if f.dataset == dataset),
        key=lambda f: (f.millesime or "", f.id),
    )
    return (files[-1].file_name, files[-1].millesime) if files else (None, None)


def other_years(conn: sa.Connection, facts: Facts, territoire: str) -> pl.DataFrame:
    """The offers of ``territoire`` the carte does not hold, one row per UAI × MEF × statut
    (:data:`OTHER_SCHEMA`): Affelnet's 1re professionnelle offers (places and first wishes),
    then, for the MEF they lack, the pupils of the latest constat de rentrée (places: the
    pupils; demand unknown). Entry-year MEF of the carte are left out."""
    column, code = territory_column(territoire)
    labels = formations(conn).select(
        "mef_stat_11",
        pl.col("cfd").alias("cfd_mef"),
        pl.coalesce("libelle_formation", "libelle_mef").alias("libelle_mef_bcn"),
    )
    places = _territory_places(facts)
    premiere = stored_premiere_offers(conn, facts)
    premiere_file, premiere_year = _newest_file(conn, "affelnet_1pro")
    constat_file, _ = _newest_file(conn, "constat")
    first = (
        premiere.filter(pl.col(column) == code)
        .drop_nulls("mef_stat_11")
        .group_by("uai", "mef_stat_11")
        .agg(
            pl.col("capacite").sum().cast(pl.Int64),
            pl.col("demandes_voeux_1").sum().cast(pl.Float64).alias("demande"),
            pl.col("libelle").first(),
            pl.col("etablissement").first(),
            pl.col("commune").first(),
            pl.col("code_departement").first(),
        )
        .with_columns(
            pl.lit("scolaire").alias("statut"),
            pl.lit("affelnet_1re_pro").alias("source"),
            pl.lit(premiere_file, pl.String).alias("fichier"),
            pl.lit(premiere_year, pl.String).alias("millesime"),
        )
    )
    table = DATASET_TABLES["constat"]
    constat = read_query(
        conn,
        sa.select(table.c.rentree_scolaire, table.c.uai, table.c.mef_stat_11, table.c.effectif),
    )
    if constat.is_empty():
        enrolled = pl.DataFrame(schema=OTHER_SCHEMA)
    else:
        enrolled = (
            constat.drop_nulls("effectif")
            .filter(pl.col("rentree_scolaire") == pl.col("rentree_scolaire").max())
            .group_by("uai", "mef_stat_11")
            .agg(
                pl.col("effectif").sum().cast(pl.Int64).alias("capacite"),
                pl.col("rentree_scolaire").first(),
            )
            .join(places, on="uai", how="inner")
            .filter(pl.col(column) == code)
            .select(
                "uai",
                "mef_stat_11",
                pl.lit("scolaire").alias("statut"),
                pl.lit(None, pl.String).alias("cfd"),
                pl.lit(None, pl.String).alias("libelle"),
                pl.col("etablissement_ref").alias("etablissement"),
                pl.col("commune_ref").alias("commune"),
                "code_departement",
                "capacite",
                pl.lit(None, pl.Float64).alias("demande"),
                pl.lit("constat").alias("source"),
                pl.lit(constat_file, pl.String).alias("fichier"),
                pl.col("rentree_scolaire").cast(pl.String).alias("millesime"),
            )
        )
    first = first.with_columns(pl.lit(None, pl.String).alias("cfd")).select(list(OTHER_SCHEMA))
    entry = carte(facts, territoire).offres.select("mef_stat_11").unique()
    both = pl.concat(
        [
            first,
            enrolled.join(
                first.select("uai", "mef_stat_11"), on=["uai", "mef_stat_11"], how="anti"
            ),
        ],
        how="vertical_relaxed",
    )
    return (
        both.join(entry, on="mef_stat_11", how="anti")
        .join(labels, on="mef_stat_11", how="left")
        .with_columns(
            pl.coalesce("cfd", "cfd_mef").alias("cfd"),
            pl.coalesce("libelle", "libelle_mef_bcn").alias("libelle"),
        )
        .select(list(OTHER_SCHEMA))
        .sort("uai", "mef_stat_11")
    )


def cfd_weights(facts: Facts) -> pl.DataFrame:
    """Each diploma (CFD) spread over its FAP 22 domains (weights summing to 1, a domain-less
    trade's share left out as for the carte's offers): the trades ``Facts.metiers`` gives the
    first offer of that diploma (:data:`CFD_WEIGHTS_SCHEMA`)."""
    m = facts.metiers
    if m is None or m.is_empty():
        return pl.DataFrame(schema=CFD_WEIGHTS_SCHEMA)
    m = m.drop_nulls("cfd_metier").with_columns(pl.col("poids_metier").alias("poids_cfd"))
    first = m.group_by("cfd_metier").agg(pl.col("id_offre").min())
    return (
        m.join(first, on=["cfd_metier", "id_offre"])
        .with_columns(pl.col("poids_cfd") / pl.col("poids_cfd").sum().over("cfd_metier"))
        .drop_nulls("fap22")
        .group_by(pl.col("cfd_metier").alias("cfd"), "fap22")
        .agg(pl.col("poids_cfd").sum().alias("poids"), pl.col("industrie").any())
        .select(list(CFD_WEIGHTS_SCHEMA))
    )


@dataclass(frozen=True, eq=False)
class Prepared:
    carte: Carte
    weights: pl.DataFrame  # offre, code_departement, fap22, poids, industrie
    formation_weights: pl.DataFrame  # mef_stat_11, fap22, poids, industrie (per place)
    groups: pl.DataFrame  # code_departement, fap22, places, projets
    formation_pressure: pl.DataFrame  # mef_stat_11, statut, pression
    # The offers of the other years (:func:`other_years`, empty without the store) and the
    # diplomas' weights (:func:`cfd_weights`).
    others: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=OTHER_SCHEMA))
    diploma_weights: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=CFD_WEIGHTS_SCHEMA)
    )
    # MEF STAT 11 → CFD (the BCN's with the store, else the facts' offers').
    mef_cfd: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"mef_stat_11": pl.String, "cfd_bcn": pl.String}
        )
    )


def prepared(facts: Facts, territoire: str, conn: sa.Connection | None = None) -> Prepared:
    """What :func:`impact` needs for ``territoire``, computed once (memoised with the facts).
    With ``conn`` (the store the facts come from), the offers of every year of a formation."""
    k = carte(facts, territoire)
    key = ("planning.impact", territoire)

    def weights() -> pl.DataFrame:
        return (
            k.metiers.join(k.libelles_fap.select("fap86", "fap22"), on="fap86", how="left")
            .drop_nulls("fap22")
            .group_by("offre", "code_departement", "fap22")
            .agg(pl.col("poids").sum(), pl.col("industrie").any())
        )

    w = facts.memoised((*key, "poids"), weights)

    def formation_weights() -> pl.DataFrame:
        first = k.offres.group_by("mef_stat_11").agg(pl.col("offre").first())
        return (
            w.join(first, on="offre")
            .group_by("mef_stat_11", "fap22")
            .agg(pl.col("poids").sum(), pl.col("industrie").any())
        )

    def groups() -> pl.DataFrame:
        placed = (
            w.join(k.offres.select("offre", "capacite"), on="offre")
            .group_by("code_departement", "fap22")
            .agg((pl.col("poids") * pl.col("capacite")).sum().alias("places"))
        )
        needs = (
            k.besoins.join(k.libelles_fap.select("fap86", "fap22"), on="fap86", how="left")
            .group_by("code_departement", "fap22")
            .agg(pl.col("projets").sum())
        )
        return placed.join(needs, on=["code_departement", "fap22"], how="full", coalesce=True)

    others = (
        facts.memoised(
            (*key, "autres_annees", OTHER_YEARS_VERSION),
            lambda: other_years(conn, facts, territoire),
        )
        if conn is not None
        else pl.DataFrame(schema=OTHER_SCHEMA)
    )

    def pressure() -> pl.DataFrame:
        offers = pl.concat(
            [
                k.offres.select("mef_stat_11", "statut", "demande", "capacite", "libelle"),
                others.select("mef_stat_11", "statut", "demande", "capacite", "libelle"),
            ],
            how="vertical_relaxed",
        )
        return offers.group_by("mef_stat_11", "statut").agg(
            pl.when(pl.col("demande").is_not_null().any())
            .then(pl.col("demande").sum() / pl.col("capacite").sum())
            .alias("pression_formation"),
            pl.col("libelle").first().alias("libelle_formation"),
        )

    return Prepared(
        carte=k,
        weights=w,
        formation_weights=facts.memoised((*key, "formations"), formation_weights),
        groups=facts.memoised((*key, "groupes"), groups),
        formation_pressure=facts.memoised(
            (*key, "pression", OTHER_YEARS_VERSION, conn is not None), pressure
        ),
        others=others,
        diploma_weights=facts.memoised(
            ("planning.impact", "diplomes", OTHER_YEARS_VERSION), lambda: cfd_weights(facts)
        ),
        mef_cfd=facts.memoised(
            ("planning.impact", "mef_cfd", OTHER_YEARS_VERSION, conn is not None),
            lambda: _mef_cfd(facts, conn),
        ),
    )


def _mef_cfd(facts: Facts, conn: sa.Connection | None) -> pl.DataFrame:
    frame = formations(conn) if conn is not None else facts.offres
    return (
        frame.select("mef_stat_11", pl.col("cfd").alias("cfd_bcn"))
        .drop_nulls()
        .unique("mef_stat_11", keep="first")
    )


def impact(
    p: Prepared, changes: Iterable[ChangeOfPlaces], declared: pl.DataFrame | None = None
) -> dict[str, Any]:
    """The impact of ``changes`` (see the module), as JSON; ``declared``: the open declared
    needs per département × domain (:func:`declared_by_group`) shown beside BMO."""
    rows = list(changes)
    if not rows:
        raise InputError("aucun changement", where=["changements"])
    asked = pl.DataFrame(
        {
            "n": list(range(len(rows))),
            "uai": [c.uai for c in rows],
            "mef_stat_11": [c.mef_stat_11 for c in rows],
            "statut": [c.statut for c in rows],
            "places_apres": [c.places_apres for c in rows],
            "places_avant_donnees": [c.places_avant for c in rows],
        },
        schema_overrides={"places_avant_donnees": pl.Int64, "places_apres": pl.Int64},
    )
    offers = p.carte.offres.select(
        "offre", "uai", "mef_stat_11", "statut", "libelle", "etablissement", "commune",
        "code_departement", "capacite", "demande", "source",
    )  # fmt: skip
    others = p.others.select(
        "uai", "mef_stat_11", "statut",
        *(pl.col(c).alias(f"{c}_autre") for c in (
            "cfd", "libelle", "etablissement", "commune", "code_departement", "capacite",
            "demande", "source", "fichier", "millesime",
        )),
    )  # fmt: skip
    found = (
        asked.join(offers, on=["uai", "mef_stat_11", "statut"], how="left")
        .join(others, on=["uai", "mef_stat_11", "statut"], how="left")
        .join(p.formation_pressure, on=["mef_stat_11", "statut"], how="left")
        .with_columns(
            (pl.col("offre").is_null() & pl.col("capacite_autre").is_not_null()).alias(
                "autre_annee"
            ),
        )
        .with_columns(
            pl.coalesce("places_avant_donnees", "capacite", "capacite_autre", pl.lit(0)).alias(
                "places_avant"
            ),
            *(
                pl.coalesce(c, f"{c}_autre").alias(c)
                for c in ("etablissement", "commune", "code_departement", "demande", "source")
            ),
            pl.coalesce("libelle", "libelle_autre", "libelle_formation").alias("libelle"),
            pl.col("fichier_autre").alias("fichier"),
            pl.col("millesime_autre").alias("millesime"),
        )
        .with_columns(
            (pl.col("places_apres") - pl.col("places_avant")).alias("ecart"),
            (pl.col("offre").is_null() & ~pl.col("autre_annee")).alias("nouvelle"),
        )
        .with_columns(
            (pl.col("demande") / pl.col("places_avant")).alias("pression_avant"),
            pl.when(pl.col("nouvelle"))
            .then(pl.col("pression_formation"))
            .otherwise(pl.col("demande") / pl.col("places_apres"))
            .alias("pression_apres"),
            (pl.col("nouvelle") & pl.col("pression_formation").is_not_null()).alias(
                "pression_estimee"
            ),
            # No demand is known for this year of the formation (constat only): said, not 0.
            (
                pl.col("autre_annee") & pl.col("demande").is_null()
                | pl.col("nouvelle") & pl.col("pression_formation").is_null()
            ).alias("pression_sans_objet"),
        )
        .sort("n")
    )
    known = found.filter(pl.col("offre").is_not_null()).select("n", "offre", "ecart")
    departement = pl.col("uai").str.slice(0, 3).str.strip_chars_start("0").str.zfill(2)
    by_mef = p.formation_weights.select("mef_stat_11").unique()
    new = found.filter(pl.col("nouvelle")).join(by_mef, on="mef_stat_11", how="semi")
    # Another year's offer, or a new offer of a formation the carte lacks: its diploma's trades.
    by_cfd = (
        found.filter(
            pl.col("autre_annee")
            | pl.col("nouvelle") & ~pl.col("mef_stat_11").is_in(by_mef["mef_stat_11"].implode())
        )
        .join(p.mef_cfd, on="mef_stat_11", how="left")
        .with_columns(pl.coalesce("cfd_autre", "cfd_bcn").alias("cfd"))
    )
    spread = pl.concat(
        [
            known.join(p.weights, on="offre").select(
                "n", "code_departement", "fap22", (pl.col("poids") * pl.col("ecart")).alias("delta")
            ),
            new.join(p.formation_weights, on="mef_stat_11").select(
                "n",
                departement.alias("code_departement"),
                "fap22",
                (pl.col("poids") * pl.col("ecart")).alias("delta"),
            ),
            by_cfd.join(p.diploma_weights, on="cfd").select(
                "n",
                pl.coalesce("code_departement", departement).alias("code_departement"),
                "fap22",
                (pl.col("poids") * pl.col("ecart")).alias("delta"),
            ),
        ]
    )
    shifts = spread.drop("n")
    # A change whose trades are unknown moves no group: said per offer, not hidden.
    found = found.with_columns(
        pl.col("n").is_in(spread.get_column("n").unique().implode()).alias("metiers_connus")
    )
    touched = shifts.group_by("code_departement", "fap22").agg(pl.col("delta").sum())
    groups = (
        touched.join(p.groups, on=["code_departement", "fap22"], how="left")
        .join(
            p.carte.libelles_fap.select("fap22", "libelle_fap22").unique("fap22"),
            on="fap22",
            how="left",
        )
        .join(
            declared if declared is not None else pl.DataFrame(schema=DECLARED_SCHEMA),
            on=["code_departement", "fap22"],
            how="left",
        )
        .with_columns(pl.col("places").fill_null(0.0).alias("places_avant"))
        .with_columns((pl.col("places_avant") + pl.col("delta")).alias("places_apres"))
        .with_columns(
            (100 * pl.col("places_avant") / pl.col("projets")).alias(
                "places_pour_100_projets_avant"
            ),
            (100 * pl.col("places_apres") / pl.col("projets")).alias(
                "places_pour_100_projets_apres"
            ),
        )
        .sort("code_departement", "fap22")
    )
    total_before = int(p.carte.offres.get_column("capacite").sum())
    delta = int(found.get_column("ecart").sum())
    industrial = p.carte.offres.filter(pl.col("industrie").fill_null(False))
    columns = [
        "uai", "mef_stat_11", "statut", "libelle", "etablissement", "commune", "places_avant",
        "places_apres", "demande", "pression_avant", "pression_apres", "pression_estimee",
        "nouvelle", "autre_annee", "pression_sans_objet", "source", "fichier", "millesime",
        "metiers_connus",
    ]  # fmt: skip
    return {
        "territoire": p.carte.territoire,
        "offres": found.select(columns).to_dicts(),
        "groupes": groups.select(
            "code_departement",
            "fap22",
            "libelle_fap22",
            "places_avant",
            "places_apres",
            "projets",
            "places_pour_100_projets_avant",
            "places_pour_100_projets_apres",
            "besoins_declares",
        ).to_dicts(),
        "totaux": {
            "places_avant": total_before,
            "places_apres": total_before + delta,
            "places_industrie_avant": int(industrial.get_column("capacite").sum()),
            "ecart": delta,
        },
    }
