"""The training offer of the fictional establishments: places, wishes and pupils.

Each lycée draws its formations from the catalogue (real MEF STAT 11 codes offered in
Auvergne-Rhône-Alpes, weighted by how often they are), mostly in its one or two trades; each
offer draws a capacity from the real distribution of its level and a taux de pression around the
real median of its formation. Pupils of the constat de rentrée follow from the capacity (how full
a first year is) and from year-to-year retention, both drawn from real distributions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tremplin.demo.parameters import Parameters, Sampler, median
from tremplin.demo.territory import Establishment, Territory


@dataclass
class Offer:
    """One offer: an establishment × formation × statut, with places and demand."""

    establishment: Establishment
    formation: dict[str, Any]  # an item of the parameters' catalogue
    statut: str  # ST / AP (Affelnet), Scolaire / Apprentissage (Parcoursup)
    capacity: int | None
    wishes: int
    pupils: dict[str, int] = field(default_factory=dict)  # MEF STAT 11 → pupils, year by year

    @property
    def mef(self) -> str:
        return str(self.formation["mef"])

    @property
    def level(self) -> str:
        return str(self.formation["level"])


@dataclass
class Offers:
    affelnet: list[Offer]
    bts: list[Offer]
    apprenticeship: list[Offer]  # CAP and bac pro in CFA (InserJeunes only: no Affelnet)

    def all(self) -> list[Offer]:
        return [*self.affelnet, *self.bts, *self.apprenticeship]


def _draw_formations(
    establishment: Establishment,
    catalogue: list[dict[str, Any]],
    weight_key: str,
    count: int,
    sampler: Sampler,
) -> list[dict[str, Any]]:
    """``count`` distinct formations, three in four from the establishment's own trades."""
    own = [f for f in catalogue if f["groupe"][:2] in establishment.trades and f[weight_key]]
    every = [f for f in catalogue if f[weight_key]]
    chosen: list[dict[str, Any]] = []
    attempts = 0
    while len(chosen) < min(count, len(every)) and attempts < 50 * count:
        attempts += 1
        pool = own if own and sampler.chance(0.75) else every
        formation = sampler.weighted(pool, [f[weight_key] for f in pool])
        if formation not in chosen:
            chosen.append(formation)
    return chosen


class _OfferMaker:
    def __init__(self, parameters: Parameters, sampler: Sampler) -> None:
        self.formations = parameters["formations"]
        self.levels = parameters["quantile_levels"]
        self.sampler = sampler
        column = parameters["layouts"]["bcn/nMef.csv"]["header"].split(";").index("MEF_STAT_11")
        self.known_mefs = {row[column] for row in parameters["nomenclatures"]["bcn/nMef.csv"]}

    def ratio(self, points: list[float], formation_median: float) -> float:
        """A draw of a demand ratio around ``formation_median`` with the level's spread."""
        level_median = median(points, self.levels) or 1.0
        residual = self.sampler.quantile(points) / level_median
        return max(0.0, formation_median * math.pow(residual, 0.8))

    def affelnet(self, establishment: Establishment, formation: dict[str, Any]) -> Offer:
        level = formation["level"]
        capacity = self.sampler.frequency(self.formations["capacity"][level])
        ratio = self.ratio(self.formations["pressure"][level], formation["pressure_median"])
        offer = Offer(establishment, formation, "ST", capacity, round(capacity * ratio))
        self.fill(offer, capacity)
        return offer

    def bts(self, establishment: Establishment, formation: dict[str, Any], statut: str) -> Offer:
        capacity: int | None = self.sampler.frequency(self.formations["bts_capacity"][statut])
        demand = self.formations["bts_demand"][statut]
        wishes = round((capacity or 0) * self.ratio(demand, formation["demand_median"][statut]))
        if self.sampler.chance(self.formations["bts_capacity_missing"][statut]):
            capacity = None  # Parcoursup leaves a few apprenticeship capacities blank
            wishes = max(wishes, self.sampler.integer(1, 30))
        offer = Offer(establishment, formation, statut, capacity, wishes)
        self.fill(offer, capacity or 12)
        return offer

    def fill(self, offer: Offer, capacity: int) -> None:
        """Pupils of each year of the cycle the offer starts."""
        fill = min(self.sampler.quantile(self.formations["fill"][offer.level], 0.0, 0.95), 1.3)
        pupils = round(capacity * fill)
        mef = offer.mef
        offer.pupils[mef] = pupils
        year = int(mef[3])
        while year < 3:
            year += 1
            following = mef[:3] + str(year) + mef[4:]
            if following not in self.known_mefs:
                break
            retention = self.formations["retention"].get(following[:4])
            if retention is None:
                break
            pupils = round(pupils * min(self.sampler.quantile(retention, 0.05, 0.95), 1.2))
            offer.pupils[following] = pupils


def build_offers(territory: Territory, parameters: Parameters, sampler: Sampler) -> Offers:
    """Every offer of every establishment of ``territory``."""
    maker = _OfferMaker(parameters, sampler)
    catalogue = parameters["formations"]["catalogue"]
    bts_catalogue = parameters["formations"]["bts_catalogue"]
    per_uai = parameters["formations"]["offers_per_uai"]
    affelnet: list[Offer] = []
    bts: list[Offer] = []
    apprenticeship: list[Offer] = []
    for establishment in territory.establishments:
        kind = establishment.kind
        if kind in ("LP", "LPO"):
            band = (0.55, 1.0) if kind == "LP" else (0.25, 0.85)
            count = max(2, round(sampler.quantile(per_uai, *band) * 1.35))
            for formation in _draw_formations(establishment, catalogue, "weight", count, sampler):
                affelnet.append(maker.affelnet(establishment, formation))
        bts_count = {
            "LP": sampler.integer(0, 1) if sampler.chance(0.3) else 0,
            "LPO": sampler.integer(2, 7),
            "LGT": sampler.integer(3, 9),
            "CFA": 0,
        }.get(kind, 0)
        for formation in _draw_formations(
            establishment, bts_catalogue, "weight_scolaire", bts_count, sampler
        ):
            bts.append(maker.bts(establishment, formation, "Scolaire"))
        if establishment.offers_apprenticeship:
            count = sampler.integer(8, 16) if kind == "CFA" else sampler.integer(1, 2)
            for formation in _draw_formations(
                establishment, bts_catalogue, "weight_apprentissage", count // 2 + 1, sampler
            ):
                bts.append(maker.bts(establishment, formation, "Apprentissage"))
            diplomas = [f for f in catalogue if f["level"] in ("cap", "premiere_pro")]
            for formation in _draw_formations(
                establishment, diplomas, "weight", count - count // 2, sampler
            ):
                offer = maker.affelnet(establishment, formation)
                offer.statut = "AP"
                apprenticeship.append(offer)
    return Offers(affelnet, bts, apprenticeship)
