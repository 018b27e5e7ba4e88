"""Territorial codes as the files write them, normalised: départements, UAIs, arrondissements.

The files disagree on how to write a code: the académies file writes départements on three
characters (« 001 », « 02A »), the COG on two (« 01 », « 2A ») or three overseas (« 971 »); a
UAI carries its département in its first three characters, except in Corsica (« 620 », « 720 »)
and the Pacific; the annuaire places the collèges of Lyon in their municipal arrondissement
(« 69383 ») where the COG has one commune (« 69123 »). Each function has a polars-expression
twin for whole columns.
"""

from __future__ import annotations

import polars as pl

# Municipal arrondissements of Paris, Lyon and Marseille → their commune.
_ARRONDISSEMENTS = (("751", "75056"), ("6938", "69123"), ("132", "13055"))

# A UAI's first three characters → its département, where they are not the département's
# number: Corsica, and the collectivités d'outre-mer of the Pacific (checked against the list
# of lycées, the annuaire and Affelnet).
_UAI_PREFIXES = {
    "620": "2A",  # Corse-du-Sud
    "720": "2B",  # Haute-Corse
    "983": "988",  # Nouvelle-Calédonie
    "984": "987",  # Polynésie française
    "987": "986",  # Wallis-et-Futuna
}
_UAI_OVERSEAS = ("971", "972", "973", "974", "975", "976")


def _named_like(result: pl.Expr, expr: pl.Expr) -> pl.Expr:
    """``result`` under ``expr``'s output name (a when/then chain would take its first branch's)."""
    try:
        return result.alias(expr.meta.output_name())
    except pl.exceptions.ComputeError:
        return result


def normalise_departement(code: str) -> str:
    """A département code as INSEE writes it: « 001 » → « 01 », « 02A » → « 2A », « 971 »."""
    code = code.strip().upper()
    if len(code) == 3 and code.startswith("0"):
        code = code[1:]
    if len(code) == 1 and code.isdigit():
        code = "0" + code
    return code


def normalise_departement_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`normalise_departement` as a polars expression."""
    code = expr.str.strip_chars().str.to_uppercase()
    code = (
        pl.when(code.str.len_chars().eq(3) & code.str.starts_with("0"))
        .then(code.str.slice(1))
        .otherwise(code)
    )
    return _named_like(
        pl.when(code.str.contains(r"^[0-9]$")).then("0" + code).otherwise(code), expr
    )


def departement_of_uai(uai: str) -> str | None:
    """The département of an establishment, from its UAI's first three characters.

    « 0690001A » → « 69 », « 9710001A » → « 971 », « 6200001A » → « 2A ». ``None`` for a UAI
    that names no département (French establishments abroad, « 0000000A »).
    """
    prefix = uai[:3].upper()
    if prefix in _UAI_PREFIXES:
        return _UAI_PREFIXES[prefix]
    if prefix in _UAI_OVERSEAS:
        return prefix
    if prefix.startswith("0") and prefix[1:].isdigit() and prefix != "000":
        return prefix[1:]
    return None


def departement_of_uai_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`departement_of_uai` as a polars expression (null where it gives ``None``)."""
    prefix = expr.str.slice(0, 3).str.to_uppercase()
    mainland = prefix.str.contains(r"^0[0-9]{2}$") & prefix.ne("000")
    departement = (
        pl.when(prefix.is_in(list(_UAI_PREFIXES)))
        .then(prefix.replace_strict(_UAI_PREFIXES, default=None, return_dtype=pl.String))
        .when(prefix.is_in(list(_UAI_OVERSEAS)))
        .then(prefix)
        .when(mainland)
        .then(prefix.str.slice(1))
        .otherwise(None)
    )
    return _named_like(departement, expr)


def commune_of_arrondissement_expr(expr: pl.Expr) -> pl.Expr:
    """An INSEE code with the municipal arrondissements of Paris, Lyon and Marseille replaced
    by their commune (« 69383 » → « 69123 »), other codes unchanged."""
    result = expr
    for prefix, commune in reversed(_ARRONDISSEMENTS):
        arrondissement = expr.str.starts_with(prefix) & expr.ne(commune)
        result = pl.when(arrondissement).then(pl.lit(commune)).otherwise(result)
    return _named_like(result, expr)
