"""The orientation's JSON API (``web/orientation/api.py``), in-process: a trade, the trainings
near a commune, errors in French, the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest

from tests.web.client import WebClient
from tremplin.orientation.near import sort_key


@pytest.fixture
def client(demo_client: WebClient) -> WebClient:
    return demo_client


@pytest.fixture(scope="module")
def real_client(real_store_url: str) -> Iterator[WebClient]:
    client = WebClient.on(real_store_url)
    yield client
    client.close()


def test_trainings_near_grenoble(client: WebClient) -> None:
    found = client.json("/api/v1/orientation/formations?rome=H2206&commune=38185&niveau=apres-3e")
    assert found["commune"]["code_insee"] == "38185"
    assert found["hypotheses"] == {
        "facteur_detour": 1.3,
        "vitesse_kmh": 40.0,
        "pres_minutes": 30,
        "tranche_minutes": 5,
    }
    assert found["pres"]
    for group in ("pres", "loin"):
        rows = found[group]
        keys = [sort_key(r["minutes"], r["pertinence"], r["distance_km"], r["id"]) for r in rows]
        assert keys == sorted(keys)
        for row in rows:
            assert row["groupe"] == group and row["source"] == "Affelnet"
            ten = row["devenir"]["sur_10"]
            if ten is not None:
                assert sum(ten.values()) == 10
            else:
                assert row["devenir"]["phrase"] is None
            if row["difficulte"] is not None:
                assert row["capacite"] > 5


def test_rome_codes_repeated_or_comma_separated(client: WebClient) -> None:
    one = client.json("/api/v1/orientation/formations?rome=H2206,H2102&commune=38185")
    two = client.json("/api/v1/orientation/formations?rome=H2206&rome=H2102&commune=38185")
    assert one == two
    assert [m["code_rome"] for m in one["metiers"]] == ["H2102", "H2206"]


def test_errors_are_french(client: WebClient) -> None:
    unknown = client.get("/api/v1/orientation/metier/Z9999")
    assert unknown.status_code == 404 and "Aucune fiche ROME" in unknown.json()["detail"]
    commune = client.get("/api/v1/orientation/formations?rome=H2206&commune=Atlantide")
    assert commune.status_code == 404 and "commune" in commune.json()["detail"]
    level = client.get("/api/v1/orientation/formations?rome=H2206&commune=38185&niveau=cm2")
    assert level.status_code == 422 and "Niveau inconnu" in level.json()["detail"]


def test_openapi_documents_the_orientation(client: WebClient) -> None:
    document = client.json("/api/openapi.json")
    for path in ("/api/v1/orientation/metier/{code_rome}", "/api/v1/orientation/formations"):
        assert path in document["paths"], path
    schema = document["components"]["schemas"]["FormationProche"]["properties"]
    assert {"devenir", "difficulte", "etiquettes", "minutes"} <= set(schema)


def test_trade_on_the_real_files(real_client: WebClient) -> None:
    found = real_client.json("/api/v1/orientation/metier/H2913?commune=Saint-Étienne")
    assert found["libelle"] == "Soudeur / Soudeuse"
    assert found["recrutement"]["bassin"] == "SAINT ETIENNE"
    assert found["recrutement"]["annee"] == 2024
    assert found["recrutement"]["phrase"].startswith(f"{found['recrutement']['projets']} projet")
    assert found["onisep"][0]["lien"].startswith("https://www.onisep.fr/")
    rows = real_client.json("/api/v1/orientation/formations?rome=H2913&commune=42218")
    first = rows["pres"][0]
    assert first["devenir"]["source"].startswith("InserJeunes")
    assert pl.Series([r["minutes"] for r in rows["pres"]]).max() <= 30
