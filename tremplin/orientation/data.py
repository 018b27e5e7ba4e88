"""What orientation pages read, computed once per set of loaded files and kept in the store.

:func:`orientation_data` gives an :class:`OrientationData` of frames derived from the
diagnostic's facts (offers, their trades as weights, BMO, establishments' places) and from a
few source tables (ROME fiches, appellations, ONISEP, InserJeunes, postal codes):

* ``metiers``: one row per ROME fiche: label, domain, transition flags (ROME and ONISEP), its
  ONISEP trade and link, its BMO family (FAP 2021, through the primary FAP 2009 and the
  bridge);
* ``appellations``: code_rome × appellation;
* ``formations``: one row per training a young person may ask for — an offer of the latest
  year of Affelnet (entry after 3e: 2nde pro, 1re année de CAP) or Parcoursup (BTS), with its
  establishment, place and coordinates, pressure, and the outcomes it shows
  (:mod:`tremplin.orientation.outcomes`), its pupils in their final year and its
  establishment's published contact data (:mod:`tremplin.orientation.final_year`);
* ``formation_metiers``: training × ROME code × weight (the diagnostic's weights: the share of
  that trade in what the formation leads to);
* ``communes``: INSEE code, name, postal codes, centroid, académie, région, bassin BMO, and
  the name as compared (``cle_nom``, :func:`name_key`).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TypeVar

import polars as pl
import sqlalchemy as sa

from tremplin.diagnostic.facts import Facts, stored_facts
from tremplin.orientation import final_year, outcomes
from tremplin.referentials import trades
from tremplin.referentials.derived import referentials
from tremplin.referentials.perimeter import Perimeter
from tremplin.sources.tables import DATASET_TABLES
from tremplin.store import derived
from tremplin.store.frames import read_query

T = TypeVar("T")

VERSION = "2"
"""Bump when a builder of this module changes what it gives: the stored frames are rebuilt."""

APRES_3E = "apres-3e"
APRES_BAC = "apres-bac"
NIVEAUX = {APRES_3E: "Après la 3e", APRES_BAC: "Après le bac"}
"""The levels a young person chooses from, and how they read."""

_PALIERS = {"entree": APRES_3E, "bts": APRES_BAC}


@dataclass(frozen=True)
class OrientationData:
    metiers: pl.DataFrame
    appellations: pl.DataFrame
    formations: pl.DataFrame
    formation_metiers: pl.DataFrame
    communes: pl.DataFrame
    recrutement: pl.DataFrame
    fingerprint: str = ""
    # What is derived from these frames and asked for at each request (the indexes of
    # trainings near me): computed once, kept as long as the frames.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def memoised(self, key: str, build: Callable[[], T]) -> T:
        """``build()``, computed once for these frames."""
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = build()
        return found  # type: ignore[return-value]


_NAMES = tuple(
    f"orientation.{f.name}"
    for f in fields(OrientationData)
    if f.name not in ("fingerprint", "memo")
)


def _column(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).str.strip_chars()


def _metiers(conn: sa.Connection, facts: Facts) -> pl.DataFrame:
    fiches = DATASET_TABLES["rome_fiches"]
    rome = read_query(
        conn,
        sa.select(
            fiches.c.code_rome,
            fiches.c.libelle_rome,
            fiches.c.transition_eco,
            fiches.c.transition_num,
            fiches.c.transition_demo,
        ),
    ).unique("code_rome")
    onisep_table = DATASET_TABLES["rome_onisep"]
    onisep = (
        read_query(
            conn,
            sa.select(
                onisep_table.c.code_rome,
                onisep_table.c.libelle_onisep,
                onisep_table.c.lien_onisep,
                onisep_table.c.transition_ecologique,
                onisep_table.c.transition_numerique,
            ),
        )
        .group_by("code_rome", maintain_order=True)
        .agg(
            pl.col("libelle_onisep").drop_nulls().alias("metiers_onisep"),
            pl.col("lien_onisep").drop_nulls().alias("liens_onisep"),
            (_column("transition_ecologique").is_in(["1", "Oui"])).any().alias("onisep_eco"),
            (_column("transition_numerique").is_in(["1", "Oui"])).any().alias("onisep_num"),
        )
    )
    domains = trades.rome_domains(conn).select(
        pl.col("domaine_rome").alias("code_domaine"),
        pl.col("libelle_domaine_rome").alias("libelle_domaine"),
    )
    bridge = referentials(conn, facts.fingerprint).bridge
    faps = (
        trades.rome_faps(conn)
        .filter(pl.col("is_primary"))
        .join(bridge.primary().select("fap2009", "code_bmo"), on="fap2009", how="inner")
        .select("code_rome", pl.col("code_bmo").alias("fap_bmo"))
    )
    bmo_labels = trades.bmo_trades(conn).select(
        pl.col("fap2021").alias("fap_bmo"), pl.col("metier").alias("libelle_fap_bmo")
    )
    return (
        rome.join(onisep, on="code_rome", how="left")
        .with_columns(pl.col("code_rome").str.slice(0, 3).alias("code_domaine"))
        .join(domains, on="code_domaine", how="left")
        .join(faps, on="code_rome", how="left")
        .join(bmo_labels, on="fap_bmo", how="left")
        .sort("code_rome")
    )


def _appellations(conn: sa.Connection) -> pl.DataFrame:
    table = DATASET_TABLES["rome_appellations"]
    return (
        read_query(conn, sa.select(table.c.code_rome, table.c.libelle_long))
        .drop_nulls()
        .unique()
        .sort("code_rome", "libelle_long")
        .rename({"libelle_long": "appellation"})
    )


def training_id(uai: pl.Expr, mef: pl.Expr, statut: pl.Expr) -> pl.Expr:
    """A training's identifier in addresses: « UAI-MEF-s » (scolaire) or « UAI-MEF-a »."""
    return pl.concat_str(uai, pl.lit("-"), mef, pl.lit("-"), statut.str.slice(0, 1))


