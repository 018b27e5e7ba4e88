"""Candidate openings: a formation in a lycée that does not offer it (docs/optimiser.md).

The rule: a formation of the candidates (statut scolaire) offered in a département may open in
another lycée of that département with a scolaire offer of the same level (the first part of the
carte's ``proches`` key: a lycée professionnel for a CAP or a bac pro, a lycée with BTS for a
BTS) and none, in any statut, of the same level and famille de métiers (else NSF group), where
no offer of the formation is within :data:`SAME_SITE_KM`: the opening adds a kind of training
the lycée lacks rather than a rival to its own. It draws the **pupils turned away nearby**: the
unmet demand of the candidate offers of the same level and famille within ``distance_max_km``
(its ``voisins``). In the programme an opening shares these pupils with its neighbours, and the
openings of one famille in one département share the union of their neighbours' pupils, so that
a pupil is served once. Only openings with such demand are kept, at most
``ouvertures_max_par_lycee`` per lycée (the largest demand first). An opening adds sections of
the formation's size (``pas``) like an offer, with the formation's taux d'emploi and trades; its
``statut`` is « ouverture » (its places before: 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from tremplin.geo import haversine_km

if TYPE_CHECKING:
    from tremplin.planning.carte import Carte
    from tremplin.planning.optimiser import Settings

__all__ = ["OPENING", "SAME_SITE_KM", "openings"]

OPENING = "ouverture"
"""The ``statut`` of an opening, in the proposals and in locks."""
SAME_SITE_KM = 1.0
"""An offer of the formation this close (the lycée's apprenticeship unit, another UAI of the
same site) rules the opening out."""

_KEPT = (
    "mef_stat_11", "source", "cfd", "niveau", "libelle", "libelle_mef", "libelle_formation",
    "famille_metiers", "groupe_nsf", "code_departement", "code_academie", "code_region", "pas",
    "part_industrie", "industrie", "taux_emploi", "proches", "offre",
)  # fmt: skip


def _coordinates(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lat = frame.get_column("latitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
    lon = frame.get_column("longitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
    return lat, lon


def openings(
    carte: Carte, candidates: pl.DataFrame, unmet: np.ndarray, settings: Settings
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(openings, their trades): the openings' rows in (some of) the candidates' columns plus
    ``distance_formation`` (km to the nearest offer of the formation) and ``voisins`` (the
    candidate rows whose pupils turned away it may serve); their trades as ``carte.metiers``
    rows (a new ``offre`` number each, the trades of an offer of the formation in the
    département)."""
    empty = pl.DataFrame(schema={"distance_formation": pl.Float64, "voisins": pl.List(pl.Int64)})
    per_lycee = settings.ouvertures_max_par_lycee
    school = candidates.with_row_index("ligne").filter(pl.col("statut") == "scolaire")
    if per_lycee <= 0 or school.is_empty():
        return empty, carte.metiers.clear()
    lat, lon = _coordinates(candidates)
    keys = candidates.get_column("proches").to_list()
    key_code = {k: n for n, k in enumerate(sorted(set(keys)))}
    codes = np.asarray([key_code[k] for k in keys], dtype=np.int64)
    mefs = candidates.get_column("mef_stat_11").to_list()
    mef_code = {m: n for n, m in enumerate(sorted(set(mefs)))}
    mef_codes = np.asarray([mef_code[m] for m in mefs], dtype=np.int64)
    level = pl.col("proches").str.split(" · ").list.first().alias("niveau_proches")
    formations = (
        school.unique(["code_departement", "mef_stat_11"], keep="first")
        .sort("code_departement", "mef_stat_11")
        .with_columns(level)
    )
    kept = [c for c in _KEPT if c in formations.columns]
    lycees = (
        carte.offres.group_by("uai")
        .agg(
            pl.col("etablissement", "commune", "code_departement", "latitude", "longitude").first(),
            pl.col("proches").str.split(" · ").list.first().unique().alias("niveaux"),
            pl.col("proches").unique(),
            (pl.col("statut") == "scolaire").any().alias("scolaire"),
        )
        .filter(pl.col("scolaire"))
        .drop_nulls(["latitude", "longitude", "code_departement"])
        .sort("uai")
    )
    rows: list[dict[str, object]] = []
    next_offer = int(np.max(carte.offres.get_column("offre").to_numpy(), initial=0)) + 1
    for lycee in lycees.iter_rows(named=True):
        here = np.full(1, float(lycee["latitude"])), np.full(1, float(lycee["longitude"]))
        d = haversine_km(here[0], here[1], lat, lon)  # to every candidate
        near = np.nan_to_num(d, nan=np.inf) <= settings.distance_max_km
        pool = np.bincount(codes[near], weights=unmet[near], minlength=len(key_code))
        nearest = np.full(len(mef_code), np.inf)
        np.minimum.at(nearest, mef_codes, np.nan_to_num(d, nan=np.inf))
        options = formations.filter(
            (pl.col("code_departement") == lycee["code_departement"])
            & pl.col("niveau_proches").is_in(lycee["niveaux"])
            & ~pl.col("proches").is_in(lycee["proches"])
        )
        found = []
        for f in options.select(kept).iter_rows(named=True):
            demand = float(pool[key_code[f["proches"]]])
            nearest_km = float(nearest[mef_code[f["mef_stat_11"]]])
            if demand <= 0 or nearest_km <= SAME_SITE_KM:
                continue
            mine = near & (codes == key_code[f["proches"]]) & (unmet > 0)
            found.append((demand, f, nearest_km, mine))
        found.sort(key=lambda t: (-t[0], t[1]["mef_stat_11"]))
        for demand, f, km, mine in found[:per_lycee]:
            rows.append(
                {
                    **f,
                    "modele": f["offre"],
                    "offre": next_offer,
                    "uai": lycee["uai"],
                    "statut": OPENING,
                    "etablissement": lycee["etablissement"],
                    "commune": lycee["commune"],
                    "latitude": lycee["latitude"],
                    "longitude": lycee["longitude"],
                    "capacite": 0,
                    "demande": demand,
                    "distance_formation": km if np.isfinite(km) else None,
                    "voisins": np.flatnonzero(mine).tolist(),
                }
            )
            next_offer += 1
    if not rows:
        return empty, carte.metiers.clear()
    frame = pl.DataFrame(rows, infer_schema_length=None)
    trades = (
        frame.select(pl.col("offre").alias("nouvelle"), pl.col("modele").alias("offre"))
        .join(carte.metiers, on="offre", how="inner")
        .drop("offre")
        .rename({"nouvelle": "offre"})
        .select(carte.metiers.columns)
    )
    return frame.drop("modele"), trades
