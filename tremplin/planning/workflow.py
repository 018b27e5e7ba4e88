"""The statuses of a request and the moves between them (Orion's workflow).

::

    brouillon → proposition → dossier complet | dossier incomplet → projet de demande
              → prêt pour le vote → validée | refusée          (any open status → supprimée)

A dossier incomplet goes back to complet once completed; a proposition may go back to
brouillon; refusal is possible from every status after the proposition. Validée, refusée and
supprimée are final. The only way into « validée » is from « prêt pour le vote » — the vote —
which the property tests check over random paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Final

from tremplin.errors import InputError
from tremplin.planning.vocabulary import STATUSES, label

INITIAL: Final = "brouillon"
FINAL: Final = frozenset({"validee", "refusee", "supprimee"})
VALIDATION: Final = frozenset({"validee", "refusee"})
"""The decisions of the vote, which only the Région (or an administrator) takes."""

TRANSITIONS: Final = MappingProxyType(
    {
        "brouillon": frozenset({"proposition", "supprimee"}),
        "proposition": frozenset(
            {"brouillon", "dossier_complet", "dossier_incomplet", "refusee", "supprimee"}
        ),
        "dossier_incomplet": frozenset({"dossier_complet", "refusee", "supprimee"}),
        "dossier_complet": frozenset(
            {"dossier_incomplet", "projet_de_demande", "refusee", "supprimee"}
        ),
        "projet_de_demande": frozenset({"pret_pour_le_vote", "refusee", "supprimee"}),
        "pret_pour_le_vote": frozenset({"projet_de_demande", "validee", "refusee"}),
        "validee": frozenset(),
        "refusee": frozenset(),
        "supprimee": frozenset(),
    }
)
"""From each status, the statuses a request may move to."""

assert set(TRANSITIONS) == set(STATUSES)


def allowed_moves(status: str) -> frozenset[str]:
    """The statuses a request in ``status`` may move to."""
    return TRANSITIONS.get(status, frozenset())


def check_move(current: str, target: str) -> None:
    """Raise an ``InputError`` naming the field ``statut`` and the rule when a request cannot go
    from ``current`` to ``target``."""
    if target not in STATUSES:
        raise InputError(
            f"statut « {target} » inconnu", where=["statut"], expected=", ".join(STATUSES)
        )
    if target not in allowed_moves(current):
        possible = ", ".join(label(STATUSES, s) for s in sorted(allowed_moves(current)))
        raise InputError(
            f"une demande « {label(STATUSES, current)} » ne peut pas passer "
            f"à « {label(STATUSES, target)} »",
            where=["statut"],
            expected=possible or "aucun changement : ce statut est définitif",
        )


def replay(moves: Iterable[tuple[str | None, str]]) -> str:
    """The status reached by a history of moves ``(from, to)`` (the first from ``None``:
    creation), checking that each move starts where the previous ended and is allowed."""
    current: str | None = None
    for before, after in moves:
        if before != current:
            raise InputError(
                f"historique incohérent : « {before} » après « {current} »", where=["historique"]
            )
        if current is None:
            if after != INITIAL:
                raise InputError("une demande commence en brouillon", where=["historique"])
        elif before != after:
            check_move(current, after)
        current = after
    if current is None:
        raise InputError("historique vide", where=["historique"])
    return current
