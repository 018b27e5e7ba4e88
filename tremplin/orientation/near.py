"""Trainings near me: from a commune and a level, the trainings leading to chosen trades.

Steps of :func:`trainings_near`:

1. the commune is found from its INSEE code, a postal code, or its name (:func:`find_commune`);
2. the trainings of the level (après la 3e: Affelnet's entry offers; après le bac: Parcoursup's
   BTS) that lead to one of the chosen ROME trades are kept, with their *relevance*: the sum of
   the weights of those trades in what the formation leads to (the diagnostic's weights);
3. each gets a travel time, :func:`travel_minutes` — the one function a transport isochrone
   would replace: the straight-line distance between the commune's centroid and the
   establishment × :data:`DETOUR_FACTOR` ÷ :data:`SPEED_KMH`;
4. those within :data:`NEAR_MINUTES` are « près de chez moi », the others of the commune's
   académie « plus loin dans l’académie » (trainings beyond both are left out);
5. each group is ordered by travel time in bands of :data:`BAND_MINUTES` minutes, then by
   relevance (descending), then by distance, then by identifier (so the order is total).

Futur Pro's labels: the admission difficulty (:func:`admission_difficulty`) from last year's
pressure (first wishes ÷ capacity, Affelnet) in three levels, shown only when the capacity is
known and above :data:`MIN_CAPACITY`; « peu demandée » when that pressure is under
:data:`LOW_DEMAND_PRESSURE` (Parcoursup: confirmed wishes ÷ capacity under
:data:`LOW_DEMAND_PARCOURSUP`, its wishes being unranked); « pour travailler rapidement »
(:mod:`tremplin.orientation.outcomes`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import NDArray

from tremplin.errors import InputError, NotFound
from tremplin.geo import haversine_km
from tremplin.orientation.data import APRES_3E, NIVEAUX, OrientationData
from tremplin.orientation.outcomes import Outcome
from tremplin.orientation.place import Commune, commune_index, find_commune

DETOUR_FACTOR = 1.3
"""Road distance ÷ straight-line distance, an average for France (road networks are 1.2 to
1.4 times longer than the crow flies)."""
SPEED_KMH = 40.0
"""Average door-to-door speed by road (car or coach, mixed urban and rural trips)."""
BAND_MINUTES = 5
"""Travel times are compared in bands this wide: within one band, relevance orders."""
NEAR_MINUTES = 30
"""Up to this estimated travel time, a training is « près de chez moi »."""

MIN_CAPACITY = 5
"""The admission difficulty is shown only for a capacity known and above this."""
FAVORABLE = 1.0
VERY_HARD = 1.42
DIFFICULTIES = ("favorable", "assez difficile", "très difficile")
LOW_DEMAND_PRESSURE = 0.5
LOW_DEMAND_PARCOURSUP = 1.0

VOIES = {"scolaire": "Sous statut scolaire (lycée)", "apprentissage": "En apprentissage"}
PRES = "pres"
LOIN = "loin"
GROUPS = {PRES: "Près de chez moi", LOIN: "Plus loin dans l’académie"}


def travel_minutes(
    from_latitude: float,
    from_longitude: float,
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Estimated minutes from a point to each of the points given: straight-line distance ×
    :data:`DETOUR_FACTOR` ÷ :data:`SPEED_KMH`. The one place to plug transport isochrones."""
    distances = distance_km(from_latitude, from_longitude, latitudes, longitudes)
    return np.asarray(distances * (DETOUR_FACTOR / SPEED_KMH * 60))


