# ruff: noqa: F811  (the companies API fixtures are imported, then named as test arguments)
"""The company's side of applications, pages and API, on a copy of the demo store: an offer
published from the company page, changed on its page; candidates ranked without contact and
audited; applications received with the contact of those who applied only; answers, a refusal
without reason refused in French, another company's application 404, a withdrawn one 409;
response rates for the company and its partner, « aucune candidature reçue » rather than 0 %."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import polars as pl
import sqlalchemy as sa

from tests.accounts.people import Person
from tests.companies.candidates import add_application, add_candidate
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
from tremplin.web.shared.auth import CSRF_COOKIE

OFFERS = "/api/v1/offres-entreprises"
SUMMER = date(2027, 7, 1)


def _session(client: WebClient, email: str) -> tuple[dict[str, str], str]:
    cookies = web_login(client, email)
    return cookie_header(cookies), cookies[CSRF_COOKIE]


def _published_from_the_page(client: WebClient, codes: Codes) -> int:
    need = _declare(client, COMPANY, codes)
    headers, csrf = _session(client, COMPANY.email)
    page = client.request("GET", "/entreprise", headers=headers)
    assert page.status_code == 200
    assert f'id="publier-{need}"' in page.text and "Publier comme offre" in page.text
    assert "aucune candidature reçue" in page.text
    # An address in the title: refused in French, naming the field, nothing written.
    refused = client.request(
        "POST",
        "/entreprise/offres",
        data={"csrf": csrf, "besoin": str(need), "intitule": "Voir www.atelier.fr"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "Intitulé : un lien ou une adresse web n’est pas accepté ici" in refused.text
    expiry = (date.today() + timedelta(days=30)).isoformat()
    published = client.request(
        "POST",
        "/entreprise/offres",
        data={
            "csrf": csrf,
            "besoin": str(need),
            "intitule": "Apprenti soudeur",
            "expire_le": expiry,
        },
        headers=headers,
    )
    assert published.status_code == 303, published.text
    match = re.fullmatch(r"/entreprise/offres/(\d+)\?cree=1", published.headers["location"])
    assert match
    return int(match.group(1))


def test_an_offer_is_published_and_changed_from_the_pages(client: WebClient, codes: Codes) -> None:
    offer = _published_from_the_page(client, codes)
    headers, csrf = _session(client, COMPANY.email)
    page = client.request("GET", f"/entreprise/offres/{offer}", headers=headers)
    assert page.status_code == 200
    assert "Apprenti soudeur" in page.text and "aucune candidature reçue" in page.text
    # The company page links it, and no longer offers to publish its need.
    company = client.request("GET", "/entreprise", headers=headers).text
    assert f'href="/entreprise/offres/{offer}"' in company and "Publier comme offre" not in company
    late = (date.today() + timedelta(days=400)).isoformat()
    refused = client.request(
        "POST",
        f"/entreprise/offres/{offer}",
        data={"csrf": csrf, "operation": "modifier", "expire_le": late},
        headers=headers,
    )
    assert refused.status_code == 422 and "Date d’expiration : " in refused.text
    filled = client.request(
        "POST",
        f"/entreprise/offres/{offer}",
        data={"csrf": csrf, "operation": "statut", "statut": "pourvue"},
        headers=headers,
    )
    assert filled.status_code == 303
    api = client.request("GET", f"{OFFERS}/{offer}", headers=api_token(client, COMPANY.email))
    assert api.json()["statut"] == "pourvue"
    # Another company: as if it did not exist; without the form's token: refused.
    other, _ = _session(client, OTHER.email)
    assert client.request("GET", f"/entreprise/offres/{offer}", headers=other).status_code == 404
    assert (
        client.request(
            "POST",
            f"/entreprise/offres/{offer}",
            data={"operation": "statut", "statut": "active"},
            headers=headers,
        ).status_code
        == 403
    )


def test_candidates_without_contact_and_applications_with_it(
    client: WebClient, codes: Codes, needs_engine: sa.Engine, partner: Person
) -> None:
    offer = _published_from_the_page(client, codes)
    with needs_engine.begin() as conn:
        applied = add_candidate(
            conn, "postule@jeune.test", codes.commune, codes.code_rome, disponible_le=SUMMER
        )
        add_candidate(
            conn, "discret@jeune.test", codes.commune, codes.code_rome, disponible_le=SUMMER
        )
        gone = add_candidate(conn, "retire@jeune.test", codes.commune)
        application = add_application(conn, offer, applied)
        withdrawn = add_application(conn, offer, gone, statut="retiree")
    token = api_token(client, COMPANY.email)
    headers, csrf = _session(client, COMPANY.email)
    ranked = client.request("GET", f"{OFFERS}/{offer}/candidats?taille=2", headers=token)
    assert ranked.status_code == 200, ranked.text
    body = ranked.json()
    assert (body["total"], len(body["candidats"])) == (3, 2)
    assert body["candidats"][0]["explication"].startswith("Même métier que l’offre")
    page = client.request("GET", f"/entreprise/offres/{offer}/candidats", headers=headers)
    assert page.status_code == 200 and "Même métier que l’offre" in page.text
    assert page.text.count("1er juillet 2027") >= 2  # the column and the sentence
    # The contact of the one who applied, only on the applications' page and API.
    received = client.request("GET", f"{OFFERS}/{offer}/candidatures", headers=token).json()
    assert [(a["id"], a["contact"]) for a in received["candidatures"]] == [
        (application, "postule@jeune.test")
    ]
    shown = client.request("GET", f"/entreprise/offres/{offer}/candidatures", headers=headers)
    assert "postule@jeune.test" in shown.text and "disponible le 1er juillet 2027" in shown.text
    everything = ranked.text + page.text + json.dumps(received) + shown.text
    everything += client.request("GET", f"{OFFERS}/{offer}/candidats", headers=token).text
    everything += client.request("GET", "/entreprise", headers=headers).text
    everything += client.request("GET", f"/entreprise/offres/{offer}", headers=headers).text
    assert "discret@jeune.test" not in everything and "retire@jeune.test" not in everything
    # Every display audited: three profiles ranked (API, 2 then page, 3), one application.
    with needs_engine.connect() as conn:
        views = read_audit(conn).filter(pl.col("action") == "profil.consulter")
    assert views.height >= 2 + 3 + 1
    # Answers: a refusal without reason, in French; an interview; a withdrawn one 409.
    answer = f"{OFFERS}/{offer}/candidatures/{application}/reponse"
    no_reason = client.request("POST", answer, json={"statut": "refusee"}, headers=token)
    assert no_reason.status_code == 422 and "un refus demande un motif" in no_reason.text
    ok = client.request(
        "POST", answer, json={"statut": "entretien", "reponse": "Venez mardi."}, headers=token
    )
    assert ok.status_code == 200 and ok.json()["statut"] == "entretien"
    by_page = client.request(
        "POST",
        f"/entreprise/offres/{offer}/candidatures/{application}/reponse",
        data={"csrf": csrf, "statut": "refusee", "motif": "offre_pourvue"},
        headers=headers,
    )
    assert by_page.status_code == 303
    assert (
        "L’offre est déjà pourvue"
        in client.request("GET", f"/entreprise/offres/{offer}/candidatures", headers=headers).text
    )
    conflict = client.request(
        "POST",
        f"{OFFERS}/{offer}/candidatures/{withdrawn}/reponse",
        json={"statut": "entretien"},
        headers=token,
    )
    assert conflict.status_code == 409
    other = api_token(client, OTHER.email)
    for path in ("candidats", "candidatures"):
        assert client.request("GET", f"{OFFERS}/{offer}/{path}", headers=other).status_code == 404
    stolen = client.request("POST", answer, json={"statut": "entretien"}, headers=other)
    assert stolen.status_code == 404
    # The response rate: the company's own page, its partner's page and API.
    company = client.request("GET", "/entreprise", headers=headers).text
    assert "100\xa0% (1 sur 1)" in company
    partner_token = api_token(client, partner.email)
    rates = client.request("GET", "/api/v1/candidatures/taux", headers=partner_token).json()
    assert [
        (r["siret"], r["candidatures"], r["repondues"], r["taux"]) for r in rates["entreprises"]
    ] == [(COMPANY.siret, 1, 1, 1.0)]
    assert "@" not in json.dumps(rates)
    partner_page = client.request(
        "GET", "/partenaire/candidatures", headers=cookie_header(web_login(client, partner.email))
    )
    assert partner_page.status_code == 200 and "100\xa0% (1 sur 1)" in partner_page.text
    besoins = client.request(
        "GET", "/partenaire/besoins", headers=cookie_header(web_login(client, partner.email))
    )
    assert 'href="/partenaire/candidatures"' in besoins.text
    assert client.request("GET", "/api/v1/candidatures/taux", headers=token).status_code == 403


def test_no_application_reads_no_application_not_zero(
    client: WebClient, codes: Codes, partner: Person
) -> None:
    _published_from_the_page(client, codes)
    page = client.request(
        "GET", "/partenaire/candidatures", headers=cookie_header(web_login(client, partner.email))
    )
    assert "aucune candidature reçue" in page.text and "0\xa0%" not in page.text
    rates = client.request(
        "GET", "/api/v1/candidatures/taux", headers=api_token(client, partner.email)
    ).json()
    assert [(r["candidatures"], r["taux"]) for r in rates["entreprises"]] == [(0, None)]


def test_the_routes_are_in_the_openapi(client: WebClient) -> None:
    paths = client.get(OPENAPI_URL).json()["paths"]
    for path in (
        f"{OFFERS}/{{offre}}/candidats",
        f"{OFFERS}/{{offre}}/candidatures",
        f"{OFFERS}/{{offre}}/candidatures/{{candidature}}/reponse",
        "/api/v1/candidatures/taux",
    ):
        assert path in paths, path
