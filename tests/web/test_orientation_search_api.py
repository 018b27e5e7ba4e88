"""``GET /api/v1/orientation/metiers``: the trades for a young person's words, as JSON."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.orientation.conftest import write_rome
from tests.web.client import WebClient
from tremplin.orientation.search import MAX_LIMIT
from tremplin.sources.ingest import load_paths

API = "/api/v1/orientation/metiers"


def test_ranked_trades_with_code_label_score_and_link(demo_client: WebClient) -> None:
    found = demo_client.json(f"{API}?q=soudeuses&commune=07010")
    assert found[0]["code_rome"] == "H2913"
    assert found[0]["libelle"] == "Soudeur / Soudeuse"
    assert found[0]["appellation"] == "Soudeur / Soudeuse"
    assert found[0]["industrie"] is True
    assert found[0]["lien"] == "/orientation/metier/H2913?commune=07010"
    assert "« soudeuses » y figure" in found[0]["pourquoi"]
    scores = [trade["score"] for trade in found]
    assert scores == sorted(scores, reverse=True)


def test_the_limit_and_its_bounds(demo_client: WebClient) -> None:
    assert len(demo_client.json(f"{API}?q=maintenance&limite=2")) == 2
    for limite in (0, MAX_LIMIT + 1):
        response = demo_client.get(f"{API}?q=maintenance&limite={limite}")
        assert response.status_code == 422


def test_an_unknown_commune_is_a_french_422(demo_client: WebClient) -> None:
    response = demo_client.get(f"{API}?q=soudure&commune=99999")
    assert response.status_code == 422
    assert "commune inconnue : « 99999 »" in response.text


def test_words_that_say_nothing_find_nothing(demo_client: WebClient) -> None:
    assert demo_client.json(f"{API}?q=je%20veux") == []
    assert demo_client.get(API).status_code == 422


def test_described_in_the_openapi_document(demo_client: WebClient) -> None:
    document = demo_client.json("/api/openapi.json")
    operation = document["paths"][API]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "commune", "limite"}
    assert operation["tags"] == ["Orientation"]


def test_the_index_follows_a_load(
    store_client: WebClient, store: sa.Engine, tmp_path: Path
) -> None:
    assert store_client.json(f"{API}?q=soudeur") == []
    load_paths(store, [write_rome(tmp_path / "rome")])
    assert store_client.json(f"{API}?q=soudeur")[0]["code_rome"] == "H2913"
