"""How each figure of the diagnostic is named, written and sourced on pages and in exports.

The indicators themselves (name, label, source, definition) are declared once in
:data:`tremplin.diagnostic.indicators.INDICATORS`; this module adds what only an interface needs:
the French labels of the other columns, how a value is written (count, percentage, ratio), and
which year column of a row dates each source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tremplin import formats
from tremplin.diagnostic.classify import OBJECTIVE_LABELS
from tremplin.diagnostic.indicators import INDICATORS, Indicator, Query
from tremplin.diagnostic.rules import GROUPEMENT_LABELS, MAILLE_LABELS, PALIER_LABELS
from tremplin.diagnostic.selection import Sort, Threshold
from tremplin.diagnostic.trends import EVOLUTIONS, LABELS_FR

INDICATOR_BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS}

PERCENT = frozenset(
    {
        "taux_remplissage",
        "taux_emploi_6_mois",
        "taux_poursuite",
        "taux_devenir_favorable",
        "part_projets_difficiles",
        "part_cellules_bmo_secretes",
        *(
            f"{measure}_{voie}"
            for measure in ("taux_emploi_6_mois", "taux_devenir_favorable")
            for voie in ("scolaire", "apprentissage", "ensemble")
        ),
        *EVOLUTIONS,  # the trend's relative changes
    }
)
"""Shares written as percentages (the others ratios are written as decimals)."""

DECIMALS = {
    "taux_pression": 2,
    "taux_demande": 1,
    "tension": 2,
    "categorie_tension": 1,
    "projets_par_place": 1,
    "taille_competences": 1,
}
"""Ratios written with a fixed number of decimals."""

# Where a row of the diagnostic says which year each source it draws on is from.
SOURCE_YEAR_COLUMNS = (
    ("Affelnet", "annee_affelnet"),
    ("Parcoursup", "annee_parcoursup"),
    ("Constat", "rentree_effectif"),
    ("InserJeunes", "millesime_insertion"),
    ("BMO", "annee_bmo"),
    ("DARES", "annee_tension"),
)

SUMMABLE = (
    "nb_offres",
    "capacite",
    "demandes_voeux_1",
    "capacite_bts",
    "voeux_confirmes",
    "nb_offres_distance",
    "capacite_distance",
    "voeux_confirmes_distance",
    "places",
    "effectif",
    "projets_recrutement",
)
"""Counts that add up over the groups of a territory (an establishment can teach several
groups, so ``nb_etablissements`` does not)."""

WEIGHTED = {
    "taux_pression": ("demandes_voeux_1", "capacite"),
    "taux_demande": ("voeux_confirmes", "capacite_bts"),
    "projets_par_place": ("projets_recrutement", "places"),
}
"""Ratios whose total over the groups of a territory is exact: Σ(ratio × denominator) ÷
Σ denominator (for pressure and demand the numerator is that of the offers whose capacity is
known, which is what ratio × denominator gives back)."""

COLUMN_LABELS: dict[str, str] = {
    "maille": "Maille",
    "code_territoire": "Code du territoire",
    "territoire": "Territoire",
    "groupement": "Regroupement des métiers",
    "code_groupe": "Code du groupe",
    "groupe": "Groupe de métiers",
    "perimetre": "Périmètre",
    "niveau": "Niveau",
    "palier": "Palier",
    "annee_affelnet": "Année Affelnet",
    "annee_parcoursup": "Année Parcoursup",
    "millesime_insertion": "Millésime InserJeunes",
    "annee_bmo": "Année BMO",
    "annee_tension": "Année DARES",
    "objectifs": "Objectifs",
    "pression_demande_opposees": "Pression (CAP, bac pro) et demande (BTS) opposées",
    "taille_attractivite": "Attractivité : places vacantes",
    "taille_acces": "Accès : places manquantes",
    "taille_competences": "Compétences : projets par place",
    "taille_vigilance": "Vigilance : jeunes concernés",
    "explications": "Explications",
    **LABELS_FR,  # the trend's columns
    # The consoles' columns.
    "source": "Source",
    "annee": "Année",
    "uai": "UAI",
    "etablissement": "Établissement",
    "commune": "Commune",
    "code_insee": "Code commune",
    "code_region": "Région (code)",
    "region": "Région",
    "code_academie": "Académie (code)",
    "academie": "Académie",
    "code_departement": "Département (code)",
    "departement": "Département",
    "bassin_bmo": "Bassin d'emploi BMO (code)",
    "nom_bassin_bmo": "Bassin d'emploi (BMO)",
    "precision": "Localisation de l'établissement",
    "mef_stat_11": "MEF STAT 11",
    "cfd": "CFD",
    "libelle_formation": "Formation",
    "statut": "Statut",
    "voie": "Voie",
    "famille_metiers": "Famille de métiers",
    "code_rome": "ROME (code)",
    "libelle_rome": "Métier (ROME)",
    "fap22": "Domaine professionnel FAP 2021 (code)",
    "libelle_fap22": "Domaine professionnel (FAP 2021)",
    "fap86": "Famille professionnelle FAP 2021 (code)",
    "libelle_fap86": "Famille professionnelle (FAP 2021)",
    "industrie": "Périmètre industrie",
    "capacite_brute": "Capacité déclarée",
    "rentree_effectif": "Rentrée du constat",
    "ecart_rentree": "Écart entre la rentrée du constat et l'année de l'offre (ans)",
    "a_distance": "Entièrement à distance",
    "remplissage_incoherent": "Remplissage incohérent (élèves > 150 % des places)",
    "quadrant": "Quadrant",
    "places_manquantes": "Places manquantes (vœux au-delà des places)",
    **{i.name: i.label for i in INDICATORS},
}

PERIMETRE_LABELS = {"industrie": "Industrie / métallurgie", "tout": "Tous les métiers"}


def query_filters(
    query: Query, *, annee: bool = False, objectif: str | None = None
) -> list[tuple[str, str]]:
    """The filters of a diagnostic or trend query as an export's preamble writes them (the year
    asked with ``annee``, the objective kept when given)."""
    shown = [
        ("Maille", MAILLE_LABELS[query.maille]),
        ("Regroupement des métiers", GROUPEMENT_LABELS[query.groupement]),
        ("Périmètre", PERIMETRE_LABELS[query.perimetre]),
        ("Niveau", query.niveau),
        ("Palier", PALIER_LABELS[query.palier]),
    ]
    if annee:
        shown.append(("Année", str(query.annee) if query.annee else "la dernière de chaque source"))
    for label, value in (
        ("Dans", query.dans),
        ("Territoire", query.territoire),
        ("Groupe", query.groupe),
        ("Objectif", OBJECTIVE_LABELS.get(objectif or "", None)),
    ):
        if value:
            shown.append((label, value))
    return shown


NIVEAU_LABELS = {"tous": "Tous les niveaux"}
STATUT_LABELS = {"scolaire": "Scolaire", "apprentissage": "Apprentissage"}
SOURCE_LABELS = {"affelnet": "Affelnet", "parcoursup": "Parcoursup"}
VOIE_LABELS = {"scolaire": "Voie scolaire", "apprentissage": "Apprentissage"}
QUADRANT_LABELS = {
    "Q1": "Q1 : emploi et poursuite d'études au moins à la moyenne",
    "Q2": "Q2 : emploi au moins à la moyenne, poursuite d'études en dessous",
    "Q3": "Q3 : emploi en dessous de la moyenne, poursuite d'études au moins à la moyenne",
    "Q4": "Q4 : emploi et poursuite d'études en dessous de la moyenne",
}

VALUE_LABELS: dict[str, Mapping[str, str]] = {
    "maille": MAILLE_LABELS,
    "groupement": GROUPEMENT_LABELS,
    "perimetre": PERIMETRE_LABELS,
    "niveau": NIVEAU_LABELS,
    "palier": PALIER_LABELS,
    "statut": STATUT_LABELS,
    "source": SOURCE_LABELS,
    "voie": VOIE_LABELS,
    "quadrant": QUADRANT_LABELS,
}
"""Columns whose values are codes, and the label an export writes for each (a code the
mapping lacks is written as it is)."""

COUNT_DECIMALS = 1
"""Decimals of a count that is not whole (a weighted count: a formation spread over trades),
on pages and in exports."""


def rounded(name: str, value: float) -> float:
    """``value`` of column ``name`` rounded as a page shows it: a share to 0.1 point (3
    decimals of the fraction), a ratio to its :data:`DECIMALS`, any other number to
    :data:`COUNT_DECIMALS`; exports write the same."""
    if name in PERCENT:
        return round(value, 3)
    return round(value, DECIMALS.get(name, COUNT_DECIMALS))


def decimals_of(name: str) -> int:
    """How many decimals :func:`rounded` keeps for column ``name``."""
    return 3 if name in PERCENT else DECIMALS.get(name, COUNT_DECIMALS)


@dataclass(frozen=True)
class Figure:
    """One figure as a page shows it: the value written in French, where it comes from."""

    name: str
    text: str
    source: str
    year: str


NO_DECLARED_NEED = "aucun besoin déclaré"
DECLARED_NEEDS = (
    "besoins_declares",
    "personnes_besoins_declares",
    "entreprises_besoins_declares",
    "date_besoins_declares",
)
"""The columns of the companies' declared needs: empty means that none was declared."""


