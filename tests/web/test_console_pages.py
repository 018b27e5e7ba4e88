"""The consoles' pages (``web/diagnostic/console_pages.py``), on the demo territory."""

from __future__ import annotations

import re

import pytest

from tests.web.client import WebClient


@pytest.fixture
def client(demo_client: WebClient) -> WebClient:
    return demo_client


def test_console_pages_filter_and_link_to_establishments(client: WebClient) -> None:
    html = client.get("/diagnostic/formations?code_region=84&perimetre=tout").text
    assert 'id="choix-colonnes"' in html and 'id="requetes-enregistrees"' in html
    assert 'href="/api/v1/formations.csv?perimetre=tout&amp;code_region=84"' in html
    link = re.search(r'href="(/diagnostic/offres\?[^"]*cfd=[^"]*)"', html)
    assert link
    target = client.get(link.group(1).replace("&amp;", "&"))
    assert target.status_code == 200
    assert "Établissements et offres" in target.text
    empty = client.get("/diagnostic/offres?texte=introuvable-xyz").text
    assert "Aucune ligne pour ces filtres." in empty
