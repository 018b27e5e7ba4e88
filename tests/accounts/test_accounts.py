"""Accounts on SQLite and PostgreSQL: created with their scope checked, listed, deactivated,
their password changed; each write in the audit log, without the password hash."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.accounts.people import PASSWORD, PEOPLE, Person, create, create_everyone
from tremplin.accounts.accounts import (
    deactivate_account,
    find_account,
    list_accounts,
    password_hash,
    set_password,
)
from tremplin.accounts.login import log_in
from tremplin.accounts.sessions import WEB, session_account
from tremplin.errors import InputError, NotFound, Unauthenticated
from tremplin.store.audit import COMMAND_LINE, Actor, read_audit

CLI = Actor(COMMAND_LINE)


def test_every_role_gets_an_account_with_its_scope(any_store: sa.Engine) -> None:
    created = create_everyone(any_store)
    assert set(created) == set(PEOPLE)
    with any_store.connect() as conn:
        listed = list_accounts(conn)
        log = read_audit(conn)
        hashes = [password_hash(conn, a.id) for a in listed]
    assert [a.email for a in listed] == [p.email for p in PEOPLE.values()]
    assert created["pilote"].territoire == "academie:10"
    assert created["chef_etablissement"].uai == "0010034G"
    assert created["entreprise"].siret == "35600000000048"
    assert all(h and h.startswith("$argon2id$") for h in hashes)
    assert log.height == len(PEOPLE)
    assert set(log["actor"]) == {COMMAND_LINE}
    for row in log.to_dicts():
        assert row["action"] == "comptes.creer" and row["before"] is None
        after = json.loads(row["after"])
        assert row["target"] == f"compte:{after['id']}"
        assert "argon2" not in row["after"]


@pytest.mark.parametrize(
    "person, problem",
    [
        (Person("pilote", "p@x.fr"), "demande un périmètre"),
        (Person("pilote", "p@x.fr", uai="0010034G"), "n’a pas de périmètre « uai »"),
        (Person("lecteur", "p@x.fr", territoire="region:84"), "n’a pas de périmètre"),
        (Person("pilote", "p@x.fr", territoire="canton:3"), "territoire « canton:3 » invalide"),
        (Person("chef_etablissement", "p@x.fr", uai="12345"), "UAI « 12345 » invalide"),
        (Person("entreprise", "p@x.fr", siret="123"), "SIRET « 123 » invalide"),
        (Person("pape", "p@x.fr"), "rôle « pape » inconnu"),
        (Person("lecteur", "pas-une-adresse"), "adresse électronique"),
    ],
)
def test_a_bad_account_is_refused_in_french(store: sa.Engine, person: Person, problem: str) -> None:
    with pytest.raises(InputError, match=problem), store.begin() as conn:
        create(conn, person)
    with store.connect() as conn:
        assert list_accounts(conn) == [] and read_audit(conn).height == 0


def test_an_email_has_one_account_whatever_its_case(store: sa.Engine) -> None:
    with store.begin() as conn:
        create(conn, PEOPLE["lecteur"])
    upper = Person("lecteur", PEOPLE["lecteur"].email.upper())
    with pytest.raises(InputError, match="existe déjà"), store.begin() as conn:
        create(conn, upper)


def test_a_deactivated_account_logs_in_no_more_and_loses_its_sessions(
    any_store: sa.Engine,
) -> None:
    accounts = create_everyone(any_store)
    account, opened = log_in(any_store, PEOPLE["expert"].email, PASSWORD, "10.0.0.1", WEB)
    assert account.id == accounts["expert"].id
    with any_store.begin() as conn:
        after = deactivate_account(conn, CLI, PEOPLE["expert"].email.upper())
    assert not after.active
    with any_store.connect() as conn:
        assert session_account(conn, opened.secret, (WEB,)) is None
        last = read_audit(conn).row(0, named=True)
    assert last["action"] == "comptes.desactiver"
    assert json.loads(last["before"])["actif"] and not json.loads(last["after"])["actif"]
    with pytest.raises(Unauthenticated):
        log_in(any_store, PEOPLE["expert"].email, PASSWORD, "10.0.0.1", WEB)
    with pytest.raises(NotFound), any_store.begin() as conn:
        deactivate_account(conn, CLI, "personne@nulle-part.test")


def test_a_new_password_replaces_the_old_one(store: sa.Engine) -> None:
    accounts = create_everyone(store)
    with store.begin() as conn:
        set_password(conn, CLI, accounts["lecteur"], "un nouveau mot de passe")
        assert find_account(conn, PEOPLE["lecteur"].email) is not None
    log_in(store, PEOPLE["lecteur"].email, "un nouveau mot de passe", "x", WEB)
    with pytest.raises(Unauthenticated):
        log_in(store, PEOPLE["lecteur"].email, PASSWORD, "x", WEB)