def format_value(name: str, value: Any) -> str:
    """``value`` of the column ``name`` written the French way (« — » when missing; « aucun
    besoin déclaré » for the declared needs' figures of a row without one)."""
    if value is None:
        return NO_DECLARED_NEED if name in DECLARED_NEEDS else formats.MISSING
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        if name == "objectifs":
            return ", ".join(OBJECTIVE_LABELS.get(str(v), str(v)) for v in value)
        return " ".join(str(v) for v in value)
    if name in EVOLUTIONS:  # a change is signed: « +10,4 % », « −2,1 % »
        sign = "+" if value > 0 else "−" if value < 0 else ""
        return sign + formats.format_percent(abs(value), 1)
    if name in PERCENT:
        return formats.format_percent(value, 0 if value >= 0.1 else 1)
    if name in DECIMALS:
        return formats.format_decimal(value, DECIMALS[name])
    if name in ("maille", "groupement", "perimetre"):
        return VALUE_LABELS[name].get(str(value), str(value))
    if isinstance(value, int) and name.startswith(("annee", "millesime", "rentree")):
        return str(value)  # a year takes no thousands separator
    if isinstance(value, int | float):
        # A count spread over trades is a sum of shares: written as rounded as exports are.
        return formats.format_number(rounded(name, value) if isinstance(value, float) else value)
    return str(value)


