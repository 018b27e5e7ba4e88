"""The fictional establishments of the demo, placed in the real communes of the académie.

The geography is real and public (communes of 3,000 inhabitants or more of the académie de
Grenoble, their INSEE codes, populations, centroids and bassins BMO); every establishment is
invented: its name, its UAI (a block of numbers no real establishment uses, with the real UAI
check letter), its address and its exact coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from unidecode import unidecode

from tremplin.demo.parameters import Parameters, Sampler

# The letters of the UAI check key: the 7-digit number modulo 23 indexes this alphabet
# (I, O and Q are left out so that they are not read as 1 and 0).
UAI_KEY_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

# How many establishments of each kind the demo has, for an académie of about 3.5 M people.
COUNTS = {"LP": 58, "LPO": 32, "LGT": 12, "CFA": 18, "COLLEGE": 156}

# Invented names: places and crafts, never a person's name, so that no real school is meant.
_NAMES = (
    "des Forges",
    "de la Tuilerie",
    "du Moulin-Neuf",
    "des Tanneurs",
    "de la Verrerie",
    "des Filatures",
    "du Pont-Vieux",
    "des Trois-Sources",
    "du Val-Clair",
    "de la Papeterie",
    "des Ateliers",
    "du Belvédère",
    "de la Combe-Noire",
    "du Clos-Fleuri",
    "des Hauts-Fourneaux",
    "de la Roche-Blanche",
    "du Grand-Champ",
    "des Chênes-Verts",
    "de la Draperie",
    "du Martinet",
    "de la Sablière",
    "des Horlogers",
    "de la Fonderie",
    "du Pré-Long",
    "des Cordeliers-Neufs",
    "de l'Étang-Bleu",
    "des Tilleuls",
    "des Peupliers",
    "du Bois-Joli",
    "de la Chènevière",
    "des Mésanges",
    "de la Glacière",
    "du Coteau",
    "des Vergers",
    "de la Cascade",
    "des Marronniers",
    "du Plateau",
    "de la Charpente",
    "des Lavandières",
    "du Vieux-Port",
    "de l'Orangerie",
    "des Coteaux-Clairs",
    "de la Pierre-Levée",
    "des Castors",
    "du Canal",
    "de la Forêt-Haute",
    "des Sorbiers",
    "du Ruisseau",
    "de l'Aqueduc",
    "des Cerisiers",
    "de la Filature-Basse",
    "des Rivières",
    "du Champ-de-Foire",
    "de la Mine",
    "des Ardoisiers",
    "du Haut-Pré",
    "de la Lauze",
    "des Rémouleurs",
    "du Four-à-Chaux",
    "des Bateliers",
)
_STREETS = (
    "rue des Écoles",
    "avenue du Stade",
    "chemin des Vignes",
    "allée des Érables",
    "rue du Lavoir",
    "boulevard des Alpes",
    "route de la Gare",
    "rue de l'Industrie",
    "place du Marché",
    "rue des Artisans",
    "avenue des Sports",
    "impasse du Moulin",
)
# Fields of the vocational offer (first two digits of the NSF group) → « lycée des métiers … ».
_TRADES = {
    "20": "des technologies industrielles",
    "21": "de l'agriculture et de l'alimentation",
    "22": "de la transformation et des matériaux",
    "23": "du bâtiment et des travaux publics",
    "24": "du textile et de la mode",
    "25": "de l'industrie et de la maintenance",
    "30": "des services",
    "31": "du commerce et de la gestion",
    "32": "de la communication et des arts graphiques",
    "33": "des services aux personnes",
    "34": "de la sécurité",
}
_KIND_LABELS = {
    "LP": "Lycée professionnel",
    "LPO": "Lycée polyvalent",
    "LGT": "Lycée général et technologique",
    "CFA": "Centre de formation d'apprentis",
    "COLLEGE": "Collège",
}


def uai_key(number: str) -> str:
    """The check letter of a UAI whose 7 digits are ``number``."""
    return UAI_KEY_LETTERS[int(number) % 23]


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    departement: str
    region: str
    population: int
    postcodes: str
    latitude: str
    longitude: str
    bassin: str

    @property
    def postcode(self) -> str:
        return self.postcodes.split(" ")[0]

    @property
    def upper_name(self) -> str:
        """The name as Affelnet and the postal service write it: capitals, no accents."""
        return unidecode(self.name).upper()


@dataclass
class Establishment:
    uai: str
    kind: str  # LP, LPO, LGT, CFA or COLLEGE
    stem: str  # the invented part of the name: « des Forges »
    commune: Commune
    private: bool
    trades: list[str]  # fields of the vocational offer, most important first
    lycee_des_metiers: bool
    latitude: float
    longitude: float
    address: str
    opened: str
    offers_apprenticeship: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """« Lycée professionnel des Forges », « Collège privé de la Tuilerie »."""
        label = _KIND_LABELS[self.kind]
        if self.private and self.kind == "COLLEGE":
            label = "Collège privé"
        elif self.private and self.kind != "CFA":
            label += " privé"
        return f"{label} {self.stem}"

    @property
    def patronyme(self) -> str:
        """The name without its kind, in capitals and without accents: « DES FORGES »."""
        return unidecode(self.stem).upper()

    @property
    def trade_label(self) -> str:
        return _TRADES.get(self.trades[0][:2], "des métiers") if self.trades else "des métiers"


@dataclass
class Territory:
    communes: list[Commune]
    establishments: list[Establishment]

    def of_kind(self, *kinds: str) -> list[Establishment]:
        return [e for e in self.establishments if e.kind in kinds]


def _communes(parameters: Parameters) -> list[Commune]:
    return [
        Commune(
            code=row[0],
            name=row[1],
            departement=row[2],
            region=row[3],
            population=int(row[4]),
            postcodes=row[5],
            latitude=row[6],
            longitude=row[7],
            bassin=row[8],
        )
        for row in parameters["territory"]["communes"]
    ]


def _near(commune: Commune, sampler: Sampler) -> tuple[float, float]:
    """A point near the commune's centroid, farther out in bigger towns."""
    radius_km = (0.3 + math.sqrt(commune.population) / 120) * math.sqrt(sampler.uniform())
    angle = sampler.uniform(0, 2 * math.pi)
    latitude = float(commune.latitude)
    longitude = float(commune.longitude)
    d_lat = radius_km * math.cos(angle) / 111.2
    d_lon = radius_km * math.sin(angle) / (111.2 * math.cos(math.radians(latitude)))
    return round(latitude + d_lat, 13), round(longitude + d_lon, 13)


