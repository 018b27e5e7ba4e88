"""The diagnostic's query parameters: the same names on pages and in the API, French errors.

A bad value raises :class:`~tremplin.errors.InputError` (a 422) whose message names the
parameter, the value and the values allowed. Values are checked here, in the web layer, before
the library's queries are built: the library's own checks are for its callers' bugs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated

from fastapi import Query as Param

from tremplin.diagnostic import rules
from tremplin.diagnostic.classify import OBJECTIVES
from tremplin.diagnostic.consoles import MULTIPLE_FILTERS, TEXT_FILTERS, ConsoleQuery
from tremplin.diagnostic.indicators import Query
from tremplin.diagnostic.selection import (
    ORDERS,
    THRESHOLD_COLUMNS,
    Threshold,
    codes,
    sort_of,
    threshold_parameters,
    thresholds,
)
from tremplin.errors import InputError
from tremplin.referentials.territory_ref import TerritoryRef
from tremplin.web.shared.params import ANNEE_MAX, ANNEE_MIN, enum, integer, one_of, optional

STATUTS = ("scolaire", "apprentissage")
CONSOLE_TEXT_FILTERS = TEXT_FILTERS
"""The console's filters that take any code (territories, trades, formation, UAI, statut, text)."""


def values_of(params: Mapping[str, str], name: str) -> list[str]:
    """Every value of ``name`` in a query string (a repeated parameter), or its one value."""
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name)]
    value = params.get(name)
    return [] if value is None else [value]


def joined_codes(values: str | Sequence[str] | None) -> str | None:
    """Codes given repeated or separated by commas, as one « 01,38 » text (``None``: none)."""
    found = codes(values)
    return ",".join(found) if found else None


def threshold_dependency() -> Callable[..., tuple[Threshold, ...]]:
    """A FastAPI dependency that reads every ``min_<column>`` / ``max_<column>`` parameter
    (each documented in the OpenAPI document) into thresholds."""

    def dependency(**values: str | None) -> tuple[Threshold, ...]:
        return thresholds(values)

    parameters = []
    for name in threshold_parameters():
        bound, column = name.split("_", 1)
        word = "au moins" if bound == "min" else "au plus"
        description = (
            f"Seuil : {THRESHOLD_COLUMNS[column]} {word} cette valeur (virgule ou point "
            "décimal) ; une ligne sans ce chiffre (inconnu ou secret) est écartée."
        )
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[str | None, Param(description=description)],
            )
        )
    dependency.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return dependency


def sort_dependency(columns: Iterable[str]) -> Callable[..., tuple[str | None, str | None]]:
    """A FastAPI dependency for ``tri`` (one of ``columns``) and ``ordre`` (asc, desc)."""
    allowed = tuple(columns)

    # Defaults rather than Annotated: ``allowed`` is local, and annotations are read as text.
    def dependency(
        tri: str | None = Param(
            None,
            description="Colonne selon laquelle trier les lignes.",
            json_schema_extra=enum(allowed),
        ),
        ordre: str | None = Param(
            None,
            description="asc (croissant) ou desc (décroissant) ; les valeurs manquantes "
            "viennent toujours en dernier.",
            json_schema_extra=enum(ORDERS),
        ),
    ) -> tuple[str | None, str | None]:
        sort = sort_of(tri, ordre, allowed)
        return (sort.column, sort.order) if sort else (None, None)

    return dependency


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
    palier: str = "tous",
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
        territoire=joined_codes(territoire),
        groupe=optional(groupe),
        palier=palier,
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
    *,
    seuils: tuple[Threshold, ...] = (),
    tri: str | None = None,
    ordre: str | None = None,
    sortable: Iterable[str] | None = None,
    **filters: str | Sequence[str] | None,
) -> ConsoleQuery:
    """A checked :class:`~tremplin.diagnostic.consoles.ConsoleQuery` (:class:`InputError` if
    bad). A territory filter takes several codes, repeated or separated by commas; ``tri``
    must be one of ``sortable`` when it is given."""
    one_of("perimetre", perimetre, rules.PERIMETRES)
    one_of("niveau", niveau, rules.NIVEAUX)
    unknown = set(filters) - set(CONSOLE_TEXT_FILTERS)
    if unknown:
        raise InputError(f"paramètre(s) inconnu(s) : {', '.join(sorted(unknown))}")
    values: dict[str, str | None] = {}
    for name, value in filters.items():
        if name in MULTIPLE_FILTERS:
            values[name] = joined_codes(value)
        else:
            values[name] = optional(value if value is None or isinstance(value, str) else value[-1])
    if values.get("statut") is not None:
        one_of("statut", str(values["statut"]), STATUTS)
    sort = sort_of(tri, ordre, sortable) if sortable is not None else None
    return ConsoleQuery(
        perimetre=perimetre,
        niveau=niveau,
        annee=annee,
        seuils=seuils,
        tri=sort.column if sort else None,
        ordre=sort.order if sort else None,
        **values,
    )


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
        palier=text("palier", "tous") or "tous",
    )


def page_console_query(
    params: Mapping[str, str], sortable: Iterable[str], **defaults: str
) -> ConsoleQuery:
    """The console query of a page's query string, with the page's own defaults (a filter
    repeated in the query string keeps each of its values)."""

    def value(name: str) -> str | Sequence[str] | None:
        if name in MULTIPLE_FILTERS and name in params:
            return values_of(params, name)
        return params.get(name, defaults.get(name))

    return console_query(
        perimetre=params.get("perimetre", defaults.get("perimetre", "industrie")) or "industrie",
        niveau=params.get("niveau", "tous") or "tous",
        annee=integer(params, "annee", None, ANNEE_MIN, ANNEE_MAX),
        seuils=thresholds(params),
        tri=params.get("tri"),
        ordre=params.get("ordre"),
        sortable=sortable,
        **{name: value(name) for name in CONSOLE_TEXT_FILTERS},
    )
