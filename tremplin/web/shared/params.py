"""Query parameters that pages and the API read the same way, with French errors.

A bad value raises :class:`~tremplin.errors.InputError` (a 422 through the web's one error
handler) whose message names the parameter, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Query as Param

from tremplin.errors import InputError

TAILLE_MAX = 1000
TAILLE_DEFAULT = 100
PAGE_MAX = 1_000_000
"""The last page that may be asked for: past the end of any table (a page past the end is
empty), and far from the integers that overflow a slice's offset (``page=2**63-1``)."""

Page = Annotated[
    int, Param(ge=1, le=PAGE_MAX, description="Numéro de page, à partir de 1 (au plus 1 000 000).")
]
Taille = Annotated[int, Param(ge=1, le=TAILLE_MAX, description="Lignes par page (au plus 1 000).")]


ANNEE_MIN, ANNEE_MAX = 2000, 2100
"""The years a parameter may name (pages and API alike)."""


def year(description: str) -> Any:
    """A year parameter (:data:`ANNEE_MIN` to :data:`ANNEE_MAX`) described by ``description``."""
    return Param(ge=ANNEE_MIN, le=ANNEE_MAX, description=description)


def enum(values: tuple[str, ...]) -> dict[str, Any]:
    """The OpenAPI schema extra that lists a text parameter's allowed values."""
    return {"enum": list(values)}


def optional(value: str | None) -> str | None:
    """An empty parameter (a form's « tous » choice) means no filter."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` when it is one of ``allowed``; else an :class:`InputError` listing them."""
    if value not in allowed:
        raise InputError(f"{name} « {value} » inconnu ; valeurs possibles : {', '.join(allowed)}")
    return value


def integer(
    params: Mapping[str, str],
    name: str,
    default: int | None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """The integer parameter ``name`` of a page's query string (:class:`InputError` if bad)."""
    raw = optional(params.get(name))
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name} « {raw} » : un nombre entier est attendu") from None
    if minimum is not None and value < minimum:
        raise InputError(f"{name} « {raw} » : au moins {minimum} est attendu")
    if maximum is not None and value > maximum:
        raise InputError(f"{name} « {raw} » : au plus {maximum} est attendu")
    return value
