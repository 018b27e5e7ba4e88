"""The diagnostic's parameters (``web/diagnostic/params.py``): a bad value is a French 422, as
JSON in the API and as a page otherwise."""

from __future__ import annotations

import pytest

from tests.web.client import WebClient


@pytest.fixture
def client(demo_client: WebClient) -> WebClient:
    return demo_client


def test_bad_values_give_a_french_422(client: WebClient) -> None:
    response = client.get("/api/v1/diagnostic?maille=canton")
    assert response.status_code == 422
    message = response.json()["detail"]
    assert message.startswith("maille « canton » inconnu ; valeurs possibles : region, academie")
    assert client.get("/api/v1/diagnostic?taille=5000").json()["detail"] == (
        "taille « 5000 » : au plus 1000 est attendu"
    )
    assert client.get("/api/v1/diagnostic?annee=demain").json()["detail"] == (
        "annee « demain » : un nombre entier est attendu"
    )
    assert "objectif « paix » inconnu" in client.get("/api/v1/diagnostic?objectif=paix").text
    assert "statut « stage » inconnu" in client.get("/api/v1/offres?statut=stage").text
    page = client.get("/diagnostic?maille=canton")
    assert page.status_code == 422
    assert "maille « canton » inconnu" in page.text
    assert '<html lang="fr">' in page.text
    assert client.get("/diagnostic/territoire/bassin/nulle-part").status_code == 404
