"""What the store knows of an establishment × formation, for a request: its capacities by voie
(Affelnet, Parcoursup), its students at the constat de rentrée, its labels and its territories.

A new request is pre-filled from :func:`offer_reference` (« capacités avant »), and stores the
territories of :func:`territories_of` so that the policy's scopes need no facts to be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from tremplin.diagnostic.facts import Facts


@dataclass(frozen=True)
class OfferReference:
    """An offer as the store knows it (None: not known). Capacities are the latest year's, the
    year and source given for traceability."""

    uai: str
    mef_stat_11: str
    etablissement: str | None
    commune: str | None
    libelle_formation: str | None
    cfd: str | None
    niveau: str | None
    capacite_scolaire: int | None
    capacite_apprentissage: int | None
    source_capacite: str | None
    effectif: int | None
    rentree_effectif: int | None
    territoires: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__} | {
            "territoires": list(self.territoires)
        }


def territories_of(facts: Facts | None, uai: str) -> tuple[str, ...]:
    """The territories of an establishment (« region:84 », « academie:10 », « departement:01 »),
    from its placement in the store; else its département read from the UAI (its first three
    characters, « 001 » → 01) alone."""
    if facts is not None:
        found = facts.etablissements.filter(pl.col("uai") == uai)
        if not found.is_empty():
            row = found.row(0, named=True)
            return tuple(
                f"{maille}:{row[f'code_{maille}']}"
                for maille in ("region", "academie", "departement")
                if row.get(f"code_{maille}")
            )
    prefix = uai[:3]
    if prefix.isdigit() and prefix.startswith("0"):
        return (f"departement:{prefix[1:]}",)
    return ()


def offer_reference(facts: Facts | None, uai: str, mef_stat_11: str) -> OfferReference:
    """The store's knowledge of ``uai`` × ``mef_stat_11`` (every figure None when unknown)."""
    uai = uai.upper()
    offers = (
        facts.offres.filter((pl.col("uai") == uai) & (pl.col("mef_stat_11") == mef_stat_11))
        if facts is not None
        else pl.DataFrame()
    )
    if offers.is_empty():
        return OfferReference(
            uai,
            mef_stat_11,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            territories_of(facts, uai),
        )
    latest = offers.filter(pl.col("annee") == pl.col("annee").max().over("source", "statut"))

    def capacity(statut: str) -> int | None:
        rows = latest.filter(pl.col("statut") == statut).drop_nulls("capacite")
        return int(rows["capacite"].sum()) if not rows.is_empty() else None

    first = latest.sort("annee", descending=True).row(0, named=True)
    sources = sorted(
        {f"{r['source']} {r['annee']}" for r in latest.drop_nulls("capacite").iter_rows(named=True)}
    )
    with_students = latest.drop_nulls("effectif").sort("annee", descending=True)
    student_row = with_students.row(0, named=True) if not with_students.is_empty() else {}
    return OfferReference(
        uai=uai,
        mef_stat_11=mef_stat_11,
        etablissement=first["etablissement"],
        commune=first["commune"],
        libelle_formation=first["libelle_formation"] or first["libelle_mef"],
        cfd=first["cfd"],
        niveau=first["niveau"],
        capacite_scolaire=capacity("scolaire"),
        capacite_apprentissage=capacity("apprentissage"),
        source_capacite=", ".join(sources) or None,
        effectif=_whole(student_row.get("effectif")),
        rentree_effectif=_whole(student_row.get("rentree_effectif")),
        territoires=territories_of(facts, uai),
    )


def _whole(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None
