"""For a company's need — a trade (ROME), a commune, a level —, the trainings nearby that lead
to that trade, their pupils in their final year, their outcomes, and the establishments to
contact.

Steps of :func:`need_trainings`:

1. the trainings are those of the orientation frames (:mod:`tremplin.orientation.data`: the
   latest Affelnet and Parcoursup entry offers, both levels) that lead to the ROME code (the
   diagnostic's chain: MEF STAT 11 → CFD → Certif Info → ROME, 2nde communes through their
   specialities);
2. those whose establishment is within ``rayon_km`` (straight line,
   :func:`tremplin.orientation.near.distance_km`) of the commune's centroid are kept, and split
   into the voie scolaire and apprenticeship;
3. each list is ordered by a total rule: the trainings whose diploma is of the need's level
   first (CAP → niveau 3, bac pro → 4, BTS → 5; a need of no level: every training matches),
   then by distance, then by label and identifier;
4. the establishments to contact are those of the trainings kept, each once, in the order of
   their first training (voie scolaire and apprenticeship merged by the same rule), with how
   many of the trainings listed they hold (their pupils are given per training: two trainings
   of one establishment may share a final year, a 2nde commune and one of its specialities).

Each training carries its pupils in their final year (constat de rentrée, see
:mod:`tremplin.orientation.final_year`; unknown for apprentices) and its outcomes
(InserJeunes: the establishment's, else the région's for the diploma; see
:mod:`tremplin.orientation.outcomes`), with the file and year each comes from.

When no training of the country leads to the trade, the result says so (``prepare`` False);
when some do but none within the radius, it gives the distance of the nearest one, so that the
radius can be widened.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from tremplin.errors import InputError, NotFound
from tremplin.orientation.data import OrientationData
from tremplin.orientation.final_year import SOURCE_CONSTAT
from tremplin.orientation.near import distance_km, trade_labels, training_index, training_of
from tremplin.orientation.outcomes import Outcome
from tremplin.orientation.place import Commune, find_commune

DEFAULT_RADIUS_KM = 30.0
"""How far from the need's commune trainings are looked for, unless asked otherwise."""
MAX_RADIUS_KM = 300.0

RNCP_LEVELS = {"CAP": "3", "Bac pro": "4", "BTS": "5"}
"""The level of the national framework of certifications of each diploma type."""

VOIE_SCOLAIRE = "scolaire"
VOIE_APPRENTISSAGE = "apprentissage"

APPRENTICES_UNKNOWN = (
    "non publié : le constat de rentrée ne compte que les élèves sous statut scolaire"
)
NOT_PUBLISHED = (
    "téléphone, courriel et site : non publiés dans les fichiers d’établissements chargés"
)
ORDER_RULE = (
    "d’abord les formations du niveau du besoin (CAP : 3, bac pro : 4, BTS : 5), puis la "
    "distance à vol d’oiseau depuis la commune du besoin, puis l’intitulé"
)
"""How the lists are ordered, as pages and the API say it."""


def check_radius(rayon_km: float) -> float:
    """``rayon_km`` when it lies in (0, :data:`MAX_RADIUS_KM`]; an InputError otherwise."""
    if not 0 < rayon_km <= MAX_RADIUS_KM:
        raise InputError(
            f"rayon invalide : {rayon_km} km",
            where=("rayon_km",),
            expected=f"un nombre de kilomètres de 1 à {MAX_RADIUS_KM:.0f}",
        )
    return rayon_km


@dataclass(frozen=True)
class Establishment:
    """An establishment to contact, with what the loaded files publish about it."""

    uai: str
    nom: str | None
    commune: str | None
    distance_km: float
    adresse: str | None
    code_postal: str | None
    ville: str | None
    source_contact: str | None
    formations: int = 0
    # No establishment file loaded publishes these: kept so that the API says it.
    telephone: str | None = None
    courriel: str | None = None
    site: str | None = None

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["distance_km"] = round(self.distance_km, 1)
        found["contact_non_publie"] = NOT_PUBLISHED
        return found


