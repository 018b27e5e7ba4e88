"""Why the optimiser proposes a change: one French sentence with its numbers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

from tremplin.formats import format_decimal, format_number, format_percent

if TYPE_CHECKING:
    from tremplin.planning.optimiser import Problem

__all__ = ["declared", "reason"]


def _pressure(p: Problem, k: int) -> str:
    demand = p.offers["demande"][k]
    if demand is None:
        return "demande inconnue"
    source = p.offers["source"][k]
    what = "premiers vœux" if source == "affelnet" else "vœux confirmés (en équivalent élèves)"
    pressure = float(demand) / max(int(p.places[k]), 1)
    return (
        f"{format_number(round(float(demand)))} {what} pour {int(p.places[k])} places "
        f"(pression {format_decimal(pressure, 2)})"
    )


def _opening(p: Problem, k: int) -> list[str]:
    """An opening's pupils turned away nearby and the nearest offer of its formation."""
    km = format_number(round(p.settings.distance_max_km))
    nearest = p.offers["distance_formation"][k]
    return [
        f"{format_number(round(float(p.unmet[k])))} élèves refusés faute de place dans les offres "
        f"de même niveau et famille à moins de {km} km",
        f"offre de cette formation la plus proche à {format_number(round(float(nearest)))} km"
        if nearest is not None
        else "aucune autre offre de cette formation dans le territoire",
    ]


def _insertion(p: Problem, k: int) -> str:
    rate = p.offers["taux_emploi"][k]
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return "taux d'emploi à 6 mois inconnu (InserJeunes)"
    return f"taux d'emploi à 6 mois {format_percent(float(rate))} (InserJeunes)"


def _plural(count: int, word: str) -> str:
    return f"{format_number(count)} {word}{'s' if count > 1 else ''}"


def declared(p: Problem, k: int) -> str | None:
    """The open declared needs of the offer's industrial trade with the most declared people:
    « 3 besoins déclarés (5 personnes) par 1 entreprise en D1Z dans le bassin … »; None when
    its trades have none."""
    sel = p.weight_rows == k
    groups = [g for g in p.weight_groups[sel].tolist() if p.group_declared[g] > 0]
    if not groups:
        return None
    dep, fap = p.group_keys[max(groups, key=lambda g: float(p.group_declared[g]))]
    row = p.declared.filter((pl.col("code_departement") == dep) & (pl.col("fap86") == fap))
    if row.is_empty():
        return None
    cell = row.row(0, named=True)
    bassins = cell["bassins"] or []
    where = (
        f"dans le bassin {', '.join(bassins)}"
        if len(bassins) == 1
        else f"dans les bassins {', '.join(bassins)}"
        if bassins
        else f"dans le département {dep}"
    )
    return (
        f"{_plural(int(cell['besoins']), 'besoin')} déclaré{'s' if cell['besoins'] > 1 else ''} "
        f"({_plural(int(cell['personnes']), 'personne')}) par "
        f"{_plural(len(cell['entreprises']), 'entreprise')} en {fap} {where}"
    )


def reason(p: Problem, k: int, delta: int, needs: list[tuple[str, str, float, float]]) -> str:
    """The sentence for candidate ``k`` changed by ``delta`` places; ``needs``: its industrial
    trades with their département, weight and need left (BMO projects × share − places)."""
    places = abs(delta)
    parts = [_pressure(p, k)] if int(p.places[k]) > 0 else _opening(p, k)
    need = next(((d, f, w, n) for d, f, w, n in needs if n > 0), None)
    if delta > 0:
        head = (
            f"Ajouter {places} places"
            if int(p.places[k]) > 0
            else f"Ouvrir la formation ({places} places)"
        )
        if need is not None:
            dep, fap, _, left = need
            mixed = p.group_declared[p.group_keys.index((dep, fap))] > 0
            parts.append(
                f"{format_number(round(left))} besoins de recrutement "
                f"{'(BMO et besoins déclarés)' if mixed else 'BMO'} non couverts en {fap} "
                f"dans le département {dep}"
            )
        wanted = declared(p, k)
        if wanted is not None:
            parts.append(wanted)
    else:
        head = (
            f"Fermer l'offre ({places} places)"
            if places >= int(p.places[k])
            else f"Retirer {places} places"
        )
        parts.append(
            f"{format_number(round(float(p.lost[k])))} élèves concernés au-delà des places vacantes"
        )
    parts.append(_insertion(p, k))
    return f"{head} : " + ", ".join(parts) + "."
