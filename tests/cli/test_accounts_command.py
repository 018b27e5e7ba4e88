"""``tremplin comptes``: the issue's flags, the password from standard input, a one-time link
that works on the web, deactivation and anonymisation; then the store read through the
library, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tests.web.accounts import form_token
from tests.web.client import web_client, web_settings
from tremplin.accounts.accounts import find_account
from tremplin.cli import app
from tremplin.store.audit import COMMAND_LINE, read_audit
from tremplin.store.database import open_store
from tremplin.store.schema import accounts
from tremplin.web.shared.auth import CSRF_COOKIE

PASSWORD = "correct cheval pile agrafe"


def _run(url: str, *args: str, stdin: str | None = None, **env: str) -> Result:
    return CliRunner().invoke(
        app, list(args), input=stdin, env={"TREMPLIN_DATABASE_URL": url, **env}
    )


def _text(result: Result) -> str:
    return " ".join(result.output.split())


def test_create_list_and_deactivate(database_url: str) -> None:
    created = _run(
        database_url,
        "comptes", "creer", "--role", "pilote", "--email", "Pilote@AC-Lyon.test",
        "--territoire", "academie:10", "--mot-de-passe-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "pilote@ac-lyon.test (pilote, périmètre academie:10)" in _text(created)
    company = _run(
        database_url,
        "comptes", "creer", "--role", "entreprise", "--email", "rh@x.test",
        "--siret", "356 000 000 00048", "--mot-de-passe-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert company.exit_code == 0, company.output
    listed = _run(database_url, "comptes", "lister", "--json")
    assert [(a["email"], a["role"], a["siret"]) for a in json.loads(listed.output)] == [
        ("pilote@ac-lyon.test", "pilote", None),
        ("rh@x.test", "entreprise", "35600000000048"),
    ]
    table = _run(database_url, "comptes", "lister")
    assert "academie:10" in table.output and "jamais" in table.output
    off = _run(database_url, "comptes", "desactiver", "--email", "rh@x.test")
    assert off.exit_code == 0 and "désactivé" in off.output
    engine = open_store(database_url)
    try:
        with engine.connect() as conn:
            account = find_account(conn, "rh@x.test")
            log = read_audit(conn)
    finally:
        engine.dispose()
    assert account is not None and not account.active
    assert log["action"].to_list() == ["comptes.desactiver", "comptes.creer", "comptes.creer"]
    assert set(log["actor"]) == {COMMAND_LINE}
    assert PASSWORD not in json.dumps(log.to_dicts())


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["--role", "pilote", "--email", "a@b.fr", "--mot-de-passe-stdin"], PASSWORD,
         "le rôle pilote demande un périmètre"),
        (["--role", "lecteur", "--email", "a@b.fr"], PASSWORD,
         "le mot de passe se donne sur l'entrée standard"),
        (["--role", "lecteur", "--email", "a@b.fr", "--mot-de-passe-stdin"], "",
         "aucun mot de passe lu sur l'entrée standard"),
        (["--role", "lecteur", "--email", "a@b.fr", "--mot-de-passe-stdin"], "court",
         "mot de passe : mot de passe trop court (attendu : au moins 12 caractères)"),
        (["--role", "chef", "--email", "a@b.fr", "--mot-de-passe-stdin"], PASSWORD,
         "rôle « chef » inconnu"),
    ],
)  # fmt: skip
def test_a_bad_account_is_a_french_error_and_nothing_is_written(
    tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    url = f"sqlite:///{tmp_path / 'tremplin.sqlite'}"
    result = _run(url, "comptes", "creer", *args, stdin=stdin + "\n")
    assert result.exit_code == 1
    assert _text(result).startswith("Erreur :") and message in _text(result)
    assert json.loads(_run(url, "comptes", "lister", "--json").output) == []


def test_reset_prints_a_one_time_link_that_works_on_the_web(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tremplin.sqlite'}"
    _run(url, "comptes", "creer", "--role", "lecteur", "--email", "l@x.test",
         "--mot-de-passe-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    result = _run(url, "comptes", "reinitialiser", "--email", "l@x.test",
                  "--adresse", "https://tremplin.example.test/")  # fmt: skip
    assert result.exit_code == 0, result.output
    link = re.search(r"https://tremplin\.example\.test(/reinitialisation/\S+)", result.output)
    assert link is not None
    with web_client(web_settings(url, tmp_path)) as client:
        page = client.get(link.group(1))
        assert page.status_code == 200 and "l@x.test" in page.text
        cookie, token = form_token(page)
        new = "un tout nouveau mot de passe"
        done = client.request(
            "POST",
            link.group(1),
            data={"csrf": token, "mot_de_passe": new, "confirmation": new},
            headers={"Cookie": f"{CSRF_COOKIE}={cookie}"},
        )
        assert done.status_code == 303
        assert client.get(link.group(1)).status_code == 404
        assert (
            client.post("/api/v1/session", {"email": "l@x.test", "password": new}).status_code
            == 200
        )
    missing = _run(url, "comptes", "reinitialiser", "--email", "personne@x.test")
    assert missing.exit_code == 1 and "aucun compte pour « personne@x.test »" in _text(missing)


def test_anonymise_uses_the_configured_delay(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tremplin.sqlite'}"
    for email in ("ancien@x.test", "recent@x.test"):
        _run(url, "comptes", "creer", "--role", "lecteur", "--email", email,
             "--mot-de-passe-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    engine = open_store(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.update(accounts)
                .where(accounts.c.email == "ancien@x.test")
                .values(created_at=datetime.now(UTC) - timedelta(days=40))
            )
        result = _run(url, "comptes", "anonymiser", TREMPLIN_ANONYMISATION_JOURS="30")
        assert result.exit_code == 0, result.output
        assert "1 compte(s) rendu(s) anonyme(s) (sans connexion depuis 30 jours)" in _text(result)
        with engine.connect() as conn:
            assert find_account(conn, "ancien@x.test") is None
            assert find_account(conn, "recent@x.test") is not None
    finally:
        engine.dispose()