def distance_km(
    from_latitude: float,
    from_longitude: float,
    latitudes: NDArray[np.float64],
    longitudes: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The straight-line distances in km from a point to each of the points given."""
    return haversine_km(
        np.full_like(latitudes, from_latitude),
        np.full_like(longitudes, from_longitude),
        latitudes,
        longitudes,
    )


def admission_difficulty(pressure: float | None, capacity: int | None) -> str | None:
    """Futur Pro's three levels of last year's pressure: ≤ 1 « favorable », < 1,42 « assez
    difficile », ≥ 1,42 « très difficile »; None when the capacity is unknown or not above
    :data:`MIN_CAPACITY`, or the pressure unknown."""
    if pressure is None or capacity is None or capacity <= MIN_CAPACITY:
        return None
    if pressure <= FAVORABLE:
        return DIFFICULTIES[0]
    if pressure < VERY_HARD:
        return DIFFICULTIES[1]
    return DIFFICULTIES[2]


def sort_key(minutes: float, relevance: float, distance: float, ident: str) -> tuple[object, ...]:
    """The order of a group: travel-time band, relevance (descending), distance, identifier."""
    return (int(minutes // BAND_MINUTES), -round(relevance, 9), distance, ident)


# --- the trainings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Training:
    """One training as a young person reads it."""

    id: str
    libelle: str
    niveau: str | None
    voie: str
    etablissement: str | None
    commune: str | None
    uai: str
    distance_km: float | None
    minutes: float | None
    precision: str | None
    pertinence: float
    source: str
    annee: int | None
    capacite: int | None
    demandes: int | None
    pression: float | None
    difficulte: str | None
    peu_demandee: bool
    devenir: Outcome
    latitude: float | None
    longitude: float | None
    groupe: str | None = None

    @property
    def tags(self) -> list[str]:
        found = []
        if self.devenir.travailler_rapidement:
            found.append("pour travailler rapidement")
        if self.peu_demandee:
            found.append("peu demandée")
        return found


def _pressure(row: dict[str, object]) -> tuple[float | None, int | None]:
    capacity = row.get("capacite")
    wishes = row.get("demandes_voeux_1" if row["source"] == "affelnet" else "voeux_confirmes")
    if not isinstance(capacity, int) or capacity <= 0 or not isinstance(wishes, int):
        return None, wishes if isinstance(wishes, int) else None
    return wishes / capacity, wishes


def training_of(row: dict[str, object], relevance: float = 0.0) -> Training:
    """A :class:`Training` from a row of ``OrientationData.formations`` (with, near a commune,
    its ``distance_km``, ``minutes`` and ``groupe``)."""
    pressure, wishes = _pressure(row)
    capacity = row.get("capacite")
    capacity = capacity if isinstance(capacity, int) else None
    affelnet = row["source"] == "affelnet"
    low = LOW_DEMAND_PRESSURE if affelnet else LOW_DEMAND_PARCOURSUP
    return Training(
        id=str(row["id"]),
        libelle=str(row.get("libelle_formation") or row.get("mef_stat_11")),
        niveau=_opt(row.get("niveau")),
        voie=str(row["voie"]),
        etablissement=_opt(row.get("etablissement")),
        commune=_opt(row.get("commune")),
        uai=str(row["uai"]),
        distance_km=_float(row.get("distance_km")),
        minutes=_float(row.get("minutes")),
        precision=_opt(row.get("precision")),
        pertinence=relevance,
        source="Affelnet" if affelnet else "Parcoursup",
        annee=row.get("annee") if isinstance(row.get("annee"), int) else None,  # type: ignore[arg-type]
        capacite=capacity,
        demandes=wishes,
        pression=pressure,
        # Parcoursup's wishes are not ranked: its demand rate is no pressure to grade.
        difficulte=admission_difficulty(pressure, capacity) if affelnet else None,
        peu_demandee=pressure is not None
        and capacity is not None
        and capacity > MIN_CAPACITY
        and pressure < low,
        devenir=Outcome.of(row),
        latitude=_float(row.get("latitude")),
        longitude=_float(row.get("longitude")),
        groupe=_opt(row.get("groupe")),
    )


def _opt(value: object) -> str | None:
    return str(value) if value is not None else None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class NearQuery:
    """What a young person asks: trades (ROME codes), a commune, a level; optional filters."""

    romes: tuple[str, ...]
    commune: str
    niveau: str = APRES_3E
    voie: str | None = None
    distance_max: float | None = None

    def check(self) -> None:
        """Raise InputError on a value out of its domain."""
        if not self.romes:
            raise InputError(
                "Choisis au moins un métier.", where="rome", expected="un code ROME (H2913…)"
            )
        for code in self.romes:
            if not re.fullmatch(r"[A-N][0-9]{4}", code):
                raise InputError(
                    f"« {code} » n’est pas un code ROME.", where="rome", expected="A1101…N4105"
                )
        if self.niveau not in NIVEAUX:
            raise InputError(
                f"Niveau inconnu : « {self.niveau} ».", where="niveau", expected=", ".join(NIVEAUX)
            )
        if self.voie is not None and self.voie not in VOIES:
            raise InputError(
                f"Voie inconnue : « {self.voie} ».", where="voie", expected=", ".join(VOIES)
            )
        if self.distance_max is not None and not 0 < self.distance_max <= 1000:
            raise InputError(
                "La distance maximale doit être comprise entre 1 et 1 000 km.",
                where="distance",
                expected="un nombre de kilomètres",
            )


@dataclass(frozen=True)
class NearResult:
    query: NearQuery
    commune: Commune
    groups: dict[str, list[Training]] = field(default_factory=dict)
    metiers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group) for group in self.groups.values())


@dataclass(frozen=True)
class _TrainingIndex:
    """The trainings as arrays, and the rows and weights of the trainings of each trade."""

    by_rome: dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]]
    romes_by_row: list[list[str]]
    latitude: NDArray[np.float64]
    longitude: NDArray[np.float64]
    niveau: NDArray[np.object_]
    voie: NDArray[np.object_]
    academie: NDArray[np.object_]


def training_index(data: OrientationData) -> _TrainingIndex:
    """The index of ``data``'s trainings, built once."""
    return data.memoised("trainings", lambda: _training_index(data))


def _training_index(data: OrientationData) -> _TrainingIndex:
    rows = data.formations.select("id").with_row_index("_rang")
    links = data.formation_metiers.join(rows, on="id", how="inner")
    by_rome = {
        str(code): (group["_rang"].to_numpy().astype(np.int64), group["poids"].to_numpy())
        for (code,), group in links.group_by("code_rome")
    }
    romes_by_row: list[list[str]] = [[] for _ in range(rows.height)]
    for rank, code in links.select("_rang", "code_rome").iter_rows():
        romes_by_row[rank].append(code)
    frame = data.formations
    return _TrainingIndex(
        by_rome=by_rome,
        romes_by_row=romes_by_row,
        latitude=frame["latitude"].fill_null(np.nan).to_numpy(),
        longitude=frame["longitude"].fill_null(np.nan).to_numpy(),
        niveau=frame["niveau_entree"].to_numpy().astype(object),
        voie=frame["voie"].to_numpy().astype(object),
        academie=frame["code_academie"].to_numpy().astype(object),
    )


def trade_labels(data: OrientationData) -> dict[str, str]:
    """ROME code → the label of its fiche."""

    def build() -> dict[str, str]:
        return dict(data.metiers.select("code_rome", "libelle_rome").iter_rows())

    return data.memoised("labels", build)


def prepare(data: OrientationData) -> OrientationData:
    """``data`` with the indexes of communes and trainings built (once), so that the first
    request does not wait for them."""
    commune_index(data)
    training_index(data)
    trade_labels(data)
    return data


def trainings_near(data: OrientationData, query: NearQuery) -> NearResult:
    """The trainings of ``query``, grouped and ordered (steps in the module's docstring)."""
    query.check()
    commune = find_commune(data, query.commune)
    index = training_index(data)
    relevance: dict[int, float] = {}
    for code in query.romes:
        rows, weights = index.by_rome.get(code, (np.empty(0, np.int64), np.empty(0)))
        for row, weight in zip(rows.tolist(), weights.tolist(), strict=True):
            relevance[row] = relevance.get(row, 0.0) + weight
    candidates = np.fromiter(relevance, dtype=np.int64, count=len(relevance))
    keep = index.niveau[candidates] == query.niveau
    if query.voie is not None:
        keep &= index.voie[candidates] == query.voie
    keep &= ~np.isnan(index.latitude[candidates])
    candidates = candidates[keep]
    latitudes, longitudes = index.latitude[candidates], index.longitude[candidates]
    distances = distance_km(commune.latitude, commune.longitude, latitudes, longitudes)
    minutes = travel_minutes(commune.latitude, commune.longitude, latitudes, longitudes)
    near = minutes <= NEAR_MINUTES
    further = ~near & (index.academie[candidates] == commune.code_academie)
    keep = near | further
    if query.distance_max is not None:
        keep &= distances <= query.distance_max
    groups: dict[str, list[Training]] = {PRES: [], LOIN: []}
    chosen = candidates[keep]
    found = data.formations[chosen.tolist()].with_columns(
        pl.Series("distance_km", distances[keep]),
        pl.Series("minutes", minutes[keep]),
        pl.Series("groupe", [PRES if x else LOIN for x in near[keep].tolist()], pl.String),
    )
    for row, position in zip(found.iter_rows(named=True), chosen.tolist(), strict=True):
        groups[row["groupe"]].append(training_of(row, relevance[position]))
    for trainings in groups.values():
        trainings.sort(
            key=lambda t: sort_key(t.minutes or 0.0, t.pertinence, t.distance_km or 0.0, t.id)
        )
    labels = trade_labels(data)
    return NearResult(
        query=query,
        commune=commune,
        groups=groups,
        metiers=[(code, labels[code]) for code in sorted(query.romes) if code in labels],
    )


def find_training(data: OrientationData, ident: str) -> Training:
    """One training by its identifier (« UAI-MEF-s|a »). Raises NotFound."""
    rows = data.formations.filter(pl.col("id") == ident)
    if rows.is_empty():
        raise NotFound(f"Aucune formation « {ident} ».")
    return training_of(rows.row(0, named=True))


def training_trades(data: OrientationData, ident: str) -> list[tuple[str, str, float]]:
    """(code_rome, label, weight) of what a training leads to, heaviest first."""
    rows = (
        data.formation_metiers.filter(pl.col("id") == ident)
        .join(data.metiers.select("code_rome", "libelle_rome"), on="code_rome", how="left")
        .sort(["poids", "code_rome"], descending=[True, False])
    )
    return [
        (r["code_rome"], r["libelle_rome"] or r["code_rome"], float(r["poids"]))
        for r in rows.iter_rows(named=True)
    ]


def romes_of(values: Sequence[str]) -> tuple[str, ...]:
    """ROME codes from query values (repeated or comma-separated), upper-cased, in order."""
    found: list[str] = []
    for value in values:
        for code in value.split(","):
            code = code.strip().upper()
            if code and code not in found:
                found.append(code)
    return tuple(found)
