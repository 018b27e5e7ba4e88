"""The web's one error handler (``web/shared/errors.py``): French 4xx, HTML for pages, JSON
under ``/api``."""

from __future__ import annotations

from html import unescape

import pytest

from tests.web.client import WebClient
from tremplin.errors import Busy, InputError


@pytest.fixture
def client(store_client: WebClient) -> WebClient:
    return store_client


def test_unknown_page_is_a_french_404(client: WebClient) -> None:
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page non trouvée" in response.text
    assert '<html lang="fr">' in response.text
    api = client.get("/api/v1/nulle-part")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_an_error_raised_on_purpose_is_its_status_in_french(client: WebClient) -> None:
    missing = client.get("/api/v1/simulations/inconnue")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "simulation « inconnue » inconnue"}
    page = client.get("/simulations/inconnue")
    assert page.status_code == 404
    assert "Page non trouvée" in page.text and "simulation « inconnue » inconnue" in page.text
    bad = client.get("/api/v1/carte/canton")
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("maille « canton » inconnu ; valeurs possibles")


def test_every_tremplin_error_goes_through_the_one_handler(client: WebClient) -> None:
    def busy() -> None:
        raise Busy("un chargement est en cours : réessayer plus tard")

    def refused() -> None:
        raise InputError("doit être positif", where=("places",), expected="un entier ≥ 0")

    client.app.add_api_route("/api/v1/essai-occupe", busy)
    client.app.add_api_route("/essai-refuse", refused)
    api = client.get("/api/v1/essai-occupe")
    assert api.status_code == 503
    assert api.json() == {"detail": "un chargement est en cours : réessayer plus tard"}
    page = client.get("/essai-refuse")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text
    assert "places : doit être positif (attendu : un entier ≥ 0)" in unescape(page.text)


def test_a_bug_is_not_dressed_up_as_bad_input(client: WebClient) -> None:
    def broken() -> None:
        raise ValueError("a bug")

    client.app.add_api_route("/api/v1/essai-bogue", broken)
    with pytest.raises(ValueError, match="a bug"):
        client.get("/api/v1/essai-bogue")