@dataclass(frozen=True)
class NeedTraining:
    """A training near a need: the training as orientation reads it, and what a company asks."""

    id: str
    uai: str
    etablissement: str | None
    commune: str | None
    code_insee: str | None
    precision: str | None
    distance_km: float
    voie: str
    libelle: str
    diplome: str | None
    niveau_rncp: str | None
    niveau_adapte: bool
    mef_stat_11: str
    cfd: str | None
    mefs_terminale: str | None
    eleves_terminale: int | None
    rentree_terminale: int | None
    devenir: Outcome
    pertinence: float

    @property
    def pupils_note(self) -> str:
        """Where the final-year pupils come from, or why they are unknown."""
        if self.voie != VOIE_SCOLAIRE:
            return APPRENTICES_UNKNOWN
        year = f" {self.rentree_terminale}" if self.rentree_terminale is not None else ""
        if self.eleves_terminale is None:
            return (
                f"non connu : aucune classe de dernière année de cette formation dans "
                f"l’établissement au {SOURCE_CONSTAT.replace('(DEPP)', '').strip()}{year}"
            )
        return f"{SOURCE_CONSTAT}, rentrée{year}, MEF {self.mefs_terminale}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "uai": self.uai,
            "etablissement": self.etablissement,
            "commune": self.commune,
            "code_insee": self.code_insee,
            "distance_km": round(self.distance_km, 1),
            "voie": self.voie,
            "formation": self.libelle,
            "diplome": self.diplome,
            "niveau_rncp": self.niveau_rncp,
            "niveau_adapte": self.niveau_adapte,
            "mef_stat_11": self.mef_stat_11,
            "cfd": self.cfd,
            "mefs_terminale": self.mefs_terminale,
            "eleves_terminale": self.eleves_terminale,
            "rentree_terminale": self.rentree_terminale,
            "eleves_terminale_source": self.pupils_note,
            "taux_emploi_6_mois": self.devenir.taux_emploi,
            "taux_poursuite_etudes": self.devenir.taux_poursuite,
            "devenir_millesime": self.devenir.millesime,
            "devenir_source": self.outcome_note,
            "devenir_regional": self.devenir.regional,
        }

    @property
    def outcome_note(self) -> str:
        """Where the outcomes come from, or why they are missing."""
        if self.devenir.source is None:
            return "non publié (InserJeunes ne publie pas les cohortes de moins de 20 jeunes)"
        where = "de la région pour ce diplôme" if self.devenir.regional else "de l’établissement"
        return f"{self.devenir.source}, millésime {self.devenir.millesime}, chiffres {where}"


@dataclass(frozen=True)
class NeedTrainings:
    """The trainings near a need, by voie, and the establishments to contact."""

    code_rome: str
    libelle_rome: str | None
    code_insee: str
    commune: Commune | None  # None: the commune is not in the loaded territory files
    niveau: str | None
    rayon_km: float
    scolaire: list[NeedTraining] = field(default_factory=list)
    apprentissage: list[NeedTraining] = field(default_factory=list)
    etablissements: list[Establishment] = field(default_factory=list)
    prepare: bool = False
    plus_proche_km: float | None = None

    @property
    def count(self) -> int:
        return len(self.scolaire) + len(self.apprentissage)

    @property
    def trainings(self) -> list[NeedTraining]:
        """Every training listed, in the documented order (both voies merged)."""
        return sorted(self.scolaire + self.apprentissage, key=sort_key)

    def as_json(self) -> dict[str, Any]:
        return {
            "code_rome": self.code_rome,
            "libelle_rome": self.libelle_rome,
            "code_insee": self.code_insee,
            "commune": self.commune.nom if self.commune is not None else None,
            "niveau": self.niveau,
            "rayon_km": self.rayon_km,
            "prepare": self.prepare,
            "plus_proche_km": (
                round(self.plus_proche_km, 1) if self.plus_proche_km is not None else None
            ),
            "note": self.note,
            "ordre": ORDER_RULE,
            "voie_scolaire": [t.as_json() for t in self.scolaire],
            "apprentissage": [t.as_json() for t in self.apprentissage],
            "etablissements": [e.as_json() for e in self.etablissements],
        }

    @property
    def note(self) -> str | None:
        """What to say when nothing is listed: no training leads to the trade, or none within
        the radius (with the distance of the nearest)."""
        if self.count:
            return None
        if self.commune is None:
            return (
                f"La commune du besoin ({self.code_insee}) est absente des fichiers de "
                "territoires chargés : les formations proches ne peuvent être cherchées."
            )
        if not self.prepare:
            return (
                "Aucune formation des fichiers chargés (Affelnet, Parcoursup) ne mène à ce "
                "métier : il n’est préparé par aucune formation professionnelle initiale "
                "recensée (chaîne MEF → CFD → Certif Info → ROME)."
            )
        rayon = f"{self.rayon_km:.0f}".replace(".", ",")
        if self.plus_proche_km is None:
            return f"Aucune formation menant à ce métier à moins de {rayon} km."
        nearest = f"{self.plus_proche_km:.0f}"
        return (
            f"Aucune formation menant à ce métier à moins de {rayon} km ; la plus proche est à "
            f"{nearest} km : élargissez le rayon."
        )