def threshold_filters(thresholds: Iterable[Threshold]) -> list[tuple[str, str]]:
    """Thresholds as an export's filters: (« Taux de pression au moins », « 1,3 »)."""
    return [(f"{COLUMN_LABELS.get(t.column, t.column)} {t.words}", t.text) for t in thresholds]


def sort_filter(sort: Sort) -> tuple[str, str]:
    """A sort as an export's filter: (« Tri », « Taux de pression, décroissant »)."""
    order = "décroissant" if sort.descending else "croissant"
    return ("Tri", f"{COLUMN_LABELS.get(sort.column, sort.column)}, {order}")


SECRET = "secret"
"""What a page writes for a count whose every cell the producer suppressed (« * »)."""

_LOWER_BOUNDS = ("projets_recrutement", "projets_par_place")
"""Figures that are « at least » their value when part of the BMO cells behind them is secret."""


def format_cell(row: Mapping[str, Any], name: str) -> str:
    """The value of column ``name`` of ``row`` written the French way, saying a secret: « secret »
    when every BMO cell behind a recruitment figure is secret, « au moins N (x % des cellules
    BMO secrètes) » when part of them is; else :func:`format_value`."""
    value = row.get(name)
    if name not in _LOWER_BOUNDS:
        return format_value(name, value)
    if row.get("projets_recrutement_secret"):
        return SECRET
    share = row.get("part_cellules_bmo_secretes")
    if value is None or not share:
        return format_value(name, value)
    return (
        f"au moins {format_value(name, value)} "
        f"({format_value('part_cellules_bmo_secretes', share)} des cellules BMO secrètes)"
    )


def years(rows: Iterable[Mapping[str, Any]], column: str) -> list[str]:
    """The distinct years of ``column`` among ``rows``, sorted."""
    return sorted({str(row[column]) for row in rows if row.get(column) is not None})


def source_years(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """For each source with a year column, its years among ``rows`` (« 2023, 2024 »)."""
    listed = list(rows)
    found = {}
    for source, column in SOURCE_YEAR_COLUMNS:
        values = years(listed, column)
        if values:
            found[source] = ", ".join(values)
    return found


def indicator_year(name: str, known: Mapping[str, str]) -> str:
    """The years of the sources an indicator draws on, from :func:`source_years`'s result."""
    indicator = INDICATOR_BY_NAME.get(name)
    if indicator is None:
        return ""
    parts = [f"{source} {year}" for source, year in known.items() if source in indicator.source]
    return " ; ".join(parts)


def figure(name: str, value: Any, known_years: Mapping[str, str]) -> Figure:
    """The value of indicator ``name`` with its French text, its source and its year."""
    indicator = INDICATOR_BY_NAME.get(name)
    return Figure(
        name=name,
        text=format_value(name, value),
        source=indicator.source if indicator else "",
        year=indicator_year(name, known_years),
    )
