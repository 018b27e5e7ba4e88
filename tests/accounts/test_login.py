"""Logging in writes the audit log, on SQLite and PostgreSQL: a session opened by the account
(its e-mail), a refused login by « visiteur » on the account tried — never the password, the
e-mail tried or the network address."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.accounts.people import PASSWORD, PEOPLE, create_everyone
from tremplin.accounts.login import OPENED, REFUSED, log_in
from tremplin.accounts.sessions import API, WEB
from tremplin.errors import Unauthenticated
from tremplin.store.audit import read_audit


def test_logins_opened_and_refused_are_in_the_audit_log(any_store: sa.Engine) -> None:
    created = create_everyone(any_store)
    planner = created["pilote"]
    wrong = "pas le bon mot de passe"
    with any_store.connect() as conn:
        before = read_audit(conn).height
    log_in(any_store, planner.email, PASSWORD, "10.0.0.7", WEB)
    with pytest.raises(Unauthenticated):
        log_in(any_store, planner.email, wrong, "10.0.0.7", API)
    with pytest.raises(Unauthenticated):
        log_in(any_store, "personne@nulle-part.test", wrong, "10.0.0.7", WEB)
    with any_store.connect() as conn:
        log = read_audit(conn)
    assert log.height == before + 3
    unknown, refused, opened = log.head(3).to_dicts()  # newest first
    assert (opened["action"], opened["target"]) == (OPENED, f"compte:{planner.id}")
    assert (opened["actor"], opened["actor_id"]) == (PEOPLE["pilote"].email, planner.id)
    assert json.loads(opened["after"]) == {"type": "web"} and opened["before"] is None
    assert (refused["action"], refused["target"]) == (REFUSED, f"compte:{planner.id}")
    assert (refused["actor"], refused["actor_id"]) == ("visiteur", None)
    assert json.loads(refused["after"]) == {"type": "api"}
    assert (unknown["action"], unknown["target"], unknown["actor"]) == (
        REFUSED,
        "compte:inconnu",
        "visiteur",
    )
    refusals = json.dumps([refused, unknown], ensure_ascii=False)
    for secret in (wrong, PASSWORD, planner.email, "personne@nulle-part", "10.0.0.7"):
        assert secret not in refusals
    assert PASSWORD not in json.dumps(opened, ensure_ascii=False)
