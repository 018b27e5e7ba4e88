"""Accepting the optimiser's proposals one by one, in-process: on a finished run's page each
change has « Ajouter à la campagne », which drafts a request of the matching kind in the chosen
campaign (audited); a second time is refused with the validators' message; the API does the
same. The run is written in the store as the worker writes it (records.create/claim/finish)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.accounts.people import create_everyone
from tests.web.accounts import api_token, cookie_header, web_login
from tests.web.client import WebClient
from tests.web.runs import CHANGES, finished_run
from tremplin.accounts.accounts import Account
from tremplin.planning.requests import get_request, list_requests
from tremplin.store.audit import read_audit
from tremplin.web.shared.auth import CSRF_COOKIE


@pytest.fixture
def everyone(store_client: WebClient, store: sa.Engine) -> dict[str, Account]:
    return create_everyone(store)


def test_a_planner_adds_proposals_to_a_campaign_one_by_one(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    region = everyone["region"]
    cookies = web_login(store_client, region.email)
    headers = cookie_header(cookies)
    csrf = cookies[CSRF_COOKIE]
    made = store_client.request(
        "POST", "/carte/campagnes", data={"csrf": csrf, "nom": "Carte 2026", "annee": "2025"},
        headers=headers,
    )  # fmt: skip
    assert made.status_code == 303
    run = finished_run(store, region)
    page = store_client.request("GET", f"/carte/optimisations/{run}", headers=headers)
    assert page.status_code == 200
    assert page.text.count(">Ajouter à la campagne</button>") == 2
    assert 'id="campagne-ajout"' in page.text and "Carte 2026" in page.text
    # The first proposal: an increase 24 → 36 places, the optimiser's sentence as the comment.
    added = store_client.request(
        "POST", f"/carte/optimisations/{run}/propositions/1",
        data={"csrf": csrf, "campagne": "1"}, headers=headers,
    )  # fmt: skip
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"/carte/optimisations/{run}?demande=1"
    shown = store_client.request("GET", added.headers["location"], headers=headers)
    assert 'id="demande-ajoutee"' in shown.text and 'href="/carte/demandes/1"' in shown.text
    with store.connect() as conn:
        first = get_request(conn, 1)
        audit = read_audit(conn)
    assert (first.statut, first.fields.type, first.auteur) == (
        "brouillon", "augmentation_nette", region.email,
    )  # fmt: skip
    assert (first.fields.capacite_scolaire_avant, first.fields.capacite_scolaire_apres) == (24, 36)
    assert first.fields.commentaire is not None and CHANGES[0]["raison"] in first.fields.commentaire
    assert "demande.proposer" in audit["action"].to_list()
    # Twice: refused with the validators' message, the page again (422), nothing written.
    again = store_client.request(
        "POST", f"/carte/optimisations/{run}/propositions/1",
        data={"csrf": csrf, "campagne": "1"}, headers=headers,
    )  # fmt: skip
    assert again.status_code == 422
    assert 'id="erreur-ajout"' in again.text and "la demande n° 1 porte déjà" in again.text
    # No campaign chosen, an unknown proposal: said, not written.
    none = store_client.request(
        "POST", f"/carte/optimisations/{run}/propositions/2", data={"csrf": csrf},
        headers=headers,
    )  # fmt: skip
    assert none.status_code == 422 and "choisissez une campagne" in none.text
    unknown = store_client.request(
        "POST", f"/carte/optimisations/{run}/propositions/9",
        data={"csrf": csrf, "campagne": "1"}, headers=headers,
    )  # fmt: skip
    assert unknown.status_code == 404
    # The API: the second proposal, a closing of the apprenticeship voie 12 → 0.
    bearer = api_token(store_client, region.email)
    answer = store_client.request(
        "POST", f"/api/v1/carte/optimisations/{run}/propositions/2",
        json={"campagne_id": 1}, headers=bearer,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["type"], body["statut"], body["uai"]) == ("fermeture", "brouillon", "0010016M")
    assert (body["capacite_apprentissage_avant"], body["capacite_apprentissage_apres"]) == (12, 0)
    assert answer.headers["location"] == f"/api/v1/carte/demandes/{body['id']}"
    twice = store_client.request(
        "POST", f"/api/v1/carte/optimisations/{run}/propositions/2",
        json={"campagne_id": 1}, headers=bearer,
    )  # fmt: skip
    assert twice.status_code == 422 and "une seule demande" in twice.text
    missing = store_client.request(
        "POST", f"/api/v1/carte/optimisations/{run}/propositions/1",
        json={"campagne_id": 99}, headers=bearer,
    )  # fmt: skip
    assert missing.status_code == 404
    with store.connect() as conn:
        assert [r.fields.type for r in list_requests(conn, 1)] == [
            "augmentation_nette",
            "fermeture",
        ]


def test_an_expert_reads_the_run_but_may_not_add_to_a_campaign(
    store_client: WebClient, store: sa.Engine, everyone: dict[str, Account]
) -> None:
    expert = everyone["expert"]
    cookies = web_login(store_client, expert.email)
    run = finished_run(store, expert)
    page = store_client.request(
        "GET", f"/carte/optimisations/{run}", headers=cookie_header(cookies)
    )
    assert page.status_code == 200 and "Ajouter à la campagne" not in page.text
    refused = store_client.request(
        "POST", f"/carte/optimisations/{run}/propositions/1",
        data={"csrf": cookies[CSRF_COOKIE], "campagne": "1"}, headers=cookie_header(cookies),
    )  # fmt: skip
    assert refused.status_code == 403
