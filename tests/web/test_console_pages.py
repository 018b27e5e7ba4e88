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


def test_console_headers_sort_the_rows_and_links_keep_the_query(client: WebClient) -> None:
    query = "code_region=84&perimetre=tout&min_taux_pression=1,3"
    html = client.get(f"/diagnostic/offres?{query}").text
    # Ranked by places missing at first, and the header says so.
    assert re.search(r'data-colonne="places_manquantes" aria-sort="descending"', html)
    assert "Classées par « Places manquantes" in html
    link = re.search(r'href="([^"]*tri=taux_pression[^"]*)"', html)
    assert link
    address = link.group(1).replace("&amp;", "&")
    assert "min_taux_pression=1.3" in address and "ordre=desc" in address
    sorted_page = client.get(address).text
    assert re.search(r'data-colonne="taux_pression" aria-sort="descending"', sorted_page)
    assert not re.search(r'data-colonne="places_manquantes" aria-sort=', sorted_page)
    # The same rows as the API, in the same order; the export links carry the query.
    api = client.json("/api/v1/offres?" + address.split("?", 1)[1] + "&taille=50")
    shown = re.findall(r'<td data-colonne="uai"[^>]*>([^<]*)</td>', sorted_page)
    assert shown == [r["uai"] for r in api["lignes"]]
    export = re.search(r'href="(/api/v1/offres\.csv\?[^"]*)"', sorted_page)
    assert export and "tri=taux_pression" in export.group(1)
    assert "min_taux_pression=1.3" in export.group(1)
    # The other way round on a second click.
    again = re.search(r'href="([^"]*tri=taux_pression&amp;ordre=asc[^"]*)"', sorted_page)
    assert again
    # Thresholds and several territories are in the form.
    assert 'name="min_taux_pression" value="1,3"' in html
    assert re.search(
        r'<select[^>]*id="filtre-code_departement" name="code_departement" multiple', html
    )


def test_console_page_keeps_several_departements(client: WebClient) -> None:
    everything = client.json("/api/v1/offres?perimetre=tout&code_region=84&taille=1000")["lignes"]
    first, second = sorted({r["code_departement"] for r in everything if r["code_departement"]})[:2]
    html = client.get(
        f"/diagnostic/offres?perimetre=tout&code_departement={first}&code_departement={second}"
    ).text
    chosen = re.findall(r'<option value="([^"]+)" selected>', html)
    assert first in chosen and second in chosen
    total = len([r for r in everything if r["code_departement"] in (first, second)])
    assert f"<strong>{total} ligne" in html.replace("\u202f", "")