def _trade_weights(parameters: Parameters) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in parameters["formations"]["catalogue"]:
        prefix = item["groupe"][:2]
        weights[prefix] = weights.get(prefix, 0.0) + item["weight"]
    return dict(sorted(weights.items()))


def build_territory(parameters: Parameters, sampler: Sampler) -> Territory:
    """Place the demo's lycées, CFA and collèges in the communes, weighted by population."""
    communes = _communes(parameters)
    block = str(parameters["uai_block"])
    trade_weights = _trade_weights(parameters)
    trades, trade_w = list(trade_weights), list(trade_weights.values())
    sequence: dict[str, int] = {}
    used_names: set[tuple[str, str, str]] = set()
    establishments: list[Establishment] = []
    for kind, count in COUNTS.items():
        # Lycées and CFA favour bigger towns more than collèges do.
        power = 1.0 if kind == "COLLEGE" else 1.15
        weights = [c.population**power for c in communes]
        for _ in range(count):
            commune = sampler.weighted(communes, weights)
            dep = commune.departement
            sequence[dep] = sequence.get(dep, 0) + 1
            number = f"0{dep}{block}{sequence[dep]:03d}"
            stem = sampler.pick(_NAMES)
            while (kind, stem, commune.code) in used_names:
                stem = sampler.pick(_NAMES)
            used_names.add((kind, stem, commune.code))
            private_share = {"COLLEGE": 0.25, "CFA": 0.0}.get(kind, 0.12)
            chosen: list[str] = []
            if kind in ("LP", "LPO", "CFA"):
                while len(chosen) < (2 if sampler.chance(0.6) else 1):
                    trade = sampler.weighted(trades, trade_w)
                    if trade not in chosen:
                        chosen.append(trade)
            latitude, longitude = _near(commune, sampler)
            year = sampler.integer(1962, 2016)
            establishments.append(
                Establishment(
                    uai=number + uai_key(number),
                    kind=kind,
                    stem=stem,
                    commune=commune,
                    private=sampler.chance(private_share),
                    trades=chosen,
                    lycee_des_metiers=kind in ("LP", "LPO") and sampler.chance(0.5),
                    latitude=latitude,
                    longitude=longitude,
                    address=f"{sampler.integer(1, 48)} {sampler.pick(_STREETS)}",
                    opened=f"{year}-{sampler.integer(1, 12):02d}-{sampler.integer(1, 28):02d}",
                    offers_apprenticeship=kind == "CFA"
                    or (kind in ("LP", "LPO") and sampler.chance(0.3)),
                )
            )
    establishments.sort(key=lambda e: e.uai)
    return Territory(communes, establishments)


# Lambert-93 (EPSG:2154): conformal conic projection of the GRS 80 ellipsoid, standard
# parallels 44° and 49° N, origin 46.5° N 3° E, false easting 700 km, false northing 6,600 km
# (IGN, « Projection cartographique conique conforme de Lambert », NT/G 71).
_A = 6_378_137.0
_E = 0.0818191910428158


def _isometric(phi: float) -> float:
    s = math.sin(phi)
    return math.tan(math.pi / 4 - phi / 2) / math.pow((1 - _E * s) / (1 + _E * s), _E / 2)


def _m(phi: float) -> float:
    return math.cos(phi) / math.sqrt(1 - (_E * math.sin(phi)) ** 2)


_PHI1, _PHI2, _PHI0 = math.radians(44.0), math.radians(49.0), math.radians(46.5)
_N = math.log(_m(_PHI1) / _m(_PHI2)) / math.log(_isometric(_PHI1) / _isometric(_PHI2))
_F = _m(_PHI1) / (_N * _isometric(_PHI1) ** _N)
_RHO0 = _A * _F * _isometric(_PHI0) ** _N


def lambert93(latitude: float, longitude: float) -> tuple[float, float]:
    """Lambert-93 coordinates (metres) of a point given in WGS 84 degrees."""
    rho = _A * _F * math.pow(_isometric(math.radians(latitude)), _N)
    theta = _N * math.radians(longitude - 3.0)
    x = 700_000.0 + rho * math.sin(theta)
    y = 6_600_000.0 + _RHO0 - rho * math.cos(theta)
    return float(x), float(y)
