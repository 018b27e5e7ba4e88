"""The JSON format of an assignment instance and of its result.

Instance::

    {"formations": [{"id": "F1", "capacity": 2}, ...],
     "pupils": [{"id": "P1", "wishes": ["F2", "F1"], "scores": [12.5, 14.0]}, ...],
     "seed": 7}

``wishes`` are formation ids, best first; ``scores[i]`` is the pupil's priority at ``wishes[i]``
(higher is better; ties are broken by the lottery drawn from ``seed``). Optional: per pupil
``"boursier": bool`` and ``"resident": bool`` (or one bool per wish); per formation
``"quota_boursiers"`` and ``"quota_residents"``, shares between 0 and 1 (Parcoursup-like call
order). ``scores`` may be left out (all equal: a pure lottery), ``seed`` too (0). Other keys are
ignored.

Result::

    {"assignment": {"P1": "F1", "P2": null, ...},
     "ranks": {"P1": 2, "P2": null, ...},          # 1 = first wish
     "formations": {"F1": {"capacity": 2, "filled": 2, "last_admitted_score": 14.0}, ...},
     "stats": {...}}

A bad instance raises :class:`InstanceError`, whose messages name the JSON path of each problem,
in French: ``pupils[3].wishes[1] : formation « F9 » inconnue``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from tremplin.assignment.engine import Outcome
from tremplin.assignment.instance import Instance
from tremplin.assignment.parcoursup import CallOrder
from tremplin.assignment.results import formation_results, summarise
from tremplin.errors import InputError, parse_problem_text

__all__ = ["InstanceError", "instance_from_json", "read_instance", "result_to_json", "write_result"]

MAX_REPORTED = 20
# Capacities are int64 in the engine; no formation comes near this.
MAX_CAPACITY = 10**9


class InstanceError(InputError):
    """A JSON instance that cannot be solved; ``problems`` lists each one with its JSON path.
    ``about_file``: the file itself could not be read as JSON (then no path inside it)."""

    def __init__(self, problems: list[str], about_file: bool = False) -> None:
        self.problems = problems
        self.about_file = about_file
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        lines = [*shown, f"… et {more} autre(s) problème(s)"] if more else shown
        super().__init__("\n".join(lines))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    """A number a float can hold (a 400-digit integer cannot)."""
    try:
        return _is_number(value) and math.isfinite(value)
    except OverflowError:
        return False


def _kind(value: Any) -> str:
    names = {dict: "un objet", list: "une liste", str: "un texte", bool: "un booléen"}
    if value is None:
        return "null"
    return names.get(type(value), "un nombre" if _is_number(value) else type(value).__name__)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path} : {message}")

    def root_list(self, data: dict[str, Any], key: str) -> list[Any]:
        if key not in data:
            self.fail("(racine)", f"champ « {key} » manquant")
            return []
        value = data[key]
        if not isinstance(value, list):
            self.fail(key, f"liste attendue, pas {_kind(value)}")
            return []
        return value

    def ident(self, item: dict[str, Any], path: str, seen: dict[str, str]) -> str | None:
        value = item.get("id")
        if not isinstance(value, str) or not value:
            self.fail(f"{path}.id", "identifiant (texte non vide) manquant")
            return None
        if value in seen:
            self.fail(f"{path}.id", f"identifiant « {value} » en double (déjà en {seen[value]})")
            return None
        seen[value] = path
        return value

    def share(self, item: dict[str, Any], key: str, path: str) -> float:
        value = item.get(key, 0)
        if not _is_number(value) or not 0 <= value <= 1:
            self.fail(f"{path}.{key}", f"part entre 0 et 1 attendue, pas {json.dumps(value)}")
            return 0.0
        return float(value)

    def flag(self, item: dict[str, Any], key: str, path: str) -> bool:
        value = item.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", f"booléen (true ou false) attendu, pas {_kind(value)}")
            return False
        return value


def _formations(
    reader: _Reader, items: list[Any]
) -> tuple[list[str], list[int], list[float], list[float]]:
    ids: list[str] = []
    capacities: list[int] = []
    quotas_b: list[float] = []
    quotas_r: list[float] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(items):
        path = f"formations[{i}]"
        if not isinstance(item, dict):
            reader.fail(path, f"objet attendu, pas {_kind(item)}")
            continue
        ident = reader.ident(item, path, seen)
        capacity = item.get("capacity")
        if "capacity" not in item:
            reader.fail(path, "champ « capacity » manquant")
        elif not isinstance(capacity, int) or isinstance(capacity, bool):
            reader.fail(f"{path}.capacity", f"nombre entier attendu, pas {json.dumps(capacity)}")
        elif capacity < 0:
            reader.fail(f"{path}.capacity", f"capacité négative ({capacity})")
        elif capacity > MAX_CAPACITY:
            reader.fail(f"{path}.capacity", "capacité de plus d'un milliard de places")
        quota_b = reader.share(item, "quota_boursiers", path)
        quota_r = reader.share(item, "quota_residents", path)
        if ident is not None:
            ids.append(ident)
            capacities.append(
                capacity if isinstance(capacity, int) and 0 < capacity <= MAX_CAPACITY else 0
            )
            quotas_b.append(quota_b)
            quotas_r.append(quota_r)
    return ids, capacities, quotas_b, quotas_r


def _pupil(
    reader: _Reader, item: dict[str, Any], path: str, index: dict[str, int]
) -> tuple[list[int], list[float], list[bool]]:
    wishes = item.get("wishes", [])
    if not isinstance(wishes, list):
        reader.fail(f"{path}.wishes", f"liste attendue, pas {_kind(wishes)}")
        wishes = []
    formations: list[int] = []
    first_at: dict[str, int] = {}
    for j, wish in enumerate(wishes):
        where = f"{path}.wishes[{j}]"
        if not isinstance(wish, str):
            reader.fail(where, f"identifiant de formation attendu, pas {_kind(wish)}")
        elif wish not in index:
            reader.fail(where, f"formation « {wish} » inconnue")
        elif wish in first_at:
            reader.fail(where, f"formation « {wish} » déjà demandée en vœu {first_at[wish] + 1}")
        else:
            first_at[wish] = j
            formations.append(index[wish])
    if "scores" in item:
        scores = item["scores"]
        if not isinstance(scores, list):
            reader.fail(f"{path}.scores", f"liste attendue, pas {_kind(scores)}")
            scores = [0.0] * len(wishes)
        elif len(scores) != len(wishes):
            reader.fail(f"{path}.scores", f"{len(scores)} score(s) pour {len(wishes)} vœu(x)")
        for j, score in enumerate(scores):
            if not _is_finite(score):
                reader.fail(f"{path}.scores[{j}]", f"nombre attendu, pas {json.dumps(score)}")
    else:
        scores = [0.0] * len(wishes)
    resident = item.get("resident", False)
    if isinstance(resident, list):
        if len(resident) != len(wishes):
            reader.fail(f"{path}.resident", f"{len(resident)} valeur(s) pour {len(wishes)} vœu(x)")
        elif not all(isinstance(r, bool) for r in resident):
            reader.fail(f"{path}.resident", "booléens (true ou false) attendus")
        residents = [bool(r) for r in resident]
    else:
        residents = [reader.flag(item, "resident", path)] * len(wishes)
    return formations, [float(s) if _is_finite(s) else 0.0 for s in scores], residents


def instance_from_json(data: Any) -> Instance:
    """The :class:`Instance` described by parsed JSON ``data``; raises :class:`InstanceError`."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise InstanceError([f"(racine) : objet attendu, pas {_kind(data)}"])
    formation_items = reader.root_list(data, "formations")
    pupil_items = reader.root_list(data, "pupils")
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        reader.fail("seed", f"entier positif ou nul attendu, pas {json.dumps(seed)}")
        seed = 0
    formation_ids, capacities, quotas_b, quotas_r = _formations(reader, formation_items)
    index = {ident: i for i, ident in enumerate(formation_ids)}
    pupil_ids: list[str] = []
    wishes: list[list[int]] = []
    scores: list[list[float]] = []
    residents: list[bool] = []
    boursiers: list[bool] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(pupil_items):
        path = f"pupils[{i}]"
        if not isinstance(item, dict):
            reader.fail(path, f"objet attendu, pas {_kind(item)}")
            continue
        ident = reader.ident(item, path, seen)
        pupil_wishes, pupil_scores, pupil_residents = _pupil(reader, item, path, index)
        boursier = reader.flag(item, "boursier", path)
        if ident is not None:
            pupil_ids.append(ident)
            wishes.append(pupil_wishes)
            scores.append(pupil_scores[: len(pupil_wishes)])
            residents.extend(pupil_residents[: len(pupil_wishes)])
            boursiers.append(boursier)
    if reader.problems:
        raise InstanceError(reader.problems)
    return Instance.from_lists(
        capacities,
        wishes,
        scores,
        seed,
        boursier=boursiers,
        resident=residents,
        quota_boursiers=quotas_b,
        quota_residents=quotas_r,
        formation_ids=formation_ids,
        pupil_ids=pupil_ids,
    )