def sort_key(training: NeedTraining) -> tuple[object, ...]:
    """The documented order: level matching the need first, then distance, label, id."""
    return (
        0 if training.niveau_adapte else 1,
        training.distance_km,
        training.libelle,
        training.id,
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _training(row: dict[str, object], relevance: float, niveau: str | None) -> NeedTraining:
    base = training_of(row, relevance)
    diplome = base.niveau
    level = RNCP_LEVELS.get(diplome or "")
    return NeedTraining(
        id=base.id,
        uai=base.uai,
        etablissement=base.etablissement,
        commune=base.commune,
        code_insee=_text(row.get("code_insee")),
        precision=base.precision,
        distance_km=float(row["distance_km"]),  # type: ignore[arg-type]
        voie=base.voie,
        libelle=base.libelle,
        diplome=diplome,
        niveau_rncp=level,
        niveau_adapte=niveau is None or level == niveau,
        mef_stat_11=str(row["mef_stat_11"]),
        cfd=_text(row.get("cfd")),
        mefs_terminale=_text(row.get("mefs_terminale")),
        eleves_terminale=_int(row.get("eleves_terminale")),
        rentree_terminale=_int(row.get("rentree_terminale")),
        devenir=base.devenir,
        pertinence=relevance,
    )


def _establishments(
    ordered: list[NeedTraining], contacts: dict[str, dict[str, object]]
) -> list[Establishment]:
    grouped: dict[str, list[NeedTraining]] = {}
    for training in ordered:
        grouped.setdefault(training.uai, []).append(training)
    found = []
    for uai, trainings in grouped.items():
        first = trainings[0]
        row = contacts.get(uai, {})
        found.append(
            Establishment(
                uai=uai,
                nom=first.etablissement,
                commune=first.commune,
                distance_km=first.distance_km,
                adresse=_text(row.get("adresse")),
                code_postal=_text(row.get("code_postal")),
                ville=_text(row.get("ville")),
                source_contact=_text(row.get("source_contact")),
                formations=len(trainings),
            )
        )
    return found


def need_trainings(
    data: OrientationData,
    code_rome: str,
    commune: str,
    niveau: str | None = None,
    rayon_km: float = DEFAULT_RADIUS_KM,
) -> NeedTrainings:
    """The trainings within ``rayon_km`` of ``commune`` leading to ``code_rome``, ordered for a
    need of ``niveau`` (« 3 »… « 7 », None: any), steps in the module's docstring. A commune
    the loaded territory files do not have gives an empty result that says so."""
    check_radius(rayon_km)
    code = code_rome.strip().upper()
    index = training_index(data)
    rows, weights = index.by_rome.get(code, (np.empty(0, np.int64), np.empty(0)))
    try:
        place = find_commune(data, commune)
    except NotFound:
        return NeedTrainings(
            code,
            trade_labels(data).get(code),
            commune,
            None,
            niveau,
            rayon_km,
            prepare=rows.size > 0,
        )
    located = ~np.isnan(index.latitude[rows])
    rows, weights = rows[located], weights[located]
    distances = distance_km(
        place.latitude, place.longitude, index.latitude[rows], index.longitude[rows]
    )
    near = distances <= rayon_km
    beyond = distances[~near]
    chosen = rows[near]
    found = data.formations[chosen.tolist()].with_columns(
        pl.Series("distance_km", distances[near], pl.Float64)
    )
    trainings = [
        _training(row, float(weight), niveau)
        for row, weight in zip(found.iter_rows(named=True), weights[near].tolist(), strict=True)
    ]
    trainings.sort(key=sort_key)
    contacts = {
        str(row["uai"]): row
        for row in found.select("uai", "adresse", "code_postal", "ville", "source_contact")
        .unique("uai")
        .iter_rows(named=True)
    }
    return NeedTrainings(
        code_rome=code,
        libelle_rome=trade_labels(data).get(code),
        code_insee=place.code_insee,
        commune=place,
        niveau=niveau,
        rayon_km=rayon_km,
        scolaire=[t for t in trainings if t.voie == VOIE_SCOLAIRE],
        apprentissage=[t for t in trainings if t.voie == VOIE_APPRENTISSAGE],
        etablissements=_establishments(trainings, contacts),
        prepare=rows.size > 0,
        plus_proche_km=float(beyond.min()) if beyond.size else None,
    )
