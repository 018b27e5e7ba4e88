# ruff: noqa: F811  (the companies API fixtures are imported, then named as test arguments)
"""The offers' API on a copy of the demo store: a company publishes an apprenticeship need as
an offer, anyone reads the active ones without contact, another company and a visitor get
nothing of the rest, a title with an address is refused, a report is counted and audited."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import sqlalchemy as sa

from tests.accounts.people import PEOPLE
from tests.companies.sample import Codes
from tests.web.accounts import api_token, cookie_header, web_login
from tests.web.client import WebClient

# The companies' API fixtures: a copy of the demo store with a company, another and a partner.
from tests.web.test_companies_api import (  # noqa: F401
    COMPANY,
    OTHER,
    _declare,
    client,
    codes,
    partner,
)
from tremplin.store.audit import read_audit
from tremplin.web.app import OPENAPI_URL

OFFERS = "/api/v1/offres-entreprises"
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def _publish(client: WebClient, codes: Codes, **changes: object) -> tuple[int, dict[str, str]]:
    need = _declare(client, COMPANY, codes)
    headers = api_token(client, COMPANY.email)
    created = client.request(
        "POST", OFFERS, json={"besoin": need, "intitule": "Apprenti chaudronnier"} | changes,
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    return int(created.json()["id"]), headers


def test_a_company_publishes_an_offer_anyone_reads_it_without_contact(
    client: WebClient, codes: Codes
) -> None:
    offer, headers = _publish(client, codes)
    public = client.request("GET", f"{OFFERS}/{offer}")
    assert public.status_code == 200
    assert public.json()["statut"] == "active"
    assert public.json()["code_rome"] == codes.code_rome
    assert "siret" not in public.json() and "signalements" not in public.json()
    assert [o["id"] for o in client.request("GET", OFFERS).json()["offres"]] == [offer]
    own = client.request("GET", f"{OFFERS}/{offer}", headers=headers).json()
    assert (own["siret"], own["signalements"]) == (COMPANY.siret, 0)
    # Filled: gone from the public list and page, still the company's.
    changed = client.request(
        "PATCH", f"{OFFERS}/{offer}", json={"statut": "pourvue"}, headers=headers
    )
    assert changed.json()["statut"] == "pourvue"
    assert client.request("GET", f"{OFFERS}/{offer}").status_code == 404
    assert client.request("GET", OFFERS).json()["total"] == 0
    mine = client.request("GET", OFFERS, headers=headers).json()
    assert [(o["id"], o["statut"]) for o in mine["offres"]] == [(offer, "pourvue")]


def test_another_company_and_a_visitor_cannot_write(client: WebClient, codes: Codes) -> None:
    offer, _ = _publish(client, codes)
    other = api_token(client, OTHER.email)
    assert (
        client.request("PATCH", f"{OFFERS}/{offer}", json={"statut": "annulee"}).status_code == 401
    )
    refused = client.request(
        "PATCH", f"{OFFERS}/{offer}", json={"statut": "annulee"}, headers=other
    )
    assert refused.status_code == 404
    need = _declare(client, COMPANY, codes)
    stolen = client.request(
        "POST", OFFERS, json={"besoin": need, "intitule": "Pas à moi"}, headers=other
    )
    assert stolen.status_code == 404
    reader = api_token(client, PEOPLE["lecteur"].email)
    assert (
        client.request(
            "POST", OFFERS, json={"besoin": need, "intitule": "x"}, headers=reader
        ).status_code
        == 403
    )
    assert client.request("POST", OFFERS, json={"besoin": need, "intitule": "x"}).status_code == 401


def test_titles_expiry_and_kinds_are_checked(client: WebClient, codes: Codes) -> None:
    need = _declare(client, COMPANY, codes)
    headers = api_token(client, COMPANY.email)
    for title in ("Écrire à rh@atelier.fr", "Postulez sur www.atelier.fr"):
        refused = client.request(
            "POST", OFFERS, json={"besoin": need, "intitule": title}, headers=headers
        )
        assert refused.status_code == 422, refused.text
        assert "intitule" in refused.text
    far = (date.today() + timedelta(days=400)).isoformat()
    late = client.request(
        "POST",
        OFFERS,
        json={"besoin": need, "intitule": "Apprenti", "expire_le": far},
        headers=headers,
    )
    assert late.status_code == 422 and "expire_le" in late.text
    cdi = _declare(client, COMPANY, codes, contrat="cdi")
    wrong = client.request("POST", OFFERS, json={"besoin": cdi, "intitule": "CDI"}, headers=headers)
    assert wrong.status_code == 422 and "apprentissage" in wrong.text


def test_a_report_is_counted_and_audited(
    client: WebClient, codes: Codes, needs_engine: sa.Engine
) -> None:
    offer, headers = _publish(client, codes)
    reader = api_token(client, PEOPLE["lecteur"].email)
    assert (
        client.request("POST", f"{OFFERS}/{offer}/signalement", json={"motif": "autre"}).status_code
        == 401
    )
    bad = client.request(
        "POST", f"{OFFERS}/{offer}/signalement", json={"motif": "x"}, headers=reader
    )
    assert bad.status_code == 422
    sent = client.request(
        "POST", f"{OFFERS}/{offer}/signalement", json={"motif": "discrimination"}, headers=reader
    )
    assert sent.status_code == 201, sent.text
    assert sent.json() == {"offre": offer, "recu": True}
    own = client.request("GET", f"{OFFERS}/{offer}", headers=headers).json()
    assert own["signalements"] == 1
    with needs_engine.connect() as conn:
        log = read_audit(conn).filter(pl.col("target") == f"offre:{offer}")
    assert log.filter(pl.col("action") == "offre.signaler")["actor"].to_list() == [
        PEOPLE["lecteur"].email
    ]


def test_the_openapi_documents_the_offers(client: WebClient) -> None:
    paths = client.request("GET", OPENAPI_URL).json()["paths"]
    assert set(paths[OFFERS]) == {"get", "post"}
    assert set(paths[f"{OFFERS}/{{offre}}"]) == {"get", "patch"}
    assert set(paths[f"{OFFERS}/{{offre}}/signalement"]) == {"post"}


def test_the_company_page_lists_its_offers_and_those_expiring_within_a_week(
    client: WebClient, codes: Codes
) -> None:
    soon = date.today() + timedelta(days=3)
    _publish(client, codes, expire_le=soon.isoformat())
    _publish(client, codes, intitule="Stage plus tard")
    page = client.request(
        "GET", "/entreprise", headers=cookie_header(web_login(client, COMPANY.email))
    )
    assert page.status_code == 200
    reminder = page.text.split('id="offres-bientot-expirees"')[1].split("</div>")[0]
    month = MONTHS[soon.month - 1]
    assert f"« Apprenti chaudronnier » le {soon.day} {month} {soon.year}" in reminder
    assert "Stage plus tard" not in reminder
    # The title links the offer's page (« /entreprise/offres/{id} »).
    assert page.text.count(">Apprenti chaudronnier</a></td>") == 1
    assert "Offres publiées (2)" in page.text
