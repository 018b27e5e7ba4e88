"""Where a young person is: a commune found from its INSEE code, a postal code or its name.

A five-digit text is first read as an INSEE code (the addresses the pages write carry INSEE
codes), then as a postal code (the most populous commune that has it in the communes file);
any other text as a name, compared without accents, case, hyphens, and with « Saint » as
« St » (the most populous of the communes bearing it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from tremplin.errors import InputError, NotFound
from tremplin.orientation.data import OrientationData, name_key


@dataclass(frozen=True)
class Commune:
    code_insee: str
    nom: str
    code_academie: str | None
    academie: str | None
    code_region: str | None
    latitude: float
    longitude: float
    bassin_bmo: str | None
    bassin: str | None

    @classmethod
    def of(cls, row: dict[str, object]) -> Commune:
        return cls(**{name: row.get(name) for name in cls.__dataclass_fields__})  # type: ignore[arg-type]


@dataclass(frozen=True)
class _CommuneIndex:
    by_code: dict[str, int]
    by_postal_code: dict[str, int]
    by_name: dict[str, int]


def _commune_index(communes: pl.DataFrame) -> _CommuneIndex:
    """Row of each INSEE code, postal code and name key; of several communes sharing a postal
    code or a name, the most populous."""
    ordered = communes.with_row_index("_rang").sort("population", descending=True, nulls_last=True)
    by_postal: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for rank, codes, key in ordered.select("_rang", "codes_postaux", "cle_nom").iter_rows():
        for code in re.findall(r"[0-9]{5}", codes or ""):
            by_postal.setdefault(code, rank)
        by_name.setdefault(key, rank)
    by_code = {code: i for i, code in enumerate(communes["code_insee"])}
    return _CommuneIndex(by_code, by_postal, by_name)


def commune_index(data: OrientationData) -> _CommuneIndex:
    """The index of ``data``'s communes, built once."""
    return data.memoised("communes", lambda: _commune_index(data.communes))


def find_commune(data: OrientationData, text: str) -> Commune:
    """The commune ``text`` names: an INSEE code, a postal code (its most populous commune),
    or a name (accents, case, hyphens and « Saint »/« St » ignored; the most populous of
    several). Raises InputError for an empty text, NotFound when no commune matches."""
    wanted = text.strip()
    if not wanted:
        raise InputError(
            "Indique ta commune.", where="commune", expected="un nom, un code postal ou INSEE"
        )
    index = commune_index(data)
    found = index.by_code.get(wanted.upper())
    if found is None:
        found = index.by_postal_code.get(wanted)
    if found is None:
        found = index.by_name.get(name_key(wanted))
    if found is None:
        raise NotFound(f"Aucune commune ne correspond à « {wanted} ».")
    return Commune.of(data.communes.row(found, named=True))
