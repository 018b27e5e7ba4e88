"""The diagnostic's query parameters: the same names on pages and in the API, French errors.

A bad value raises :class:`~tremplin.errors.InputError` (a 422) whose message names the
parameter, the value and the values allowed. Values are checked here, in the web layer, before
the library's queries are built: the library's own checks are for its callers' bugs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import OBJECTIVES
from tremplin.diagnostic.consoles import ConsoleQuery
from tremplin.diagnostic.indicators import Query
from tremplin.errors import InputError
from tremplin.referentials.territory_ref import TerritoryRef
from tremplin.web.shared.params import ANNEE_MAX, ANNEE_MIN, integer, one_of, optional

STATUTS = ("scolaire", "apprentissage")
CONSOLE_TEXT_FILTERS = tuple(
    f.name for f in fields(ConsoleQuery) if f.name not in ("perimetre", "niveau", "annee")
)
"""The console's filters that take any code (territories, trades, formation, UAI, statut, text)."""


def diagnostic_query(
    maille: str = "region",
    groupement: str = "famille_fap",
    perimetre: str = "industrie",
    niveau: str = "tous",
    annee: int | None = None,
    region: str | None = None,
    territoire: str | None = None,
    groupe: str | None = None,
    dans: str | None = None,
) -> Query:
    """A checked :class:`~tremplin.diagnostic.indicators.Query` (:class:`InputError` if bad).

    ``region`` keeps the territories of a région (it stands for ``dans="region:CODE"``);
    ``dans`` (« maille:code ») keeps those inside any territory.
    """
    region = optional(region)
    return Query(
        maille=maille,
        groupement=groupement,
        perimetre=perimetre,
        niveau=niveau,
        annee=annee,
        dans=f"region:{region}" if region else optional(dans),
        territoire=optional(territoire),
        groupe=optional(groupe),
    ).checked()


def region_of(query: Query) -> str | None:
    """The région a query keeps (``dans="region:CODE"``), else ``None``."""
    if query.dans is None:
        return None
    ref = TerritoryRef.parse(query.dans)
    return ref.code if ref.maille == "region" else None


def objectif(value: str | None) -> str | None:
    value = optional(value)
    return None if value is None else one_of("objectif", value, OBJECTIVES)


def console_query(
    perimetre: str = "industrie",
    niveau: str = "tous",
    annee: int | None = None,
    **filters: str | None,
) -> ConsoleQuery:
    """A checked :class:`~tremplin.diagnostic.consoles.ConsoleQuery` (:class:`InputError` if
    bad)."""
    one_of("perimetre", perimetre, rules.PERIMETRES)
    one_of("niveau", niveau, rules.NIVEAUX)
    unknown = set(filters) - set(CONSOLE_TEXT_FILTERS)
    if unknown:
        raise InputError(f"paramètre(s) inconnu(s) : {', '.join(sorted(unknown))}")
    values = {name: optional(value) for name, value in filters.items()}
    if values.get("statut") is not None:
        one_of("statut", str(values["statut"]), STATUTS)
    return ConsoleQuery(perimetre=perimetre, niveau=niveau, annee=annee, **values)


def page_query(params: Mapping[str, str], **defaults: str) -> Query:
    """The diagnostic query of a page's query string, with the page's own defaults."""

    def text(name: str, fallback: str | None = None) -> str | None:
        return params.get(name, defaults.get(name, fallback))

    return diagnostic_query(
        maille=text("maille", "region") or "region",
        groupement=text("groupement", "famille_fap") or "famille_fap",
        perimetre=text("perimetre", "industrie") or "industrie",
        niveau=text("niveau", "tous") or "tous",
        annee=integer(params, "annee", None, ANNEE_MIN, ANNEE_MAX),
        region=text("region"),
        territoire=text("territoire"),
        groupe=text("groupe"),
        dans=text("dans"),
    )


def page_console_query(params: Mapping[str, str], **defaults: str) -> ConsoleQuery:
    """The console query of a page's query string, with the page's own defaults."""
    return console_query(
        perimetre=params.get("perimetre", defaults.get("perimetre", "industrie")) or "industrie",
        niveau=params.get("niveau", "tous") or "tous",
        annee=integer(params, "annee", None, ANNEE_MIN, ANNEE_MAX),
        **{name: params.get(name, defaults.get(name)) for name in CONSOLE_TEXT_FILTERS},
    )
