"""Attachments of a request (a letter of support, a partner's commitment…): kept in the store,
limited in type and size, every addition audited (« demande.modifier »)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from tremplin.errors import InputError, NotFound
from tremplin.planning.requests import get_request
from tremplin.store.audit import Actor, record
from tremplin.store.schema import carte_pieces

MAX_BYTES = 5 * 1024 * 1024
TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
"""The accepted types and the first bytes each file of that type starts with (the type a
browser declares is not trusted alone)."""
_NAME = re.compile(r"[^\w .()-]+")


def detected_type(contenu: bytes, declared: str) -> str:
    """The type a file's first bytes show among :data:`TYPES`, else the type declared (which
    :func:`add_attachment` then refuses)."""
    return next((t for t, starts in TYPES.items() if contenu.startswith(starts)), declared)


@dataclass(frozen=True)
class Attachment:
    """An attachment without its content."""

    id: int
    demande_id: int
    nom: str
    type_mime: str
    taille: int
    auteur: str
    at: datetime


def add_attachment(
    conn: sa.Connection, actor: Actor, demande_id: int, nom: str, type_mime: str, contenu: bytes
) -> Attachment:
    """Keep a file with the request: a PDF, PNG or JPEG of at most 5 Mo, whose content is of the
    type declared; audited."""
    get_request(conn, demande_id)
    if type_mime not in TYPES or not contenu.startswith(TYPES[type_mime]):
        raise InputError(
            f"pièce « {nom} » refusée : type {type_mime or 'inconnu'}",
            where=["piece"],
            expected="un fichier PDF, PNG ou JPEG",
        )
    if not 0 < len(contenu) <= MAX_BYTES:
        raise InputError(
            f"pièce « {nom} » refusée : {len(contenu)} octets",
            where=["piece"],
            expected="un fichier non vide d’au plus 5 Mo",
        )
    name = _NAME.sub("_", nom).strip() or "piece"
    at = datetime.now(UTC)
    identifier = conn.execute(
        carte_pieces.insert()
        .values(
            demande_id=demande_id,
            nom=name[:255],
            type_mime=type_mime,
            taille=len(contenu),
            contenu=contenu,
            auteur=actor.label,
            at=at,
        )
        .returning(carte_pieces.c.id)
    ).scalar_one()
    found = Attachment(identifier, demande_id, name[:255], type_mime, len(contenu), actor.label, at)
    record(
        conn, actor, "demande.modifier", f"demande:{demande_id}",
        after={"piece": found.nom, "type": type_mime, "taille": len(contenu)},
    )  # fmt: skip
    return found


def attachments(conn: sa.Connection, demande_id: int) -> list[Attachment]:
    """The attachments of a request (without their content)."""
    query = (
        sa.select(*(carte_pieces.c[n] for n in Attachment.__dataclass_fields__))
        .where(carte_pieces.c.demande_id == demande_id)
        .order_by(carte_pieces.c.id)
    )
    return [Attachment(**row._asdict()) for row in conn.execute(query)]


def attachment_content(
    conn: sa.Connection, demande_id: int, identifier: int
) -> tuple[Attachment, bytes]:
    """One attachment and its bytes; ``NotFound`` when the request has no such attachment."""
    row = conn.execute(
        sa.select(carte_pieces).where(
            carte_pieces.c.id == identifier, carte_pieces.c.demande_id == demande_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"pièce n° {identifier} introuvable")
    values = row._asdict()
    content = values.pop("contenu")
    return Attachment(**{n: values[n] for n in Attachment.__dataclass_fields__}), bytes(content)
