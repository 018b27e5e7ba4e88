"""Requests (demandes) of a campaign: created, edited with optimistic locking, moved through
the workflow one by one or in bulk, every change kept in their history and in the audit log.

Optimistic locking: a request carries a ``version``; a write names the version it was read at
(``UPDATE … WHERE id = … AND version = …``) and increments it. A write made on a stale version
changes nothing and raises :class:`StaleRequest` (409) naming who changed the request and when,
so the person reloads and loses nothing of theirs (the form keeps what they typed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tremplin.errors import InputError, NotFound, TremplinError
from tremplin.formats import format_datetime
from tremplin.planning import workflow
from tremplin.planning.campaigns import get_campaign
from tremplin.planning.validators import RequestFields, validate
from tremplin.store.audit import Actor, record
from tremplin.store.schema import carte_demandes, carte_historique

_LISTS = ("motifs", "partenaires")


class StaleRequest(TremplinError):
    """A write on a version of a request that someone else changed in between (409)."""

    status = 409


@dataclass(frozen=True)
class Request:
    """One request as stored: its fields, campaign, status, territories, author and version."""

    id: int
    campagne_id: int
    statut: str
    fields: RequestFields
    territoires: tuple[str, ...]
    auteur: str
    auteur_id: int | None
    created_at: datetime
    updated_at: datetime
    updated_by: str
    version: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: every field, the status, territories, author, dates and version."""
        return {
            "id": self.id,
            "campagne_id": self.campagne_id,
            "statut": self.statut,
            **self.fields.as_dict(),
            "territoires": list(self.territoires),
            "auteur": self.auteur,
            "created_at": _utc(self.created_at).isoformat(timespec="seconds"),
            "updated_at": _utc(self.updated_at).isoformat(timespec="seconds"),
            "updated_by": self.updated_by,
            "version": self.version,
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a request: its version after, who, when, the status before and after, the
    fields changed (name → [before, after]) and a comment."""

    version: int
    at: datetime
    auteur: str
    statut_avant: str | None
    statut_apres: str
    changements: dict[str, list[Any]]
    commentaire: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "at": _utc(self.at).isoformat(timespec="seconds"),
            "auteur": self.auteur,
            "statut_avant": self.statut_avant,
            "statut_apres": self.statut_apres,
            "changements": self.changements,
            "commentaire": self.commentaire,
        }


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _stored(fields: RequestFields) -> dict[str, Any]:
    values = fields.as_dict()
    for name in _LISTS:
        values[name] = json.dumps(values[name], ensure_ascii=False)
    return values


def _row(row: sa.Row[Any]) -> Request:
    values = row._asdict()
    found = {name: values[name] for name in RequestFields.field_names()}
    for name in _LISTS:
        found[name] = tuple(json.loads(found[name] or "[]"))
    return Request(
        id=values["id"],
        campagne_id=values["campagne_id"],
        statut=values["statut"],
        fields=RequestFields(**found),
        territoires=tuple(values["territoires"].split()),
        auteur=values["auteur"],
        auteur_id=values["auteur_id"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        updated_by=values["updated_by"],
        version=values["version"],
    )


def get_request(conn: sa.Connection, identifier: int) -> Request:
    """The request ``identifier``; ``NotFound`` when there is none."""
    row = conn.execute(
        sa.select(carte_demandes).where(carte_demandes.c.id == identifier)
    ).one_or_none()
    if row is None:
        raise NotFound(f"demande n° {identifier} introuvable")
    return _row(row)


def list_requests(
    conn: sa.Connection,
    campagne_id: int | None = None,
    *,
    statuts: Sequence[str] = (),
    types: Sequence[str] = (),
    uai: str | None = None,
    territoire: str | None = None,
    ids: Sequence[int] = (),
) -> list[Request]:
    """The requests of a campaign (every campaign when None), filtered by status, kind, UAI,
    territory (« departement:01 ») or ids; in the order of their ids."""
    query = sa.select(carte_demandes).order_by(carte_demandes.c.id)
    if campagne_id is not None:
        query = query.where(carte_demandes.c.campagne_id == campagne_id)
    if statuts:
        query = query.where(carte_demandes.c.statut.in_(list(statuts)))
    if types:
        query = query.where(carte_demandes.c.type.in_(list(types)))
    if uai:
        query = query.where(carte_demandes.c.uai == uai.upper())
    if ids:
        query = query.where(carte_demandes.c.id.in_(list(ids)))
    found = [_row(row) for row in conn.execute(query)]
    if territoire:
        found = [r for r in found if territoire in r.territoires]
    return found


def _duplicate_of(
    conn: sa.Connection, campagne_id: int, fields: RequestFields, own: int | None
) -> int | None:
    query = sa.select(carte_demandes.c.id).where(
        carte_demandes.c.campagne_id == campagne_id,
        carte_demandes.c.uai == fields.uai,
        carte_demandes.c.mef_stat_11 == fields.mef_stat_11,
        carte_demandes.c.rentree == fields.rentree,
        carte_demandes.c.statut != "supprimee",
    )
    if own is not None:
        query = query.where(carte_demandes.c.id != own)
    return conn.execute(query.limit(1)).scalar()


def check_request(
    conn: sa.Connection,
    campagne_id: int,
    fields: RequestFields,
    *,
    own: int | None = None,
    where: tuple[str, ...] = (),
) -> None:
    """Raise ``RequestRefused`` when ``fields`` break a rule in the campaign ``campagne_id``
    (its first rentrée, one live request per establishment × formation × rentrée)."""
    campaign = get_campaign(conn, campagne_id)
    validate(
        fields,
        first_rentree=campaign.premiere_rentree,
        duplicate_of=_duplicate_of(conn, campagne_id, fields, own),
        where=where,
    )


def _history(
    conn: sa.Connection,
    request_id: int,
    version: int,
    actor: Actor,
    at: datetime,
    before: str | None,
    after: str,
    changes: Mapping[str, list[Any]],
    comment: str | None,
) -> None:
    conn.execute(
        carte_historique.insert().values(
            demande_id=request_id,
            version=version,
            at=at,
            auteur=actor.label,
            auteur_id=actor.account_id,
            statut_avant=before,
            statut_apres=after,
            changements=json.dumps(dict(changes), ensure_ascii=False, default=str),
            commentaire=comment,
        )
    )


def create_request(
    conn: sa.Connection,
    actor: Actor,
    campagne_id: int,
    fields: RequestFields,
    *,
    territoires: Iterable[str] = (),
    where: tuple[str, ...] = (),
) -> Request:
    """Validate and store a new request, in « brouillon », version 1; its first history entry
    and a line of the audit log (« demande.proposer ») in the same transaction."""
    check_request(conn, campagne_id, fields, where=where)
    now = datetime.now(UTC)
    identifier = conn.execute(
        carte_demandes.insert()
        .values(
            campagne_id=campagne_id,
            statut=workflow.INITIAL,
            territoires=" ".join(sorted(set(territoires))),
            auteur=actor.label,
            auteur_id=actor.account_id,
            created_at=now,
            updated_at=now,
            updated_by=actor.label,
            version=1,
            **_stored(fields),
        )
        .returning(carte_demandes.c.id)
    ).scalar_one()
    changes = {name: [None, value] for name, value in fields.as_dict().items() if value}
    _history(conn, identifier, 1, actor, now, None, workflow.INITIAL, changes, None)
    created = get_request(conn, identifier)
    record(conn, actor, "demande.proposer", f"demande:{identifier}", after=created.as_dict())
    return created


def _stale(current: Request) -> StaleRequest:
    when = format_datetime(_utc(current.updated_at))
    return StaleRequest(
        f"Cette demande a été modifiée par {current.updated_by} le {when} (version "
        f"{current.version}) : rechargez la page pour voir ses changements, puis reportez les "
        "vôtres — rien de ce que vous avez saisi n’a été enregistré ni effacé."
    )


def _write(
    conn: sa.Connection,
    actor: Actor,
    current: Request,
    version: int,
    *,
    statut: str,
    fields: RequestFields,
    comment: str | None,
    action: str,
) -> Request:
    if version != current.version:
        raise _stale(current)
    now = datetime.now(UTC)
    before, after = current.fields.as_dict(), fields.as_dict()
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if statut != current.statut:
        changes["statut"] = [current.statut, statut]
    done = conn.execute(
        carte_demandes.update()
        .where(carte_demandes.c.id == current.id, carte_demandes.c.version == version)
        .values(
            statut=statut,
            updated_at=now,
            updated_by=actor.label,
            version=version + 1,
            **_stored(fields),
        )
    ).rowcount
    if done != 1:  # someone wrote between our read and our write
        raise _stale(get_request(conn, current.id))
    _history(conn, current.id, version + 1, actor, now, current.statut, statut, changes, comment)
    record(
        conn,
        actor,
        action,
        f"demande:{current.id}",
        before={name: pair[0] for name, pair in changes.items()},
        after={name: pair[1] for name, pair in changes.items()},
    )
    return get_request(conn, current.id)


def update_request(
    conn: sa.Connection,
    actor: Actor,
    identifier: int,
    version: int,
    fields: RequestFields,
    *,
    comment: str | None = None,
) -> Request:
    """Replace the fields of a request read at ``version``; validated; ``StaleRequest`` when
    the request changed since; a final status cannot be edited."""
    current = get_request(conn, identifier)
    if version != current.version:
        raise _stale(current)
    if current.statut in workflow.FINAL:
        raise InputError(
            "une demande validée, refusée ou supprimée ne se modifie plus", where=["statut"]
        )
    check_request(conn, current.campagne_id, fields, own=identifier)
    return _write(
        conn,
        actor,
        current,
        version,
        statut=current.statut,
        fields=fields,
        comment=comment,
        action="demande.modifier",
    )


def change_status(
    conn: sa.Connection,
    actor: Actor,
    identifier: int,
    target: str,
    *,
    version: int | None = None,
    comment: str | None = None,
) -> Request:
    """Move a request to ``target`` when the workflow allows it (``version``: the one read;
    None: the current one, for bulk changes that read and write in one transaction)."""
    current = get_request(conn, identifier)
    workflow.check_move(current.statut, target)
    if target == "proposition":  # a proposition must be a valid request
        check_request(conn, current.campagne_id, current.fields, own=identifier)
    return _write(
        conn,
        actor,
        current,
        current.version if version is None else version,
        statut=target,
        fields=current.fields,
        comment=comment,
        action="demande.statuer",
    )


def change_statuses(
    conn: sa.Connection,
    actor: Actor,
    identifiers: Sequence[int],
    target: str,
    *,
    comment: str | None = None,
) -> list[Request]:
    """Move every request of ``identifiers`` to ``target``, all or nothing: the first that
    cannot move stops the change (its number named), and the caller's transaction rolls back."""
    if not identifiers:
        raise InputError("aucune demande choisie", where=["demandes"])
    moved = []
    for identifier in identifiers:
        try:
            moved.append(change_status(conn, actor, identifier, target, comment=comment))
        except InputError as error:
            raise InputError(
                error.message,
                where=[f"demande n° {identifier}", *error.where],
                expected=error.expected,
            ) from error
    return moved


def history(conn: sa.Connection, identifier: int) -> list[HistoryEntry]:
    """Every change of a request, the oldest first."""
    query = (
        sa.select(carte_historique)
        .where(carte_historique.c.demande_id == identifier)
        .order_by(carte_historique.c.version, carte_historique.c.id)
    )
    return [
        HistoryEntry(
            version=row.version,
            at=row.at,
            auteur=row.auteur,
            statut_avant=row.statut_avant,
            statut_apres=row.statut_apres,
            changements=json.loads(row.changements),
            commentaire=row.commentaire,
        )
        for row in conn.execute(query)
    ]


def replayed_status(entries: Sequence[HistoryEntry]) -> str:
    """The status the history leads to (checked move by move by the workflow)."""
    return workflow.replay((e.statut_avant, e.statut_apres) for e in entries)


def with_fields(request: Request, **changes: Any) -> RequestFields:
    """The fields of ``request`` with ``changes`` applied (a convenience for partial edits)."""
    return replace(request.fields, **changes)
