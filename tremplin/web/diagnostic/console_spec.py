"""The two consoles, each declared once: its columns (in the order of its page, its API and its
exports; which ones the page shows at first, which ones it offers in the column chooser), its
titles, its rows and its export formats. The console's page, its API and its exports all read
this declaration.

The filters are those of :class:`~tremplin.diagnostic.consoles.ConsoleQuery`, the same for both
consoles (see :mod:`tremplin.web.diagnostic.params`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from tremplin.diagnostic.consoles import MULTIPLE_FILTERS, ConsoleQuery
from tremplin.diagnostic.indicators import INDICATORS
from tremplin.reports.figures import (
    COLUMN_LABELS,
    PERIMETRE_LABELS,
    sort_filter,
    threshold_filters,
)
from tremplin.web.diagnostic import params
from tremplin.web.diagnostic.service import DiagnosticService
from tremplin.web.shared.exports import FORMATS

OnPage = Literal["shown", "hidden"] | None
"""Whether the page shows a column at first (« shown »), offers it in the column chooser only
(« hidden »), or leaves it to the API and exports (``None``)."""

_INDICATOR_SOURCES = {i.name: i.source for i in INDICATORS}
_NUMBERS = {i.name for i in INDICATORS} | {"sortants", "places_manquantes"}


@dataclass(frozen=True)
class Column:
    """A column of a console: its name (the API's and the exports' key) and its place on the
    page."""

    name: str
    page: OnPage = None

    @property
    def label(self) -> str:
        """The French header (the glossary's, the exports')."""
        return COLUMN_LABELS.get(self.name, self.name)

    @property
    def shown(self) -> bool:
        """Whether the page shows it before the column chooser is used."""
        return self.page == "shown"

    @property
    def number(self) -> bool:
        """Whether the page aligns it as a number."""
        return self.name in _NUMBERS

    @property
    def source(self) -> str | None:
        """The source an indicator comes from (none for a descriptive column)."""
        return _INDICATOR_SOURCES.get(self.name)


@dataclass(frozen=True)
class ConsoleSpec:
    """One console: its name (``/diagnostic/<name>``, ``/api/v1/<name>[.csv|.xlsx|.json]``),
    its titles, its columns and how to compute its rows."""

    name: str
    title: str
    description: str
    api_summary: str
    api_description: str
    export_title: str
    export_summary: str
    columns: tuple[Column, ...]
    rows: Callable[[DiagnosticService, ConsoleQuery], pl.DataFrame]
    formats: tuple[str, ...] = tuple(FORMATS)

    @property
    def exported(self) -> list[str]:
        """Every column's name, in order: what the API and the exports give."""
        return [c.name for c in self.columns]

    def page_columns(self, frame: pl.DataFrame) -> list[Column]:
        """The columns the page offers (those ``frame`` has), in order."""
        return [c for c in self.columns if c.page is not None and c.name in frame.columns]

    @property
    def sheet(self) -> str:
        """The name of the export's XLSX sheet (at most 31 characters)."""
        return self.export_title[:31]


def query_filters(query: ConsoleQuery) -> list[tuple[str, str]]:
    """The filters of ``query`` as the exports list them: (French label, value)."""
    shown = [("Périmètre", PERIMETRE_LABELS[query.perimetre]), ("Niveau", query.niveau)]
    shown.append(("Année", str(query.annee) if query.annee else "la dernière de chaque source"))
    for name in params.CONSOLE_TEXT_FILTERS:
        value = getattr(query, name)
        if value:
            text = str(value).replace(",", ", ") if name in MULTIPLE_FILTERS else str(value)
            shown.append((COLUMN_LABELS.get(name, name).removesuffix(" (code)"), text))
    shown.extend(threshold_filters(query.seuils))
    shown.append(sort_filter(query.sort))
    return shown


def _columns(*declared: tuple[str, OnPage]) -> tuple[Column, ...]:
    return tuple(Column(name, page) for name, page in declared)


