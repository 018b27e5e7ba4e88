"""Opinions (avis) on a request: préalable, consultatif or final; favorable, réservé or
défavorable; from the role that gives them (the Région, the UIMM, experts). Every opinion is a
line of the request's opinions and of the audit log (« demande.avis »)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tremplin.errors import InputError
from tremplin.planning.requests import get_request
from tremplin.planning.vocabulary import OPINION_KINDS, OPINIONS
from tremplin.store.audit import Actor, record
from tremplin.store.schema import carte_avis

FUNCTIONS = {
    "administrateur": "Administrateur",
    "region": "Région",
    "partenaire_industrie": "UIMM",
    "expert": "Expert",
    "pilote": "Rectorat",
}
"""Who gives an opinion, by the role of their account (the command line: « Administrateur »)."""


@dataclass(frozen=True)
class Opinion:
    """One opinion on a request."""

    id: int
    demande_id: int
    type: str
    avis: str
    fonction: str
    commentaire: str | None
    auteur: str
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)
        return {
            "id": self.id,
            "demande_id": self.demande_id,
            "type": self.type,
            "avis": self.avis,
            "fonction": self.fonction,
            "commentaire": self.commentaire,
            "auteur": self.auteur,
            "at": at.isoformat(timespec="seconds"),
        }


def give_opinion(
    conn: sa.Connection,
    actor: Actor,
    demande_id: int,
    *,
    type: str,
    avis: str,
    fonction: str,
    commentaire: str | None = None,
) -> Opinion:
    """Record an opinion on a request (not on a deleted one); audited."""
    if type not in OPINION_KINDS:
        raise InputError(
            f"type d’avis « {type} » inconnu", where=["type"], expected=", ".join(OPINION_KINDS)
        )
    if avis not in OPINIONS:
        raise InputError(f"avis « {avis} » inconnu", where=["avis"], expected=", ".join(OPINIONS))
    request = get_request(conn, demande_id)
    if request.statut in ("brouillon", "supprimee"):
        raise InputError(
            "on ne donne pas d’avis sur un brouillon ni sur une demande supprimée",
            where=["statut"],
        )
    at = datetime.now(UTC)
    comment = (commentaire or "").strip() or None
    values: dict[str, Any] = {
        "demande_id": demande_id,
        "type": type,
        "avis": avis,
        "fonction": fonction,
        "commentaire": comment,
        "auteur": actor.label,
        "auteur_id": actor.account_id,
        "at": at,
    }
    identifier = conn.execute(
        carte_avis.insert().values(**values).returning(carte_avis.c.id)
    ).scalar_one()
    opinion = Opinion(identifier, demande_id, type, avis, fonction, comment, actor.label, at)
    record(conn, actor, "demande.avis", f"demande:{demande_id}", after=opinion.as_dict())
    return opinion


def opinions(conn: sa.Connection, demande_id: int) -> list[Opinion]:
    """The opinions on a request, the oldest first."""
    query = (
        sa.select(carte_avis).where(carte_avis.c.demande_id == demande_id).order_by(carte_avis.c.id)
    )
    return [
        Opinion(r.id, r.demande_id, r.type, r.avis, r.fonction, r.commentaire, r.auteur, r.at)
        for r in conn.execute(query)
    ]
