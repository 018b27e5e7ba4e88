"""The orientation pages of the trade search, in-process on the demo territory."""

from __future__ import annotations

from urllib.parse import quote

from tests.web.client import WebClient


def test_the_start_page_asks_and_offers_examples_interests_and_domains(
    demo_client: WebClient,
) -> None:
    response = demo_client.get("/orientation")
    assert response.status_code == 200
    page = response.text
    assert "Qu’est-ce que tu aimes faire ?" in page
    assert f'href="/orientation/metiers?q={quote("je veux réparer des machines")}"' in page
    assert 'href="/orientation/metiers?q=soudure"' in page
    assert "Travailler dehors avec ses mains" in page
    assert 'href="/orientation/metiers?domaine=H29"' in page
    assert "Mécanique, travail des métaux et outillage" in page


def test_results_link_each_trade_to_its_page_with_the_commune(demo_client: WebClient) -> None:
    response = demo_client.get("/orientation/metiers?q=soudeuse&commune=07010")
    assert response.status_code == 200
    page = response.text
    assert "Métiers pour « soudeuse »" in page
    assert "Commune : Annonay (07010)" in page
    assert 'href="/orientation/metier/H2913?commune=07010">Soudeur / Soudeuse</a>' in page
    assert "Industrie</span>" in page
    assert "Pertinence :" in page
    assert "divisée par 1,05" in page


def test_a_domain_lists_its_trades(demo_client: WebClient) -> None:
    page = demo_client.get("/orientation/metiers?domaine=H29").text
    assert "Métiers du domaine « Mécanique, travail des métaux et outillage »" in page
    assert 'href="/orientation/metier/H2913">Soudeur / Soudeuse</a>' in page
    assert demo_client.get("/orientation/metiers?domaine=Z99").status_code == 404


def test_nothing_found_and_unknown_words_are_said(demo_client: WebClient) -> None:
    page = demo_client.get("/orientation/metiers?q=xqzwv").text
    assert "Mot non reconnu : xqzwv." in page
    assert "Aucun métier trouvé pour « xqzwv »." in page
    assert demo_client.get("/orientation/metiers").status_code == 200


def test_an_unknown_commune_is_a_french_error_page(demo_client: WebClient) -> None:
    response = demo_client.get("/orientation/metiers?q=soudure&commune=99999")
    assert response.status_code == 422
    assert "commune inconnue : « 99999 »" in response.text


def test_the_menu_leads_to_orientation(demo_client: WebClient) -> None:
    page = demo_client.get("/").text
    assert '<a class="fr-nav__link" href="/orientation">Orientation</a>' in page
