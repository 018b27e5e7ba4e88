"""« Done when »: a planner, an establishment head, a UIMM partner and a company each log in and
see only what their role and scope allow — on SQLite and on PostgreSQL, through the application
in-process.

The scopes: the planner works on the académie de Lyon (``academie:10``), the head runs the lycée
Paul Painlevé of Oyonnax (UAI 0010034G), the UIMM partner covers the Ain (``departement:01``),
the company is one SIRET. A resource names every territory it lies in: an offer of Oyonnax is in
``departement:01``, ``academie:10`` and ``region:84``; one of Grenoble in ``departement:38``,
``academie:08`` and ``region:84``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.accounts.people import PEOPLE, create_everyone
from tests.web.accounts import api_token, cookie_header, web_login
from tests.web.client import WebClient, web_client, web_settings
from tremplin.accounts.accounts import Account
from tremplin.store.database import open_store

OYONNAX = ["departement:01", "academie:10", "region:84"]
GRENOBLE = ["departement:38", "academie:08", "region:84"]
OTHER_SIRET = "55210055400013"


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[WebClient]:
    with web_client(web_settings(database_url, tmp_path)) as found:
        yield found


@pytest.fixture
def accounts(client: WebClient, database_url: str) -> Iterator[dict[str, Account]]:
    engine = open_store(database_url)
    try:
        yield create_everyone(engine)
    finally:
        engine.dispose()


def _decision(
    client: WebClient,
    header: dict[str, str],
    action: str,
    territoires: list[str] = (),  # type: ignore[assignment]
    **other: str,
) -> str:
    query = urlencode(
        [("action", action), *(("territoire", t) for t in territoires), *other.items()]
    )
    answer = client.request("GET", f"/api/v1/autorisations?{query}", headers=header)
    assert answer.status_code == 200, answer.text
    decision: str = answer.json()["decision"]
    return decision


CASES = {
    "pilote": [
        ("demande.proposer", {"territoires": OYONNAX}, "autorise"),
        ("demande.proposer", {"territoires": GRENOBLE}, "hors_perimetre"),
        ("demande.voir", {"territoires": OYONNAX}, "autorise"),
        ("demande.completer", {"uai": "0010034G"}, "interdit"),
        ("besoin.declarer", {"siret": PEOPLE["entreprise"].siret}, "interdit"),
        ("audit.lire", {}, "interdit"),
    ],
    "chef_etablissement": [
        ("demande.completer", {"uai": "0010034G"}, "autorise"),
        ("demande.completer", {"uai": "0690103M"}, "hors_perimetre"),
        ("demande.voir", {"uai": "0690103M"}, "hors_perimetre"),
        ("demande.proposer", {"territoires": OYONNAX}, "interdit"),
        ("besoin.voir", {"territoires": OYONNAX}, "interdit"),
    ],
    "partenaire_industrie": [
        ("besoin.voir", {"territoires": OYONNAX}, "autorise"),
        ("besoin.voir", {"territoires": GRENOBLE}, "hors_perimetre"),
        ("demande.avis", {"territoires": OYONNAX}, "autorise"),
        ("demande.avis", {"territoires": GRENOBLE}, "hors_perimetre"),
        ("demande.proposer", {"territoires": OYONNAX}, "interdit"),
    ],
    "entreprise": [
        ("besoin.declarer", {"siret": PEOPLE["entreprise"].siret}, "autorise"),
        ("besoin.declarer", {"siret": OTHER_SIRET}, "hors_perimetre"),
        ("besoin.voir", {"siret": OTHER_SIRET}, "hors_perimetre"),
        ("demande.voir", {"territoires": OYONNAX}, "interdit"),
        ("comptes.gerer", {}, "interdit"),
    ],
}


@pytest.mark.parametrize("role", list(CASES))
def test_each_member_logs_in_and_sees_only_what_role_and_scope_allow(
    client: WebClient, accounts: dict[str, Account], role: str
) -> None:
    me = accounts[role]
    header = api_token(client, me.email)
    cookies = web_login(client, me.email)

    # The API says who they are and what they may do.
    mine = client.request("GET", "/api/v1/moi", headers=header).json()
    assert mine["compte"]["email"] == me.email and mine["compte"]["role"] == role
    assert {"territoire": me.territoire, "uai": me.uai, "siret": me.siret} == {
        k: mine["compte"][k] for k in ("territoire", "uai", "siret")
    }
    allowed = {right["action"] for right in mine["droits"]}
    assert "audit.lire" not in allowed and "comptes.gerer" not in allowed
    # Role and scope, resource by resource.
    for action, resource, expected in CASES[role]:
        found = _decision(client, header, action, **resource)  # type: ignore[arg-type]
        assert found == expected, (role, action, resource)
    # Their own account, not another's (404: it does not exist for them).
    assert client.request("GET", f"/api/v1/comptes/{me.id}", headers=header).status_code == 200
    other = accounts["lecteur"].id
    assert client.request("GET", f"/api/v1/comptes/{other}", headers=header).status_code == 404
    # Administrators' pages and lists: refused.
    for path in ("/admin/journal", "/admin/journal.csv"):
        assert client.request("GET", path, headers=cookie_header(cookies)).status_code == 403
    for path in ("/api/v1/comptes", "/api/v1/journal"):
        assert client.request("GET", path, headers=header).status_code == 403
    # Their page shows their scope; public pages read as for anyone.
    page = client.request("GET", "/mon-compte", headers=cookie_header(cookies)).text
    assert me.email in page and me.scope in page
    for path in ("/", "/glossaire", "/api/v1/sources"):
        assert (
            client.request("GET", path, headers=cookie_header(cookies)).status_code
            == client.get(path).status_code
            == 200
        )


def test_the_administrator_sees_every_account_and_the_audit_log(
    client: WebClient, accounts: dict[str, Account]
) -> None:
    header = api_token(client, PEOPLE["administrateur"].email)
    listed = client.request("GET", "/api/v1/comptes", headers=header).json()
    assert {a["email"] for a in listed} == {p.email for p in PEOPLE.values()}
    assert "password_hash" not in str(listed)
    other = accounts["pilote"].id
    assert client.request("GET", f"/api/v1/comptes/{other}", headers=header).status_code == 200
    log = client.request("GET", "/api/v1/journal?taille=3", headers=header).json()
    # One creation per account, and the administrator's login.
    assert log["total"] == len(PEOPLE) + 1 and len(log["lignes"]) == 3
    assert log["lignes"][0]["action"] == "session.ouvrir"
    assert set(log["lignes"][0]) >= {"date", "auteur", "action", "cible", "avant", "apres"}


def test_a_visitor_is_asked_to_log_in(client: WebClient, accounts: dict[str, Account]) -> None:
    assert client.get("/api/v1/moi").status_code == 401
    assert client.get("/api/v1/moi").json() == {"detail": "connexion requise"}
    assert _decision(client, {}, "demande.proposer", OYONNAX) == "non_connecte"
    assert client.get("/admin/journal").headers["location"] == "/connexion?suivant=/admin/journal"


def test_sessions_survive_a_new_application_on_the_same_store(
    database_url: str, tmp_path: Path, accounts: dict[str, Account]
) -> None:
    # Sessions are rows of the store: a restart (or another worker) knows them.
    with web_client(web_settings(database_url, tmp_path)) as first:
        header = api_token(first, PEOPLE["pilote"].email)
    with web_client(web_settings(database_url, tmp_path)) as second:
        assert second.request("GET", "/api/v1/moi", headers=header).status_code == 200


def test_the_api_login_locks_after_repeated_wrong_passwords_with_retry_after(
    client: WebClient, accounts: dict[str, Account]
) -> None:
    from tremplin.accounts import lockout

    email = PEOPLE["entreprise"].email
    for _ in range(lockout.PER_ACCOUNT):
        wrong = client.post("/api/v1/session", {"email": email, "password": "pas le bon"})
        assert wrong.status_code == 401
    locked = client.post("/api/v1/session", {"email": email, "password": "pas le bon"})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "réessayez dans" in locked.json()["detail"]


def test_the_api_login_locks_an_address_that_tries_many_accounts(
    client: WebClient, accounts: dict[str, Account], database_url: str
) -> None:
    from tremplin.accounts import lockout

    for i in range(lockout.PER_ADDRESS):
        email = f"essai{i}@nulle-part.test"
        assert client.post("/api/v1/session", {"email": email, "password": "x"}).status_code == 401
    locked = client.post(
        "/api/v1/session",
        {"email": PEOPLE["lecteur"].email, "password": "un mot de passe assez long"},
    )
    assert locked.status_code == 429
    assert "cette adresse" in locked.json()["detail"]
