"""Generated cohorts of pupils, calibrated on the real aggregates of Affelnet.

Individual wishes are confidential; Affelnet publishes, per offer (UAI × MEF STAT 11), its
capacity and its number of first wishes. A cohort is a set of fictitious pupils such that:

1. **first wishes** reproduce the real *Demandes vœux 1* of every offer exactly: one pupil per
   first wish (:func:`entry_offers`: the entry-year offers of the diagnostic, statut ST, not
   « vœux de recensement »; :func:`premiere_offers`: the 1re professionnelle offers of
   ``affelnet1PROspe.csv``, chosen after a 2nde);
2. each pupil lives at a **collège** (annuaire, AURA) or a **commune**, near the lycée it asks
   for first (:mod:`~tremplin.scenarios.cohort_places`);
3. its **further wishes** come from a multinomial-logit choice model over the offers within
   reach (:mod:`~tremplin.scenarios.choice_model`);
4. its **grades** and **boursier** flag come from documented distributions
   (:mod:`~tremplin.scenarios.grades`); a wish is in its **secteur** when the lycée is one of
   the ``secteur_lycees`` nearest to its origin.

Everything is drawn from one seed: the same offers, origins, settings and seed give the same
cohort. :func:`generate_cohort` gives a :class:`Cohort`: the engine's
:class:`~tremplin.assignment.instance.Instance`, a polars frame of pupils, and what the
Affelnet barème needs (:meth:`Cohort.simulation`). See docs/cohorts.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from tremplin.assignment.affelnet import DEFAULT_BAREME, Bareme
from tremplin.assignment.engine import Outcome
from tremplin.assignment.instance import Instance
from tremplin.assignment.simulation import Simulation
from tremplin.scenarios.choice_model import (
    ChoiceModel,
    draw_further_wishes,
    further_wish_counts,
)
from tremplin.scenarios.cohort_offers import (
    OFFER_COLUMNS,
    PALIERS,
    entry_offers,
    offers_in_territory,
    premiere_offers,
    territory_filter,
)
from tremplin.scenarios.cohort_places import (
    Placement,
    haversine_km,
    lycees_within_reach,
    origins,
    placement,
)
from tremplin.scenarios.grades import GradeModel, draw_boursiers, draw_grades

__all__ = [
    "OFFER_COLUMNS",
    "PALIERS",
    "Cohort",
    "CohortGeometry",
    "CohortSettings",
    "PupilDraw",
    "cohort_from_draw",
    "cohort_geometry",
    "draw_pupils",
    "entry_offers",
    "generate_cohort",
    "offers_in_territory",
    "origins",
    "premiere_offers",
    "territory_filter",
]


@dataclass(frozen=True)
class CohortSettings:
    """What shapes a cohort besides the offers and the seed (see docs/cohorts.md)."""

    choice: ChoiceModel = field(default_factory=ChoiceModel)
    grades: GradeModel = field(default_factory=GradeModel)
    placement_scale_km: float = 10.0
    placement_radius_km: float = 60.0
    reach_km: float = 80.0
    max_lycees: int = 40
    secteur_lycees: int = 2
    champs: tuple[str, ...] = DEFAULT_BAREME.champs


def _codes(values: pl.Series) -> NDArray[np.int64]:
    """Integer codes of a text column; null → -1."""
    codes = values.cast(pl.Categorical).to_physical().cast(pl.Int64).fill_null(-1)
    return codes.to_numpy().astype(np.int64)


@dataclass(frozen=True, eq=False)
class PupilDraw:
    """A cohort before its further wishes: who asks first for what, lives where, with which
    grades. :func:`cohort_from_draw` adds wishes for a choice model (calibration reuses one draw
    for many models: common random numbers)."""

    offers: pl.DataFrame
    origins: pl.DataFrame
    seed: int
    settings: CohortSettings
    pupil_first: NDArray[np.int64]
    pupil_origin: NDArray[np.int64]  # row of ``origins`` (-1: none)
    reach_origin: NDArray[np.int64]  # row of ``reach`` (-1: none)
    reach: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]
    offer_lycee: NDArray[np.int64]
    lycee_offers: tuple[NDArray[np.int64], NDArray[np.int64]]
    count_uniforms: NDArray[np.float64]
    boursier: NDArray[np.bool_]
    grades: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class CohortGeometry:
    """What the cohorts of ``offers`` among ``origins`` share whatever the seed: the lycées of
    the offers, the pupils' first wishes (grouped by lycée), where the pupils of each lycée may
    live (:class:`~tremplin.scenarios.cohort_places.Placement`) and the lycées within reach of
    each of these origins. :func:`cohort_geometry` builds it once for many seeds."""

    offers: pl.DataFrame
    origins: pl.DataFrame
    settings: CohortSettings
    pupil_first: NDArray[np.int64]
    offer_lycee: NDArray[np.int64]
    lycee_offers: tuple[NDArray[np.int64], NDArray[np.int64]]
    placement: Placement
    reach_row: NDArray[np.int64]  # row of ``reach`` of each origin (-1: never placed there)
    reach: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]


def cohort_geometry(
    offers: pl.DataFrame, origins: pl.DataFrame, settings: CohortSettings | None = None
) -> CohortGeometry:
    """The seed-free part of the cohorts of ``offers`` among ``origins`` (see
    :class:`CohortGeometry`)."""
    settings = settings or CohortSettings()
    uais = offers.get_column("uai")
    lycees = offers.select("uai", "latitude", "longitude").unique("uai", keep="first").sort("uai")
    lycee_index = {u: i for i, u in enumerate(lycees.get_column("uai").to_list())}
    offer_lycee = np.array([lycee_index[u] for u in uais.to_list()], dtype=np.int64)
    first_wishes = offers.get_column("demandes_voeux_1").fill_null(0).to_numpy().astype(np.int64)
    if np.any(first_wishes < 0):
        raise ValueError("un nombre de vœux 1 est négatif")
    # Pupils grouped by lycée, then by offer, so that placement works lycée by lycée.
    order = np.lexsort((np.arange(offers.height), offer_lycee))
    pupil_first = np.repeat(order, first_wishes[order]).astype(np.int64)
    per_lycee = np.bincount(offer_lycee, weights=first_wishes, minlength=lycees.height)
    lat = lycees.get_column("latitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
    lon = lycees.get_column("longitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
    table = placement(
        lat,
        lon,
        per_lycee.astype(np.int64),
        origins,
        scale_km=settings.placement_scale_km,
        radius_km=settings.placement_radius_km,
    )
    # Reach is computed for the origins a pupil can be placed at only (each on its own).
    used = table.origins()
    reach_row = np.full(origins.height, -1, dtype=np.int64)
    reach_row[used] = np.arange(used.size, dtype=np.int64)
    reach = lycees_within_reach(
        origins.get_column("latitude").to_numpy()[used],
        origins.get_column("longitude").to_numpy()[used],
        lat,
        lon,
        reach_km=settings.reach_km,
        max_lycees=settings.max_lycees,
    )
    by_lycee = np.argsort(offer_lycee, kind="stable").astype(np.int64)
    lycee_offsets = np.zeros(lycees.height + 1, dtype=np.int64)
    np.cumsum(np.bincount(offer_lycee, minlength=lycees.height), out=lycee_offsets[1:])
    return CohortGeometry(
        offers=offers,
        origins=origins,
        settings=settings,
        pupil_first=pupil_first,
        offer_lycee=offer_lycee,
        lycee_offers=(lycee_offsets, by_lycee),
        placement=table,
        reach_row=reach_row,
        reach=reach,
    )


def draw_pupils(
    offers: pl.DataFrame,
    origins: pl.DataFrame,
    seed: int,
    settings: CohortSettings | None = None,
    *,
    geometry: CohortGeometry | None = None,
) -> PupilDraw:
    """Pupils of the first wishes of ``offers`` placed among ``origins`` (see
    :func:`~tremplin.scenarios.cohort_places.origins`), with grades and boursier flags.
    ``geometry``, when given, is :func:`cohort_geometry` of the same offers, origins and
    settings (shared by many seeds)."""
    if geometry is None:
        geometry = cohort_geometry(offers, origins, settings)
    elif (
        geometry.offers is not offers
        or geometry.origins is not origins
        or (settings is not None and settings != geometry.settings)
    ):
        raise ValueError("la géométrie des cohortes ne correspond pas à ces offres")
    settings = geometry.settings
    pupil_first = geometry.pupil_first
    rng = np.random.default_rng(seed)
    pupil_origin = geometry.placement.place(rng.random(pupil_first.size))
    count_uniforms = rng.random(pupil_first.size)
    boursier = draw_boursiers(rng, pupil_first.size, settings.grades)
    grades = draw_grades(rng, pupil_first.size, len(settings.champs), settings.grades)
    placed = pupil_origin >= 0
    reach_origin = np.full(pupil_first.size, -1, dtype=np.int64)
    reach_origin[placed] = geometry.reach_row[pupil_origin[placed]]
    return PupilDraw(
        offers=offers,
        origins=origins,
        seed=seed,
        settings=settings,
        pupil_first=pupil_first,
        pupil_origin=pupil_origin,
        reach_origin=reach_origin,
        reach=geometry.reach,
        offer_lycee=geometry.offer_lycee,
        lycee_offers=geometry.lycee_offers,
        count_uniforms=count_uniforms,
        boursier=boursier,
        grades=grades,
    )


@dataclass(frozen=True, eq=False)
class Cohort:
    """A generated cohort: the engine's ``instance`` (formations in the order of ``offers``),
    ``pupils`` (one row per pupil, in the instance's order), the grades (pupils × champs), the
    secteur flag of every wish, and each formation's barème group."""

    offers: pl.DataFrame
    pupils: pl.DataFrame
    instance: Instance
    grades: NDArray[np.float64]
    secteur: NDArray[np.bool_]
    formation_groups: tuple[str, ...]
    seed: int

    def with_capacities(self, capacities: ArrayLike) -> Instance:
        """The cohort's instance with other capacities (same pupils, wishes and lottery)."""
        i = self.instance
        return Instance.from_arrays(
            capacities,
            i.wish_offsets,
            i.wish_formations,
            i.scores,
            i.seed,
            boursier=i.boursier,
            formation_ids=i.formation_ids,
            pupil_ids=i.pupil_ids,
        )

    def simulation(
        self, capacities: ArrayLike | None = None, bareme: Bareme = DEFAULT_BAREME
    ) -> Simulation:
        """The Affelnet simulation of this cohort: priorities from ``bareme`` (grades, secteur,
        boursier, first-wish bonus: every offer is voie professionnelle)."""
        instance = self.instance if capacities is None else self.with_capacities(capacities)
        return Simulation.from_bareme(
            instance,
            bareme,
            self.grades,
            list(self.formation_groups),
            voie_pro=np.ones(instance.n_formations, dtype=np.bool_),
            secteur=self.secteur,
        )

    def solve(
        self, capacities: ArrayLike | None = None, bareme: Bareme = DEFAULT_BAREME
    ) -> Outcome:
        """Solve :meth:`simulation` (deferred acceptance, pupils proposing)."""
        return self.simulation(capacities, bareme).solve()


def cohort_from_draw(draw: PupilDraw, choice: ChoiceModel | None = None) -> Cohort:
    """The cohort of ``draw`` with further wishes drawn by ``choice`` (default: the draw's)."""
    model = choice or draw.settings.choice
    offers = draw.offers
    wanted = further_wish_counts(model, draw.count_uniforms)
    offsets, wishes, secteur = draw_further_wishes(
        model,
        draw.seed,
        draw.reach_origin,
        draw.pupil_first,
        wanted,
        draw.reach,
        draw.lycee_offers,
        draw.offer_lycee,
        _codes(offers.get_column("famille")),
        _codes(offers.get_column("niveau")),
        offers.get_column("popularite").fill_null(0.0).to_numpy().astype(np.float64),
        draw.settings.secteur_lycees,
    )
    n_pupils = draw.pupil_first.size
    instance = Instance.from_arrays(
        offers.get_column("capacite").fill_null(0).to_numpy().astype(np.int64),
        offsets,
        wishes,
        np.zeros(wishes.size, dtype=np.float64),
        draw.seed,
        boursier=draw.boursier,
        formation_ids=offers.get_column("formation_id").to_list(),
        pupil_ids=_pupil_ids(n_pupils),
    )
    return Cohort(
        offers=offers,
        pupils=_pupils_frame(draw, instance),
        instance=instance,
        grades=draw.grades,
        secteur=secteur,
        formation_groups=tuple(offers.get_column("groupe_bareme").to_list()),
        seed=draw.seed,
    )


@lru_cache(maxsize=4)
def _pupil_ids(n_pupils: int) -> tuple[str, ...]:
    # The same for every seed of the same offers: written once.
    width = max(6, len(str(n_pupils)))
    return tuple(f"E{i + 1:0{width}d}" for i in range(n_pupils))


def _pupils_frame(draw: PupilDraw, instance: Instance) -> pl.DataFrame:
    offers = draw.offers
    first = offers[draw.pupil_first.tolist()]
    has_origin = draw.pupil_origin >= 0
    origin_rows = np.where(has_origin, draw.pupil_origin, 0)
    empty = draw.origins.height == 0
    origins = (
        draw.origins[origin_rows.tolist()]
        if not empty
        else pl.DataFrame(
            {c: [None] * instance.n_pupils for c in ("origine", "type_origine", "code_insee")}
        )
    )

    def origin_column(name: str, fallback: pl.Series | None = None) -> pl.Series:
        if empty or name not in origins.columns:
            values = pl.Series(name, [None] * instance.n_pupils, dtype=pl.String)
        else:
            values = origins.get_column(name)
        values = pl.select(
            pl.when(pl.Series(has_origin)).then(values).otherwise(None).alias(name)
        ).to_series()
        if fallback is not None:
            values = pl.select(pl.coalesce(values, fallback).alias(name)).to_series()
        return values

    lat = first.get_column("latitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
    lon = first.get_column("longitude").cast(pl.Float64).fill_null(np.nan).to_numpy()
    if empty:
        distance = np.full(instance.n_pupils, np.nan)
    else:
        o_lat = draw.origins.get_column("latitude").to_numpy()[origin_rows]
        o_lon = draw.origins.get_column("longitude").to_numpy()[origin_rows]
        distance = np.where(has_origin, haversine_km(o_lat, o_lon, lat, lon), np.nan)
    return pl.DataFrame(
        {
            "eleve": list(instance.pupil_ids),
            "premier_voeu": first.get_column("formation_id"),
            "uai_premier_voeu": first.get_column("uai"),
            "mef_premier_voeu": first.get_column("mef_stat_11"),
            "origine": origin_column("origine"),
            "type_origine": origin_column("type_origine"),
            "code_insee": origin_column("code_insee"),
            "code_departement": origin_column(
                "code_departement", first.get_column("code_departement")
            ),
            "code_academie": origin_column("code_academie", first.get_column("code_academie")),
            "code_region": origin_column("code_region", first.get_column("code_region")),
            "distance_premier_voeu_km": pl.Series(distance).fill_nan(None),
            "boursier": draw.boursier,
            "moyenne": draw.grades.mean(axis=1),
            "nb_voeux": instance.wish_counts,
            "industrie_premier_voeu": first.get_column("industrie"),
        }
    )


def generate_cohort(
    offers: pl.DataFrame,
    origins: pl.DataFrame,
    seed: int,
    settings: CohortSettings | None = None,
    *,
    geometry: CohortGeometry | None = None,
) -> Cohort:
    """A cohort whose first wishes are exactly those of ``offers`` (:data:`OFFER_COLUMNS`),
    living among ``origins``, drawn from ``seed`` (``geometry``: see :func:`draw_pupils`)."""
    return cohort_from_draw(draw_pupils(offers, origins, seed, settings, geometry=geometry))
