"""The candidates' API on a copy of the demo store: signing up (a candidate only, limited per
address), the profile with its consent, the offers ranked for it, applying once, withdrawing;
another's application, a visitor, a company; no personal data in any log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from tests.accounts.people import PASSWORD, PEOPLE, Person, create
from tests.companies.offer_sample import an_offer
from tests.companies.sample import Codes, sample_codes
from tests.web.accounts import api_token
from tests.web.client import WebClient, web_client, web_settings
from tremplin.accounts.lockout import SIGN_UPS_PER_ADDRESS
from tremplin.store.audit import read_audit
from tremplin.web.app import OPENAPI_URL

API = "/api/v1/candidat"
COMPANY = PEOPLE["entreprise"]
OTHER = Person("candidat", "autre.jeune@tremplin.test")


@pytest.fixture
def codes(needs_engine: sa.Engine) -> Codes:
    with needs_engine.connect() as conn:
        return sample_codes(conn)


@pytest.fixture
def offers(needs_engine: sa.Engine, codes: Codes) -> dict[str, int]:
    """Three active offers: an apprenticeship near home, a PFMP near home, one far away."""
    with needs_engine.begin() as conn:
        return {
            name: an_offer(conn, codes, commune, contrat, f"Offre {name}").id
            for name, commune, contrat in (
                ("pres", codes.commune, "apprentissage"),
                ("stage", codes.commune, "pfmp"),
                ("loin", codes.far_commune, "apprentissage"),
            )
        }


@pytest.fixture
def client(needs_url: str, needs_engine: sa.Engine, tmp_path: Path) -> Iterator[WebClient]:
    with needs_engine.begin() as conn:
        for person in (PEOPLE["candidat"], OTHER, COMPANY):
            create(conn, person)
    with web_client(web_settings(needs_url, tmp_path)) as made:
        yield made


def _profile(codes: Codes, **changes: object) -> dict[str, object]:
    return {
        "codes_rome": [codes.code_rome],
        "code_insee": codes.commune,
        "rayon_km": 25,
        "niveau": "4",
        "disponible_le": (date.today() + timedelta(days=20)).isoformat(),
        "consentement": True,
    } | changes


def test_signing_up_makes_a_candidate_and_nothing_else(
    client: WebClient, needs_engine: sa.Engine
) -> None:
    made = client.post(
        f"{API}/inscription",
        {"email": "Nouveau.Jeune@Tremplin.test", "password": PASSWORD, "role": "administrateur"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["compte"]["role"] == "candidat"
    assert made.json()["compte"]["email"] == "nouveau.jeune@tremplin.test"
    assert (
        client.post(
            "/api/v1/session", {"email": "nouveau.jeune@tremplin.test", "password": PASSWORD}
        ).status_code
        == 200
    )
    again = client.post(
        f"{API}/inscription", {"email": "nouveau.jeune@tremplin.test", "password": PASSWORD}
    )
    assert again.status_code == 422 and "existe déjà" in again.json()["detail"]
    weak = client.post(f"{API}/inscription", {"email": "court@tremplin.test", "password": "court"})
    assert weak.status_code == 422 and "mot de passe" in weak.json()["detail"]
    with needs_engine.connect() as conn:
        log = read_audit(conn)
    created = log.filter(pl.col("action") == "comptes.creer", pl.col("actor") == "visiteur")
    assert created.height == 1
    assert PASSWORD not in " ".join(str(v) for v in log.rows())


def test_sign_ups_are_limited_per_address(client: WebClient) -> None:
    for number in range(SIGN_UPS_PER_ADDRESS):
        answer = client.post(
            f"{API}/inscription", {"email": f"jeune{number}@tremplin.test", "password": PASSWORD}
        )
        assert answer.status_code == 201, answer.text
    refused = client.post(
        f"{API}/inscription", {"email": "un.de.trop@tremplin.test", "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "inscriptions" in refused.json()["detail"]


def test_the_profile_needs_consent_and_round_trips(client: WebClient, codes: Codes) -> None:
    me = api_token(client, PEOPLE["candidat"].email)
    empty = client.request("GET", f"{API}/profil", headers=me).json()
    assert empty["profil"] is None and empty["consentement"]["texte"]
    refused = client.request(
        "PUT", f"{API}/profil", json=_profile(codes, consentement=False), headers=me
    )
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("consentement :")
    assert client.request("GET", f"{API}/profil", headers=me).json()["profil"] is None
    saved = client.request("PUT", f"{API}/profil", json=_profile(codes), headers=me)
    assert saved.status_code == 200, saved.text
    profile = client.request("GET", f"{API}/profil", headers=me).json()["profil"]
    assert profile["codes_rome"] == [codes.code_rome] and profile["rayon_km"] == 25
    assert profile["visible"] is True and profile["consentement"]["version"]
    bad = client.request("PUT", f"{API}/profil", json=_profile(codes, rayon_km=500), headers=me)
    assert bad.status_code == 422 and "rayon_km" in bad.json()["detail"]
    hidden = client.request("PUT", f"{API}/profil", json=_profile(codes, visible=False), headers=me)
    assert hidden.json()["profil"]["visible"] is False
    assert client.request("DELETE", f"{API}/profil", headers=me).status_code == 204
    assert client.request("GET", f"{API}/profil", headers=me).json()["profil"] is None


def test_offers_for_me_then_applying_once(
    client: WebClient, codes: Codes, offers: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    me = api_token(client, PEOPLE["candidat"].email)
    assert client.request("GET", f"{API}/offres", headers=me).status_code == 422  # no profile
    client.request("PUT", f"{API}/profil", json=_profile(codes), headers=me)
    ranked = client.request("GET", f"{API}/offres", headers=me).json()["offres"]
    assert [r["offre"] for r in ranked][-1] == offers["loin"]
    assert {r["offre"] for r in ranked[:2]} == {offers["pres"], offers["stage"]}
    assert all(r["dans_rayon"] for r in ranked[:2]) and not ranked[2]["dans_rayon"]
    assert "Même métier que l’offre" in ranked[0]["explication"]
    pfmp = client.request("GET", f"{API}/offres?contrat=pfmp", headers=me).json()["offres"]
    assert [r["offre"] for r in pfmp] == [offers["stage"]]
    message = "Je suis motivé par la chaudronnerie depuis mon stage de troisième."
    sent = client.request(
        "POST",
        f"{API}/candidatures",
        json={"offre": offers["pres"], "message": message},
        headers=me,
    )
    assert sent.status_code == 201, sent.text
    made = sent.json()
    assert (made["statut"], made["offre"]) == ("envoyee", offers["pres"])
    twice = client.request(
        "POST", f"{API}/candidatures", json={"offre": offers["pres"]}, headers=me
    )
    assert twice.status_code == 409 and "déjà candidaté" in twice.json()["detail"]
    url = client.request(
        "POST",
        f"{API}/candidatures",
        json={"offre": offers["loin"], "message": "voir https://moi.fr"},
        headers=me,
    )
    assert url.status_code == 422 and "message" in url.json()["detail"]
    unknown = client.request("POST", f"{API}/candidatures", json={"offre": 999_999}, headers=me)
    assert unknown.status_code == 404
    mine = client.request("GET", f"{API}/candidatures", headers=me).json()
    assert [a["id"] for a in mine["candidatures"]] == [made["id"]]
    # Another candidate, a visitor, a company.
    other = api_token(client, OTHER.email)
    assert client.request("GET", f"{API}/candidatures", headers=other).json()["total"] == 0
    assert (
        client.request("DELETE", f"{API}/candidatures/{made['id']}", headers=other).status_code
        == 404
    )
    assert client.request("DELETE", f"{API}/candidatures/{made['id']}").status_code == 401
    assert client.request("GET", f"{API}/candidatures").status_code == 401
    company = api_token(client, COMPANY.email)
    assert client.request("GET", f"{API}/candidatures", headers=company).status_code == 403
    assert (
        client.request(
            "POST", f"{API}/candidatures", json={"offre": offers["pres"]}, headers=company
        ).status_code
        == 403
    )
    gone = client.request("DELETE", f"{API}/candidatures/{made['id']}", headers=me)
    assert gone.status_code == 200 and gone.json()["statut"] == "retiree"
    assert (
        client.request("DELETE", f"{API}/candidatures/{made['id']}", headers=me).status_code == 409
    )
    # My data: the profile, the consent and the applications (with the message).
    data = client.request("GET", "/api/v1/moi/donnees", headers=me).json()
    assert data["profil_candidat"]["codes_rome"] == [codes.code_rome]
    assert data["profil_candidat"]["consentement"]["texte"]
    assert [a["message"] for a in data["candidatures"]] == [message]
    # Nothing personal in the application's log lines.
    for secret in (PEOPLE["candidat"].email, message, codes.commune):
        assert secret not in caplog.text


def test_a_candidate_writes_within_the_quota(
    needs_url: str, needs_engine: sa.Engine, tmp_path: Path, codes: Codes, offers: dict[str, int]
) -> None:
    from dataclasses import replace

    with needs_engine.begin() as conn:
        create(conn, PEOPLE["candidat"])
    settings = replace(web_settings(needs_url, tmp_path), candidatures_par_heure=2)
    with web_client(settings) as client:
        me = api_token(client, PEOPLE["candidat"].email)
        assert (
            client.request("PUT", f"{API}/profil", json=_profile(codes), headers=me).status_code
            == 200
        )
        sent = client.request(
            "POST", f"{API}/candidatures", json={"offre": offers["pres"]}, headers=me
        )
        assert sent.status_code == 201
        third = client.request(
            "POST", f"{API}/candidatures", json={"offre": offers["loin"]}, headers=me
        )
        assert third.status_code == 429 and "Retry-After" in third.headers


def test_the_candidates_api_is_in_the_openapi(client: WebClient) -> None:
    paths = client.json(OPENAPI_URL)["paths"]
    for path in (
        "/inscription",
        "/profil",
        "/offres",
        "/candidatures",
        "/candidatures/{candidature}",
    ):
        assert f"{API}{path}" in paths