def _formations(conn: sa.Connection, facts: Facts) -> tuple[pl.DataFrame, pl.DataFrame]:
    offres = facts.offres.filter(pl.col("palier").is_in(list(_PALIERS)))
    offres = offres.filter(pl.col("annee") == pl.col("annee").max().over("source"))
    places = facts.etablissements.select("uai", "latitude", "longitude")
    trainings = (
        offres.join(places, on="uai", how="left")
        .with_columns(
            training_id(pl.col("uai"), pl.col("mef_stat_11"), pl.col("statut")).alias("id"),
            pl.col("palier").replace_strict(_PALIERS).alias("niveau_entree"),
            pl.col("statut").alias("voie"),
        )
        .unique("id", keep="first", maintain_order=True)
        .select(
            "id",
            "id_offre",
            "source",
            "annee",
            "uai",
            "etablissement",
            "code_insee",
            "commune",
            "code_departement",
            "code_academie",
            "code_region",
            "latitude",
            "longitude",
            "precision",
            "mef_stat_11",
            "cfd",
            "libelle_formation",
            "niveau",
            "niveau_entree",
            "voie",
            "capacite",
            "demandes_voeux_1",
            "voeux_confirmes",
        )
    )
    diploma_types = facts.offres.select("cfd", "niveau").drop_nulls("cfd").unique("cfd")
    regional = outcomes.regional_outcomes(facts.insertion, diploma_types)
    trainings = outcomes.with_outcomes(trainings, outcomes.establishment_outcomes(conn), regional)
    trainings = trainings.join(
        final_year.final_year_pupils(conn, trainings),
        on=["uai", "mef_stat_11", "voie"],
        how="left",
        nulls_equal=True,
    ).join(final_year.establishment_contacts(conn), on="uai", how="left")
    metiers = facts.metiers if facts.metiers is not None else pl.DataFrame()
    links = (
        trainings.select("id", "id_offre")
        .join(metiers.select("id_offre", "code_rome", "poids"), on="id_offre", how="inner")
        .drop_nulls("code_rome")
        .group_by("id", "code_rome")
        .agg(pl.col("poids").sum())
        .sort("id", "code_rome")
    )
    return trainings.drop("id_offre").sort("id"), links


