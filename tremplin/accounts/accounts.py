"""The accounts: an e-mail, a password, a role and, for some roles, a scope.

A role's scope is what the person works on: a territory (« academie:10 ») for a planner or the
UIMM, an establishment's UAI for its head, a company's SIRET. :data:`ROLES` says which scope each
role needs; :func:`create_account` refuses an account without it (or with one it cannot have).
Every write is recorded in the audit log (:func:`tremplin.store.audit.record`), without the
password hash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tremplin.accounts.passwords import hash_password
from tremplin.errors import InputError, NotFound
from tremplin.referentials.territory_ref import TerritoryRef
from tremplin.store.audit import Actor, record
from tremplin.store.schema import account_sessions, accounts

ROLES: dict[str, str | None] = {
    "administrateur": None,
    "pilote": "territoire",
    "region": None,
    "chef_etablissement": "uai",
    "partenaire_industrie": "territoire",
    "entreprise": "siret",
    "expert": None,
    "lecteur": None,
    "candidat": None,
}
"""Each role and the scope its accounts must have (``None``: no scope)."""

ROLE_LABELS: dict[str, str] = {
    "administrateur": "Administrateur",
    "pilote": "Pilote (académie ou Région, carte des formations)",
    "region": "Conseil régional",
    "chef_etablissement": "Chef d’établissement",
    "partenaire_industrie": "Partenaire de l’industrie (UIMM)",
    "entreprise": "Entreprise",
    "expert": "Expert",
    "lecteur": "Lecteur",
    "candidat": "Candidat (jeune à la recherche d’un apprentissage ou d’un stage)",
}

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}")
_UAI = re.compile(r"[0-9]{7}[A-Z]")
_SIRET = re.compile(r"[0-9]{14}")


@dataclass(frozen=True)
class Account:
    """One account as the application uses it (never its password hash)."""

    id: int
    email: str
    role: str
    territoire: str | None
    uai: str | None
    siret: str | None
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    anonymised_at: datetime | None

    @property
    def label(self) -> str:
        """How the account is shown in the audit log: its e-mail."""
        return self.email

    @property
    def actor(self) -> Actor:
        """The account as the author of a write."""
        return Actor(self.email, self.id)

    @property
    def scope(self) -> str:
        """Its scope in words: « academie:10 », « UAI 0690103M », « SIRET … » or « — »."""
        if self.territoire:
            return self.territoire
        if self.uai:
            return f"UAI {self.uai}"
        if self.siret:
            return f"SIRET {self.siret}"
        return "—"

    def public(self) -> dict[str, Any]:
        """What the account shows of itself (API, export, audit log)."""
        return {
            "id": self.id,
            "email": self.email,
            "role": self.role,
            "territoire": self.territoire,
            "uai": self.uai,
            "siret": self.siret,
            "actif": self.active,
            "cree_le": self.created_at.isoformat(),
            "derniere_connexion": self.last_login_at.isoformat() if self.last_login_at else None,
        }


def normalise_email(email: str) -> str:
    """The e-mail as it is kept and looked up: stripped, lower case."""
    return email.strip().lower()


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes: they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _account(row: Any) -> Account:
    return Account(
        id=row.id,
        email=row.email,
        role=row.role,
        territoire=row.territoire,
        uai=row.uai,
        siret=row.siret,
        active=bool(row.active),
        created_at=_aware(row.created_at) or datetime.now(UTC),
        last_login_at=_aware(row.last_login_at),
        anonymised_at=_aware(row.anonymised_at),
    )


def check_scope(
    role: str, territoire: str | None, uai: str | None, siret: str | None
) -> dict[str, str | None]:
    """The scope columns of an account of ``role``, checked: the scope the role needs is there
    and well formed, no other is given. Raises :class:`InputError` otherwise."""
    if role not in ROLES:
        raise InputError(f"rôle « {role} » inconnu", where=["rôle"], expected=", ".join(ROLES))
    given = {"territoire": territoire or None, "uai": uai or None, "siret": siret or None}
    needed = ROLES[role]
    for name, value in given.items():
        if name != needed and value is not None:
            raise InputError(
                f"le rôle {role} n’a pas de périmètre « {name} »",
                where=[name],
                expected=f"un périmètre {needed}" if needed else "aucun périmètre",
            )
    if needed is not None and given[needed] is None:
        raise InputError(f"le rôle {role} demande un périmètre", where=[needed])
    if given["territoire"] is not None:
        given["territoire"] = str(TerritoryRef.parse(given["territoire"]))
    if given["uai"] is not None:
        given["uai"] = given["uai"].strip().upper()
        if not _UAI.fullmatch(given["uai"]):
            raise InputError(
                f"UAI « {uai} » invalide", where=["uai"], expected="7 chiffres et une lettre"
            )
    if given["siret"] is not None:
        given["siret"] = given["siret"].replace(" ", "")
        if not _SIRET.fullmatch(given["siret"]):
            raise InputError(f"SIRET « {siret} » invalide", where=["siret"], expected="14 chiffres")
    return given


def create_account(
    conn: sa.Connection,
    actor: Actor,
    *,
    email: str,
    password: str,
    role: str,
    territoire: str | None = None,
    uai: str | None = None,
    siret: str | None = None,
) -> Account:
    """Create an account (recorded in the audit log); raises :class:`InputError` for a bad
    e-mail, role, scope or password, or an e-mail already taken."""
    email = normalise_email(email)
    if not _EMAIL.fullmatch(email):
        raise InputError(f"adresse électronique « {email} » invalide", where=["email"])
    scope = check_scope(role, territoire, uai, siret)
    hashed = hash_password(password)
    if find_account(conn, email) is not None:
        raise InputError(f"un compte existe déjà pour « {email} »", where=["email"])
    inserted = conn.execute(
        accounts.insert().values(
            email=email,
            password_hash=hashed,
            role=role,
            created_at=datetime.now(UTC),
            active=True,
            **scope,
        )
    ).inserted_primary_key
    assert inserted is not None
    created = get_account(conn, int(inserted[0]))
    record(conn, actor, "comptes.creer", f"compte:{created.id}", after=created.public())
    return created


def find_account(conn: sa.Connection, email: str) -> Account | None:
    """The account of ``email`` (any case), or None."""
    row = conn.execute(
        sa.select(accounts).where(accounts.c.email == normalise_email(email))
    ).first()
    return _account(row) if row is not None else None


def password_hash(conn: sa.Connection, account_id: int) -> str | None:
    """The stored hash of an account's password (only the login reads it)."""
    value = conn.execute(
        sa.select(accounts.c.password_hash).where(accounts.c.id == account_id)
    ).scalar()
    return str(value) if value is not None else None


