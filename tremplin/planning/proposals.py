"""An optimiser's proposed change as a request of a campaign (accepting proposals one by one).

A change (``uai``, ``mef_stat_11``, ``statut`` scolaire | apprentissage, ``places_avant``,
``places_apres``, ``raison``) becomes a request in brouillon of the matching kind:

- from 0 places: « ouverture nette »; to 0 places: « fermeture »;
- more places: « augmentation nette »; fewer: « diminution »;

its capacities before → after in the change's voie (the other voie at 0: the optimiser changes
one voie of an offer), the campaign's first rentrée, the optimiser's sentence as the comment and
coded reasons that say the same (young people's demand and local needs for a rise, capacity too
high for a fall). The validators then apply as to any request (a duplicate is refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tremplin.errors import InputError
from tremplin.planning.validators import RequestFields

__all__ = ["proposal_fields", "proposal_kind"]


def proposal_kind(before: int, after: int) -> str:
    """The kind of request of a change from ``before`` to ``after`` places."""
    if before == after:
        raise InputError(
            "ce changement ne modifie pas le nombre de places",
            where=["places_apres"],
            expected="places après ≠ places avant",
        )
    if before == 0:
        return "ouverture_nette"
    if after == 0:
        return "fermeture"
    return "augmentation_nette" if after > before else "diminution"


def _places(change: Mapping[str, Any], name: str) -> int:
    value = change.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(f"« {name} » doit être un entier positif", where=[name])
    return value


def proposal_fields(change: Mapping[str, Any], rentree: int) -> RequestFields:
    """The request's fields of the optimiser's ``change`` for the rentrée ``rentree``."""
    before, after = _places(change, "places_avant"), _places(change, "places_apres")
    kind = proposal_kind(before, after)
    school = change.get("statut") != "apprentissage"
    raison = str(change.get("raison") or "").strip()
    if after > before:
        motifs = ["forte_demande_jeunes"]
        if "besoins de recrutement" in raison:
            motifs.append("besoins_economiques_locaux")
    else:
        motifs = ["capacite_trop_elevee_territoire"]
    return RequestFields(
        type=kind,
        uai=str(change.get("uai") or "").strip().upper(),
        mef_stat_11=str(change.get("mef_stat_11") or "").strip(),
        rentree=rentree,
        motifs=tuple(motifs),
        commentaire=f"Proposé par l’optimiseur : {raison}" if raison else None,
        capacite_scolaire_avant=before if school else 0,
        capacite_scolaire_apres=after if school else 0,
        capacite_apprentissage_avant=0 if school else before,
        capacite_apprentissage_apres=0 if school else after,
    )
