"""The orientation's pages (``web/orientation/pages.py``), in-process on the demo store: a
trade, the trainings near me with their map data and table, one training; errors."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape

from tests.web.client import WebClient


@pytest.fixture
def client(demo_client: WebClient) -> WebClient:
    return demo_client


def test_trade_page_links_to_trainings_near_me(client: WebClient) -> None:
    html = client.page("/orientation/metier/H2206?commune=38185")
    assert "<h1>" in html
    assert 'id="recrutement"' in html
    assert "Source : enquête Besoins en main-d’œuvre (BMO)" in html
    assert 'href="/orientation/formations?rome=H2206&amp;commune=38185&amp;niveau=apres-3e"' in html
    # Without a commune: no recruitment figure, a form asks for it.
    bare = client.page("/orientation/metier/H2206")
    assert 'id="recrutement"' not in bare and 'name="commune"' in bare


def test_trainings_page_lists_the_api_trainings_with_a_map_and_a_table(client: WebClient) -> None:
    query = "rome=H2206&commune=38185&niveau=apres-3e"
    html = client.page(f"/orientation/formations?{query}&tout=oui")
    found = client.json(f"/api/v1/orientation/formations?{query}")
    ids = [r["id"] for r in found["pres"] + found["loin"]]
    cards = re.findall(r'<h3 class="fr-card__title"><a href="/orientation/formation/([^?"]+)', html)
    assert cards == ids
    table = html.split('id="tableau-carte"')[1].split("</table>")[0]
    assert table.count("<tr>") == len(ids) + 1
    data = html.split('id="carte-orientation-donnees">')[1].split("</script>")[0]
    points = json.loads(data)
    assert [p["url"].split("?")[0].rsplit("/", 1)[1] for p in points["formations"]] == ids
    assert "Près de chez moi" in html and "Plus loin dans l’académie" in html
    assert "sur 10 :" in html.lower()


def test_trainings_page_shows_the_first_twenty_of_each_group(client: WebClient) -> None:
    romes = "H2206,H2102,H2202,H2209,H1404,H2505,H2904"
    found = client.json(f"/api/v1/orientation/formations?rome={romes}&commune=38185")
    assert len(found["loin"]) > 20
    html = client.page(f"/orientation/formations?rome={romes}&commune=38185")
    cards = re.findall(r'<h3 class="fr-card__title"><a href="/orientation/formation/([^?"]+)', html)
    expected = [r["id"] for r in found["pres"][:20]] + [r["id"] for r in found["loin"][:20]]
    assert cards == expected
    assert f"Les 20 premières sur {len(found['loin'])}" in html
    assert 'id="toutes-formations"' in html and "tout=oui" in html


def test_training_page(client: WebClient) -> None:
    found = client.json("/api/v1/orientation/formations?rome=H2206&commune=38185")
    first = found["pres"][0]
    html = client.page(first["url"] + "?commune=38185&rome=H2206")
    assert first["libelle"] in html
    assert "Que deviennent les jeunes ?" in html
    # The jobs waiting for the chosen trade near home, as on the trade's page.
    trade = client.json("/api/v1/orientation/metier/H2206?commune=38185")
    assert "Les emplois près de chez toi" in html
    assert str(escape(trade["recrutement"]["phrase"])) in html
    assert "/orientation/formations?rome=H2206&amp;commune=38185&amp;niveau=apres-3e" in html
    if first["devenir"]["phrase"]:
        assert first["devenir"]["phrase"].capitalize() in html
    else:
        assert "Devenir des jeunes non publié" in html


def test_errors(client: WebClient) -> None:
    assert client.get("/orientation/metier/Z9999").status_code == 404
    assert client.get("/orientation/formation/inconnu").status_code == 404
    mistyped = client.get("/orientation/formations?rome=H2206&commune=Atlantide")
    assert mistyped.status_code == 404
    assert 'aria-invalid="true"' in mistyped.text and "« Atlantide »" in mistyped.text
    assert 'name="rome" value="H2206"' in mistyped.text
    bad = client.get("/orientation/formations?rome=H2206&commune=38185&distance=loin")
    assert bad.status_code == 422 and "n’est pas une distance" in bad.text
    assert "Indique ta commune" in client.page("/orientation/formations?rome=H2206")