def get_account(conn: sa.Connection, account_id: int) -> Account:
    """The account ``account_id``; raises :class:`NotFound` when there is none."""
    row = conn.execute(sa.select(accounts).where(accounts.c.id == account_id)).first()
    if row is None:
        raise NotFound(f"compte {account_id} introuvable")
    return _account(row)


def account_by_email(conn: sa.Connection, email: str) -> Account:
    """The account of ``email``; raises :class:`NotFound` when there is none."""
    found = find_account(conn, email)
    if found is None:
        raise NotFound(f"aucun compte pour « {normalise_email(email)} »")
    return found


def list_accounts(conn: sa.Connection) -> list[Account]:
    """Every account, by id."""
    return [_account(row) for row in conn.execute(sa.select(accounts).order_by(accounts.c.id))]


def update_account(
    conn: sa.Connection,
    actor: Actor,
    account: Account,
    action: str,
    values: Mapping[str, Any],
) -> Account:
    """Write ``values`` on ``account`` and record ``action`` with the account before and after."""
    conn.execute(accounts.update().where(accounts.c.id == account.id).values(**values))
    after = get_account(conn, account.id)
    record(
        conn, actor, action, f"compte:{account.id}", before=account.public(), after=after.public()
    )
    return after


def deactivate_account(conn: sa.Connection, actor: Actor, email: str) -> Account:
    """Deactivate the account of ``email``: it can no longer log in, its sessions end."""
    account = account_by_email(conn, email)
    conn.execute(account_sessions.delete().where(account_sessions.c.account_id == account.id))
    return update_account(conn, actor, account, "comptes.desactiver", {"active": False})


def set_password(conn: sa.Connection, actor: Actor, account: Account, password: str) -> Account:
    """Give ``account`` a new password and end its other sessions (the hash is not logged)."""
    hashed = hash_password(password)
    conn.execute(account_sessions.delete().where(account_sessions.c.account_id == account.id))
    return update_account(conn, actor, account, "comptes.mot_de_passe", {"password_hash": hashed})
