"""The impact of a list of changes to the carte, at once (without simulation).

A change is an offer (UAI × MEF STAT 11 × statut) with its places before and after — what a
campaign's validated requests or a scenario give. :func:`impact` returns:

- ``offres``: each change with its demand (Affelnet first wishes; Parcoursup confirmed wishes in
  pupils, see :mod:`~tremplin.planning.carte`) and its pressure before and after (a new offer:
  the pressure of its formation in the territory, flagged ``pression_estimee``);
- ``groupes``: per département × FAP 22 domain the offers' places spread over their trades
  (``Facts.metiers``: weights summing to 1 per offer), before and after, against the BMO 2024
  recruitment projects of that domain (secret cells left out) — places per 100 projects;
- beside BMO in each group, ``besoins_declares``: the people companies still want in that
  département × domain (open declared needs, ``declared_needs``, FAP 2021 → FAP 22),
  None where no need is declared (« aucun besoin déclaré », never 0);
- ``totaux``: places before and after, and the places of the industrial perimeter.

Everything but the changes is prepared once per territory (:func:`prepared`, memoised with the
facts), so that an edit is recomputed in milliseconds (``benchmarks/planning.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from tremplin.diagnostic.facts import Facts
from tremplin.errors import InputError
from tremplin.planning.carte import Carte, carte

__all__ = ["ChangeOfPlaces", "Prepared", "changes_from", "declared_by_group", "impact", "prepared"]

DECLARED_SCHEMA = {"code_departement": pl.String, "fap22": pl.String, "besoins_declares": pl.Int64}


def declared_by_group(declared: pl.DataFrame | None, families: pl.DataFrame | None) -> pl.DataFrame:
    """The people still wanted by companies' open declared needs (``declared_needs``' frame:
    ``fap2021``, ``code_departement``, ``personnes``) per département × FAP 22 domain, through
    ``families`` (``Facts.familles_fap``: fap2021 → fap22, the chain the carte's trades use)."""
    if declared is None or declared.is_empty() or families is None or families.is_empty():
        return pl.DataFrame(schema=DECLARED_SCHEMA)
    return (
        declared.drop_nulls("fap2021")
        .join(families.select("fap2021", "fap22").unique("fap2021"), on="fap2021", how="inner")
        .group_by("code_departement", "fap22")
        .agg(pl.col("personnes").sum().cast(pl.Int64).alias("besoins_declares"))
    )


@dataclass(frozen=True)
class ChangeOfPlaces:
    uai: str
    mef_stat_11: str
    places_apres: int
    statut: str = "scolaire"
    places_avant: int | None = None  # None: the carte's places


def changes_from(items: Iterable[Mapping[str, Any]]) -> list[ChangeOfPlaces]:
    """Changes from JSON objects; raises :class:`InputError` naming the field at fault."""
    out = []
    for n, item in enumerate(items, start=1):
        where = f"changements[{n}]"
        if not isinstance(item, Mapping):
            raise InputError(f"changement n° {n} : un objet est attendu", where=[where])
        uai, mef = (
            str(item.get("uai") or "").strip().upper(),
            str(item.get("mef_stat_11") or "").strip(),
        )
        if not uai or not mef:
            raise InputError(
                f"changement n° {n} : « uai » et « mef_stat_11 » sont obligatoires",
                where=[where],
                expected="{uai, mef_stat_11, places_apres}",
            )
        values: dict[str, int | None] = {}
        for name in ("places_apres", "places_avant"):
            value = item.get(name)
            if value is None and name == "places_avant":
                values[name] = None
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InputError(
                    f"changement n° {n} : « {name} » doit être un entier positif ou nul",
                    where=[f"{where}.{name}"],
                    expected="un entier ≥ 0",
                )
            values[name] = value
        statut = str(item.get("statut") or "scolaire")
        if statut not in {"scolaire", "apprentissage"}:
            raise InputError(
                f"changement n° {n} : statut « {statut} » inconnu",
                where=[f"{where}.statut"],
                expected="scolaire ou apprentissage",
            )
        after = values["places_apres"]
        assert after is not None
        out.append(ChangeOfPlaces(uai, mef, after, statut, values["places_avant"]))
    if not out:
        raise InputError(
            "aucun changement", where=["changements"], expected="au moins un changement"
        )
    return out


@dataclass(frozen=True, eq=False)
class Prepared:
    carte: Carte
    weights: pl.DataFrame  # offre, code_departement, fap22, poids, industrie
    formation_weights: pl.DataFrame  # mef_stat_11, fap22, poids, industrie (per place)
    groups: pl.DataFrame  # code_departement, fap22, places, projets
    formation_pressure: pl.DataFrame  # mef_stat_11, statut, pression


def prepared(facts: Facts, territoire: str) -> Prepared:
    """What :func:`impact` needs for ``territoire``, computed once (memoised with the facts)."""
    k = carte(facts, territoire)
    key = ("planning.impact", territoire)

    def weights() -> pl.DataFrame:
        return (
            k.metiers.join(k.libelles_fap.select("fap86", "fap22"), on="fap86", how="left")
            .drop_nulls("fap22")
            .group_by("offre", "code_departement", "fap22")
            .agg(pl.col("poids").sum(), pl.col("industrie").any())
        )

    w = facts.memoised((*key, "poids"), weights)

    def formation_weights() -> pl.DataFrame:
        first = k.offres.group_by("mef_stat_11").agg(pl.col("offre").first())
        return (
            w.join(first, on="offre")
            .group_by("mef_stat_11", "fap22")
            .agg(pl.col("poids").sum(), pl.col("industrie").any())
        )

    def groups() -> pl.DataFrame:
        placed = (
            w.join(k.offres.select("offre", "capacite"), on="offre")
            .group_by("code_departement", "fap22")
            .agg((pl.col("poids") * pl.col("capacite")).sum().alias("places"))
        )
        needs = (
            k.besoins.join(k.libelles_fap.select("fap86", "fap22"), on="fap86", how="left")
            .group_by("code_departement", "fap22")
            .agg(pl.col("projets").sum())
        )
        return placed.join(needs, on=["code_departement", "fap22"], how="full", coalesce=True)

    def pressure() -> pl.DataFrame:
        return k.offres.group_by("mef_stat_11", "statut").agg(
            (pl.col("demande").sum() / pl.col("capacite").sum()).alias("pression_formation"),
            pl.col("libelle").first().alias("libelle_formation"),
        )

    return Prepared(
        carte=k,
        weights=w,
        formation_weights=facts.memoised((*key, "formations"), formation_weights),
        groups=facts.memoised((*key, "groupes"), groups),
        formation_pressure=facts.memoised((*key, "pression"), pressure),
    )


def impact(
    p: Prepared, changes: Iterable[ChangeOfPlaces], declared: pl.DataFrame | None = None
) -> dict[str, Any]:
    """The impact of ``changes`` (see the module), as JSON; ``declared``: the open declared
    needs per département × domain (:func:`declared_by_group`) shown beside BMO."""
    rows = list(changes)
    if not rows:
        raise InputError("aucun changement", where=["changements"])
    asked = pl.DataFrame(
        {
            "n": list(range(len(rows))),
            "uai": [c.uai for c in rows],
            "mef_stat_11": [c.mef_stat_11 for c in rows],
            "statut": [c.statut for c in rows],
            "places_apres": [c.places_apres for c in rows],
            "places_avant_donnees": [c.places_avant for c in rows],
        },
        schema_overrides={"places_avant_donnees": pl.Int64, "places_apres": pl.Int64},
    )
    offers = p.carte.offres.select(
        "offre", "uai", "mef_stat_11", "statut", "libelle", "etablissement", "commune",
        "code_departement", "capacite", "demande", "source",
    )  # fmt: skip
    found = (
        asked.join(offers, on=["uai", "mef_stat_11", "statut"], how="left")
        .join(p.formation_pressure, on=["mef_stat_11", "statut"], how="left")
        .with_columns(
            pl.coalesce("places_avant_donnees", "capacite", pl.lit(0)).alias("places_avant"),
            pl.coalesce("libelle", "libelle_formation").alias("libelle"),
        )
        .with_columns(
            (pl.col("places_apres") - pl.col("places_avant")).alias("ecart"),
            pl.col("offre").is_null().alias("nouvelle"),
        )
        .with_columns(
            (pl.col("demande") / pl.col("places_avant")).alias("pression_avant"),
            pl.when(pl.col("nouvelle"))
            .then(pl.col("pression_formation"))
            .otherwise(pl.col("demande") / pl.col("places_apres"))
            .alias("pression_apres"),
            pl.col("nouvelle").alias("pression_estimee"),
        )
        .sort("n")
    )
    known = found.filter(~pl.col("nouvelle")).select("offre", "ecart")
    new = found.filter(pl.col("nouvelle")).select("uai", "mef_stat_11", "ecart")
    departement = pl.col("uai").str.slice(0, 3).str.strip_chars_start("0")
    shifts = pl.concat(
        [
            known.join(p.weights, on="offre").select(
                "code_departement", "fap22", (pl.col("poids") * pl.col("ecart")).alias("delta")
            ),
            new.join(p.formation_weights, on="mef_stat_11").select(
                departement.str.zfill(2).alias("code_departement"),
                "fap22",
                (pl.col("poids") * pl.col("ecart")).alias("delta"),
            ),
        ]
    )
    touched = shifts.group_by("code_departement", "fap22").agg(pl.col("delta").sum())
    groups = (
        touched.join(p.groups, on=["code_departement", "fap22"], how="left")
        .join(
            p.carte.libelles_fap.select("fap22", "libelle_fap22").unique("fap22"),
            on="fap22",
            how="left",
        )
        .join(
            declared if declared is not None else pl.DataFrame(schema=DECLARED_SCHEMA),
            on=["code_departement", "fap22"],
            how="left",
        )
        .with_columns(pl.col("places").fill_null(0.0).alias("places_avant"))
        .with_columns((pl.col("places_avant") + pl.col("delta")).alias("places_apres"))
        .with_columns(
            (100 * pl.col("places_avant") / pl.col("projets")).alias(
                "places_pour_100_projets_avant"
            ),
            (100 * pl.col("places_apres") / pl.col("projets")).alias(
                "places_pour_100_projets_apres"
            ),
        )
        .sort("code_departement", "fap22")
    )
    total_before = int(p.carte.offres.get_column("capacite").sum())
    delta = int(found.get_column("ecart").sum())
    industrial = p.carte.offres.filter(pl.col("industrie").fill_null(False))
    columns = [
        "uai", "mef_stat_11", "statut", "libelle", "etablissement", "commune", "places_avant",
        "places_apres", "demande", "pression_avant", "pression_apres", "pression_estimee",
        "nouvelle",
    ]  # fmt: skip
    return {
        "territoire": p.carte.territoire,
        "offres": found.select(columns).to_dicts(),
        "groupes": groups.select(
            "code_departement",
            "fap22",
            "libelle_fap22",
            "places_avant",
            "places_apres",
            "projets",
            "places_pour_100_projets_avant",
            "places_pour_100_projets_apres",
            "besoins_declares",
        ).to_dicts(),
        "totaux": {
            "places_avant": total_before,
            "places_apres": total_before + delta,
            "places_industrie_avant": int(industrial.get_column("capacite").sum()),
            "ecart": delta,
        },
    }
