"""The application factory (``web/app.py``): the self-hosted API documentation, the templates
of each feature."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.client import WebClient
from tremplin.web.shared.templating import TEMPLATE_FOLDERS


@pytest.fixture
def client(store_client: WebClient) -> WebClient:
    return store_client


def test_api_docs_is_a_self_hosted_swagger_ui(client: WebClient) -> None:
    html = client.page("/api/docs")
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    # The set-up is a file (no inline script, as the Content-Security-Policy asks).
    assert 'data-openapi-url="/api/openapi.json"' in html
    assert '<script src="/static/api-docs.js"></script>' in html
    assert "<script>" not in html
    setup = client.get("/static/api-docs.js").text
    assert "validatorUrl: null" in setup
    assert "cdn" not in html and "cdn" not in setup
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_each_feature_keeps_its_templates_and_names_are_unique() -> None:
    names: dict[str, list[Path]] = {}
    for folder in TEMPLATE_FOLDERS:
        for path in folder.rglob("*.html"):
            names.setdefault(str(path.relative_to(folder)), []).append(folder)
    assert {"base.html", "error.html", "home.html", "console.html", "simulation.html"} <= set(names)
    assert {name: found for name, found in names.items() if len(found) > 1} == {}
    features = {folder.parent.name for folder in TEMPLATE_FOLDERS}
    assert {"shared", "home", "diagnostic", "simulations"} <= features
