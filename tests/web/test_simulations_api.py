"""The simulations' API (``web/simulations/api.py``), in-process through ASGI, on a store of the
real files that cohorts read: the planner's example « open 15 places of bac pro Technicien en
chaudronnerie industrielle in Oyonnax and close 15 elsewhere », posted with two cohorts, gives
what ``run_scenario`` gives."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.web.client import Posted, WebClient
from tests.web.stores import CHAUDRONNERIE, OYONNAX, SEEDS, VILLEURBANNE
from tremplin.scenarios.scenario_comparison import Comparison


@pytest.fixture
def client(simulations_client: WebClient) -> WebClient:
    return simulations_client


pytestmark = pytest.mark.realdata


def test_a_posted_scenario_gives_what_the_library_gives(
    oyonnax: Posted, direct: Comparison
) -> None:
    assert oyonnax.created.status_code == 202
    created = oyonnax.created.json()
    assert created["statut"] in ("en_attente", "en_cours", "terminee")
    assert oyonnax.created.headers["location"] == f"/api/v1/simulations/{oyonnax.id}"
    assert created["page"] == f"/simulations/{oyonnax.id}"
    result = oyonnax.result
    assert result["statut"] == "terminee", result["message"]
    assert result["progression"] == SEEDS and result["message"] is None
    assert datetime.fromisoformat(result["termine_le"]) >= datetime.fromisoformat(result["cree_le"])
    expected = json.loads(json.dumps(direct.as_dict()))
    for key, value in expected.items():
        assert result[key] == value, key
    assert result["palier"] == "2nde" and result["seeds"] == [1, 2]
    overall = {i["key"]: i for i in result["indicators"]}
    assert overall["capacite"]["difference"]["mean"] == 0  # 15 opened, 15 closed
    opened = next(o for o in result["changed_offers"] if o["uai"] == OYONNAX)
    assert (opened["capacity_before"], opened["capacity_after"]) == (0, 15)
    assert opened["commune"] == "Oyonnax"


def test_the_list_names_every_simulation(client: WebClient, oyonnax: Posted) -> None:
    listed = client.get("/api/v1/simulations").json()
    mine = next(s for s in listed if s["id"] == oyonnax.id)
    assert mine["titre"] == "Chaudronnerie à Oyonnax"
    assert (mine["territoire"], mine["palier"], mine["graines"]) == ("region:84", "2nde", SEEDS)
    assert mine["statut"] == "terminee" and mine["progression"] == SEEDS
    assert datetime.fromisoformat(mine["cree_le"]).tzinfo is not None
    stamps = [s["cree_le"] for s in listed]
    assert stamps == sorted(stamps, reverse=True)


def _change(**fields: Any) -> dict[str, Any]:
    return {"changements": [{"uai": OYONNAX, "mef_stat_11": CHAUDRONNERIE} | fields]}


@pytest.mark.parametrize(
    ("path", "document", "message"),
    [
        ("", _change(action="doubler"), "changement n° 1 : action attendue parmi ouvrir"),
        ("", _change(action="ouvrir"), "changement n° 1 : « places » doit être positif"),
        ("", _change(action="ouvrir", places=1.5), "changements[0].places « 1.5 » : un nombre"),
        (
            "",
            _change(action="ouvrir", places=3, uai=4),
            "changements[0].uai « 4 » : du texte est attendu",
        ),
        ("", {"changements": []}, "au moins un changement"),
        ("", {"changements": "ouvrir"}, "changements « ouvrir » : une liste est attendue"),
        ("", _change(action="fermer"), f"l'offre {OYONNAX} × {CHAUDRONNERIE} est absente"),
        (
            "",
            _change(action="ouvrir", places=3, uai=VILLEURBANNE),
            "existe déjà : utiliser « ajuster »",
        ),
        ("", _change(action="ouvrir", places=3, uai="9999999Z"), "9999999Z inconnu"),
        ("", _change(action="ouvrir", places=3, mef_stat_11="1"), "palier introuvable"),
        ("", _change(action="ouvrir", places=3) | {"graines": 51}, "graines « 51 » : au plus 50"),
        ("?graines=0", _change(action="ouvrir", places=3), "graines « 0 » : au moins 1"),
        ("?territoire=canton:1", _change(action="ouvrir", places=3), "territoire « canton:1 »"),
        ("", _change(action="ouvrir", places=3) | {"territoire": "region:99"}, "aucune offre"),
    ],
)
def test_a_bad_scenario_is_refused_in_french(
    client: WebClient, path: str, document: dict[str, Any], message: str
) -> None:
    answer = client.post(f"/api/v1/simulations{path}", document)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["detail"]


def test_an_unknown_simulation_is_a_404_in_french(client: WebClient) -> None:
    answer = client.get("/api/v1/simulations/inconnue")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "simulation « inconnue » inconnue"}
    page = client.get("/simulations/inconnue")
    assert page.status_code == 404 and "Page non trouvée" in page.text


def test_openapi_documents_the_simulations(client: WebClient) -> None:
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    post = paths["/api/v1/simulations"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/SimulationRequest")
    assert set(post["responses"]) >= {"202", "422"}
    schemas = document["components"]["schemas"]
    request = schemas["SimulationRequest"]["properties"]
    assert request["graines"]["maximum"] == 50 and request["graines"]["default"] == 10
    assert "ouvrir" in schemas["Change"]["properties"]["action"]["enum"]
    result = paths["/api/v1/simulations/{identifier}"]["get"]["responses"]["200"]
    assert result["content"]["application/json"]["schema"]["$ref"].endswith("/SimulationResult")
    for name in ("indicators", "groups", "changed_offers", "statut", "progression"):
        assert schemas["SimulationResult"]["properties"][name].get("description"), name
    assert "terminee" in schemas["SimulationSummary"]["properties"]["statut"]["description"]