def name_key(text: str) -> str:
    """A commune's name as compared: no accents, lower case, « saint » as « st », words only."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"\bsaint(e?)\b", r"st\1", plain)
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def _communes(conn: sa.Connection, facts: Facts) -> pl.DataFrame:
    table = DATASET_TABLES["communes"]
    postal = read_query(conn, sa.select(table.c.code_insee, table.c.codes_postaux)).unique(
        "code_insee"
    )
    refs = referentials(conn, facts.fingerprint)
    return (
        refs.communes.select(
            "code_insee",
            "nom",
            "code_departement",
            "code_academie",
            "academie",
            "code_region",
            "latitude",
            "longitude",
            "population",
            "bassin_bmo",
            "bassin",
        )
        .join(postal, on="code_insee", how="left")
        .drop_nulls(["latitude", "longitude"])
        .with_columns(pl.col("nom").map_elements(name_key, return_dtype=pl.String).alias("cle_nom"))
        .sort("code_insee")
    )


def build_orientation(conn: sa.Connection, facts: Facts) -> OrientationData:
    """Every frame of :class:`OrientationData` from the store and its ``facts``."""
    formations, links = _formations(conn, facts)
    recrutement = facts.recrutement
    if not recrutement.is_empty():
        recrutement = recrutement.select(
            "annee_bmo",
            "fap2021",
            "bassin_bmo",
            "bassin",
            "code_region",
            "projets",
            "projets_difficiles",
            "projets_secret",
            "projets_difficiles_secret",
        )
    return OrientationData(
        metiers=_metiers(conn, facts),
        appellations=_appellations(conn),
        formations=formations,
        formation_metiers=links,
        communes=_communes(conn, facts),
        recrutement=recrutement,
        fingerprint=facts.fingerprint,
    )


def orientation_data(
    conn: sa.Connection, perimeter: Perimeter, facts: Facts | None = None
) -> OrientationData:
    """The orientation frames of the store: read from it when built from the same loaded
    files and the same version of this code; built (from ``facts``, the stored facts of
    ``perimeter`` when not given) and stored otherwise. ``tremplin load`` builds them."""
    facts = facts if facts is not None else stored_facts(conn, perimeter)
    key = derived.fingerprint(facts.key or facts.fingerprint, VERSION)

    def build() -> dict[str, pl.DataFrame]:
        found = build_orientation(conn, facts)
        return {name: getattr(found, name.removeprefix("orientation.")) for name in _NAMES}

    frames = derived.cached_frames(conn, _NAMES, key, build)

    def frame(name: str) -> pl.DataFrame:
        return frames[f"orientation.{name}"]

    return OrientationData(
        metiers=frame("metiers"),
        appellations=frame("appellations"),
        formations=frame("formations"),
        formation_metiers=frame("formation_metiers"),
        communes=frame("communes"),
        recrutement=frame("recrutement"),
        fingerprint=facts.fingerprint,
    )


class OrientationCache:
    """The orientation frames of one store, kept in memory until its fingerprint changes."""

    def __init__(self, engine: sa.Engine, perimeter: Perimeter) -> None:
        self._engine = engine
        self._perimeter = perimeter
        self._data: OrientationData | None = None
        self._lock = threading.Lock()

    def get(self, fingerprint: str) -> OrientationData:
        """The frames for the store whose files have ``fingerprint``."""
        found = self._data
        if found is not None and found.fingerprint == fingerprint:
            return found
        with self._lock:
            if self._data is None or self._data.fingerprint != fingerprint:
                with self._engine.connect() as conn:
                    self._data = orientation_data(conn, self._perimeter)
            return self._data
