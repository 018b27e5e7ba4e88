"""A person's data on SQLite and PostgreSQL: exported whole, deleted at their request, made
anonymous after the documented delay without a login; the audit log keeps what was done, not
who, and forgets lines past its own delay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.accounts.people import PASSWORD, PEOPLE, create_everyone
from tremplin.accounts.accounts import find_account, get_account, list_accounts, password_hash
from tremplin.accounts.login import log_in
from tremplin.accounts.personal_data import anonymise_inactive, delete_account, export_data
from tremplin.accounts.sessions import WEB
from tremplin.store.audit import SYSTEM, read_audit
from tremplin.store.schema import accounts as accounts_table


def test_the_export_holds_the_account_its_sessions_and_its_audit_lines(
    any_store: sa.Engine,
) -> None:
    created = create_everyone(any_store)
    log_in(any_store, PEOPLE["pilote"].email, PASSWORD, "10.0.0.1", WEB)
    with any_store.connect() as conn:
        document = export_data(conn, get_account(conn, created["pilote"].id))
    assert document["compte"]["email"] == PEOPLE["pilote"].email
    assert document["compte"]["derniere_connexion"] is not None
    assert [s["type"] for s in document["sessions"]] == ["web"]
    # The account's creation, then its login (a session opened is a write of the audit log).
    assert [(line["action"], line["cible"]) for line in document["journal"]] == [
        ("comptes.creer", f"compte:{created['pilote'].id}"),
        ("session.ouvrir", f"compte:{created['pilote'].id}"),
    ]
    assert "argon2" not in json.dumps(document)


def test_deleting_an_account_erases_the_person_and_keeps_an_anonymous_trace(
    any_store: sa.Engine,
) -> None:
    created = create_everyone(any_store)
    email = PEOPLE["chef_etablissement"].email
    with any_store.begin() as conn:
        erased = delete_account(conn, created["chef_etablissement"])
    assert erased.email == f"anonyme-{erased.id}"
    assert (erased.uai, erased.active, erased.anonymised_at is not None) == (None, False, True)
    with any_store.connect() as conn:
        assert find_account(conn, email) is None
        assert password_hash(conn, erased.id) is None
        log = read_audit(conn)
    assert email not in json.dumps(log.to_dicts())
    last = log.row(0, named=True)
    assert (last["action"], last["actor"]) == ("compte.supprimer", f"anonyme-{erased.id}")
    assert log.height == len(PEOPLE) + 1


def test_inactive_accounts_are_anonymised_after_the_delay_and_old_lines_forgotten(
    any_store: sa.Engine,
) -> None:
    created = create_everyone(any_store)
    log_in(any_store, PEOPLE["lecteur"].email, PASSWORD, "10.0.0.1", WEB)
    now = datetime.now(UTC)
    with any_store.begin() as conn:
        # The expert logged in long ago; the others (but the reader) never since creation.
        conn.execute(
            accounts_table.update()
            .where(accounts_table.c.id == created["expert"].id)
            .values(last_login_at=now - timedelta(days=800))
        )
        nothing = anonymise_inactive(conn, days=730, audit_days=1825, now=now)
    assert nothing.accounts == [created["expert"].id] and nothing.audit_lines_deleted == 0
    later = now + timedelta(days=731)
    with any_store.begin() as conn:
        done = anonymise_inactive(conn, days=730, audit_days=365, now=later)
        remaining = {a.email for a in list_accounts(conn) if a.anonymised_at is None}
        log = read_audit(conn)
    # The reader logged in today, 731 days before « later »: anonymised too; everyone is.
    assert sorted(done.accounts) == sorted(a.id for role, a in created.items() if role != "expert")
    assert remaining == set()
    # Every line before was written « now », more than 365 days before « later »: forgotten;
    # the lines of this run stay, one per account made anonymous. Before: one creation per
    # account, the reader's login, the expert's anonymisation.
    assert done.audit_lines_deleted == len(PEOPLE) + 2
    assert log.height == len(done.accounts)
    assert set(log["actor"]) == {SYSTEM} and set(log["action"]) == {"comptes.anonymiser"}
    for person in PEOPLE.values():
        assert person.email not in json.dumps(log.to_dicts())
