"""A campaign's effect: its requests as changes of places, for the impact (``impact.py``) and
for a simulation of pupils (a scenario document, docs/cohorts.md « Scenarios »).

For the **impact** (places per offer and voie): every request whose capacity changes in a voie
of its own offer — openings, increases, adjustments, decreases, closings, and transfers between
voies — gives one change per voie that changes (places before → after). Colourings change no
place; transfers between establishments and transformations name a second offer whose places
before the impact cannot know: both are listed as left out.

For the **simulation** (places of an offer, all voies): an opening is « ouvrir » its places
after, a closing « fermer », an increase, adjustment or decrease « ajuster » by after − before;
a transfer between establishments or a transformation is « transferer » its places after to
the other UAI or formation. A transfer between voies and a colouring keep the offer's places:
left out, said. A simulation assigns pupils of one palier (entry into the voie pro, « 3e », or
into 1re pro, « 2nde »: Affelnet's two files): given the palier of each formation the
simulation covers, the palier with most changes is simulated, and the changes of the other
palier, or of a formation it does not cover (a BTS: Parcoursup's), are left out, said.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tremplin.planning.requests import Request
from tremplin.planning.vocabulary import CLOSINGS, DECREASES, INCREASES, KINDS, OPENINGS, label

__all__ = ["SELECTIONS", "LeftOut", "impact_changes", "scenario_of", "selected"]

SELECTIONS = {"toutes": "toutes les demandes", "validees": "les demandes validées"}
"""Which requests of a campaign count: all but deleted and refused ones, or validated ones."""


@dataclass(frozen=True)
class LeftOut:
    """A request a computation cannot express, and why (in French)."""

    id: int
    uai: str
    mef_stat_11: str
    type: str
    raison: str

    @property
    def type_label(self) -> str:
        return label(KINDS, self.type)


def selected(requests: Iterable[Request], selection: str) -> list[Request]:
    """The requests of ``selection`` (« validees »: validated; else every live one, deleted and
    refused ones left out)."""
    if selection == "validees":
        return [r for r in requests if r.statut == "validee"]
    return [r for r in requests if r.statut not in ("supprimee", "refusee")]


def _left_out(request: Request, why: str) -> LeftOut:
    f = request.fields
    return LeftOut(request.id, f.uai, f.mef_stat_11, f.type, why)


def impact_changes(
    requests: Sequence[Request],
) -> tuple[list[dict[str, Any]], list[LeftOut]]:
    """The impact's changes (``uai``, ``mef_stat_11``, ``statut``, ``places_avant``,
    ``places_apres``) of ``requests``, and those left out."""
    changes: list[dict[str, Any]] = []
    left: list[LeftOut] = []
    for request in requests:
        f = request.fields
        if f.type == "coloration":
            left.append(_left_out(request, "une coloration ne change pas le nombre de places"))
            continue
        if f.type not in OPENINGS | INCREASES | DECREASES | CLOSINGS | {"transfert"}:
            left.append(
                _left_out(request, "l’impact ne connaît pas les places avant de l’offre cible")
            )
            continue
        for statut in ("scolaire", "apprentissage"):
            before = int(getattr(f, f"capacite_{statut}_avant"))
            after = int(getattr(f, f"capacite_{statut}_apres"))
            if before != after:
                changes.append(
                    {
                        "uai": f.uai,
                        "mef_stat_11": f.mef_stat_11,
                        "statut": statut,
                        "places_avant": before,
                        "places_apres": after,
                    }
                )
    return changes, left


PALIER_LABELS = {"3e": "entrée en voie professionnelle", "2nde": "entrée en 1re pro"}
"""The paliers a simulation assigns, as the campaign's page says them."""


def scenario_of(
    requests: Sequence[Request],
    titre: str,
    territoire: str,
    paliers: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[LeftOut]]:
    """The scenario document (``titre``, ``territoire``, ``changements``, and ``palier`` when
    ``paliers`` is given) of ``requests``, and the requests it cannot express. ``paliers``:
    MEF STAT 11 → the palier (« 3e », « 2nde ») of each formation a simulation covers."""
    document, left, kept = _changes(requests, titre, territoire)
    if paliers is None:
        return document, left
    of_change = [_palier(change, paliers) for change in document["changements"]]
    counted = Counter(p for p in of_change if p is not None)
    # The palier of most changes; entry into the voie pro when as many.
    chosen = max(counted, key=lambda p: (counted[p], p == "3e")) if counted else None
    changements = []
    for request, change, palier in zip(kept, document["changements"], of_change, strict=True):
        if palier is None:
            left.append(
                _left_out(
                    request,
                    "formation hors de l’affectation simulée (Affelnet : entrée en voie "
                    "professionnelle ou en 1re pro ; un BTS relève de Parcoursup)",
                )
            )
        elif palier != chosen:
            left.append(
                _left_out(
                    request,
                    f"autre palier ({PALIER_LABELS[palier]}) : la simulation porte sur le palier "
                    f"qui compte le plus de demandes ({PALIER_LABELS[str(chosen)]})",
                )
            )
        else:
            changements.append(change)
    document = document | {"changements": changements}
    if chosen is not None:
        document["palier"] = chosen
    return document, left


def _palier(change: Mapping[str, Any], paliers: Mapping[str, str]) -> str | None:
    """The palier of a change's formations (both, for a transformation), None when the
    simulation covers none of them or they are of two paliers."""
    mefs = [
        change["mef_stat_11"],
        *([change["vers_mef_stat_11"]] if "vers_mef_stat_11" in change else []),
    ]
    found = {paliers.get(mef) for mef in mefs}
    return found.pop() if len(found) == 1 else None


def _changes(
    requests: Sequence[Request], titre: str, territoire: str
) -> tuple[dict[str, Any], list[LeftOut], list[Request]]:
    """The scenario's changes of ``requests``, the requests left out, those kept (in order)."""
    changements: list[dict[str, Any]] = []
    left: list[LeftOut] = []
    kept: list[Request] = []
    for request in requests:
        f = request.fields
        before, after = f.total("avant"), f.total("apres")
        change: dict[str, Any] = {"uai": f.uai, "mef_stat_11": f.mef_stat_11}
        if f.type in OPENINGS:
            change |= {"action": "ouvrir", "places": after}
        elif f.type in CLOSINGS:
            change |= {"action": "fermer"}
        elif f.type in INCREASES | DECREASES:
            change |= {"action": "ajuster", "places": after - before}
        elif f.type == "transfert_etablissement" and f.uai_cible:
            change |= {"action": "transferer", "places": after, "vers_uai": f.uai_cible}
        elif f.type == "transformation" and f.mef_stat_11_cible:
            change |= {
                "action": "transferer",
                "places": after,
                "vers_uai": f.uai,
                "vers_mef_stat_11": f.mef_stat_11_cible,
            }
        else:
            left.append(
                _left_out(
                    request,
                    "le nombre de places de l’offre ne change pas (voie ou coloration : le "
                    "scénario ne les distingue pas)",
                )
            )
            continue
        if change.get("places") == 0:
            left.append(_left_out(request, "aucune place ne change"))
            continue
        changements.append(change)
        kept.append(request)
    document = {"titre": titre[:200], "territoire": territoire, "changements": changements}
    return document, left, kept
