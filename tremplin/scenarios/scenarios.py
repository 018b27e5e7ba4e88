"""Scenarios: changes to the places of the carte des formations, replayed on many cohorts.

A scenario is data (TOML or JSON, see docs/cohorts.md): a list of changes to offers named by
UAI and MEF STAT 11 —

- ``ouvrir`` (open): a new offer with ``places`` places;
- ``fermer`` (close): the offer (all its sections) loses all its places;
- ``ajuster`` (resize): ``places`` more places (fewer when negative);
- ``transferer`` (transfer): ``places`` places move from the offer to the one named by
  ``vers_uai`` / ``vers_mef_stat_11`` (opened when it does not exist).

:func:`prepare` turns it into a :class:`Plan`: the offers of the territory plus the new ones,
with their capacities before and after. Both worlds share **one cohort per seed**, drawn over
all the plan's offers: a new offer exists before with no place, a closed one after with none.
A formation without a place turns every pupil away, exactly as if the wish were not on the list,
so the two assignments differ only by the capacities (common random numbers), and a difference
is the scenario's effect, not a difference of cohorts.

Demand follows the offer (:mod:`~tremplin.scenarios.offer_demand`), when :func:`prepare` is given a
demand model (as :func:`~tremplin.scenarios.scenario_comparison.run_scenario` does): a new offer, or
the places added to one, draws the first wishes the demand model estimates, moved from the offers it
competes with (``Plan.moves``; :mod:`~tremplin.scenarios.wish_moves` applies them to each cohort
after the change); the choice model reads a new offer's popularity as these estimated first wishes.
Places removed move no wish: the pupils who asked for them first are turned away and go down their
lists.

The comparison itself is :mod:`~tremplin.scenarios.scenario_comparison`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from tremplin.errors import InputError, parse_problem_text
from tremplin.scenarios.cohorts import (
    offers_in_territory,
)
from tremplin.scenarios.offer_demand import DemandModel, donors
from tremplin.scenarios.offer_demand import estimate as estimate_wishes

__all__ = ["ACTIONS", "Change", "Plan", "Scenario", "ScenarioError", "prepare"]

ACTIONS = {
    "ouvrir": "ouvrir",
    "open": "ouvrir",
    "fermer": "fermer",
    "close": "fermer",
    "ajuster": "ajuster",
    "resize": "ajuster",
    "transferer": "transferer",
    "transférer": "transferer",
    "transfer": "transferer",
}


class ScenarioError(InputError):
    """A scenario that cannot be read or applied (message in French)."""


@dataclass(frozen=True)
class Change:
    action: str
    uai: str
    mef_stat_11: str
    places: int = 0
    vers_uai: str | None = None
    vers_mef_stat_11: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], position: int) -> Change:
        where = f"changement n° {position}"
        action = ACTIONS.get(str(data.get("action", "")).strip().lower())
        if action is None:
            raise ScenarioError(
                f"{where} : action attendue parmi ouvrir, fermer, ajuster, transferer"
            )
        uai, mef = (
            str(data.get("uai", "")).strip().upper(),
            str(data.get("mef_stat_11", "")).strip(),
        )
        if not uai or not mef:
            raise ScenarioError(f"{where} : « uai » et « mef_stat_11 » sont obligatoires")
        places = data.get("places", 0)
        if not isinstance(places, int) or isinstance(places, bool):
            raise ScenarioError(f"{where} : « places » doit être un nombre entier")
        if action in {"ouvrir", "transferer"} and places <= 0:
            raise ScenarioError(f"{where} : « places » doit être positif pour « {action} »")
        if action == "ajuster" and places == 0:
            raise ScenarioError(f"{where} : « places » ne peut pas être nul pour « ajuster »")
        vers = data.get("vers") or {}
        to_uai = str(vers.get("uai", data.get("vers_uai", "")) or "").strip().upper() or None
        to_mef = str(vers.get("mef_stat_11", data.get("vers_mef_stat_11", "")) or "").strip()
        if action == "transferer" and to_uai is None:
            raise ScenarioError(f"{where} : « vers_uai » est obligatoire pour un transfert")
        return cls(action, uai, mef, places, to_uai, (to_mef or mef) if to_uai else None)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action,
            "uai": self.uai,
            "mef_stat_11": self.mef_stat_11,
        }
        if self.action != "fermer":
            out["places"] = self.places
        if self.vers_uai is not None:
            out["vers_uai"], out["vers_mef_stat_11"] = self.vers_uai, self.vers_mef_stat_11
        return out


@dataclass(frozen=True)
class Scenario:
    titre: str
    changements: tuple[Change, ...]
    palier: str | None = None
    territoire: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Scenario:
        changes = data.get("changements", data.get("changes"))
        if not isinstance(changes, list) or not changes:
            raise ScenarioError("le scénario doit lister au moins un changement (« changements »)")
        if not all(isinstance(c, Mapping) for c in changes):
            raise ScenarioError("chaque changement doit être une table (uai, mef_stat_11, action…)")
        palier = data.get("palier")
        if palier is not None and str(palier) not in {"3e", "2nde"}:
            raise ScenarioError("« palier » vaut « 3e » (entrée en lycée) ou « 2nde » (1re pro)")
        return cls(
            titre=str(data.get("titre", data.get("title", "Scénario"))),
            changements=tuple(Change.from_mapping(c, i + 1) for i, c in enumerate(changes)),
            palier=None if palier is None else str(palier),
            territoire=None if data.get("territoire") is None else str(data["territoire"]),
        )

    @classmethod
    def from_file(cls, path: Path) -> Scenario:
        """A scenario from a ``.toml`` or ``.json`` file."""
        text = ""
        try:
            text = path.read_bytes().decode("utf-8-sig")
            data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        except OSError as error:
            raise ScenarioError(f"lecture impossible de {path} ({error.strerror})") from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
            raise ScenarioError(f"{path} : fichier mal formé ({error})") from None
        except (ValueError, RecursionError) as error:
            problem = parse_problem_text(error, text)
            raise ScenarioError(f"{path} : fichier mal formé ({problem})") from None
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{path} : un objet (titre, changements…) est attendu")
        return cls.from_mapping(data)

    def as_dict(self) -> dict[str, Any]:
        return {
            "titre": self.titre,
            "palier": self.palier,
            "territoire": self.territoire,
            "changements": [c.as_dict() for c in self.changements],
        }


@dataclass(frozen=True, eq=False)
class Plan:
    """The offers of a scenario (the territory's, then the new ones) with their capacities
    before and after; ``offers.capacite`` is the capacity before."""

    offers: pl.DataFrame
    before: NDArray[np.int64]
    after: NDArray[np.int64]
    # (receiver, donor, expected first wishes moved) rows of ``offers``: demand follows the offer.
    moves: tuple[tuple[int, int, float], ...] = ()

    @property
    def changed(self) -> NDArray[np.int64]:
        return np.flatnonzero(self.before != self.after)


def _pressure(offers: pl.DataFrame, mef: str) -> tuple[dict[str, Any] | None, float]:
    same = offers.filter(pl.col("mef_stat_11") == mef)
    if same.is_empty():
        return None, 0.0
    capacity = float(same.get_column("capacite").sum())
    wishes = float(same.get_column("demandes_voeux_1").sum())
    return same.row(0, named=True), wishes / capacity if capacity else 1.0


def prepare(
    scenario: Scenario,
    offers: pl.DataFrame,
    etablissements: pl.DataFrame,
    territoire: str | None,
    demand: DemandModel | None = None,
) -> Plan:
    """Apply ``scenario`` to the offers of ``territoire`` among ``offers`` (all the offers of
    the palier: they give a new offer its label, famille, perimeter and pressure);
    ``etablissements`` (:func:`tremplin.referentials.places.etablissements`) places a new
    offer's UAI; ``demand`` estimates the first wishes new places draw and moves them
    (:func:`~tremplin.scenarios.scenario_comparison.run_scenario` gives the fitted model; None:
    no first wish moves, a new offer's popularity is its places × its MEF's pressure). Raises
    :class:`ScenarioError` on a change that cannot apply."""
    try:
        base = offers_in_territory(offers, territoire)
    except InputError as error:
        raise ScenarioError(str(error)) from None
    rows: list[dict[str, Any]] = []
    after = base.get_column("capacite").fill_null(0).to_list()
    index: dict[tuple[str, str], list[int]] = {}
    for i, (uai, mef) in enumerate(base.select("uai", "mef_stat_11").iter_rows()):
        index.setdefault((uai, mef), []).append(i)

    def label(uai: str, mef: str) -> str:
        return f"l'offre {uai} × {mef}"

    def open_offer(uai: str, mef: str, places: int) -> None:
        if (uai, mef) in index:
            raise ScenarioError(f"{label(uai, mef)} existe déjà : utiliser « ajuster »")
        template, pressure = _pressure(offers, mef)
        if template is None:
            raise ScenarioError(f"MEF {mef} absente de l'offre Affelnet de ce palier")
        place = etablissements.filter(pl.col("uai") == uai)
        if place.is_empty():
            raise ScenarioError(f"établissement {uai} inconnu des données chargées")
        p = place.row(0, named=True)
        template.update(
            formation_id=f"{uai}:{mef}",
            uai=uai,
            etablissement=p["nom"],
            commune=p["commune"],
            code_departement=p["code_departement"],
            code_academie=p["code_academie"],
            code_region=p["code_region"],
            latitude=p["latitude"],
            longitude=p["longitude"],
            capacite=0,
            capacite_estimee=False,
            demandes_voeux_1=0,
            popularite=places * pressure,  # the demand model's estimate replaces it below
            affectes_voeu_1=None,
            affectes_tous_voeux=None,
        )
        index[(uai, mef)] = [len(after)]
        rows.append(template)
        after.append(places)

    def resize(uai: str, mef: str, places: int) -> None:
        sections = index.get((uai, mef))
        if sections is None:
            where = (
                "absente des données"
                if offers.filter((pl.col("uai") == uai) & (pl.col("mef_stat_11") == mef)).is_empty()
                else f"hors du territoire {territoire}"
            )
            raise ScenarioError(f"{label(uai, mef)} est {where}")
        if places >= 0:
            after[sections[0]] += places
            return
        available = sum(after[i] for i in sections)
        if available < -places:
            raise ScenarioError(f"{label(uai, mef)} n'a que {available} place(s) à retirer")
        left = -places
        for i in sorted(sections, key=lambda s: -after[s]):
            taken = min(after[i], left)
            after[i] -= taken
            left -= taken

    for change in scenario.changements:
        if change.action == "ouvrir":
            open_offer(change.uai, change.mef_stat_11, change.places)
        elif change.action == "fermer":
            resize(change.uai, change.mef_stat_11, 0)
            for i in index[(change.uai, change.mef_stat_11)]:
                after[i] = 0
        elif change.action == "ajuster":
            resize(change.uai, change.mef_stat_11, change.places)
        else:
            resize(change.uai, change.mef_stat_11, -change.places)
            target = (change.vers_uai or change.uai, change.vers_mef_stat_11 or change.mef_stat_11)
            if target in index:
                resize(*target, change.places)
            else:
                open_offer(*target, change.places)
    union = pl.concat([base, pl.DataFrame(rows, schema=base.schema)]) if rows else base
    before = union.get_column("capacite").fill_null(0).to_numpy().astype(np.int64)
    after_array = np.asarray(after, dtype=np.int64)
    if demand is None:
        return Plan(union, before, after_array)
    union, moves = _demand_follows(union, offers, before, after_array, demand)
    return Plan(union, before, after_array, moves)


def _demand_follows(
    union: pl.DataFrame,
    offers: pl.DataFrame,
    before: NDArray[np.int64],
    after: NDArray[np.int64],
    demand: DemandModel,
) -> tuple[pl.DataFrame, tuple[tuple[int, int, float], ...]]:
    """The first wishes the places added draw (estimated at the offer's places after minus at
    its places before, against all the palier's ``offers``), and where they come from. A new
    offer's popularity (read by the choice model) becomes its estimate."""
    keys = union.select("uai", "mef_stat_11").with_row_index("row")
    # An offer's sections together: the places of a UAI × MEF before and after.
    totals = (
        keys.with_columns(pl.Series("before", before), pl.Series("after", after))
        .group_by("uai", "mef_stat_11", maintain_order=True)
        .agg(pl.col("row").first(), pl.col("before").sum(), pl.col("after").sum())
        .filter(pl.col("after") > pl.col("before"))
    )
    if totals.is_empty():
        return union, ()
    rows = totals.get_column("row").to_list()
    targets = union[rows].select("uai", "mef_stat_11", "famille", "latitude", "longitude")
    at = {
        name: estimate_wishes(
            offers, targets.with_columns(pl.Series("capacite", totals.get_column(name))), demand
        )
        for name in ("before", "after")
    }
    extra = np.maximum(at["after"] - np.where(totals["before"].to_numpy() > 0, at["before"], 0), 0)
    popularity = union.get_column("popularite").to_numpy().astype(np.float64).copy()
    moves: list[tuple[int, int, float]] = []
    for row, wishes, new in zip(
        rows, extra.tolist(), (totals["before"] == 0).to_list(), strict=True
    ):
        if new:
            popularity[row] = wishes
        moves.extend((row, donor, taken) for donor, taken in donors(union, row, wishes, demand))
    return union.with_columns(pl.Series("popularite", popularity)), tuple(moves)
