"""The candidates' pages on a copy of the demo store, through the application in-process: signing
up with the form (CSRF), the profile form and its consent, the offers ranked for me, one offer
without contact, applying, my applications, withdrawing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import sqlalchemy as sa

from tests.accounts.people import PASSWORD, PEOPLE, create
from tests.companies.offer_sample import an_offer
from tests.companies.sample import Codes, sample_codes
from tests.web.accounts import cookie_header, form_token, web_login
from tests.web.client import WebClient, web_client, web_settings
from tremplin.web.shared.auth import CSRF_COOKIE, SESSION_COOKIE


@pytest.fixture
def codes(needs_engine: sa.Engine) -> Codes:
    with needs_engine.connect() as conn:
        return sample_codes(conn)


@pytest.fixture
def client(
    needs_url: str, needs_engine: sa.Engine, tmp_path: Path, codes: Codes
) -> Iterator[WebClient]:
    with needs_engine.begin() as conn:
        create(conn, PEOPLE["entreprise"])
        an_offer(conn, codes, codes.commune, title="Apprenti forgeron", nom="Forge")
    with web_client(web_settings(needs_url, tmp_path)) as made:
        yield made


def _post(
    client: WebClient,
    page: str,
    action: str,
    cookies: dict[str, str],
    fields: list[tuple[str, str]],
) -> httpx.Response:
    """Post ``fields`` with the CSRF token of ``page``'s form."""
    shown = client.request("GET", page, headers=cookie_header(cookies))
    assert shown.status_code == 200, shown.text[:300]
    cookie = shown.cookies.get(CSRF_COOKIE) or cookies[CSRF_COOKIE]
    token = re.search(r'name="csrf" value="([^"]+)"', shown.text)
    assert token
    # A list of pairs: a field may repeat (the trades wished).
    body = urlencode([("csrf", token.group(1)), *fields])
    headers = cookie_header(cookies | {CSRF_COOKIE: cookie})
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return client.request("POST", action, content=body, headers=headers)


def _sign_up(client: WebClient, email: str) -> dict[str, str]:
    page = client.get("/inscription")
    cookie, token = form_token(page)
    fields = {"csrf": token, "email": email, "mot_de_passe": PASSWORD, "confirmation": PASSWORD}
    answer = client.request(
        "POST", "/inscription", data=fields, headers=cookie_header({CSRF_COOKIE: cookie})
    )
    assert answer.status_code == 303, answer.text[:500]
    assert answer.headers["location"] == "/candidat/profil?bienvenue=1"
    return {SESSION_COOKIE: answer.cookies[SESSION_COOKIE], CSRF_COOKIE: cookie}


def test_the_login_page_leads_to_the_sign_up(client: WebClient) -> None:
    assert 'href="/inscription"' in client.page("/connexion")
    page = client.get("/inscription")
    cookie, token = form_token(page)
    differ = client.request(
        "POST",
        "/inscription",
        data={"csrf": token, "email": "a@b.fr", "mot_de_passe": PASSWORD, "confirmation": "x"},
        headers=cookie_header({CSRF_COOKIE: cookie}),
    )
    assert differ.status_code == 422 and "les deux mots de passe diffèrent" in differ.text
    forged = client.request(
        "POST", "/inscription", data={"email": "a@b.fr", "mot_de_passe": PASSWORD}
    )
    assert forged.status_code == 403


def test_the_journey_of_a_candidate(client: WebClient, codes: Codes) -> None:
    me = _sign_up(client, "lea@tremplin.test")
    header = client.request("GET", "/compte/entete", headers=cookie_header(me)).text
    assert 'href="/candidat/offres"' in header
    offers = client.request("GET", "/candidat/offres", headers=cookie_header(me)).text
    assert 'id="sans-profil"' in offers
    profile = [("codes_rome", codes.code_rome), ("codes_rome", ""), ("code_insee", codes.commune)]
    profile += [("rayon_km", "20"), ("niveau", "4"), ("disponible_le", "")]
    refused = _post(client, "/candidat/profil", "/candidat/profil", me, profile)
    assert refused.status_code == 422
    assert "consentement : sans votre consentement, aucun profil n’est enregistré" in refused.text
    saved = _post(
        client, "/candidat/profil", "/candidat/profil", me, [*profile, ("consentement", "oui")]
    )
    assert saved.status_code == 303, saved.text[:500]
    shown = client.request("GET", "/candidat/profil?recherche=souder", headers=cookie_header(me))
    assert "visible des entreprises" in shown.text and 'id="metiers-trouves"' in shown.text
    ranked = client.request("GET", "/candidat/offres", headers=cookie_header(me)).text
    assert "Apprenti forgeron" in ranked and "Même métier que l’offre" in ranked
    offer = re.search(r'href="/candidat/offres/(\d+)"', ranked)
    assert offer
    page = f"/candidat/offres/{offer.group(1)}"
    detail = client.request("GET", page, headers=cookie_header(me)).text
    assert "Forge" in detail and PEOPLE["entreprise"].email not in detail
    assert PEOPLE["entreprise"].siret not in detail  # type: ignore[operator]
    with_url = _post(client, page, page, me, [("message", "écrivez-moi : lea@exemple.fr")])
    assert with_url.status_code == 422 and "message" in with_url.text
    sent = _post(client, page, page, me, [("message", "Bonjour, je suis motivée.")])
    assert sent.status_code == 303 and sent.headers["location"].startswith("/candidat/candidatures")
    listed = client.request("GET", "/candidat/candidatures", headers=cookie_header(me)).text
    assert "Apprenti forgeron" in listed and "Envoyée, sans réponse pour l’instant" in listed
    already = client.request("GET", page, headers=cookie_header(me)).text
    assert 'id="deja-candidate"' in already
    number = re.search(r'action="/candidat/candidatures/(\d+)/retrait"', listed)
    assert number
    action = f"/candidat/candidatures/{number.group(1)}/retrait"
    gone = _post(client, "/candidat/candidatures", action, me, [])
    assert gone.status_code == 303
    listed = client.request("GET", "/candidat/candidatures", headers=cookie_header(me)).text
    assert "Retirée" in listed and "/retrait" not in listed
    # Hide, then delete the profile.
    hide = _post(
        client, "/candidat/profil", "/candidat/profil/visibilite", me, [("visible", "non")]
    )
    assert hide.status_code == 303
    hidden = client.request("GET", "/candidat/profil", headers=cookie_header(me)).text
    assert "masqué" in hidden
    unconfirmed = _post(client, "/candidat/profil", "/candidat/profil/suppression", me, [])
    assert unconfirmed.status_code == 422
    deleted = _post(
        client, "/candidat/profil", "/candidat/profil/suppression", me, [("confirmer", "oui")]
    )
    assert deleted.status_code == 303
    assert (
        "Aucun profil" in client.request("GET", "/candidat/profil", headers=cookie_header(me)).text
    )


def test_a_company_account_gets_no_candidate_page(client: WebClient) -> None:
    company = web_login(client, PEOPLE["entreprise"].email)
    for path in ("/candidat/profil", "/candidat/offres", "/candidat/candidatures"):
        assert client.request("GET", path, headers=cookie_header(company)).status_code == 403
    assert client.get("/candidat/offres").status_code == 302  # a visitor: to the login page
