"""The diagnostic's query parameters: the same names on pages and in the API, French errors.

A bad value gives a 422 whose message names the parameter, the value and the values allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

from fastapi import HTTPException

from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import OBJECTIVES
from tremplin.diagnostic.consoles import ConsoleQuery
from tremplin.diagnostic.indicators import Query
from tremplin.errors import InputError

STATUTS = ("scolaire", "apprentissage")
TAILLE_MAX = 1000
TAILLE_DEFAULT = 100
CONSOLE_TEXT_FILTERS = tuple(
    f.name for f in fields(ConsoleQuery) if f.name not in ("perimetre", "niveau", "annee")
)
"""The console's filters that take any code (territories, trades, formation, UAI, statut, text)."""


def unprocessable(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise unprocessable(
            f"{name} « {value} » inconnu ; valeurs possibles : {', '.join(allowed)}"
        )
    return value


def _optional(value: str | None) -> str | None:
    """An empty parameter (a form's « tous » choice) means no filter."""
    if value is None:
        return None
    value = value.strip()
    return value or None


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
    """A checked :class:`~tremplin.diagnostic.indicators.Query` (422 on a bad value).

    ``region`` keeps the territories of a région (it stands for ``dans="region:CODE"``);
    ``dans`` (« maille:code ») keeps those inside any territory.
    """
    region = _optional(region)
    query = Query(
        maille=maille,
        groupement=groupement,
        perimetre=perimetre,
        niveau=niveau,
        annee=annee,
        dans=f"region:{region}" if region else _optional(dans),
        territoire=_optional(territoire),
        groupe=_optional(groupe),
    )
    try:
        return query.checked()
    except InputError as error:
        raise unprocessable(str(error)) from error


def region_of(query: Query) -> str | None:
    """The région a query keeps (``dans="region:CODE"``), else ``None``."""
    if query.dans and query.dans.startswith("region:"):
        return query.dans.partition(":")[2]
    return None


def objectif(value: str | None) -> str | None:
    value = _optional(value)
    return None if value is None else _one_of("objectif", value, OBJECTIVES)


def console_query(
    perimetre: str = "industrie",
    niveau: str = "tous",
    annee: int | None = None,
    **filters: str | None,
) -> ConsoleQuery:
    """A checked :class:`~tremplin.diagnostic.consoles.ConsoleQuery` (422 on a bad value)."""
    _one_of("perimetre", perimetre, rules.PERIMETRES)
    _one_of("niveau", niveau, rules.NIVEAUX)
    unknown = set(filters) - set(CONSOLE_TEXT_FILTERS)
    if unknown:
        raise unprocessable(f"paramètre(s) inconnu(s) : {', '.join(sorted(unknown))}")
    values = {name: _optional(value) for name, value in filters.items()}
    if values.get("statut") is not None:
        _one_of("statut", str(values["statut"]), STATUTS)
    return ConsoleQuery(perimetre=perimetre, niveau=niveau, annee=annee, **values)


def integer(
    params: Mapping[str, str],
    name: str,
    default: int | None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """The integer parameter ``name`` of a page's query string (422 with a French message)."""
    raw = _optional(params.get(name))
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise unprocessable(f"{name} « {raw} » : un nombre entier est attendu") from error
    if minimum is not None and value < minimum:
        raise unprocessable(f"{name} « {raw} » : au moins {minimum} est attendu")
    if maximum is not None and value > maximum:
        raise unprocessable(f"{name} « {raw} » : au plus {maximum} est attendu")
    return value


def page_query(params: Mapping[str, str], **defaults: str) -> Query:
    """The diagnostic query of a page's query string, with the page's own defaults."""

    def text(name: str, fallback: str | None = None) -> str | None:
        return params.get(name, defaults.get(name, fallback))

    return diagnostic_query(
        maille=text("maille", "region") or "region",
        groupement=text("groupement", "famille_fap") or "famille_fap",
        perimetre=text("perimetre", "industrie") or "industrie",
        niveau=text("niveau", "tous") or "tous",
        annee=integer(params, "annee", None, 2000, 2100),
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
        annee=integer(params, "annee", None, 2000, 2100),
        **{name: params.get(name, defaults.get(name)) for name in CONSOLE_TEXT_FILTERS},
    )
