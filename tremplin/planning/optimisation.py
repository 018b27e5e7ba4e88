"""One optimiser run from JSON parameters: what the command line, the job and the API share."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

import polars as pl

from tremplin.diagnostic.facts import Facts
from tremplin.errors import InputError
from tremplin.planning.carte import carte
from tremplin.planning.declared import declared_cells
from tremplin.planning.optimiser import Lock, Settings, optimise, problem, trade_off

__all__ = ["run_optimisation", "settings_from"]

_NUMBERS = {
    f.name: f.type for f in fields(Settings) if f.name not in {"perimetre", "verrous", "interdits"}
}


def _locks(value: Any, name: str) -> tuple[Lock, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(
            f"« {name} » doit être une liste", where=[name], expected="[{uai, mef_stat_11…}]"
        )
    out = []
    for n, item in enumerate(value, start=1):
        if not isinstance(item, Mapping) or not item.get("uai") or not item.get("mef_stat_11"):
            raise InputError(
                f"« {name} » n° {n} : « uai » et « mef_stat_11 » sont obligatoires",
                where=[f"{name}[{n}]"],
                expected="{uai, mef_stat_11, statut, places_apres}",
            )
        after = item.get("places_apres")
        if after is not None and (
            not isinstance(after, int) or isinstance(after, bool) or after < 0
        ):
            raise InputError(
                f"« {name} » n° {n} : « places_apres » doit être un entier positif",
                where=[f"{name}[{n}].places_apres"],
                expected="un entier ≥ 0",
            )
        out.append(
            Lock(
                str(item["uai"]).strip().upper(),
                str(item["mef_stat_11"]).strip(),
                str(item.get("statut") or "scolaire"),
                after,
            )
        )
    return tuple(out)


def settings_from(parameters: Mapping[str, Any]) -> Settings:
    """:class:`Settings` from JSON parameters (unknown keys refused, numbers checked)."""
    known = {f.name for f in fields(Settings)} | {"territoire", "courbe"}
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise InputError(
            f"paramètre inconnu : {', '.join(unknown)}",
            where=[unknown[0]],
            expected=", ".join(sorted(known)),
        )
    values: dict[str, Any] = {}
    for name, kind in _NUMBERS.items():
        if parameters.get(name) is None:
            continue
        raw = parameters[name]
        number = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
        if number is None or not math.isfinite(number) or (kind == "int" and number != int(number)):
            raise InputError(
                f"« {name} » doit être un nombre{' entier' if kind == 'int' else ''}",
                where=[name],
                expected="un entier" if kind == "int" else "un nombre",
            )
        values[name] = int(number) if kind == "int" else float(number)
    return Settings(
        perimetre=str(parameters.get("perimetre") or "industrie"),
        verrous=_locks(parameters.get("verrous"), "verrous"),
        interdits=_locks(parameters.get("interdits"), "interdits"),
        **values,
    )


def run_optimisation(
    facts: Facts,
    parameters: Mapping[str, Any],
    progress: Callable[[int, int], None] | None = None,
    declared: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Solve for ``parameters`` (``territoire``, default « 84 »; the :class:`Settings` fields;
    ``courbe``: also sweep the weights) and return the JSON result: ``changes``, ``objective``,
    ``components``, ``gap``, ``seconds``, ``status``, ``besoins_declares`` (the declared needs
    read), the parameters, and ``courbe``. ``declared``: the open declared needs, the frame of
    ``declared_needs(conn, per_company=True)`` (None: none)."""
    settings = settings_from(parameters)
    territoire = str(parameters.get("territoire") or "84")
    curve = bool(parameters.get("courbe", False))
    steps = 2 + (5 if curve else 0)
    cells = declared_cells(declared, facts.familles_fap, facts.recrutement)
    p = problem(carte(facts, territoire), settings, cells)
    if progress is not None:
        progress(1, steps)
    solution = optimise(p)
    if progress is not None:
        progress(2, steps)
    result = solution.as_dict()
    result["territoire"] = territoire
    result["parametres"] = {
        "perimetre": settings.perimetre,
        **{name: getattr(settings, name) for name in _NUMBERS},
        "verrous": [vars(lock) for lock in settings.verrous],
        "interdits": [vars(lock) for lock in settings.interdits],
    }
    result["courbe"] = trade_off(p) if curve else []
    if progress is not None:
        progress(steps, steps)
    return result
