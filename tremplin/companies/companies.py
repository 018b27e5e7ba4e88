"""Companies: a SIRET (checked by its key), a NAF code, a name and sites by commune.

The accounts of role « entreprise » whose scope is a company's SIRET act for it; a partner of
the industry (« partenaire_industrie ») creates companies when it imports their needs. Every
write is a line of the audit log (:func:`tremplin.store.audit.record`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tremplin.companies.places import place
from tremplin.companies.siret import check_siret
from tremplin.companies.text import check_free_text
from tremplin.errors import InputError, NotFound
from tremplin.store.audit import Actor, record
from tremplin.store.schema import companies, company_sites

_NAF = re.compile(r"([0-9]{2})\.?([0-9]{2})([A-Z])")


@dataclass(frozen=True)
class Company:
    """One company, with the INSEE codes of its sites."""

    id: int
    siret: str
    naf: str | None
    nom: str
    sites: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    def public(self) -> dict[str, Any]:
        """What the API, the export of one's data and the audit log show of it."""
        return {
            "id": self.id,
            "siret": self.siret,
            "naf": self.naf,
            "nom": self.nom,
            "sites": list(self.sites),
            "cree_le": self.created_at.isoformat(),
            "modifie_le": self.updated_at.isoformat(),
        }


def aware(value: datetime) -> datetime:
    """``value`` in UTC (SQLite gives back naive datetimes: they were written in UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def check_naf(text: str | None, *, where: str = "naf") -> str | None:
    """A NAF (APE) code as « 25.62A » (None when empty); raises :class:`InputError`."""
    if not text or not text.strip():
        return None
    found = _NAF.fullmatch(text.strip().upper())
    if found is None:
        raise InputError(
            f"code NAF « {text} » invalide", where=[where], expected="4 chiffres et une lettre"
        )
    return f"{found.group(1)}.{found.group(2)}{found.group(3)}"


def _company(conn: sa.Connection, row: Any) -> Company:
    sites = conn.execute(
        sa.select(company_sites.c.code_insee)
        .where(company_sites.c.company_id == row.id)
        .order_by(company_sites.c.code_insee)
    ).scalars()
    return Company(
        row.id,
        row.siret,
        row.naf,
        row.nom,
        tuple(sites),
        aware(row.created_at),
        aware(row.updated_at),
    )


def find_company(conn: sa.Connection, siret: str | None) -> Company | None:
    """The company of ``siret``, or None."""
    if not siret:
        return None
    row = conn.execute(sa.select(companies).where(companies.c.siret == siret)).first()
    return _company(conn, row) if row is not None else None


def get_company(conn: sa.Connection, company_id: int) -> Company:
    """The company ``company_id``; raises :class:`NotFound`."""
    row = conn.execute(sa.select(companies).where(companies.c.id == company_id)).first()
    if row is None:
        raise NotFound(f"entreprise {company_id} introuvable")
    return _company(conn, row)


def save_company(
    conn: sa.Connection,
    actor: Actor,
    *,
    siret: str,
    nom: str,
    naf: str | None = None,
    sites: Iterable[str] = (),
) -> Company:
    """Create the company of ``siret``, or update its name, NAF code and sites (the sites
    given are added to those it has); each INSEE code must be a known commune."""
    siret = check_siret(siret)
    nom = check_free_text(nom, where="nom", required=True, limit=200)
    naf = check_naf(naf)
    codes = sorted({place(conn, code, where="sites").code_insee for code in sites})
    now = datetime.now(UTC)
    before = find_company(conn, siret)
    if before is None:
        inserted = conn.execute(
            companies.insert().values(siret=siret, naf=naf, nom=nom, created_at=now, updated_at=now)
        ).inserted_primary_key
        assert inserted is not None
        company_id = int(inserted[0])
    else:
        company_id = before.id
        conn.execute(
            companies.update()
            .where(companies.c.id == company_id)
            .values(nom=nom, naf=naf or before.naf, updated_at=now)
        )
    known = set(before.sites) if before else set()
    new_sites = [c for c in codes if c not in known]
    if new_sites:
        conn.execute(
            company_sites.insert(), [{"company_id": company_id, "code_insee": c} for c in new_sites]
        )
    after = get_company(conn, company_id)
    record(
        conn,
        actor,
        "entreprise.creer" if before is None else "entreprise.modifier",
        f"entreprise:{company_id}",
        before=before.public() if before else None,
        after=after.public(),
    )
    return after


def delete_company(conn: sa.Connection, actor: Actor, company: Company) -> None:
    """Delete ``company``, its sites and its needs (recorded in the audit log)."""
    conn.execute(companies.delete().where(companies.c.id == company.id))
    record(conn, actor, "entreprise.supprimer", f"entreprise:{company.id}", before=company.public())


def list_companies(conn: sa.Connection) -> list[Company]:
    """Every company, by name."""
    rows = conn.execute(sa.select(companies).order_by(companies.c.nom, companies.c.id)).all()
    return [_company(conn, row) for row in rows]
