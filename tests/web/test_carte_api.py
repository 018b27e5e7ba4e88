"""The carte's API with bearer tokens: requests created with the store's capacities, edited
with ``version`` by two clients (the stale one gets 409 and a French message naming who changed
it), bulk status changes, opinions, attachments, an import that fails whole, the counts, and
the routes in the OpenAPI document."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.accounts.people import PEOPLE, create_everyone
from tests.planning.test_exchange import GOOD
from tests.web.accounts import api_token
from tests.web.client import WebClient
from tremplin.accounts.accounts import Account
from tremplin.planning.requests import list_requests

NEW = {
    "campagne_id": 1,
    "type": "diminution",
    "uai": "0010034G",
    "mef_stat_11": "24020022710",
    "rentree": 2025,
    "capacite_scolaire_avant": 24,
    "capacite_scolaire_apres": 15,
    "motifs": ["recrutements_baisse"],
}


@pytest.fixture
def tokens(store_client: WebClient, store: sa.Engine) -> dict[str, dict[str, str]]:
    accounts: dict[str, Account] = create_everyone(store)
    return {role: api_token(store_client, PEOPLE[role].email) for role in accounts}


def _call(client: WebClient, method: str, path: str, token: dict[str, str], body: object = None):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"headers": token}
    if body is not None:
        options["json"] = body
    return client.request(method, path, **options)


def _campaign(client: WebClient, tokens: dict[str, dict[str, str]]) -> None:
    made = _call(
        client,
        "POST",
        "/api/v1/carte/campagnes",
        tokens["region"],
        {"nom": "Carte 2025", "annee": 2024},
    )
    assert made.status_code == 201, made.text


def test_two_clients_patch_one_request(
    store_client: WebClient, tokens: dict[str, dict[str, str]]
) -> None:
    _campaign(store_client, tokens)
    made = _call(store_client, "POST", "/api/v1/carte/demandes", tokens["region"], NEW)
    assert made.status_code == 201, made.text
    assert (made.json()["version"], made.json()["statut"]) == (1, "brouillon")
    first = _call(
        store_client, "PATCH", "/api/v1/carte/demandes/1", tokens["chef_etablissement"],
        {"version": 1, "capacite_scolaire_apres": 12},
    )  # fmt: skip
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = _call(
        store_client, "PATCH", "/api/v1/carte/demandes/1", tokens["region"],
        {"version": 1, "commentaire": "à revoir"},
    )  # fmt: skip
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith(
        f"Cette demande a été modifiée par {PEOPLE['chef_etablissement'].email} le "
    )
    read = _call(store_client, "GET", "/api/v1/carte/demandes/1", tokens["lecteur"]).json()
    assert (read["capacite_scolaire_apres"], read["commentaire"], read["version"]) == (12, None, 2)
    assert [h["statut_apres"] for h in read["historique"]] == ["brouillon", "brouillon"]
    assert read["suivi_rentree"]["motif"] == "statut"
    status_by_head = _call(
        store_client, "PATCH", "/api/v1/carte/demandes/1", tokens["chef_etablissement"],
        {"version": 2, "statut": "proposition"},
    )  # fmt: skip
    assert status_by_head.status_code == 403


def test_bulk_opinions_attachments(
    store_client: WebClient, tokens: dict[str, dict[str, str]]
) -> None:
    _campaign(store_client, tokens)
    for mef in ("24020022710", "24020022711"):
        _call(
            store_client,
            "POST",
            "/api/v1/carte/demandes",
            tokens["region"],
            {**NEW, "mef_stat_11": mef},
        )
    bulk = _call(
        store_client, "POST", "/api/v1/carte/demandes/statuts", tokens["region"],
        {"demandes": [1, 2], "statut": "proposition"},
    )  # fmt: skip
    assert [d["statut"] for d in bulk.json()] == ["proposition", "proposition"]
    wrong = _call(
        store_client, "POST", "/api/v1/carte/demandes/statuts", tokens["region"],
        {"demandes": [1, 2], "statut": "validee"},
    )  # fmt: skip
    assert wrong.status_code == 422 and "demande n° 1" in wrong.json()["detail"]
    opinion = _call(
        store_client, "POST", "/api/v1/carte/demandes/1/avis", tokens["partenaire_industrie"],
        {"type": "prealable", "avis": "reserve", "commentaire": "à préciser"},
    )  # fmt: skip
    assert opinion.status_code == 201 and opinion.json()["fonction"] == "UIMM"
    pdf = b"%PDF-1.4 lettre de soutien"
    kept = store_client.request(
        "POST", "/api/v1/carte/demandes/1/pieces?nom=soutien.pdf",
        content=pdf, headers={**tokens["region"], "content-type": "application/pdf"},
    )  # fmt: skip
    assert kept.status_code == 201, kept.text
    back = _call(
        store_client,
        "GET",
        f"/api/v1/carte/demandes/1/pieces/{kept.json()['id']}",
        tokens["lecteur"],
    )
    assert back.content == pdf and back.headers["content-type"] == "application/pdf"
    refused = store_client.request(
        "POST", "/api/v1/carte/demandes/1/pieces?nom=x.exe",
        content=b"MZ", headers={**tokens["region"], "content-type": "application/pdf"},
    )  # fmt: skip
    assert refused.status_code == 422


def test_an_import_fails_whole_and_the_counts_answer(
    store_client: WebClient, store: sa.Engine, tokens: dict[str, dict[str, str]]
) -> None:
    _campaign(store_client, tokens)
    bad = GOOD + "fermeture;0010001W;24020022799;2025;15;3;locaux;\n"
    answer = store_client.request(
        "POST", "/api/v1/carte/campagnes/1/import?nom=demandes.csv",
        content=bad.encode(), headers=tokens["region"],
    )  # fmt: skip
    assert answer.status_code == 422
    assert "ligne 4, colonne « Future capacité en voie scolaire »" in answer.json()["detail"]
    with store.connect() as conn:
        assert list_requests(conn, 1) == []
    done = store_client.request(
        "POST", "/api/v1/carte/campagnes/1/import?nom=demandes.csv",
        content=GOOD.encode(), headers=tokens["region"],
    )  # fmt: skip
    assert done.status_code == 201 and done.json()["importees"] == 2
    counts = _call(
        store_client, "GET", "/api/v1/carte/campagnes/1/indicateurs?par=type", tokens["expert"]
    )
    assert counts.status_code == 200
    body = counts.json()
    assert body["cible_taux_transformation"] == 0.06
    assert body["total"]["demandes"] == 2 and body["total"]["demandes_validees"] == 0
    assert body["total"]["effectif_entree"] is None  # no constat loaded: said, never 0


def test_the_carte_routes_are_in_the_openapi_document(store_client: WebClient) -> None:
    paths = store_client.json("/api/openapi.json")["paths"]
    for path in (
        "/api/v1/carte/campagnes",
        "/api/v1/carte/demandes",
        "/api/v1/carte/demandes/{demande}",
        "/api/v1/carte/demandes/statuts",
    ):
        assert path in paths, path
    assert "patch" in paths["/api/v1/carte/demandes/{demande}"]
