"""The accounts' pages through the application in-process: log in (CSRF, cookie, wrong
passwords, 429), « mon compte », export and deletion, reset links, the audit log page and its
CSV export, and the simulation form's CSRF token."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from tests.accounts.people import PASSWORD, PEOPLE, create_everyone
from tests.web.accounts import cookie_header, form_token, web_login
from tests.web.client import WebClient
from tremplin.accounts import lockout
from tremplin.accounts.accounts import Account, find_account
from tremplin.accounts.sessions import RESET, open_session
from tremplin.store.audit import read_audit
from tremplin.web.shared.auth import CSRF_COOKIE, SESSION_COOKIE


@pytest.fixture
def everyone(store_client: WebClient, store: sa.Engine) -> dict[str, Account]:
    return create_everyone(store)


def test_the_login_page_is_a_dsfr_form_with_a_csrf_token(store_client: WebClient) -> None:
    answer = store_client.get("/connexion")
    assert answer.status_code == 200
    assert 'class="fr-input"' in answer.text and 'autocomplete="current-password"' in answer.text
    cookie, token = form_token(answer)
    assert cookie == token
    set_cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "secure" in set_cookie


def test_logging_in_sets_a_secure_httponly_samesite_session_cookie(
    store_client: WebClient, everyone: dict[str, Account]
) -> None:
    cookie, token = form_token(store_client.get("/connexion"))
    answer = store_client.request(
        "POST",
        "/connexion",
        data={"csrf": token, "email": "PILOTE.lyon@ac-lyon.test", "mot_de_passe": PASSWORD},
        headers=cookie_header({CSRF_COOKIE: cookie}),
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/mon-compte"
    session = [h for h in answer.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert len(session) == 1
    flags = session[0].lower()
    assert "httponly" in flags and "samesite=strict" in flags and "; secure" in flags
    mine = store_client.request(
        "GET",
        "/mon-compte",
        headers=cookie_header({SESSION_COOKIE: answer.cookies[SESSION_COOKIE]}),
    )
    assert mine.status_code == 200
    assert "pilote.lyon@ac-lyon.test" in mine.text and "academie:10" in mine.text


def test_the_secure_flag_can_be_turned_off_for_local_http(
    store: sa.Engine, sqlite_url: str, tmp_path: object
) -> None:
    from tests.web.client import web_client
    from tremplin.config import Settings

    settings = Settings.from_env(
        {"TREMPLIN_DATABASE_URL": sqlite_url, "TREMPLIN_COOKIE_SECURE": "0"}
    )
    with web_client(settings) as client:
        flags = client.get("/connexion").headers["set-cookie"].lower()
    assert "httponly" in flags and "secure" not in flags


def test_a_form_without_its_csrf_token_is_refused(
    store_client: WebClient, everyone: dict[str, Account]
) -> None:
    cookie, token = form_token(store_client.get("/connexion"))
    fields = {"email": PEOPLE["lecteur"].email, "mot_de_passe": PASSWORD}
    missing = store_client.request(
        "POST", "/connexion", data=fields, headers=cookie_header({CSRF_COOKIE: cookie})
    )
    other = store_client.request(
        "POST",
        "/connexion",
        data={**fields, "csrf": token},
        headers=cookie_header({CSRF_COOKIE: "un-autre-jeton"}),
    )
    no_cookie = store_client.request("POST", "/connexion", data={**fields, "csrf": token})
    for answer in (missing, other, no_cookie):
        assert answer.status_code == 403
        assert "formulaire expiré" in answer.text
        assert SESSION_COOKIE not in answer.cookies


def test_a_wrong_password_says_so_in_french_without_telling_whether_the_account_exists(
    store_client: WebClient, everyone: dict[str, Account]
) -> None:
    answers = []
    for email in (PEOPLE["lecteur"].email, "personne@nulle-part.test"):
        cookie, token = form_token(store_client.get("/connexion"))
        answers.append(
            store_client.request(
                "POST",
                "/connexion",
                data={"csrf": token, "email": email, "mot_de_passe": "pas le bon mot de passe"},
                headers=cookie_header({CSRF_COOKIE: cookie}),
            )
        )
    for answer in answers:
        assert answer.status_code == 401
        assert "adresse électronique ou mot de passe incorrect" in answer.text
    assert 'id="erreur-connexion"' in answers[0].text


def test_repeated_wrong_passwords_lock_the_account_with_retry_after(
    store_client: WebClient, everyone: dict[str, Account]
) -> None:
    cookie, token = form_token(store_client.get("/connexion"))

    def attempt(password: str) -> object:
        return store_client.request(
            "POST",
            "/connexion",
            data={"csrf": token, "email": PEOPLE["expert"].email, "mot_de_passe": password},
            headers=cookie_header({CSRF_COOKIE: cookie}),
        )

    statuses = [attempt("mauvais mot de passe").status_code for _ in range(lockout.PER_ACCOUNT)]
    assert statuses == [401] * lockout.PER_ACCOUNT
    locked = attempt(PASSWORD)  # even the right password: the lock comes first
    assert locked.status_code == 429  # type: ignore[attr-defined]
    retry = int(locked.headers["retry-after"])  # type: ignore[attr-defined]
    assert 0 < retry <= lockout.WINDOW.total_seconds() + 1
    assert "trop de mots de passe erronés pour ce compte" in locked.text  # type: ignore[attr-defined]
    # Another account from the same address still logs in.
    assert web_login(store_client, PEOPLE["lecteur"].email)


def test_the_next_page_after_login_stays_on_this_site(
    store_client: WebClient, everyone: dict[str, Account]
) -> None:
    for asked, expected in (
        ("/admin/journal", "/admin/journal"),
        ("//ailleurs.test/x", "/mon-compte"),
    ):
        cookie, token = form_token(store_client.get("/connexion"))
        answer = store_client.request(
            "POST",
            "/connexion",
            data={
                "csrf": token,
                "email": PEOPLE["administrateur"].email,
                "mot_de_passe": PASSWORD,
                "suivant": asked,
            },
            headers=cookie_header({CSRF_COOKIE: cookie}),
        )
        assert answer.headers["location"] == expected


def test_a_page_that_needs_an_account_sends_visitors_to_the_login_page(
    store_client: WebClient,
) -> None:
    answer = store_client.get("/mon-compte")
    assert answer.status_code == 302
    assert answer.headers["location"] == "/connexion?suivant=/mon-compte"


def test_logout_ends_the_session(store_client: WebClient, everyone: dict[str, Account]) -> None:
    cookies = web_login(store_client, PEOPLE["lecteur"].email)
    page = store_client.request("GET", "/compte/entete", headers=cookie_header(cookies))
    assert "Se déconnecter" in page.text and page.headers["cache-control"] == "no-store"
    _, token = form_token(page) if page.cookies.get(CSRF_COOKIE) else (None, cookies[CSRF_COOKIE])
    out = store_client.request(
        "POST", "/deconnexion", data={"csrf": token}, headers=cookie_header(cookies)
    )
    assert out.status_code == 303
    assert (
        store_client.request("GET", "/mon-compte", headers=cookie_header(cookies)).status_code
        == 302
    )
    visitor = store_client.get("/compte/entete")
    assert "Se connecter" in visitor.text and "Se déconnecter" not in visitor.text


def test_my_data_export_holds_my_account_and_my_audit_lines(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    cookies = web_login(store_client, PEOPLE["chef_etablissement"].email)
    answer = store_client.request("GET", "/mon-compte/donnees.json", headers=cookie_header(cookies))
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    document = json.loads(answer.content)
    assert document["compte"]["email"] == PEOPLE["chef_etablissement"].email
    assert document["compte"]["uai"] == "0010034G"
    assert "password_hash" not in answer.text and "argon2" not in answer.text
    # The account's creation, then its login: a session opened is a line of the audit log.
    assert [line["action"] for line in document["journal"]] == ["comptes.creer", "session.ouvrir"]
    assert [s["type"] for s in document["sessions"]] == ["web"]


def test_deleting_my_account_erases_my_email_everywhere(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    email = PEOPLE["entreprise"].email
    cookies = web_login(store_client, email)
    unconfirmed = store_client.request(
        "POST",
        "/mon-compte/supprimer",
        data={"csrf": cookies[CSRF_COOKIE]},
        headers=cookie_header(cookies),
    )
    assert unconfirmed.status_code == 422 and find_account_in(store, email) is not None
    answer = store_client.request(
        "POST",
        "/mon-compte/supprimer",
        data={"csrf": cookies[CSRF_COOKIE], "confirmer": "oui"},
        headers=cookie_header(cookies),
    )
    assert answer.status_code == 303
    assert find_account_in(store, email) is None
    with store.connect() as conn:
        log = read_audit(conn)
    assert email not in json.dumps(log.to_dicts(), default=str)
    assert log["action"].to_list()[0] == "compte.supprimer"
    # The session is gone, and the e-mail logs in no more.
    assert (
        store_client.request("GET", "/mon-compte", headers=cookie_header(cookies)).status_code
        == 302
    )
    assert (
        store_client.post("/api/v1/session", {"email": email, "password": PASSWORD}).status_code
        == 401
    )


def find_account_in(engine: sa.Engine, email: str) -> Account | None:
    with engine.connect() as conn:
        return find_account(conn, email)


def test_a_reset_link_sets_a_new_password_once(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    with store.begin() as conn:
        link = open_session(conn, everyone["region"], RESET).secret
    page = store_client.get(f"/reinitialisation/{link}")
    assert page.status_code == 200 and PEOPLE["region"].email in page.text
    cookie, token = form_token(page)
    new = "un tout nouveau mot de passe"
    differ = store_client.request(
        "POST",
        f"/reinitialisation/{link}",
        data={"csrf": token, "mot_de_passe": new, "confirmation": new + "x"},
        headers=cookie_header({CSRF_COOKIE: cookie}),
    )
    assert differ.status_code == 422 and "diffèrent" in differ.text
    short = store_client.request(
        "POST",
        f"/reinitialisation/{link}",
        data={"csrf": token, "mot_de_passe": "court", "confirmation": "court"},
        headers=cookie_header({CSRF_COOKIE: cookie}),
    )
    assert short.status_code == 422 and "au moins 12 caractères" in short.text
    done = store_client.request(
        "POST",
        f"/reinitialisation/{link}",
        data={"csrf": token, "mot_de_passe": new, "confirmation": new},
        headers=cookie_header({CSRF_COOKIE: cookie}),
    )
    assert done.status_code == 303
    assert store_client.get(f"/reinitialisation/{link}").status_code == 404
    assert web_login(store_client, PEOPLE["region"].email, new)
    assert (
        store_client.post(
            "/api/v1/session", {"email": PEOPLE["region"].email, "password": PASSWORD}
        ).status_code
        == 401
    )


def test_the_audit_log_page_and_its_csv_list_every_write(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    cookies = web_login(store_client, PEOPLE["administrateur"].email)
    page = store_client.request("GET", "/admin/journal", headers=cookie_header(cookies))
    assert page.status_code == 200
    assert page.text.count("<code>comptes.creer</code>") == len(PEOPLE)
    exported = store_client.request("GET", "/admin/journal.csv", headers=cookie_header(cookies))
    assert exported.status_code == 200
    text = exported.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "id")
    lines = rows[header + 1 :]
    # One creation per account, and the administrator's login (newest first).
    assert len(lines) == len(PEOPLE) + 1
    action = rows[header].index("action")
    assert lines[0][action] == "session.ouvrir"
    assert lines[0][rows[header].index("auteur")] == PEOPLE["administrateur"].email
    assert {row[action] for row in lines[1:]} == {"comptes.creer"}
    emails = {json.loads(row[rows[header].index("apres")])["email"] for row in lines[1:]}
    assert emails == {person.email for person in PEOPLE.values()}
    for role in ("pilote", "region", "lecteur"):
        other = web_login(store_client, PEOPLE[role].email)
        assert (
            store_client.request(
                "GET", "/admin/journal.csv", headers=cookie_header(other)
            ).status_code
            == 403
        )


def test_the_simulation_form_carries_a_csrf_token_and_needs_it(
    store_client: WebClient,
) -> None:
    refused = store_client.request(
        "POST",
        "/simulations",
        content=b"titre=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 403
    assert "formulaire expiré" in refused.text
