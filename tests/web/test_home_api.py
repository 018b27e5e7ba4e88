"""The sources' API (``web/home/api.py``) and its OpenAPI description."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.web.client import WebClient
from tests.web.stores import write_constat
from tremplin.sources.ingest import load_paths
from tremplin.store.provenance import list_loaded_files


@pytest.fixture
def client(store_client: WebClient) -> WebClient:
    return store_client


def test_api_sources_is_the_provenance_json(
    client: WebClient, store: sa.Engine, tmp_path: Path
) -> None:
    assert client.get("/api/v1/sources").json() == []
    load_paths(store, [write_constat(tmp_path / "demo", 2021, [5], demo=True)])
    [demo] = client.get("/api/v1/sources").json()
    assert (demo["year"], demo["demo"]) == ("2021", True)

    # Real files push the fictional ones out: the two never mix.
    load_paths(store, [write_constat(tmp_path / "reels", 2020, [83, 32], bad_uai_rows=1)])
    response = client.get("/api/v1/sources")
    assert response.status_code == 200
    with store.connect() as conn:
        expected = [loaded.as_json() for loaded in list_loaded_files(conn)]
    # The API names the file, never the server's folders (the key « path » is kept).
    for found in expected:
        assert found["path"] == str(tmp_path / "reels" / found["file"])
        found["path"] = found["file"]
    assert response.json() == expected
    [real] = response.json()
    assert (real["file"], real["year"], real["rows_loaded"]) == ("constat_2020.csv", "2020", 2)
    assert (real["rows_rejected"], real["demo"]) == (1, False)


def test_openapi_documents_the_sources_endpoint(client: WebClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Tremplin"
    operation = document["paths"]["/api/v1/sources"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["items"] == {"$ref": "#/components/schemas/SourceFile"}
    fields = document["components"]["schemas"]["SourceFile"]["properties"]
    assert {"file", "sha256", "year", "rows_loaded", "rows_rejected", "demo"} <= fields.keys()
    assert fields["loaded_at"]["format"] == "date-time"
    # Pages are not part of the API.
    assert "/" not in document["paths"] and "/sources" not in document["paths"]
