"""The people of the accounts' tests: one account per role, each with a scope that the
« Done when » scenario can put in or out of reach."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from tremplin.accounts.accounts import Account, create_account
from tremplin.store.audit import COMMAND_LINE, Actor

PASSWORD = "un mot de passe assez long"


@dataclass(frozen=True)
class Person:
    """An account to create: role, e-mail and scope."""

    role: str
    email: str
    territoire: str | None = None
    uai: str | None = None
    siret: str | None = None


PEOPLE: dict[str, Person] = {
    "administrateur": Person("administrateur", "admin@tremplin.test"),
    "pilote": Person("pilote", "pilote.lyon@ac-lyon.test", territoire="academie:10"),
    "region": Person("region", "carte@auvergnerhonealpes.test"),
    "chef_etablissement": Person("chef_etablissement", "proviseur@painleve.test", uai="0010034G"),
    "partenaire_industrie": Person(
        "partenaire_industrie", "emploi@uimm-ain.test", territoire="departement:01"
    ),
    "entreprise": Person("entreprise", "rh@chaudronnerie.test", siret="35600000000048"),
    "expert": Person("expert", "expert@tremplin.test"),
    "lecteur": Person("lecteur", "lecteur@tremplin.test"),
    "candidat": Person("candidat", "jeune@tremplin.test"),
}
"""One account per role of :data:`tremplin.accounts.accounts.ROLES`."""


def create(conn: sa.Connection, person: Person, password: str = PASSWORD) -> Account:
    """Create ``person``'s account, as the command line does."""
    return create_account(
        conn,
        Actor(COMMAND_LINE),
        email=person.email,
        password=password,
        role=person.role,
        territoire=person.territoire,
        uai=person.uai,
        siret=person.siret,
    )


def create_everyone(engine: sa.Engine) -> dict[str, Account]:
    """Every account of :data:`PEOPLE`, by role."""
    with engine.begin() as conn:
        return {role: create(conn, person) for role, person in PEOPLE.items()}