_ROUTES: tuple[tuple[str, OnPage], ...] = (
    # A formation's insertion side by side: school leavers, apprentices, both pooled.
    ("taux_emploi_6_mois_scolaire", None),
    ("taux_devenir_favorable_scolaire", "hidden"),
    ("taux_emploi_6_mois_apprentissage", None),
    ("taux_devenir_favorable_apprentissage", "hidden"),
    ("taux_emploi_6_mois_ensemble", "hidden"),
    ("taux_devenir_favorable_ensemble", "shown"),
)

OFFERS = ConsoleSpec(
    name="offres",
    title="Établissements et offres",
    description="Une ligne par offre : formation × établissement × statut.",
    api_summary="Console par formation et établissement",
    api_description="Une ligne par offre (établissement × formation × statut) : chiffres, "
    "territoire, métier, insertion et quadrant de la formation dans sa région.",
    export_title="Offres de formation (formation × établissement)",
    export_summary="Console des offres",
    rows=DiagnosticService.offers,
    columns=_columns(
        ("annee", "hidden"),
        ("source", "hidden"),
        ("uai", "hidden"),
        ("etablissement", "shown"),
        ("commune", "shown"),
        ("code_departement", None),
        ("departement", "hidden"),
        ("code_academie", None),
        ("academie", None),
        ("code_region", None),
        ("region", None),
        ("bassin_bmo", None),
        ("nom_bassin_bmo", "hidden"),
        ("cfd", "hidden"),
        ("mef_stat_11", None),
        ("libelle_formation", "shown"),
        ("niveau", "shown"),
        ("statut", "shown"),
        ("famille_metiers", "hidden"),
        ("code_rome", None),
        ("libelle_rome", "hidden"),
        ("fap22", None),
        ("libelle_fap22", "hidden"),
        ("fap86", None),
        ("libelle_fap86", "shown"),
        ("industrie", None),
        ("capacite", "shown"),
        ("capacite_brute", None),
        ("demandes_voeux_1", "shown"),
        ("taux_pression", "shown"),
        ("voeux_confirmes", "shown"),
        ("taux_demande", "shown"),
        ("a_distance", "hidden"),
        ("effectif", "shown"),
        ("rentree_effectif", None),
        ("ecart_rentree", None),
        ("taux_remplissage", "shown"),
        ("remplissage_incoherent", "hidden"),
        ("places_manquantes", "shown"),
        ("places_vacantes", "hidden"),
        ("millesime_insertion", None),
        ("sortants", None),
        ("taux_emploi_6_mois", "hidden"),
        ("taux_poursuite", "hidden"),
        ("taux_devenir_favorable", "shown"),
        *_ROUTES,
        ("quadrant", "shown"),
    ),
)

FORMATIONS = ConsoleSpec(
    name="formations",
    title="Formations",
    description="Une ligne par formation (CFD × statut) sur le territoire choisi.",
    api_summary="Console par formation",
    api_description="Une ligne par formation (CFD × statut) sur le territoire choisi : offres, "
    "capacités, vœux, taux, élèves ; insertion et quadrant quand une région est choisie.",
    export_title="Formations",
    export_summary="Console par formation",
    rows=DiagnosticService.formations,
    columns=_columns(
        ("cfd", "hidden"),
        ("libelle_formation", "shown"),
        ("niveau", "shown"),
        ("statut", "shown"),
        ("famille_metiers", "hidden"),
        ("code_rome", None),
        ("libelle_rome", "hidden"),
        ("libelle_fap22", "hidden"),
        ("libelle_fap86", "shown"),
        ("industrie", None),
        ("nb_etablissements", "shown"),
        ("capacite", "shown"),
        ("demandes_voeux_1", "shown"),
        ("taux_pression", "shown"),
        ("voeux_confirmes", "shown"),
        ("taux_demande", "shown"),
        ("effectif", "shown"),
        ("taux_remplissage", "shown"),
        ("places_manquantes", "shown"),
        ("places_vacantes", "hidden"),
        ("millesime_insertion", None),
        ("sortants", "hidden"),
        ("taux_emploi_6_mois", "hidden"),
        ("taux_poursuite", "hidden"),
        ("taux_devenir_favorable", "shown"),
        *_ROUTES,
        ("quadrant", "shown"),
    ),
)

CONSOLES = {spec.name: spec for spec in (FORMATIONS, OFFERS)}
"""Every console, by name."""
