"""Resolving place names, written differently from one file to the next, to communes.

Affelnet writes « AMBERIEU-EN-BUGEY » and « ALPES-DE-HTE-PROVENCE », the list of lycées
« AMBÉRIEU EN BUGEY CEDEX », the COG « Ambérieu-en-Bugey » and « Alpes-de-Haute-Provence ».
:func:`name_key` reduces all of them to one key: capitals without accents or punctuation, the
usual abbreviations spelled out, postal and arrondissement suffixes dropped, no spaces.

:func:`resolve_names` then finds each name's commune among (name, commune) pairs: the commune
bearing the name, else the one whose name starts with it (a commune merged into a new one),
else, for the few left, the closest spelling (difflib, standard library).
"""

from __future__ import annotations

import difflib

import polars as pl

# Abbreviations of the postal service and of Affelnet's département labels.
_ABBREVIATIONS = (
    (r"\bSTE\b", "SAINTE"),
    (r"\bSTES\b", "SAINTES"),
    (r"\bSTS\b", "SAINTS"),
    (r"\bST\b", "SAINT"),
    (r"\bHTE\b", "HAUTE"),
    (r"\bHTES\b", "HAUTES"),
    (r"\bHT\b", "HAUT"),
)


# How close a misspelt commune name must be to be taken (difflib's ratio, 0–1). At 0.85 it
# takes « Alenèon » for Alençon and « Moétiers » for Moûtiers; every match it made on the real
# files was checked by hand (docs/territories.md).
FUZZY_CUTOFF = 0.85


def name_key(expr: pl.Expr, *, spaced: bool = False) -> pl.Expr:
    """The matching key of a commune or département name (a polars string expression).

    « Saint-Étienne », « ST ETIENNE CEDEX 2 » → « SAINTETIENNE »; « LYON  3E  ARRONDISSEMENT »,
    « Lyon 3e Arrondissement » → « LYON »; « PUY-EN-VELAY (LE) » → « LEPUYENVELAY ». With
    ``spaced``, words stay apart (« SAINT ETIENNE »), so that a key can be compared word by word.
    """
    key = (
        expr.str.to_uppercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all("Œ", "OE", literal=True)
        .str.replace_all("Æ", "AE", literal=True)
        # « CEDEX », « CEDEX 04 » and what follows are postal routing, not the commune.
        .str.replace(r"\bCEDEX\b.*$", "")
        # « LYON  3E  ARRONDISSEMENT », « PARIS 15 »: the commune of an arrondissement.
        .str.replace(r"\s+[0-9]+\s*(ER|E|EME)?(\s+ARRONDISSEMENT)?\s*$", "")
        # An article written after the name: « PUY-EN-VELAY (LE) ».
        .str.replace(r"^(.*?)\s*\((LE|LA|LES|L')\)\s*$", "$2 $1")
        .str.replace_all(r"[^A-Z0-9]+", " ")
        .str.strip_chars()
    )
    for pattern, replacement in _ABBREVIATIONS:
        key = key.str.replace_all(pattern, replacement)
    return key if spaced else key.str.replace_all(" ", "", literal=True)


def commune_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """(code_insee, code_departement, population, key_commune, spaced_commune) per commune."""
    return frame.select(
        "code_insee",
        "code_departement",
        "population",
        name_key(pl.col("nom"), spaced=True).alias("spaced_commune"),
    ).with_columns(
        pl.col("spaced_commune").str.replace_all(" ", "", literal=True).alias("key_commune")
    )


def wanted_columns(uai: pl.Expr, name: pl.Expr, span: pl.Expr) -> list[pl.Expr]:
    """The columns of a name to resolve: uai, key, spaced (key with its words apart), span."""
    return [
        uai.alias("uai"),
        name_key(name).alias("key"),
        name_key(name, spaced=True).alias("spaced"),
        span.alias("span"),
    ]


def in_span(wanted: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """Every (name, commune) pair of a name and a commune of its span of départements."""
    return (
        wanted.explode("span")
        .rename({"span": "code_departement"})
        .join(keys, on="code_departement")
        .drop("code_departement")
    )


def most_populous(pairs: pl.DataFrame) -> pl.DataFrame:
    """One commune per UAI out of (uai, code_insee, population) pairs."""
    return (
        pairs.sort(["uai", "population", "code_insee"], descending=[False, True, False])
        .unique("uai", keep="first", maintain_order=True)
        .select("uai", "code_insee")
    )


def same_name(pairs: pl.DataFrame) -> pl.DataFrame:
    """The commune bearing the name; else the one whose name starts with it, word for word
    (a commune merged into a new one keeps its name at the head of it: « Oullins » →
    « Oullins-Pierre-Bénite », « Château-Gontier » → « Château-Gontier-sur-Mayenne »)."""
    same = most_populous(pairs.filter(pl.col("key") == pl.col("key_commune")))
    starts = (pl.col("spaced_commune") + " ").str.starts_with(pl.col("spaced") + " ")
    rest = pairs.join(same, on="uai", how="anti").filter(starts)
    return pl.concat([same, most_populous(rest)])


def close_spelling(pairs: pl.DataFrame) -> pl.DataFrame:
    """The commune whose name is spelt closest to the wanted one, when close enough (« Alenèon »
    → Alençon). A Python loop, meant for the few names every other rule left."""
    found: list[tuple[str, str]] = []
    grouped = (
        pairs.sort(["uai", "population", "code_insee"], descending=[False, True, False])
        .group_by("uai", maintain_order=True)
        .agg(pl.col("key").first(), pl.col("key_commune"), pl.col("code_insee"))
    )
    for uai, key, names, codes in grouped.iter_rows():
        choices = dict(zip(reversed(names), reversed(codes), strict=True))  # most populous wins
        close = difflib.get_close_matches(key, list(choices), n=1, cutoff=FUZZY_CUTOFF)
        if close:
            found.append((uai, choices[close[0]]))
    return pl.DataFrame(found, schema={"uai": pl.String, "code_insee": pl.String}, orient="row")


def resolve_names(wanted: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """(uai, key, spaced, span) → (uai, code_insee): each name resolved inside its span of
    départements, else in France when only one commune bears it, else by a close spelling
    inside its span."""
    # A UAI that names no département is abroad: a French homonym would be wrong (« Le Caire »).
    wanted = wanted.drop_nulls(["uai", "key", "span"]).filter(pl.col("key") != "")
    pairs = in_span(wanted, keys)
    inside = same_name(pairs)
    unique_keys = keys.filter(pl.len().over("key_commune") == 1)
    anywhere = (
        wanted.join(inside, on="uai", how="anti")
        .join(unique_keys, left_on="key", right_on="key_commune")
        .select("uai", "code_insee")
    )
    found = pl.concat([inside, anywhere])
    return pl.concat([found, close_spelling(pairs.join(found, on="uai", how="anti"))])
