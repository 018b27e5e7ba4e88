"""The rules of the diagnostic, declared as data so that docs, pages and code share them.

The counting rules follow the national steering tool Orion: Affelnet offers of status ST that are
not « vœux de recensement »; a capacity outside 5–500 is treated as missing (Parcoursup's 0 and
999 too); pressure for CAP and bac pro (Affelnet), demand for BTS (Parcoursup); figures on the
entry year of the cycle (the 2nde commune of a famille de métiers, the 1st year of a BTS);
InserJeunes rates suppressed below 20 young people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The territory levels are declared with the territory references.
from tremplin.referentials.territory_ref import MAILLES as MAILLES
from tremplin.referentials.territory_ref import Maille as Maille

AFFELNET_STATUS = "ST"
CAPACITY_MIN = 5
CAPACITY_MAX = 500
PARCOURSUP_CAPACITY_MISSING = (0, 999)
INSERTION_MIN_YOUNG = 20
# Parcoursup marks a formation taught wholly at a distance in its title (« … - Entièrement en
# distanciel »): its places are open to the whole country, not to the territory of its UAI.
DISTANCE_LEARNING_MARK = r"(?i)enti[eè]rement en distanciel"
# Pupils above 1.5 × the places of an offer say that the two counts do not describe the same
# thing (another rentrée, sections counted apart): the rate is flagged, not shown as a fact.
FILL_RATE_MAX = 1.5


# The vocabularies, as string enumerations: the CLI (typer) and the API (FastAPI) validate and
# document them from these declarations; their members are plain strings everywhere else.
class Groupement(StrEnum):
    FAMILLE_FAP = "famille_fap"
    FAP = "fap"
    FAMILLE_METIERS = "famille_metiers"
    DIPLOME = "diplome"


class Perimetre(StrEnum):
    INDUSTRIE = "industrie"
    TOUT = "tout"


class Niveau(StrEnum):
    TOUS = "tous"
    CAP = "CAP"
    BAC_PRO = "Bac pro"
    BTS = "BTS"
    AUTRE = "Autre"


class Palier(StrEnum):
    """Where an offer sits in the voie professionnelle: « tous » sums the others."""

    TOUS = "tous"
    ENTREE = "entree"  # entry into the voie pro: 2nde pro (or 2nde commune), CAP year 1
    PREMIERE_PRO = "1re_pro"  # 1re pro offers of Affelnet (speciality after a 2nde commune)
    BTS = "bts"  # BTS year 1 (Parcoursup)
    AUTRE = "autre"  # any other Affelnet line (CAP year 2, a MEF the BCN does not know…)


class Statut(StrEnum):
    """An offer's statut: school or apprenticeship."""

    SCOLAIRE = "scolaire"
    APPRENTISSAGE = "apprentissage"


MAILLE_LABELS = {
    "region": "Région",
    "academie": "Académie",
    "departement": "Département",
    "bassin": "Bassin d'emploi (BMO)",
}
GROUPEMENTS: tuple[str, ...] = tuple(g.value for g in Groupement)
GROUPEMENT_LABELS = {
    # Named as the DARES nomenclature names its levels (the codes stay: they are the API's).
    "famille_fap": "Domaine professionnel (FAP 2021, 22 domaines)",
    "fap": "Famille professionnelle (FAP 2021, 86 familles)",
    "famille_metiers": "Famille de métiers (2nde professionnelle)",
    "diplome": "Diplôme (CFD)",
}
FAP_LEVELS = (
    ("fap22", "Domaine professionnel", "1 lettre (D)", "22 domaines professionnels"),
    (
        "fap86",
        "Famille professionnelle",
        "3 caractères (D1X)",
        "87 familles professionnelles, dont 86 dans la table BMO",
    ),
    (
        "fap228",
        "Famille professionnelle détaillée",
        "5 caractères (D1X33)",
        "228 familles détaillées : le « métier BMO » le plus souvent",
    ),
    (
        "fap2021",
        "Famille professionnelle détaillée, niveau le plus fin",
        "6 caractères (D1X33b)",
        "341 postes : le « métier BMO » quand l'enquête descend à ce niveau",
    ),
)
"""The levels of the FAP 2021 nomenclature (DARES), from the coarsest: code column, official
name, shape of the code, size (the columns of ``bmo/Intitules_FAP2021.csv``; the finest level
is the store's ``fap2021``)."""
PERIMETRES: tuple[str, ...] = tuple(p.value for p in Perimetre)
PALIERS: tuple[str, ...] = tuple(p.value for p in Palier)
PALIER_LABELS = {
    "tous": "Tous paliers",
    "entree": "Entrée en voie professionnelle (2nde pro, 1re année de CAP)",
    "1re_pro": "1re professionnelle (spécialité choisie après une 2nde commune)",
    "bts": "1re année de BTS",
    "autre": "Autres lignes Affelnet (2e année de CAP, MEF inconnu de la BCN…)",
}
NIVEAUX: tuple[str, ...] = tuple(n.value for n in Niveau)
UNPLACED = "?"  # code of the pseudo-territory or pseudo-group that keeps totals whole
UNPLACED_LABEL = "Non rattaché"


@dataclass(frozen=True)
class Thresholds:
    """When a row calls for an objective. Documented in docs/diagnostic.md."""

    # accès: young people ask for more than the places
    pression_forte: float = 1.3
    demande_forte: float = 15.0
    # attractivité: jobs hard to fill, yet young people do not ask for the training
    difficulte_forte: float = 0.6  # share of BMO projects judged difficult
    categorie_tension_forte: float = 4.0  # DARES tension category (1 to 5)
    pression_faible: float = 0.8
    demande_faible: float = 5.0
    remplissage_faible: float = 0.8
    # compétences: recruitment far above what is trained
    projets_par_place: float = 3.0
    projets_minimum: int = 50
    # vigilance: weak insertion
    devenir_favorable_faible: float = 0.6
    emploi_faible: float = 0.4


THRESHOLDS = Thresholds()