def read_instance(path: Path) -> Instance:
    """Read and check the instance in the JSON file ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstanceError([f"{path} : fichier introuvable"], about_file=True) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError([f"{path} : lecture impossible ({error})"], about_file=True) from None
    try:
        data = json.loads(text, parse_constant=lambda name: name)
    except json.JSONDecodeError as error:
        where = f"ligne {error.lineno}, colonne {error.colno}"
        raise InstanceError(
            [f"{path} : JSON invalide, {where} ({error.msg})"], about_file=True
        ) from None
    except (ValueError, RecursionError) as error:
        problem = parse_problem_text(error, text)
        raise InstanceError([f"{path} : JSON refusé ({problem})"], about_file=True) from None
    return instance_from_json(data)


def result_to_json(outcome: Outcome, calls: CallOrder | None = None) -> dict[str, Any]:
    """The result document: ``assignment`` (pupil id → formation id or null) first, then
    ``ranks`` (1 = first wish), ``formations`` and ``stats``. With the Parcoursup-like ``calls``,
    each formation also gives the call position of its last admitted pupil."""
    instance = outcome.instance
    formation_ids = instance.formation_ids
    formation = outcome.formation.tolist()
    rank = outcome.rank.tolist()
    per_formation = formation_results(outcome)
    last = per_formation.last_admitted_score.tolist()
    filled = per_formation.filled.tolist()
    formations: dict[str, dict[str, Any]] = {
        ident: {
            "capacity": int(capacity),
            "filled": filled[f],
            "last_admitted_score": None if math.isnan(last[f]) else last[f],
        }
        for f, (ident, capacity) in enumerate(
            zip(formation_ids, instance.capacities.tolist(), strict=True)
        )
    }
    if calls is not None:
        last_wish = per_formation.last_admitted_wish.tolist()
        position = calls.position.tolist()
        for f, ident in enumerate(formation_ids):
            w = last_wish[f]
            formations[ident]["last_admitted_call_rank"] = position[w] if w >= 0 else None
    return {
        "assignment": {
            pupil: (formation_ids[f] if f >= 0 else None)
            for pupil, f in zip(instance.pupil_ids, formation, strict=True)
        },
        "ranks": {
            pupil: (r + 1 if r >= 0 else None)
            for pupil, r in zip(instance.pupil_ids, rank, strict=True)
        },
        "formations": formations,
        "rule": "ordre d'appel" if calls is not None else "scores",
        "stats": summarise(outcome).as_dict(),
    }


def write_result(outcome: Outcome, path: Path, calls: CallOrder | None = None) -> None:
    """Write the result document of ``outcome`` to ``path`` (UTF-8, indented)."""
    document = result_to_json(outcome, calls)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
